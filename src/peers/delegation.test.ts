/**
 * ID delegation. The walk runs two real instances (the composition root and the real app on loopback HTTP; the
 * signed messages between them): national delegates a block of its CNVD-2026 series to sector A, A gives the
 * block's numbers to the reports it verifies, asks for more when it runs low, and national grants the next block
 * by its id policy. The allocation itself is tested on both backends with 20 verifications at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import type { SubmissionInput } from '../submissions/service.js';
import { parseDelegateBody, parseRequestBody, runsLow } from './delegation.js';
import { DEFAULT_POLICY } from './policy.js';
import { start, stop, type Instance } from './test-instances.js';

/** The walk: national on PostgreSQL when it is a test backend, the sector on PGlite. */
const NATIONAL_BACKEND = testBackends().includes('postgres') ? 'postgres' : 'pglite';
const PW = 'correct horse battery staple';
const IDS_POLICY = { receive: { kinds: ['record', 'ids'] }, accept: { kinds: ['record', 'ids'] } };
const NOW = new Date('2026-06-01T02:00:00Z');
const VERIFICATION = { environment: 'lab', steps: 'steps', result: 'reproduced' as const, verifier: 'lab' };

const report = (n: number): SubmissionInput => ({
  kind: 'general',
  title: `Acme PLC-${n} Modbus 写寄存器缓冲区溢出漏洞`,
  vendor: 'Acme',
  product: `PLC-${n}`,
  version: '1.0',
  description: `Acme PLC-${n} 1.0 处理 Modbus 写寄存器请求时存在缓冲区溢出漏洞，攻击者可导致拒绝服务。`,
  reproduction: `write 4096 bytes to register 4000${n}`,
  cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  originality: 'original',
});

async function people(platform: Platform, domain: string) {
  const out: Record<'reporter' | 'analyst', Principal> = {} as Record<'reporter' | 'analyst', Principal>;
  for (const role of ['reporter', 'analyst'] as const) {
    const email = `${role}@${domain}.example`;
    await platform.accounts.createUser(CLI, { email, displayName: role, password: PW, role });
    const s = await platform.accounts.resolveSession(
      (await platform.accounts.login({ email, password: PW })).session,
    );
    if (!s) throw new Error(email);
    out[role] = s.principal;
  }
  return out;
}

/** Submit `n` reports and bring each to verifying; answers their tracking numbers. */
async function verifying(
  platform: Platform,
  who: Record<'reporter' | 'analyst', Principal>,
  n: number,
  from = 0,
) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await platform.submissions.submit(who.reporter, report(from + i));
    await platform.submissions.transition(who.analyst, s.trackingNo, { to: 'triaged' });
    await platform.submissions.transition(who.analyst, s.trackingNo, { to: 'verifying' });
    out.push(s.trackingNo);
  }
  return out;
}

const verify = async (platform: Platform, analyst: Principal, trackingNo: string) =>
  (await platform.submissions.transition(analyst, trackingNo, { to: 'verified', verification: VERIFICATION }))
    .vulnerabilityId;

describe('ID delegation messages and rules', () => {
  it('checks an ids.delegate body field by field', () => {
    const ok = { prefix: 'CNVD', year: 2026, first: 1, last: 5, digits: 5, request: null };
    expect(parseDelegateBody(ok)).toEqual(ok);
    for (const bad of [
      { ...ok, prefix: 'cnvd' },
      { ...ok, year: 26 },
      { ...ok, last: 0 },
      { ...ok, first: 99_999, last: 100_000 },
      { ...ok, last: 1 + 100_000 },
      { ...ok, request: 5 },
      null,
    ])
      expect(() => parseDelegateBody(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'id_delegation_invalid' }),
      );
  });

  it('checks an ids.request body', () => {
    const ok = { prefix: 'CNVD', year: 2026, count: 100, key: 'CNVD-2026-1' };
    expect(parseRequestBody(ok)).toEqual(ok);
    for (const bad of [
      { ...ok, count: 0 },
      { ...ok, key: '' },
      { ...ok, year: '2026' },
    ])
      expect(() => parseRequestBody(bad)).toThrow(expect.objectContaining({ code: 'id_delegation_invalid' }));
  });

  it('asks for more when less than the share is left (at least when nothing is left)', () => {
    // a block of 100 at 10 %: asks when 9 are left, not at 10
    expect(runsLow(10, 100, 0, 0.1)).toBe(false);
    expect(runsLow(9, 100, 0, 0.1)).toBe(true);
    // a later block held already: not yet
    expect(runsLow(9, 100, 50, 0.1)).toBe(false);
    // a block of 5: 10 % is less than one number, so it asks when the last is taken
    expect(runsLow(1, 5, 0, 0.1)).toBe(false);
    expect(runsLow(0, 5, 0, 0.1)).toBe(true);
  });
});

describe.each(testBackends())('ID allocation from held blocks on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let who: Record<'reporter' | 'analyst', Principal>;

  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ idPrefix: 'ICS', logLevel: 'silent', worker: false }), {
      mailer: null,
      clock: () => NOW,
    });
    who = await people(platform, 'sector');
  }, 60_000);
  afterAll(async () => {
    await platform?.peers.messages.close();
    await platform?.close();
    await d?.close();
  });

  it('gives 20 verifications at once 20 distinct numbers, in order, from the oldest open block on', async () => {
    // two blocks as national delegated them, the later one arriving first (order does not matter)
    for (const b of [
      { first: 201, last: 230 },
      { first: 101, last: 110 },
    ])
      await d.db.transaction().execute((tx) =>
        platform.delegation.receiveDelegate(
          {
            tx,
            peer: 'national',
            messageId: `m${b.first}`,
            issuedAt: NOW.toISOString(),
            policy: DEFAULT_POLICY,
          },
          { prefix: 'CNVD', year: 2026, digits: 5, request: null, ...b },
        ),
      );
    const subs = await verifying(platform, who, 20);
    const ids = await Promise.all(subs.map((t) => verify(platform, who.analyst, t)));
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => 101 + i),
      ...Array.from({ length: 10 }, (_, i) => 201 + i),
    ].map((n) => `CNVD-2026-${String(n).padStart(5, '0')}`);
    expect([...ids].sort()).toEqual(expected);
    expect((await platform.delegation.held(CLI)).map((b) => [b.first, b.next, b.left])).toEqual([
      [101, 111, 0],
      [201, 211, 20],
    ]);
  }, 120_000);

  it('falls back to its own prefix when it holds no open block of the year', async () => {
    await d.db
      .transaction()
      .execute((tx) =>
        platform.delegation.receiveDelegate(
          { tx, peer: 'national', messageId: 'm2025', issuedAt: NOW.toISOString(), policy: DEFAULT_POLICY },
          { prefix: 'CNVD', year: 2025, first: 1, last: 3, digits: 5, request: null },
        ),
      );
    // use up 2026 (20 left in the second block)
    const subs = await verifying(platform, who, 21, 100);
    const ids: Array<string | null | undefined> = [];
    for (const t of subs) ids.push(await verify(platform, who.analyst, t));
    expect(ids.slice(0, 20)).toEqual(
      Array.from({ length: 20 }, (_, i) => `CNVD-2026-${String(211 + i).padStart(5, '0')}`),
    );
    // the 2025 block is not this year's: our own series
    expect(ids[20]).toBe('ICS-2026-00001');
  }, 120_000);
});

describe('ID delegation: national and sector A', () => {
  let national: Instance;
  let a: Instance;
  let nWho: Record<'reporter' | 'analyst', Principal>;
  let aWho: Record<'reporter' | 'analyst', Principal>;

  beforeAll(async () => {
    [national, a] = await Promise.all([
      start('national', NATIONAL_BACKEND, 'CNVD', { clock: () => NOW }),
      start('sector-a', 'pglite', 'ICS', { clock: () => NOW }),
    ]);
    const nid = await national.platform.peers.identity(CLI);
    const aid = await a.platform.peers.identity(CLI);
    await national.platform.peers.addPeer(CLI, {
      name: 'sector-a',
      url: a.base,
      key: aid.publicKey,
      policy: IDS_POLICY,
    });
    await a.platform.peers.addPeer(CLI, {
      name: 'national',
      url: national.base,
      key: nid.publicKey,
      policy: IDS_POLICY,
    });
    // national answers A's requests at once, 10 numbers at a time
    await national.platform.delegation.setIdPolicy(CLI, 'sector-a', { grant: 'auto', blockSize: 10 });
    nWho = await people(national.platform, 'national');
    aWho = await people(a.platform, 'sector-a');
  }, 120_000);
  afterAll(async () => {
    await stop(...[a, national].filter(Boolean));
  });

  const settle = async () => {
    for (let i = 0; i < 3; i++)
      for (const [i1, peer] of [
        [a, 'national'],
        [national, 'sector-a'],
      ] as const) {
        await i1.platform.peers.messages.idle();
        await i1.platform.peers.messages.deliverNow(peer);
        await i1.platform.peers.messages.idle();
      }
  };

  it('national delegates 5; A verifies 7: 5 from the block, the request granted, 2 from the next block', async () => {
    const block = await national.platform.delegation.delegate(CLI, 'sector-a', { count: 5, year: 2026 });
    expect(block).toMatchObject({ first: 1, last: 5, firstId: 'CNVD-2026-00001', lastId: 'CNVD-2026-00005' });
    await settle();
    expect(await a.platform.delegation.held(CLI)).toMatchObject([
      { from: 'national', prefix: 'CNVD', first: 1, last: 5, next: 1, left: 5, requestedAt: null },
    ]);

    const subs = await verifying(a.platform, aWho, 7);
    const ids: Array<string | null | undefined> = [];
    for (const t of subs.slice(0, 5)) ids.push(await verify(a.platform, aWho.analyst, t));
    expect(ids).toEqual([
      'CNVD-2026-00001',
      'CNVD-2026-00002',
      'CNVD-2026-00003',
      'CNVD-2026-00004',
      'CNVD-2026-00005',
    ]);
    // the last number taken: A asked for more, once
    const [first] = await a.platform.delegation.held(CLI);
    expect(first?.requestedAt).not.toBeNull();
    await settle();
    // national recorded and granted the request with a block of 10 after the first
    expect(await national.platform.delegation.pending(CLI)).toEqual([]);
    expect(
      (await national.platform.delegation.blocks(CLI, 'sector-a')).map((b) => [b.first, b.last, b.request]),
    ).toEqual([
      [1, 5, null],
      [6, 15, 'CNVD-2026-1'],
    ]);
    for (const t of subs.slice(5)) ids.push(await verify(a.platform, aWho.analyst, t));
    expect(ids.slice(5)).toEqual(['CNVD-2026-00006', 'CNVD-2026-00007']);

    // national's own next number comes after both blocks
    const [own] = await verifying(national.platform, nWho, 1, 50);
    const nationalId = await verify(national.platform, nWho.analyst, own ?? '');
    expect(nationalId).toBe('CNVD-2026-00016');
    // no number used twice across the two instances
    const all = [...ids, nationalId];
    expect(new Set(all).size).toBe(all.length);
  }, 180_000);

  it('a repeated request grants nothing more; a manual policy keeps the next request pending for an admin', async () => {
    // the same request again (as a lost acknowledgement would make A resend it): acknowledged, not granted twice
    await a.d.db.transaction().execute((tx) =>
      a.platform.peers.messages.enqueue(tx, 'national', 'ids.request', {
        prefix: 'CNVD',
        year: 2026,
        count: 5,
        key: 'CNVD-2026-1',
      }),
    );
    await settle();
    expect(await national.platform.delegation.blocks(CLI, 'sector-a')).toHaveLength(2);

    await national.platform.delegation.setIdPolicy(CLI, 'sector-a', { grant: 'manual' });
    await a.d.db.transaction().execute((tx) =>
      a.platform.peers.messages.enqueue(tx, 'national', 'ids.request', {
        prefix: 'CNVD',
        year: 2026,
        count: 10,
        key: 'CNVD-2026-6',
      }),
    );
    await settle();
    expect((await national.platform.delegation.pending(CLI)).map((r) => r.request_key)).toEqual([
      'CNVD-2026-6',
    ]);
    const granted = await national.platform.delegation.delegate(CLI, 'sector-a', { count: 3, year: 2026 });
    expect(granted).toMatchObject({ first: 17, last: 19, request: 'CNVD-2026-6' });
    expect(await national.platform.delegation.pending(CLI)).toEqual([]);
    await settle();
    expect((await a.platform.delegation.held(CLI)).map((b) => [b.first, b.last])).toEqual([
      [1, 5],
      [6, 15],
      [17, 19],
    ]);
  }, 120_000);

  it('the admin API: POST /api/v1/peers/{name}/id-blocks delegates (admins only), GET lists, held on the sector', async () => {
    const email = 'admin@national.example';
    await national.platform.accounts.createUser(CLI, {
      email,
      displayName: 'admin',
      password: PW,
      role: 'admin',
    });
    const s = await national.platform.accounts.resolveSession(
      (await national.platform.accounts.login({ email, password: PW })).session,
    );
    if (!s) throw new Error('no session');
    const { token } = await national.platform.accounts.createApiToken(s.principal, { name: 'test' });
    const post = (body: unknown, auth: Record<string, string>) =>
      fetch(`${national.base}/api/v1/peers/sector-a/id-blocks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(body),
      });
    expect((await post({ count: 2 }, {})).status).toBe(401);
    const analyst = await national.platform.accounts.createApiToken(nWho.analyst, { name: 'test' });
    expect((await post({ count: 2 }, { authorization: `Bearer ${analyst.token}` })).status).toBe(403);
    const auth = { authorization: `Bearer ${token}` };
    expect((await post({ count: 0 }, auth)).status).toBe(400);
    const r = await post({ count: 2, year: 2026 }, auth);
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({
      peer: 'sector-a',
      first: 20,
      last: 21,
      firstId: 'CNVD-2026-00020',
    });
    const list = (await (
      await fetch(`${national.base}/api/v1/peers/sector-a/id-blocks`, { headers: auth })
    ).json()) as { items: Array<{ first: number }>; pending: unknown[] };
    expect(list.items.map((b) => b.first)).toEqual([1, 6, 17, 20]);
    expect(list.pending).toEqual([]);
    await settle();
    expect((await a.platform.delegation.held(CLI)).map((b) => b.first)).toEqual([1, 6, 17, 20]);
  }, 120_000);
});
