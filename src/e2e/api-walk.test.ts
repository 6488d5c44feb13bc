/**
 * One report walked through the real HTTP API, from submission to publication, on both backends: a researcher
 * registers and submits with an attachment; an analyst triages, verifies, notifies the vendor; the worker
 * delivers to a real SMTP peer; the vendor fixes through its link; the analyst publishes. At each step every
 * party — researcher, another researcher, the vendor, an unrelated vendor, anonymous — sees exactly what it
 * should, and nothing embargoed reaches the public search, record, stats or export before publication.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createOutboxWorker } from '../coordination/outbox.js';
import { createSmtpMailer } from '../coordination/mailer.js';
import { calendarDay, weekOf } from '../vulns/calendar.js';

const PW = 'correct horse battery staple';

describe.each(testBackends())('a report from submission to publication over HTTP on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  let smtp: SMTPServer;
  let smtpUrl = '';
  const mails: string[] = [];

  interface Session {
    cookie: string;
    csrf: string;
  }
  const call = async (
    method: string,
    path: string,
    s?: Session | null,
    body?: unknown,
    type = 'application/json',
  ) => {
    const headers: Record<string, string> = {};
    if (s) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] = s.csrf;
    }
    if (body !== undefined) headers['content-type'] = type;
    const r = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined
        ? { body: type === 'application/json' ? JSON.stringify(body) : (body as Buffer) }
        : {}),
    });
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    return { status: r.status, json, text, headers: r.headers };
  };
  const login = async (email: string): Promise<Session> => {
    const r = await call('POST', '/api/v1/auth/login', null, { email, password: PW });
    expect(r.status, email).toBe(200);
    return {
      cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      csrf: String(r.json.csrfToken),
    };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _s, done) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (raw += c));
        stream.on('end', () => {
          mails.push(raw.replace(/=\r?\n/g, ''));
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    const accounts = createAccountService({ db: d.db });
    await accounts.createUser(CLI, {
      email: 'analyst@cert.example',
      displayName: 'Analyst',
      password: PW,
      role: 'analyst',
    });
    const dlink = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    await accounts.addContact(CLI, dlink.id, { name: 'PSIRT', email: 'psirt@dlink.example' });
    await accounts.createUser(CLI, {
      email: 'psirt@dlink.example',
      displayName: 'PSIRT',
      password: PW,
      role: 'recipient',
      organisationId: dlink.id,
    });
    const tenda = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Tenda' });
    await accounts.createUser(CLI, {
      email: 'psirt@tenda.example',
      displayName: 'Tenda',
      password: PW,
      role: 'recipient',
      organisationId: tenda.id,
    });
    app = await buildApp({
      database: d,
      config: { rateLimitPerMinute: 100_000, logLevel: 'silent', publicUrl: 'http://vs.test' },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    await d.close();
  });

  it('walks the whole way and shows each party exactly its part', async () => {
    // a researcher registers and reports
    expect(
      (
        await call('POST', '/api/v1/auth/register', null, {
          email: 'lin@whitehat.example',
          password: PW,
          displayName: '林舒',
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await call('POST', '/api/v1/auth/register', null, {
          email: 'other@whitehat.example',
          password: PW,
          displayName: '张三',
        })
      ).status,
    ).toBe(202);
    const lin = await login('lin@whitehat.example');
    const other = await login('other@whitehat.example');
    const analyst = await login('analyst@cert.example');
    const psirt = await login('psirt@dlink.example');
    const tenda = await login('psirt@tenda.example');

    const sub = await call('POST', '/api/v1/submissions', lin, {
      kind: 'general',
      title: 'D-Link DIR-823G SetWanSettings 函数缓冲区溢出漏洞',
      vendor: 'D-Link',
      product: 'DIR-823G',
      version: '1.0.2B05',
      description:
        'D-Link DIR-823G 1.0.2B05 的 SetWanSettings 函数存在缓冲区溢出漏洞，攻击者可利用该漏洞执行任意代码。',
      reproduction: 'POST /HNAP1/ SOAPAction SetWanSettings，超长 Password',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      originality: 'original',
    });
    expect(sub.status).toBe(201);
    const no = String(sub.json.trackingNo);
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 7)]);
    const att = await call(
      'POST',
      `/api/v1/submissions/${no}/attachments?filename=crash.png`,
      lin,
      png,
      'image/png',
    );
    expect(att.status).toBe(201);

    const embargoed = async () => {
      expect((await call('GET', `/api/v1/submissions/${no}`, other)).status).toBe(404);
      // a recipient may not read submissions at all: 403 before any look-up, so nothing is learnt
      expect((await call('GET', `/api/v1/submissions/${no}`, tenda)).status).toBe(403);
      expect((await call('GET', `/api/v1/submissions/${no}`)).status).toBe(401);
      const search = await call(
        'GET',
        `/api/v1/vulnerabilities?q=${encodeURIComponent('SetWanSettings')}&facets=vendor`,
      );
      expect(search.json).toMatchObject({ items: [], total: 0 });
      expect((await call('GET', '/api/v1/stats')).json).toMatchObject({ total: 0 });
      expect(
        (await call('GET', `/api/v1/vulnerabilities.csv?q=SetWanSettings`)).text.trim().split('\n'),
      ).toHaveLength(1);
    };
    await embargoed();

    // the analyst triages and verifies: an id is assigned
    for (const to of ['triaged', 'verifying'])
      expect((await call('POST', `/api/v1/submissions/${no}/transitions`, analyst, { to })).status).toBe(200);
    const verified = await call('POST', `/api/v1/submissions/${no}/transitions`, analyst, {
      to: 'verified',
      verification: {
        environment: 'DIR-823G 1.0.2B05',
        steps: '超长 Password',
        result: 'reproduced',
        verifier: '国家信息安全漏洞共享平台',
      },
    });
    const id = String(verified.json.vulnerabilityId);
    expect(id).toMatch(/^VS-\d{4}-00001$/);
    // the reporter sees the id and the steps, not the analyst or the verification details
    const seen = await call('GET', `/api/v1/submissions/${no}`, lin);
    expect(seen.json).toMatchObject({ state: 'verified', vulnerabilityId: id, verifications: [] });
    expect(JSON.stringify(seen.json.timeline)).not.toContain('analyst@cert.example');
    expect(seen.json).not.toHaveProperty('duplicateCandidates');
    await embargoed();

    // notify the vendor; the worker delivers the e-mail with the signed link
    const dlinkOrg = (await call('GET', '/api/v1/organisations?kind=vendor&q=D-Link', analyst)).json
      .items as Array<{ id: number }>;
    const notified = await call('POST', `/api/v1/submissions/${no}/notifications`, analyst, {
      recipients: [{ organisationId: dlinkOrg[0]?.id, category: 'vendor' }],
    });
    expect(notified.status).toBe(201);
    expect(JSON.stringify(notified.json)).not.toMatch(/respond\//);
    const mailer = createSmtpMailer(smtpUrl, 'vulnshare <noreply@vs.test>');
    expect(await createOutboxWorker({ db: d.db, mailer }).runOnce()).toMatchObject({ sent: 2 });
    mailer.close();
    const token = /http:\/\/vs\.test\/respond\/([A-Za-z0-9_-]{43})/.exec(mails.join('\n'))?.[1] ?? '';
    expect(token).toHaveLength(43);

    // the vendor sees its notification (and inbox), another vendor nothing
    expect((await call('GET', `/api/v1/submissions/${no}/notifications`, psirt)).json.items).toHaveLength(1);
    expect((await call('GET', `/api/v1/submissions/${no}/notifications`, tenda)).status).toBe(404);
    expect((await call('GET', '/api/v1/inbox', psirt)).json.items).toHaveLength(1);
    expect((await call('GET', '/api/v1/inbox', tenda)).json.items).toHaveLength(0);
    const link = await call('GET', `/api/v1/respond/${token}`);
    expect(link.json).toMatchObject({
      report: { id, title: 'D-Link DIR-823G SetWanSettings 函数缓冲区溢出漏洞' },
    });
    expect(JSON.stringify(link.json)).not.toContain('lin@whitehat.example');
    const fixed = await call('POST', `/api/v1/respond/${token}`, null, {
      action: 'fix',
      fixUrl: 'https://support.dlink.example/DIR-823G/1.0.2B06',
    });
    expect(fixed.json).toMatchObject({ state: 'fixed' });
    expect((await call('GET', `/api/v1/submissions/${no}`, lin)).json).toMatchObject({ state: 'fixed' });
    await embargoed();

    // case messages: each party reads exactly its threads
    const msg = (who: Session, body: unknown) =>
      call('POST', `/api/v1/submissions/${no}/messages`, who, body);
    expect((await msg(lin, { body: '补充：1.0.2B06 仍受影响' })).status).toBe(201);
    expect((await msg(analyst, { body: '已复现，正在通报厂商', audience: 'reporter' })).status).toBe(201);
    expect((await msg(analyst, { body: '内部：优先处理', audience: 'internal' })).status).toBe(201);
    expect(
      (
        await msg(analyst, {
          body: '请确认修复版本',
          audience: 'organisation',
          organisationId: dlinkOrg[0]?.id,
        })
      ).status,
    ).toBe(201);
    expect((await msg(psirt, { body: '1.0.2B06 已修复', audience: 'internal' })).json).toMatchObject({
      audience: 'organisation',
    });
    expect((await msg(tenda, { body: 'hello' })).status).toBe(404);
    const read = async (who: Session) =>
      (
        (await call('GET', `/api/v1/submissions/${no}/messages`, who)).json.items as Array<{
          body: string;
          author: string;
        }>
      ).map((m) => `${m.author}: ${m.body}`);
    expect(await read(lin)).toEqual([
      'lin@whitehat.example: 补充：1.0.2B06 仍受影响',
      'coordinator: 已复现，正在通报厂商',
    ]);
    expect(await read(psirt)).toEqual([
      'coordinator: 请确认修复版本',
      'psirt@dlink.example: 1.0.2B06 已修复',
    ]);
    expect(await read(analyst)).toHaveLength(5);
    expect((await call('GET', `/api/v1/submissions/${no}/messages`, other)).status).toBe(404);

    // publication: everyone finds it, by Chinese keyword and by id, with the fix
    expect((await call('POST', `/api/v1/submissions/${no}/publish`, psirt, {})).status).toBe(403);
    expect((await call('POST', `/api/v1/submissions/${no}/publish`, analyst, {})).json).toMatchObject({
      state: 'published',
    });
    const byWord = await call('GET', `/api/v1/vulnerabilities?q=${encodeURIComponent('缓冲区溢出')}`);
    expect((byWord.json.items as Array<{ id: string }>).map((i) => i.id)).toEqual([id]);
    const record = await call('GET', `/api/v1/vulnerabilities/${id}`);
    expect(record.json).toMatchObject({
      vulnerability: {
        id,
        score: 9.8,
        severity: 'high',
        zeroDay: false,
        patch: { url: 'https://support.dlink.example/DIR-823G/1.0.2B06' },
        credits: ['林舒'],
      },
    });
    expect((await call('GET', '/api/v1/stats')).json).toMatchObject({ total: 1 });
    // still nobody else's submission
    expect((await call('GET', `/api/v1/submissions/${no}`, other)).status).toBe(404);
    // the week's bulletin counts it: collected, reported (original, by an individual), the vendor notified
    const week = weekOf(calendarDay(new Date().toISOString())).id; // the platform's week (Asia/Shanghai)
    const b = await call('GET', `/api/v1/bulletins/${week}?format=json`, analyst);
    expect(b.json).toMatchObject({
      state: 'draft',
      figures: {
        overview: { total: 1, bySeverity: { high: 1 } },
        reporters: {
          rows: [{ kind: 'individuals', reported: 1, original: 1 }],
          total: { reported: 1, original: 1 },
        },
        disposal: { organisations: ['D-Link'] },
      },
    });
    expect((await call('GET', `/api/v1/bulletins/${week}?format=json`, lin)).status).toBe(403);
    expect((await call('GET', `/api/v1/reporters/ranking?week=${week}`)).json).toMatchObject({
      rows: [{ rank: 1, name: null, kind: 'individuals', reported: 1, original: 1 }],
    });
    const mine = (await call('GET', '/api/v1/reporters/me?weeks=2', lin)).json as {
      weeks: Array<{ week: string; reported: number; verified: number }>;
    };
    expect(mine.weeks.at(-1)).toEqual({ week, reported: 1, original: 1, verified: 1 });
    const audit = await call('GET', '/api/v1/audit?action=submission.', analyst);
    expect(audit.status).toBe(403); // analysts do not read the audit log; admins do
  }, 120_000);
});
