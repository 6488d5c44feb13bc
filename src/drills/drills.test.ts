/**
 * A whole exercise on both backends, with a fake clock, a real SMTP peer (smtp-server) and a real webhook
 * receiver (node:http), through the real HTTP app: three participants, three injects delivered once each at
 * their time (every subject marked [EXERCISE / 演练]), two participants answering (one late, one missing
 * actions), the live timeline, the after-action figures to the minute, and the PDF printed by Chromium and
 * turned into PNG pages (pdftoppm) to look at. Exercise traffic leaves the real tables and the bulletin as they were.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { drainOutbox } from '../app/worker.js';
import { createSmtpMailer } from '../coordination/mailer.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import type { AfterActionData } from './figures.js';
import { EXERCISE_MARK } from './model.js';

const PW = 'correct horse battery staple';
const CHROMIUM = '/usr/bin/chromium';

/** An RFC 2047 encoded-word header (what nodemailer writes for a non-ASCII subject), decoded. */
function decodeHeader(raw: string, name: string): string {
  const m = new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  const v = (m?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

async function smtpPeer() {
  const mails: Array<{ to: string; subject: string; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          subject: decodeHeader(raw, 'Subject'),
          raw,
        });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    mails,
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function webhookPeer() {
  const calls: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    calls,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const T0 = Date.parse('2026-03-02T01:00:00Z'); // Monday of ISO week 2026-W10
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

/** Rows of the tables real work is counted in: exercise traffic must never add to them. */
const REAL_TABLES = [
  'vulnerabilities',
  'source_records',
  'submissions',
  'submission_transitions',
  'notifications',
  'notification_events',
  'incidents',
  'watch_alerts',
  'bulletins',
] as const;

describe.each(testBackends())('an exercise on %s', (backend) => {
  let d: Database;
  let smtp: Awaited<ReturnType<typeof smtpPeer>>;
  let hook: Awaited<ReturnType<typeof webhookPeer>>;
  let platform: Platform;
  let app: FastifyInstance;
  let base = '';
  let now = at(-120);
  const org = { team: 0, bank: 0, peer: 0 };
  let hookSecret = '';
  const sessions: Record<string, { cookie: string; csrf: string }> = {};
  let drillId = 0;
  let injectIds: number[] = [];
  let countsBefore: Record<string, number> = {};
  let bulletinBefore: unknown;

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of REAL_TABLES) {
      const r = await d.db
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  };
  const bulletinFigures = async () =>
    (
      JSON.parse(String((await platform.bulletins.read(CLI, '2026-W10', 'zh', 'json')).body)) as {
        figures: unknown;
      }
    ).figures;

  async function call(who: string, method: string, path: string, body?: unknown) {
    const s = sessions[who];
    const r = await fetch(base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = r.headers.get('content-type') ?? '';
    return {
      status: r.status,
      type,
      body: type.startsWith('application/json') ? ((await r.json()) as Record<string, unknown>) : null,
      bytes: type.startsWith('application/json') ? null : Buffer.from(await r.arrayBuffer()),
    };
  }

  beforeAll(async () => {
    d = await freshDatabase(backend);
    smtp = await smtpPeer();
    hook = await webhookPeer();
    platform = createPlatform(
      d,
      // the webhook receiver listens on 127.0.0.1: this test allows internal targets explicitly
      completeConfig({ logLevel: 'silent', allowInternalTargets: ANY_INTERNAL_TARGET }),
      { clock: () => now, mailer: createSmtpMailer(smtp.url, 'vulnshare <noreply@vs.example>') },
    );
    const a = platform.accounts;
    org.team = (await a.createOrganisation(CLI, { kind: 'coordinator', name: 'CNCERT 应急处置组' })).id;
    org.bank = (
      await a.createOrganisation(CLI, { kind: 'member_unit', name: '某银行', sector: 'banking' })
    ).id;
    org.peer = (
      await a.createOrganisation(CLI, { kind: 'authority', name: 'PeerCERT', nameEn: 'PeerCERT' })
    ).id;
    await a.addContact(CLI, org.team, { name: '值班', email: 'duty@cncert.example' });
    hookSecret =
      (
        await a.addContact(CLI, org.bank, {
          name: 'SOC',
          email: 'soc@bank.example',
          webhookUrl: hook.url,
          portal: true,
        })
      ).webhookSecret ?? '';
    await a.addContact(CLI, org.peer, { name: 'IR', email: 'ir@peercert.example' });
    for (const [name, role, o] of [
      ['control', 'analyst', null],
      ['bank', 'recipient', org.bank],
      ['peer', 'recipient', org.peer],
      ['outsider', 'recipient', null],
    ] as const)
      await a.createUser(CLI, {
        email: `${name}@drill.example`,
        displayName: name,
        password: PW,
        role,
        organisationId: o,
      });
    app = await buildApp({ database: d, config: {}, platform });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const name of ['control', 'bank', 'peer', 'outsider']) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${name}@drill.example`, password: PW }),
      });
      expect(r.status).toBe(200);
      sessions[name] = {
        csrf: ((await r.json()) as { csrfToken: string }).csrfToken,
        cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      };
    }
    countsBefore = await counts();
    bulletinBefore = await bulletinFigures();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    await smtp?.close();
    await hook?.close();
    await d?.close();
  });

  it('creates a draft exercise with three participants and three injects (the control team only)', async () => {
    const exercise = {
      title: '2026 年度 APCERT 应急演练：勒索软件与 C2',
      scenario: {
        zh: '某金融机构内网出现勒索软件，样本回连境外 C2 服务器。各参演单位须确认收到通报、分析样本并报告 C2 地址。',
        en: 'Ransomware inside a financial institution calls back to a C2 server abroad. Participants acknowledge, analyse the sample and report the C2 address.',
      },
      participantIds: [org.team, org.bank, org.peer],
      injects: [
        {
          dueAt: iso(60),
          channels: ['email'],
          subject: '注入 2：样本横向移动',
          body: '样本开始通过 SMB 横向移动。',
          expected: [{ key: 'ack', description: '30 分钟内确认', withinMinutes: 30 }],
        },
        {
          dueAt: iso(0),
          channels: ['email', 'webhook', 'inbox'],
          subject: '注入 1：发现勒索软件样本',
          body: '监测发现勒索软件样本，附哈希与网络指标。',
          artefacts:
            'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\nC2 203.0.113.45:443',
          expected: [
            { key: 'ack', description: 'acknowledge within 30 min', withinMinutes: 30 },
            { key: 'report_c2', description: 'report the C2 address within 2 h', withinMinutes: 120 },
          ],
        },
        {
          dueAt: iso(180),
          channels: ['email', 'inbox'],
          subject: '注入 3：处置',
          body: '请采取遏制措施并报告。',
          expected: [{ key: 'contain', description: '1 小时内报告遏制措施', withinMinutes: 60 }],
        },
      ],
    };
    expect((await call('bank', 'POST', '/api/v1/drills', exercise)).status).toBe(403);
    const r = await call('control', 'POST', '/api/v1/drills', exercise);
    expect(r.status).toBe(201);
    const drill = r.body as {
      id: number;
      state: string;
      injects: Array<{ id: number; seq: number; dueAt: string }>;
    };
    expect(drill.state).toBe('draft');
    // the schedule in time order, whatever order it was written in
    expect(drill.injects.map((i) => [i.seq, i.dueAt])).toEqual([
      [1, iso(0)],
      [2, iso(60)],
      [3, iso(180)],
    ]);
    drillId = drill.id;
    injectIds = drill.injects.map((i) => i.id);
  });

  it('delivers each inject once, at its time, marked [EXERCISE / 演练] on every channel', async () => {
    now = at(-30);
    const started = await call('control', 'POST', `/api/v1/drills/${drillId}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'running', startedAt: iso(-30) });
    expect((await call('control', 'POST', `/api/v1/drills/${drillId}/start`)).status).toBe(409);

    expect(await platform.drills.deliverDue()).toEqual({ injects: 0, messages: 0 });
    now = at(0);
    // inject 1: three e-mails, the bank's webhook, three inbox entries
    expect(await platform.drills.deliverDue()).toEqual({ injects: 1, messages: 7 });
    expect(await platform.drills.deliverDue()).toEqual({ injects: 0, messages: 0 });
    await drainOutbox(platform);
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([
      'duty@cncert.example',
      'ir@peercert.example',
      'soc@bank.example',
    ]);
    expect(hook.calls).toHaveLength(1);
    const call1 = hook.calls[0];
    const payload = JSON.parse(call1?.body ?? '{}') as { subject: string; text: string; exercise: boolean };
    expect(payload).toMatchObject({ subject: `${EXERCISE_MARK} 注入 1：发现勒索软件样本`, exercise: true });
    expect(payload.text.startsWith(EXERCISE_MARK)).toBe(true);
    expect(payload.text).toContain('C2 203.0.113.45:443');
    const sig = String(call1?.headers['x-vulnshare-signature'] ?? '');
    const t = /t=(\d+)/.exec(sig)?.[1] ?? '';
    expect(sig).toBe(
      `t=${t},v1=${createHmac('sha256', hookSecret).update(`${t}.${call1?.body}`).digest('hex')}`,
    );

    now = at(59);
    expect((await platform.drills.deliverDue()).injects).toBe(0);
    now = at(60);
    expect(await platform.drills.deliverDue()).toEqual({ injects: 1, messages: 3 });
    now = at(180);
    expect(await platform.drills.deliverDue()).toEqual({ injects: 1, messages: 6 });
    expect(await platform.drills.deliverDue()).toEqual({ injects: 0, messages: 0 });
    await drainOutbox(platform);
    expect(smtp.mails).toHaveLength(9);
    expect(hook.calls).toHaveLength(1); // only inject 1 goes by webhook
    for (const m of smtp.mails) expect(m.subject.startsWith(`${EXERCISE_MARK} 注入`)).toBe(true);
    expect(smtp.mails.filter((m) => m.subject.includes('注入 1')).length).toBe(3);
    expect(smtp.mails.filter((m) => m.subject.includes('注入 2')).length).toBe(3);
    expect(smtp.mails.filter((m) => m.subject.includes('注入 3')).length).toBe(3);
    const inbox = await d.db
      .selectFrom('inbox_messages')
      .select(['subject', 'notification_id', 'body'])
      .execute();
    expect(inbox).toHaveLength(6);
    for (const m of inbox) {
      expect(m.subject.startsWith(EXERCISE_MARK)).toBe(true);
      expect(m.notification_id).toBeNull();
    }
  });

  it('takes the participants’ responses through the portal and shows them on the live timeline', async () => {
    const [i1, i2, i3] = injectIds as [number, number, number];
    const respond = async (who: string, minutes: number, injectId: number, body: object) => {
      now = at(minutes);
      return call(who, 'POST', `/api/v1/drills/${drillId}/injects/${injectId}/responses`, body);
    };
    // the bank: on time throughout
    expect((await respond('bank', 10, i1, { kind: 'acknowledge', text: '已收到' })).status).toBe(201);
    expect(
      (await respond('bank', 90, i1, { kind: 'action', text: 'C2 为 203.0.113.45', fulfils: 'report_c2' }))
        .body,
    ).toMatchObject({ seq: 1, fulfils: 'report_c2', at: iso(90) });
    expect((await respond('bank', 65, i2, { kind: 'acknowledge', text: '收到' })).status).toBe(201);
    expect(
      (await respond('bank', 200, i3, { kind: 'action', text: '已隔离主机', fulfils: 'contain' })).status,
    ).toBe(201);
    // the peer CERT: late acknowledgements, never the C2 address, a question instead of containment
    expect((await respond('peer', 45, i1, { kind: 'acknowledge', text: 'ack' })).status).toBe(201);
    expect((await respond('peer', 100, i2, { kind: 'acknowledge', text: 'ack' })).status).toBe(201);
    expect((await respond('peer', 190, i3, { kind: 'question', text: 'Which hosts?' })).status).toBe(201);
    // refused: an expected action the inject does not have, a non-participant, the control team as a participant
    expect((await respond('peer', 191, i3, { kind: 'action', text: 'x', fulfils: 'report_c2' })).status).toBe(
      400,
    );
    expect((await respond('outsider', 191, i3, { kind: 'acknowledge', text: 'x' })).status).toBe(403);

    const mine = await call('bank', 'GET', '/api/v1/drills/mine');
    expect(mine.status).toBe(200);
    const items = (
      mine.body as { items: Array<{ injects: Array<{ subject: string; responses: unknown[] }> }> }
    ).items;
    expect(items[0]?.injects.map((i) => [i.subject.startsWith(EXERCISE_MARK), i.responses.length])).toEqual([
      [true, 2],
      [true, 1],
      [true, 1],
    ]);

    expect((await call('bank', 'GET', `/api/v1/drills/${drillId}/timeline`)).status).toBe(403);
    const tl = await call('control', 'GET', `/api/v1/drills/${drillId}/timeline`);
    expect(tl.status).toBe(200);
    const entries = (
      tl.body as { entries: Array<{ at: string; kind: string; seq: number; organisationId: number }> }
    ).entries;
    expect(entries).toHaveLength(9 + 7);
    expect(entries.filter((e) => e.kind === 'inject_sent').map((e) => [e.at, e.seq])).toEqual([
      [iso(0), 1],
      [iso(0), 1],
      [iso(0), 1],
      [iso(60), 2],
      [iso(60), 2],
      [iso(60), 2],
      [iso(180), 3],
      [iso(180), 3],
      [iso(180), 3],
    ]);
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
    expect(entries.filter((e) => e.kind === 'response').map((e) => [e.at, e.organisationId])).toEqual([
      [iso(10), org.bank],
      [iso(45), org.peer],
      [iso(65), org.bank],
      [iso(90), org.bank],
      [iso(100), org.peer],
      [iso(190), org.peer],
      [iso(200), org.bank],
    ]);
  });

  it('ends, refuses later responses and gives the after-action figures to the minute', async () => {
    now = at(300);
    expect((await call('control', 'POST', `/api/v1/drills/${drillId}/end`)).body).toMatchObject({
      state: 'ended',
      endedAt: iso(300),
    });
    expect(
      (
        await call('bank', 'POST', `/api/v1/drills/${drillId}/injects/${injectIds[0]}/responses`, {
          kind: 'finding',
          text: 'late',
        })
      ).status,
    ).toBe(409);
    now = at(400); // figures are as of the end, not of the reading
    const r = await call('control', 'GET', `/api/v1/drills/${drillId}/report?format=json`);
    expect(r.status).toBe(200);
    const f = r.body as unknown as AfterActionData;
    const byOrg = (id: number) => f.participants.find((p) => p.organisationId === id);
    expect(f.asOf).toBe(iso(300));
    expect(f.totals).toEqual({
      participants: 3,
      responding: 2,
      injectsSent: 3,
      deliveries: 9,
      responses: 7,
      expected: 12,
      onTime: 4,
      late: 2,
      missed: 6,
      pending: 0,
    });
    expect(byOrg(org.bank)?.injects.map((i) => i.minutesToAcknowledge)).toEqual([10, 5, null]);
    expect(byOrg(org.bank)).toMatchObject({ meanMinutesToAcknowledge: 7.5, onTime: 4, late: 0, missed: 0 });
    expect(byOrg(org.bank)?.injects[0]?.actions.map((a) => [a.key, a.minutes, a.status])).toEqual([
      ['ack', 10, 'on_time'],
      ['report_c2', 90, 'on_time'],
    ]);
    expect(byOrg(org.peer)?.injects.map((i) => i.minutesToAcknowledge)).toEqual([45, 40, null]);
    expect(byOrg(org.peer)).toMatchObject({ meanMinutesToAcknowledge: 42.5, onTime: 0, late: 2, missed: 2 });
    expect(byOrg(org.team)).toMatchObject({ responses: 0, meanMinutesToAcknowledge: null, missed: 4 });
    expect(
      f.missed.filter((m) => m.organisationId === org.peer).map((m) => [m.seq, m.key, m.status, m.doneAt]),
    ).toEqual([
      [1, 'ack', 'late', iso(45)],
      [1, 'report_c2', 'missed', null],
      [2, 'ack', 'late', iso(100)],
      [3, 'contain', 'missed', null],
    ]);
    expect(f.missed.find((m) => m.organisationId === org.peer && m.key === 'report_c2')?.deadlineAt).toBe(
      iso(120),
    );
    expect(f.missed).toHaveLength(8);
  });

  it('leaves the real tables and the week’s bulletin exactly as they were', async () => {
    expect(await counts()).toEqual(countsBefore);
    expect(await bulletinFigures()).toEqual(bulletinBefore);
    // the monthly report counts the exercise as held (what drills are for), and nothing else of it
    const month = JSON.parse(
      String((await platform.reports.render('month', '2026-03', 'zh', 'json')).body),
    ) as {
      figures?: { drills: unknown };
      drills?: unknown;
    };
    expect(month.figures?.drills ?? month.drills).toEqual({
      held: 1,
      exercises: [{ title: '2026 年度 APCERT 应急演练：勒索软件与 C2', date: '2026-03-02', participants: 3 }],
    });
    // and the only rows the exercise wrote outside its tables are the outbox messages that carried it
    const outbox = await d.db
      .selectFrom('outbox')
      .select(['subject', 'notification_id', 'sent_at'])
      .execute();
    expect(outbox).toHaveLength(16);
    for (const o of outbox) {
      expect(o.subject.startsWith(EXERCISE_MARK)).toBe(true);
      expect(o.notification_id).toBeNull();
      expect(o.sent_at).not.toBeNull();
    }
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'prints the after-action report with Chromium: charts and Chinese text in the PDF (pdftoppm pages to look at)',
    async () => {
      const html = await call('control', 'GET', `/api/v1/drills/${drillId}/report?format=html&lang=zh`);
      expect(html.type).toContain('text/html');
      const page = html.bytes?.toString('utf8') ?? '';
      expect(page).toContain('应急演练总结报告');
      expect((page.match(/<svg/g) ?? []).length).toBe(2);
      const r = await call('control', 'GET', `/api/v1/drills/${drillId}/report?format=pdf&lang=zh`);
      expect(r.status).toBe(200);
      expect(r.type).toBe('application/pdf');
      const buf = r.bytes ?? Buffer.alloc(0);
      expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
      const dir = mkdtempSync(join(tmpdir(), `vs-drill-${backend}-`));
      const file = join(dir, 'after-action.pdf');
      writeFileSync(file, buf);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(
        /\s+/g,
        '',
      );
      expect(text).toContain('应急演练总结报告');
      expect(text).toContain('图1各参演单位确认用时（分钟）');
      expect(text).toContain('PeerCERT');
      expect(text).toContain('未完成');
      expect(text).toContain('表4各预期动作用时');
      execFileSync('pdftoppm', ['-png', '-r', '60', file, join(dir, 'page')]);
      const first = readdirPng(dir)[0] ?? '';
      expect(readFileSync(join(dir, first)).subarray(1, 4).toString()).toBe('PNG');
      console.info(
        `[drill after-action PDF] ${file}; pages: ${readdirPng(dir)
          .map((p) => join(dir, p))
          .join(' ')}`,
      );
      const en = await call('control', 'GET', `/api/v1/drills/${drillId}/report?format=pdf&lang=en`);
      expect(en.bytes?.subarray(0, 5).toString()).toBe('%PDF-');
    },
    120_000,
  );
});

function readdirPng(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort();
}
