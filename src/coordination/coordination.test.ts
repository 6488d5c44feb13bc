/**
 * Disposal on both backends with a real SMTP peer (smtp-server) and a real webhook receiver (node:http):
 * notify, outbox delivery with retries, recipient actions by account and by link, reminders, escalation,
 * bulletin figures; and on PostgreSQL, a worker process killed with SIGKILL again and again loses nothing.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { ANONYMOUS, CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { listAudit } from '../audit/audit.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { createSubmissionService } from '../submissions/service.js';
import { parseWeekId } from '../vulns/calendar.js';
import { createSmtpMailer } from './mailer.js';
import { createOutboxWorker } from './outbox.js';
import { createCoordinationService } from './service.js';

const PW = 'correct horse battery staple';

interface Mail {
  messageId: string;
  to: string;
  raw: string;
}

async function smtpPeer(opts: { delayMs?: number } = {}) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
        const finish = () => {
          mails.push({ messageId: id, to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
          done();
        };
        if (opts.delayMs) setTimeout(finish, opts.delayMs);
        else finish();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mails,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function webhookPeer() {
  const calls: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end();
        return;
      }
      calls.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    calls,
    failNext: (n: number) => (failNext = n),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(testBackends())('disposal on %s', (backend) => {
  let d: Database;
  let smtp: Awaited<ReturnType<typeof smtpPeer>>;
  let hook: Awaited<ReturnType<typeof webhookPeer>>;
  let now = new Date('2026-01-05T02:00:00Z');
  const clock = () => now;
  const p: Record<string, Principal> = {};
  let dlinkId = 0;
  let secret = '';
  let trackingNo = '';

  beforeAll(async () => {
    d = await freshDatabase(backend);
    smtp = await smtpPeer();
    hook = await webhookPeer();
    // the webhook receiver listens on 127.0.0.1: this test allows internal targets explicitly
    const accounts = createAccountService({ db: d.db, clock, internalTargets: ANY_INTERNAL_TARGET });
    const dlink = await accounts.createOrganisation(CLI, {
      kind: 'vendor',
      name: 'D-Link',
      nameEn: 'D-Link Corporation',
    });
    dlinkId = dlink.id;
    secret =
      (
        await accounts.addContact(CLI, dlink.id, {
          name: 'PSIRT',
          email: 'psirt@dlink.example',
          webhookUrl: hook.url,
          portal: true,
        })
      ).webhookSecret ?? '';
    const other = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Tenda' });
    const bank = await accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '某银行',
      sector: 'banking',
    });
    await accounts.addContact(CLI, bank.id, { name: 'SOC', portal: true });
    for (const [name, role, org] of [
      ['analyst', 'analyst', null],
      ['alice', 'reporter', null],
      ['psirt', 'recipient', dlink.id],
      ['tenda', 'recipient', other.id],
    ] as const) {
      await accounts.createUser(CLI, {
        email: `${name}@x.example`,
        displayName: name,
        password: PW,
        role,
        organisationId: org,
      });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@x.example`, password: PW })).session,
      );
      if (!s) throw new Error('session');
      p[name] = s.principal;
    }
    const subs = createSubmissionService({ db: d.db, clock });
    const who = (n: string) => p[n] as Principal;
    const s = await subs.submit(who('alice'), {
      kind: 'general',
      title: 'D-Link DIR-823G EndTime 参数缓冲区溢出漏洞',
      vendor: 'D-Link',
      product: 'DIR-823G',
      description: 'EndTime 参数存在缓冲区溢出',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      originality: 'original',
    });
    trackingNo = s.trackingNo;
    await subs.transition(who('analyst'), trackingNo, { to: 'triaged' });
    await subs.transition(who('analyst'), trackingNo, { to: 'verifying' });
    await subs.transition(who('analyst'), trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 'long EndTime', result: 'reproduced', verifier: 'CNVD' },
    });
  });
  afterAll(async () => {
    await smtp.close();
    await hook.close();
    await d.close();
  });
  const who = (n: string) => p[n] as Principal;

  it('notifies in one transaction with the state change and delivers by e-mail, signed webhook and inbox, retrying a failure', async () => {
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    await expect(
      c.notify(who('alice'), trackingNo, [{ organisationId: dlinkId, category: 'vendor' }]),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const r = await c.notify(who('analyst'), trackingNo, [{ organisationId: dlinkId, category: 'vendor' }]);
    expect(r.messages).toBe(3);
    expect(r.notifications[0]).toMatchObject({
      state: 'sent',
      deadline: '2026-01-20T02:00:00.000Z',
      organisation: 'D-Link',
    });
    const s = await d.db
      .selectFrom('submissions')
      .select('state')
      .where('tracking_no', '=', trackingNo)
      .executeTakeFirstOrThrow();
    expect(s.state).toBe('notified');
    await expect(
      c.notify(who('analyst'), trackingNo, [{ organisationId: dlinkId, category: 'vendor' }]),
    ).rejects.toMatchObject({
      code: 'already_notified',
    });

    const mailer = createSmtpMailer(smtp.url, 'vulnshare <noreply@vs.example>');
    const worker = createOutboxWorker({ db: d.db, mailer, clock, internalTargets: ANY_INTERNAL_TARGET });
    hook.failNext(1);
    expect(await worker.runOnce()).toEqual({ sent: 2, failed: 1 });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.to).toBe('psirt@dlink.example');
    expect(smtp.mails[0]?.raw).toContain('/respond/');
    // not due yet: the retry waits 10 s
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0 });
    now = new Date(now.getTime() + 11_000);
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0 });
    mailer.close();
    const call = hook.calls[0];
    const sig = String(call?.headers['x-vulnshare-signature']);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig) ?? [];
    expect(v1).toBe(
      createHmac('sha256', secret)
        .update(`${t}.${call?.body ?? ''}`)
        .digest('hex'),
    );
    const outbox = await d.db
      .selectFrom('outbox')
      .select(['delivery_id', 'channel', 'attempts', 'sent_at'])
      .orderBy('id')
      .execute();
    expect(smtp.mails[0]?.messageId).toBe(
      `<${outbox.find((o) => o.channel === 'email')?.delivery_id}@vulnshare>`,
    );
    expect(outbox.map((o) => [o.channel, o.attempts, !!o.sent_at])).toEqual([
      ['email', 1, true],
      ['webhook', 2, true],
      ['inbox', 1, true],
    ]);
    const inbox = await c.inbox(who('psirt'));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.text).toContain('D-Link DIR-823G EndTime');
    expect((await c.list(who('analyst'), trackingNo))[0]?.state).toBe('delivered');
  });

  it('lets the vendor acknowledge by account and report the fix by link; other parties see nothing', async () => {
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    const [n] = await c.list(who('psirt'), trackingNo);
    if (!n) throw new Error('no notification');
    // a reporter has no inbox at all (issue 11: 403 for a signed-in user without the right)
    await expect(c.list(who('alice'), trackingNo)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(c.list(who('tenda'), trackingNo)).rejects.toMatchObject({ code: 'not_found' });
    await expect(c.act(who('tenda'), n.id, 'acknowledge', {})).rejects.toMatchObject({ code: 'not_found' });
    expect((await c.act(who('psirt'), n.id, 'acknowledge', {}))?.state).toBe('acknowledged');
    const link =
      /https:\/\/vs\.example\/respond\/([A-Za-z0-9_-]{43})/.exec(
        smtp.mails[0]?.raw.replace(/=\r?\n/g, '') ?? '',
      )?.[1] ?? '';
    expect(link).toHaveLength(43);
    expect((await c.viewByLink(link)).report).toMatchObject({
      title: 'D-Link DIR-823G EndTime 参数缓冲区溢出漏洞',
      vendor: 'D-Link',
    });
    await expect(c.actByLink(link, 'fix', {})).rejects.toThrow(/fix needs fixUrl/);
    await expect(c.actByLink('x'.repeat(43), 'fix', { fixUrl: 'https://x' })).rejects.toMatchObject({
      code: 'not_found',
    });
    const fixed = await c.actByLink(link, 'fix', {
      fixUrl: 'https://support.dlink.example/DIR-823G/1.0.2B06',
    });
    expect(fixed).toMatchObject({
      state: 'fixed',
      fixUrl: 'https://support.dlink.example/DIR-823G/1.0.2B06',
    });
    expect(fixed?.events.map((e) => e.to)).toEqual(['sent', 'delivered', 'acknowledged', 'fixed']);
    const s = await d.db
      .selectFrom('submissions')
      .select('state')
      .where('tracking_no', '=', trackingNo)
      .executeTakeFirstOrThrow();
    expect(s.state).toBe('fixed');
    // the automatic notified → fixed goes the one road: a transition row and its audit row
    const moves = await listAudit(d.db, CLI, { action: 'submission.' });
    expect(
      moves.filter((a) => a.targetId === trackingNo && a.detail.by === 'system').map((a) => a.action),
    ).toEqual(['submission.fixed', 'submission.notified']);
    await expect(c.actByLink(link, 'dispute', { note: 'late' })).rejects.toMatchObject({
      code: 'invalid_transition',
    });
  });

  it('reminds before the deadline, escalates after it, and counts the week for the bulletin', async () => {
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    const bank = await d.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', '某银行')
      .executeTakeFirstOrThrow();
    await c.notify(who('analyst'), trackingNo, [{ organisationId: bank.id, category: 'critical_sector' }]);
    const deadline = Date.parse((await c.list(who('analyst'), trackingNo))[1]?.deadline ?? '');
    now = new Date(deadline - 2 * 86_400_000);
    expect(await c.sweep()).toEqual({ reminded: 1, escalated: 0 });
    expect(await c.sweep()).toEqual({ reminded: 0, escalated: 0 });
    now = new Date(deadline + 8 * 86_400_000);
    expect(await c.sweep()).toEqual({ reminded: 0, escalated: 1 });
    const bankN = (await c.list(who('analyst'), trackingNo))[1];
    expect(bankN).toMatchObject({ state: 'no_response', overdue: true });
    const fig = await c.weekFigures(d.db, parseWeekId('2026-W02'));
    expect(fig.counts).toMatchObject({ critical_sector: 1 });
    expect(fig.organisations).toEqual(['D-Link']);
  });

  it('shows the disposal board overdue first to analysts, and to a recipient only its own organisation', async () => {
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    const all = (await c.board(who('analyst'))).items;
    expect(all.map((n) => [n.organisation, n.state, n.overdue])).toEqual([
      ['某银行', 'no_response', true],
      ['D-Link', 'fixed', false],
    ]);
    expect(all[1]).toMatchObject({ trackingNo, fixUrl: 'https://support.dlink.example/DIR-823G/1.0.2B06' });
    expect((await c.board(who('analyst'), { overdue: true })).items.map((n) => n.organisation)).toEqual([
      '某银行',
    ]);
    expect(
      (await c.board(who('analyst'), { organisationId: dlinkId })).items.map((n) => n.organisation),
    ).toEqual(['D-Link']);
    // a recipient's filter cannot widen its view
    const first = all[1]?.id ?? 0;
    expect((await c.view(who('psirt'), first)).report).toMatchObject({
      vendor: 'D-Link',
      product: 'DIR-823G',
    });
    await expect(c.view(who('tenda'), first)).rejects.toMatchObject({ code: 'not_found' });
    await expect(c.view(who('alice'), first)).rejects.toMatchObject({ code: 'forbidden' });
    const mine = await c.board(who('psirt'), { organisationId: 999_999 });
    expect(mine.items.map((n) => n.organisation)).toEqual(['D-Link']);
    expect((await c.board(who('tenda'))).items).toEqual([]);
    await expect(c.board(who('alice'))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(c.board(ANONYMOUS)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe.runIf(testBackends().includes('postgres'))('the outbox worker under kill -9', () => {
  it('loses nothing, and repeats only with the same delivery id, however often the worker process is killed', async () => {
    const d = await freshDatabase('postgres');
    const smtp = await smtpPeer({ delayMs: 15 });
    const n = 60;
    try {
      await d.db
        .insertInto('outbox')
        .values(
          Array.from({ length: n }, (_, i) => ({
            delivery_id: `kill-test-${i}`,
            channel: 'email',
            target: `r${i}@x.example`,
            subject: `message ${i}`,
            body: JSON.stringify({ text: `message ${i}` }),
          })),
        )
        .execute();
      // the killed worker's lease (60 s) would delay the retry; let leases lapse as if that time had passed
      const expireLeases = () =>
        d.db.updateTable('outbox').set({ leased_until: null }).where('sent_at', 'is', null).execute();
      const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'vulnshare.js');
      let kills = 0;
      for (let round = 0; round < 40; round++) {
        const left = await d.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
        if (!left.length) break;
        await expireLeases();
        const child = spawn(process.execPath, [bin, '--database-url', d.url ?? '', 'worker', '--once'], {
          env: { ...process.env, VULNSHARE_SMTP_URL: smtp.url, VULNSHARE_LOG_LEVEL: 'silent' },
          stdio: 'ignore',
        });
        const exited = new Promise<void>((r) => child.on('exit', () => r()));
        const lastRound = round >= 30;
        if (!lastRound) {
          await new Promise((r) => setTimeout(r, 400 + ((round * 137) % 500)));
          if (child.exitCode === null) {
            child.kill('SIGKILL');
            kills++;
          }
        }
        await exited;
      }
      const rows = await d.db.selectFrom('outbox').select(['delivery_id', 'sent_at']).execute();
      expect(rows.filter((r) => !r.sent_at)).toEqual([]);
      const received = smtp.mails.map((m) => m.messageId);
      const unique = new Set(received);
      // nothing lost: every message arrived
      expect([...unique].sort()).toEqual(rows.map((r) => `<${r.delivery_id}@vulnshare>`).sort());
      // a repeat can only be the message in flight at a kill, and carries the same Message-ID
      expect(received.length - unique.size).toBeLessThanOrEqual(kills);
      expect(kills).toBeGreaterThan(3);
      console.log(
        `kill -9 test: ${kills} kills, ${n} messages, ${received.length - unique.size} repeated (same Message-ID)`,
      );
    } finally {
      await smtp.close();
      await d.close();
    }
  }, 240_000);
});
