import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import {
  attachmentBytes,
  AUDIENCES_SENT,
  caseItem,
  followSteps,
  HANDOVER_STATES,
  isNewer,
  mirroredBoard,
  parseHandover,
  parseUpdate,
  type CaseUpdateBody,
  type HandoverBody,
} from './handover-model.js';
import { DEFAULT_POLICY, mayAccept, mayReceive, parsePolicy } from './policy.js';

const bytes = Buffer.from('PoC: send 4096 bytes to port 502\n');
const sha = createHash('sha256').update(bytes).digest('hex');

const handover = (over: Partial<HandoverBody> = {}): HandoverBody => ({
  reference: 'S-20261201-AAAA1111',
  version: 1,
  sentAt: '2026-12-01T10:00:00.000Z',
  report: {
    kind: 'general',
    title: 'Siemens Controller X buffer overflow',
    vendor: 'Siemens',
    product: 'Controller X',
    version: '1.0',
    affectedOrganisation: null,
    affectedSystem: null,
    description: 'A long Modbus frame overflows a stack buffer.',
    reproduction: null,
    poc: null,
    cveId: null,
    cvss: {
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      version: '3.1',
      score: 9.8,
      severity: 'high',
    },
    weakness: { cwe: 'CWE-120', nameZh: '缓冲区溢出' },
    originality: 'original',
    sourceUrl: null,
    credit: 'ICS Lab',
    submittedAt: '2026-11-30T08:00:00.000Z',
  },
  attachments: [
    {
      filename: 'poc.txt',
      contentType: 'text/plain',
      size: bytes.length,
      sha256: sha,
      content: bytes.toString('base64'),
    },
  ],
  messages: [
    {
      id: 7,
      side: 'reporter',
      audience: 'reporter',
      body: 'Firmware 1.0.3 too.',
      createdAt: '2026-11-30T09:00:00Z',
    },
  ],
  ...over,
});

const update = (over: Partial<CaseUpdateBody> = {}): CaseUpdateBody => ({
  reference: 'S-20261201-AAAA1111',
  trackingNo: 'S-20261201-BBBB2222',
  version: 3,
  state: 'notified',
  stateReason: null,
  vulnerabilityId: 'CN-2026-00001',
  publishedAt: null,
  timeline: [
    { to: 'submitted', at: '2026-12-01T10:00:01Z' },
    { to: 'verified', at: '2026-12-01T11:00:00Z' },
    { to: 'notified', at: '2026-12-01T11:05:00Z' },
  ],
  board: [
    {
      organisation: 'Siemens',
      category: 'vendor',
      state: 'acknowledged',
      deadline: '2026-12-16T11:05:00Z',
      fixUrl: null,
    },
  ],
  at: '2026-12-01T12:00:00Z',
  ...over,
});

const codeOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return isAppError(e) ? `${e.code}: ${e.message}` : String(e);
  }
};

describe('a case as a policy item', () => {
  it('is refused by the default policy (records only) and sent where the peer receives cases at TLP:AMBER', () => {
    const item = caseItem({ vendor: 'Siemens' });
    expect(item).toEqual({ kind: 'case', tlp: 'amber', embargoed: false, sectors: [], vendors: ['Siemens'] });
    expect(mayReceive(DEFAULT_POLICY.receive, item)).toEqual({
      ok: false,
      reason: 'kind case not sent to this peer',
    });
    const national = parsePolicy({ receive: { kinds: ['record', 'case'], tlp: ['clear', 'amber'] } });
    expect(mayReceive(national.receive, item)).toEqual({ ok: true });
    // a case is amber: a peer that takes cases but only clear items is not sent one
    const clearOnly = parsePolicy({ receive: { kinds: ['case'] } });
    expect(mayReceive(clearOnly.receive, item).ok).toBe(false);
    expect(mayAccept(parsePolicy({ accept: { kinds: ['case'], tlp: ['amber'] } }).accept, item)).toEqual({
      ok: true,
    });
    expect(mayAccept(DEFAULT_POLICY.accept, item).ok).toBe(false);
  });

  it('may be handed over while open, never once duplicate, rejected, fixed or published', () => {
    expect(HANDOVER_STATES).toEqual([
      'submitted',
      'triaged',
      'need_info',
      'verifying',
      'verified',
      'notified',
    ]);
  });
});

describe('the messages a hand-over carries, by the peer’s case policy', () => {
  it('reads like the table: none, the reporter thread, or every thread and internal notes', () => {
    expect(AUDIENCES_SENT).toEqual({
      none: [],
      reporter: ['reporter'],
      all: ['reporter', 'internal', 'recipients', 'organisation'],
    });
  });
});

describe('case.handover bodies', () => {
  it('takes a well-formed body and the attachment bytes whose checksum matches', () => {
    const b = parseHandover(handover());
    expect(b.report.credit).toBe('ICS Lab');
    const [a] = b.attachments;
    expect(a && attachmentBytes(a).equals(bytes)).toBe(true);
  });

  it('refuses each malformed part with case_message_invalid naming it', () => {
    expect(codeOf(() => parseHandover({ ...handover(), version: 0 }))).toBe(
      'case_message_invalid: case.handover: version is a positive integer',
    );
    expect(
      codeOf(() => parseHandover({ ...handover(), report: { ...handover().report, vendor: null } })),
    ).toBe('case_message_invalid: case.handover: report: a general report names vendor and product');
    expect(codeOf(() => parseHandover({ ...handover(), messages: [{ id: 1, side: 'vendor' }] }))).toMatch(
      /^case_message_invalid: case.handover: a message lacks/,
    );
    expect(codeOf(() => parseHandover('x'))).toBe(
      'case_message_invalid: case.handover: the body is not an object',
    );
  });

  it('refuses an attachment whose bytes are not what its checksum, size or type say', () => {
    const [a] = handover().attachments;
    if (!a) throw new Error('fixture');
    expect(codeOf(() => attachmentBytes({ ...a, sha256: '0'.repeat(64) }))).toBe(
      'case_message_invalid: case.handover: attachment poc.txt: the bytes do not match their sha256',
    );
    expect(codeOf(() => attachmentBytes({ ...a, size: a.size + 1 }))).toMatch(
      /bytes where .* were announced/,
    );
    expect(codeOf(() => attachmentBytes({ ...a, contentType: 'application/x-msdownload' }))).toMatch(
      /type application\/x-msdownload is not accepted/,
    );
  });
});

describe('case.update bodies', () => {
  it('takes the whole board and refuses an unknown notification state', () => {
    expect(parseUpdate(update()).board).toHaveLength(1);
    const broken = { ...update(), board: [{ ...update().board[0], state: 'patched' }] };
    expect(codeOf(() => parseUpdate(broken))).toMatch(/^case_message_invalid: case.update: board is a list/);
  });

  it('applies only a newer version: a repeat or a late older one changes nothing', () => {
    expect(isNewer(4, 3)).toBe(true);
    expect(isNewer(3, 3)).toBe(false);
    expect(isNewer(2, 3)).toBe(false);
  });

  it('shows a mirrored notification as overdue by our clock once its deadline passed unfixed', () => {
    const [open] = mirroredBoard(update().board, new Date('2026-12-20T00:00:00Z'));
    expect(open?.overdue).toBe(true);
    const fixed = mirroredBoard(
      [{ ...update().board[0], state: 'fixed' } as CaseUpdateBody['board'][number]],
      new Date('2026-12-20T00:00:00Z'),
    );
    expect(fixed[0]?.overdue).toBe(false);
  });
});

describe('our submission follows the peer’s case through the system’s table', () => {
  it.each([
    ['verified', 'notified', ['notified']],
    ['verified', 'fixed', ['notified', 'fixed']],
    ['notified', 'fixed', ['fixed']],
    ['notified', 'published', ['fixed']],
    ['fixed', 'fixed', []],
    ['triaged', 'fixed', []],
    ['verified', 'verifying', []],
  ] as const)('ours %s, the peer’s %s → %j', (ours, theirs, steps) => {
    const timeline = [
      { to: 'submitted' as const, at: '2026-12-01T10:00:00Z' },
      ...(['notified', 'fixed', 'published'].includes(theirs)
        ? [{ to: 'notified' as const, at: '2026-12-01T11:00:00Z' }]
        : []),
      ...(['fixed', 'published'].includes(theirs)
        ? [{ to: 'fixed' as const, at: '2026-12-02T11:00:00Z' }]
        : []),
    ];
    expect(followSteps(ours, { state: theirs, timeline })).toEqual(steps);
  });
});
