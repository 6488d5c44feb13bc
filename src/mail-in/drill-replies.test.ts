/**
 * Answers to exercise injects by e-mail reply, end to end on both backends with a fake clock: the worker
 * (configured with an inbound SMTP port) starts the listener; an inject goes out through the platform's real
 * SMTP mailer (nodemailer) to a local SMTP peer, which catches it with its Reply-To and Message-ID; the
 * participant replies through nodemailer to the listener — by the reply address, or to the bare address with
 * In-Reply-To — and the timeline and the after-action figures show it as a portal answer would. Unknown
 * addresses, a wrong sender and an oversize message are refused in the SMTP conversation and logged.
 */
import type { AddressInfo } from 'node:net';
import { until } from '../test-support/serve-process.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { drainOutbox, startWorker } from '../app/worker.js';
import { createSmtpMailer } from '../coordination/mailer.js';
import type { Database } from '../db/client.js';
import { EXERCISE_MARK } from '../drills/model.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { INBOUND_LIMITS } from './reply.js';

const DOMAIN = 'drills.cert.example';

/** The platform's outbound SMTP peer: every message it takes, parsed. */
async function outboundPeer() {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (m) => {
          mails.push(m);
          done();
        },
        (e: Error) => done(e),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    mails,
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(testBackends())('drill answers by e-mail reply on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let worker: { stop: () => Promise<void> };
  let peer: Awaited<ReturnType<typeof outboundPeer>>;
  let inboundPort = 0;
  let drillId = 0;
  let bank = 0;
  const log: string[] = [];
  let now = new Date('2026-04-01T00:00:00Z');
  const at = (iso: string) => (now = new Date(iso));

  /** A participant's mail program: nodemailer to the inbound listener. */
  const send = (m: SendMailOptions) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: inboundPort, secure: false, ignoreTLS: true })
      .sendMail(m);
  const refusal = async (m: SendMailOptions) => {
    const e = (await send(m).then(
      () => null,
      (x: unknown) => x,
    )) as { responseCode?: number; response?: string } | null;
    return { code: e?.responseCode, response: e?.response ?? '' };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    peer = await outboundPeer();
    platform = createPlatform(
      d,
      completeConfig({
        logLevel: 'silent',
        sweepIntervalMs: 3_600_000,
        inboundSmtp: { host: '127.0.0.1', port: 0, domain: DOMAIN },
      }),
      { clock: () => now, mailer: createSmtpMailer(peer.url, 'vulnshare <noreply@cert.example>') },
    );
    const a = platform.accounts;
    bank = (await a.createOrganisation(CLI, { kind: 'member_unit', name: '某银行', sector: 'banking' })).id;
    const other = (await a.createOrganisation(CLI, { kind: 'authority', name: 'PeerCERT' })).id;
    await a.addContact(CLI, bank, { name: 'SOC', email: 'soc@bank.example' });
    await a.addContact(CLI, other, { name: 'Duty', email: 'duty@peercert.example' });
    const drill = await platform.drills.create(CLI, {
      title: '2026 年度应急演练：勒索软件',
      scenario: { zh: '某金融机构内网出现勒索软件。', en: 'Ransomware in a financial institution.' },
      participantIds: [bank, other],
      injects: [
        {
          dueAt: '2026-04-01T01:00:00Z',
          channels: ['email'],
          subject: '注入 1：发现样本',
          body: '监测发现勒索软件样本。',
          artefacts: 'C2 203.0.113.45:443',
          expected: [
            { key: 'ack', description: '30 分钟内确认', withinMinutes: 30 },
            { key: 'report_c2', description: '2 小时内报告 C2 地址', withinMinutes: 120 },
          ],
        },
      ],
    });
    drillId = drill.id;
    await platform.drills.start(CLI, drillId);
    worker = startWorker(platform, (line) => log.push(line));
    for (let i = 0; i < 100 && !inboundPort; i++) {
      const m = log.map((l) => /inbound mail: listening on 127\.0\.0\.1:(\d+)/.exec(l)).find(Boolean);
      if (m?.[1]) inboundPort = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 50));
    }
    at('2026-04-01T01:00:00Z');
    await platform.drills.deliverDue();
    await drainOutbox(platform);
    // the worker's own sweep may hold the rows drainOutbox found leased: wait for its delivery to land
    await until('both inject mails delivered', () => peer.mails.length >= 2, 20_000).catch(() => undefined);
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await peer?.close();
    await platform?.close();
    await d?.close();
  });

  const injectTo = (address: string) => {
    const m = peer.mails.find((x) => x.to && 'value' in x.to && x.to.value[0]?.address === address);
    if (!m) throw new Error(`no inject reached ${address}`);
    return m;
  };

  it('the worker listens for replies; each inject e-mail names its own reply address and Message-ID', () => {
    expect(inboundPort).toBeGreaterThan(0);
    expect(peer.mails).toHaveLength(2);
    const mail = injectTo('soc@bank.example');
    expect(mail.subject).toBe(`${EXERCISE_MARK} 注入 1：发现样本`);
    const replyTo = mail.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(new RegExp(`^drill\\+[a-z2-7]{20}@${DOMAIN.replace(/\./g, '\\.')}$`));
    expect(injectTo('duty@peercert.example').replyTo?.value[0]?.address).not.toBe(replyTo);
    expect(mail.messageId).toMatch(/^<[\w-]+@vulnshare>$/);
    expect(mail.text).toContain(`Reply to this e-mail to answer (to ${replyTo})`);
    expect(mail.text).toContain('回复本邮件即可作答');
    expect(mail.text?.trim().endsWith(EXERCISE_MARK)).toBe(true);
  });

  it('records a reply to the reply address as the participant’s acknowledgement, quoted text stripped', async () => {
    const inject = injectTo('soc@bank.example');
    at('2026-04-01T01:20:00Z');
    const info = await send({
      from: 'SOC <soc@bank.example>',
      to: inject.replyTo?.value[0]?.address ?? '',
      subject: `Re: ${inject.subject ?? ''}`,
      inReplyTo: inject.messageId ?? '',
      references: inject.messageId ?? '',
      messageId: '<ack-1@bank.example>',
      text: [
        'ACK 收到，已启动应急响应。',
        '',
        '值班：张三',
        '',
        '-- ',
        '某银行 SOC',
        '',
        `On Wed, Apr 1, 2026 at 09:00 vulnshare <noreply@cert.example> wrote:`,
        `> ${EXERCISE_MARK} 2026 年度应急演练：勒索软件 — inject 1`,
        '> 监测发现勒索软件样本。',
      ].join('\n'),
    });
    expect(info.response).toContain(`${EXERCISE_MARK} recorded response`);
    expect(info.response).toContain('(acknowledge)');
    const t = await platform.drills.timeline(CLI, drillId);
    const answers = t.entries.filter((e) => e.kind === 'response');
    expect(answers).toEqual([
      expect.objectContaining({
        at: '2026-04-01T01:20:00.000Z',
        organisation: '某银行',
        responseKind: 'acknowledge',
        text: '收到，已启动应急响应。\n\n值班：张三',
        fulfils: null,
        actor: 'soc@bank.example (e-mail)',
        seq: 1,
      }),
    ]);
    const row = await d.db
      .selectFrom('drill_responses')
      .select(['via', 'mail_message_id'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ via: 'email', mail_message_id: 'ack-1@bank.example' });
  });

  it('matches a reply to the bare address by In-Reply-To, and takes the expected action it names', async () => {
    const inject = injectTo('soc@bank.example');
    at('2026-04-01T01:50:00Z');
    const info = await send({
      from: 'soc@bank.example',
      to: `drill@${DOMAIN}`,
      subject: 'Re: 注入 1',
      inReplyTo: inject.messageId ?? '',
      messageId: '<action-1@bank.example>',
      text: '处置 report_c2 C2 地址为 203.0.113.45，已在边界封禁。\n\n在 2026年4月1日 09:00，vulnshare 写道：\n> 原文',
    });
    expect(info.response).toContain('(action → report_c2)');
    const f = await platform.drills.figures(CLI, drillId);
    const p = f.participants.find((x) => x.name === '某银行');
    expect(p?.injects[0]).toMatchObject({
      acknowledgedAt: '2026-04-01T01:20:00.000Z',
      minutesToAcknowledge: 20,
      actions: [
        { key: 'ack', status: 'on_time', minutes: 20 },
        { key: 'report_c2', status: 'on_time', minutes: 50 },
      ],
    });
    expect(p?.responses).toBe(2);
    const t = await platform.drills.timeline(CLI, drillId);
    expect(t.entries.at(-1)).toMatchObject({
      responseKind: 'action',
      fulfils: 'report_c2',
      text: 'C2 地址为 203.0.113.45，已在边界封禁。',
    });
  });

  it('records a second delivery of the same reply only once', async () => {
    const inject = injectTo('soc@bank.example');
    const info = await send({
      from: 'soc@bank.example',
      to: inject.replyTo?.value[0]?.address ?? '',
      subject: 'Re: 注入 1',
      messageId: '<ack-1@bank.example>',
      text: 'ACK 收到，已启动应急响应。',
    });
    expect(info.response).toContain('already recorded');
    const t = await platform.drills.timeline(CLI, drillId);
    expect(t.entries.filter((e) => e.kind === 'response')).toHaveLength(2);
  });

  it('refuses an unknown reply address, another domain, a wrong sender and an oversize message, and logs each', async () => {
    const inject = injectTo('soc@bank.example');
    const address = inject.replyTo?.value[0]?.address ?? '';
    const base = { subject: 'Re: 注入 1', text: 'ACK' };
    const unknown = await refusal({
      ...base,
      from: 'soc@bank.example',
      to: `drill+aaaaaaaaaaaaaaaaaaaa@${DOMAIN}`,
    });
    expect(unknown).toMatchObject({ code: 550 });
    expect(unknown.response).toContain('unknown reply address');
    const foreign = await refusal({ ...base, from: 'soc@bank.example', to: 'someone@elsewhere.example' });
    expect(foreign.code).toBe(550);
    expect(foreign.response).toContain('no such mailbox');
    const bare = await refusal({ ...base, from: 'soc@bank.example', to: `drill@${DOMAIN}` });
    expect(bare.code).toBe(550);
    expect(bare.response).toContain('No exercise inject has this reply address or Message-ID');
    const wrong = await refusal({ ...base, from: 'mallory@evil.example', to: address });
    expect(wrong.code).toBe(550);
    expect(wrong.response).toContain('mallory@evil.example is not a contact');
    // the other participant's address is not the bank's either
    const crossed = await refusal({ ...base, from: 'duty@peercert.example', to: address });
    expect(crossed.code).toBe(550);
    const big = await refusal({
      ...base,
      from: 'soc@bank.example',
      to: address,
      text: `ACK\n${'x'.repeat(INBOUND_LIMITS.messageBytes + 1024)}`,
    });
    expect(big.code).toBe(552);
    expect(big.response).toContain('Message too big');
    const refused = log.filter((l) => l.startsWith('inbound mail: refused'));
    expect(refused.length).toBe(6);
    expect(refused.some((l) => l.includes('mallory@evil.example') && l.includes('550'))).toBe(true);
    expect(refused.some((l) => l.includes('552'))).toBe(true);
    const t = await platform.drills.timeline(CLI, drillId);
    expect(t.entries.filter((e) => e.kind === 'response')).toHaveLength(2);
  });

  it('refuses a reply once the exercise has ended', async () => {
    await platform.drills.end(CLI, drillId);
    const inject = injectTo('duty@peercert.example');
    const late = await refusal({
      from: 'duty@peercert.example',
      to: inject.replyTo?.value[0]?.address ?? '',
      subject: 'Re: 注入 1',
      text: 'ACK',
    });
    expect(late.code).toBe(554);
    expect(late.response).toContain('responses are taken while it runs');
  });
});
