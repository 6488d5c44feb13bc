/**
 * The parties outside the coordinator, through the real app on both backends (issue 11, items 3, 10, 20):
 * a self-registered reporting unit that squats a vendor's name gets nothing embargoed; recipients, link
 * holders and reporters see "coordinator" where an analyst acted, never the analyst's e-mail or name; a
 * signed-in user without the right to an inbox gets 403, only anonymous 401.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createOutboxWorker } from '../coordination/outbox.js';

const PW = 'correct horse battery staple';
const ANALYST_EMAIL = 'li.wei.analyst@cnvd.example';
const ANALYST_NAME = 'Li Wei Analyst';

describe.each(testBackends())('recipients and outsiders over HTTP on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const sessions: Record<string, { cookie: string; csrf: string } | null> = { anonymous: null };
  let trackingNo = '';
  let vendorId = 0;
  let notificationId = 0;
  let link = '';

  const call = async (method: string, path: string, who: string, body?: unknown) => {
    const s = sessions[who];
    const headers: Record<string, string> = {};
    if (s) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] = s.csrf;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, text: await r.text() };
  };
  const login = async (name: string, email: string) => {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PW }),
    });
    expect(r.status).toBe(200);
    const j = (await r.json()) as { csrfToken: string };
    sessions[name] = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: j.csrfToken };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db });
    const vendor = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    vendorId = vendor.id;
    await accounts.addContact(CLI, vendor.id, { name: 'PSIRT', email: 'psirt@dlink.example', portal: true });
    for (const [email, name, role, org] of [
      ['admin@x.example', 'Admin', 'admin', null],
      [ANALYST_EMAIL, ANALYST_NAME, 'analyst', null],
      ['owner@x.example', 'Owner', 'reporter', null],
      ['vendor@x.example', 'Vendor PSIRT', 'recipient', vendor.id],
    ] as const)
      await accounts.createUser(CLI, { email, displayName: name, password: PW, role, organisationId: org });
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    await login('admin', 'admin@x.example');
    await login('analyst', ANALYST_EMAIL);
    await login('owner', 'owner@x.example');
    await login('vendor', 'vendor@x.example');
    trackingNo = (
      JSON.parse(
        (
          await call('POST', '/api/v1/submissions', 'owner', {
            kind: 'general',
            title: 'D-Link DIR-823G EndTime 参数缓冲区溢出漏洞',
            vendor: 'D-Link',
            product: 'DIR-823G',
            description: 'EndTime 参数存在缓冲区溢出',
            originality: 'original',
          })
        ).text,
      ) as { trackingNo: string }
    ).trackingNo;
    for (const to of ['triaged', 'verifying'])
      await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', { to });
    await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', {
      to: 'verified',
      verification: {
        environment: 'lab',
        steps: 'long EndTime',
        result: 'reproduced',
        verifier: ANALYST_NAME,
      },
    });
    const n = await call('POST', `/api/v1/submissions/${trackingNo}/notifications`, 'analyst', {
      recipients: [{ organisationId: vendor.id, category: 'vendor' }],
    });
    expect(n.status, n.text).toBe(201);
    notificationId =
      (JSON.parse(n.text) as { notifications: Array<{ id: number }> }).notifications[0]?.id ?? 0;
    await createOutboxWorker({ db: d.db, mailer: null }).runOnce();
    const row = await d.db
      .selectFrom('outbox')
      .select('body')
      .where('notification_id', '=', notificationId)
      .executeTakeFirstOrThrow();
    link = String(row.body.link).replace(/^.*\/respond\//, '');
    // the analyst acknowledges on the vendor's behalf (after a phone call) and writes to both parties
    await call('POST', `/api/v1/notifications/${notificationId}/actions`, 'analyst', {
      action: 'acknowledge',
      note: 'per phone call with the PSIRT',
    });
    for (const [audience, extra] of [
      ['reporter', {}],
      ['recipients', {}],
      ['organisation', { organisationId: vendor.id }],
    ] as const)
      await call('POST', `/api/v1/submissions/${trackingNo}/messages`, 'analyst', {
        body: `a note to the ${audience}`,
        audience,
        ...extra,
      });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('never shows an analyst’s e-mail or name to recipients, link holders or the reporter', async () => {
    const seen: Array<{ route: string; status: number; text: string }> = [];
    const look = async (who: string, method: string, path: string, body?: unknown) => {
      const r = await call(method, path, who, body);
      seen.push({ route: `${who} ${method} ${path}`, ...r });
      return r;
    };
    await look('vendor', 'GET', '/api/v1/inbox');
    await look('vendor', 'GET', '/api/v1/notifications');
    await look('vendor', 'GET', `/api/v1/notifications/${notificationId}`);
    await look('vendor', 'GET', `/api/v1/submissions/${trackingNo}/notifications`);
    await look('vendor', 'GET', `/api/v1/submissions/${trackingNo}/messages`);
    await look('vendor', 'POST', `/api/v1/submissions/${trackingNo}/messages`, { body: 'thanks' });
    await look('anonymous', 'GET', `/api/v1/respond/${link}`);
    await look('owner', 'GET', `/api/v1/submissions/${trackingNo}`);
    await look('owner', 'GET', '/api/v1/submissions');
    await look('owner', 'GET', `/api/v1/submissions/${trackingNo}/messages`);
    await look('owner', 'POST', `/api/v1/submissions/${trackingNo}/messages`, { body: 'any news?' });
    await look('anonymous', 'POST', `/api/v1/respond/${link}`, {
      action: 'fix',
      fixUrl: 'https://support.dlink.example/SAP10001',
    });
    for (const s of seen) {
      expect(s.status, `${s.route}: ${s.text}`).toBeLessThan(300);
      expect(s.text, s.route).not.toContain(ANALYST_EMAIL);
      expect(s.text, s.route).not.toContain('li.wei.analyst');
      expect(s.text, s.route).not.toContain(ANALYST_NAME);
    }
    // the history still says what happened and that the coordinator did it
    const view = JSON.parse(
      (await call('GET', `/api/v1/notifications/${notificationId}`, 'vendor')).text,
    ) as { notification: { events: Array<{ actor: string; to: string }> } };
    expect(view.notification.events.map((e) => [e.to, e.actor])).toEqual([
      ['sent', 'coordinator'],
      ['delivered', 'system'],
      ['acknowledged', 'coordinator'],
      ['fixed', 'D-Link (link)'],
    ]);
    // the coordinator itself still sees who acted
    const mine = await call('GET', `/api/v1/submissions/${trackingNo}/notifications`, 'analyst');
    expect(mine.text).toContain(ANALYST_EMAIL);
  });

  it('answers a signed-in user without an inbox with 403 and only anonymous with 401', async () => {
    const admin = await call('GET', '/api/v1/inbox', 'admin');
    expect(admin.status, admin.text).toBe(403);
    expect((JSON.parse(admin.text) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await call('GET', '/api/v1/inbox', 'analyst')).status).toBe(403);
    expect((await call('GET', '/api/v1/inbox', 'owner')).status).toBe(403);
    const anonymous = await call('GET', '/api/v1/inbox', 'anonymous');
    expect(anonymous.status).toBe(401);
    expect((JSON.parse(anonymous.text) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await call('GET', '/api/v1/inbox', 'vendor')).status).toBe(200);
  });

  it('keeps a reporting unit that squats a vendor’s name away from the vendor’s embargoed reports', async () => {
    const reg = await call('POST', '/api/v1/auth/register', 'anonymous', {
      email: 'squat@evil.example',
      password: PW,
      displayName: 'Squatter',
      organisation: { kind: 'reporting_unit', name: 'Tenda Technology' },
    });
    expect(reg.status, reg.text).toBeLessThan(300);
    const squatOrg = (
      await d.db
        .selectFrom('users')
        .select('organisation_id')
        .where('email', '=', 'squat@evil.example')
        .executeTakeFirstOrThrow()
    ).organisation_id;
    await login('squatter', 'squat@evil.example');
    // the analyst's vendor is created, not refused because the squatter took the name
    const created = await call('POST', '/api/v1/organisations', 'analyst', {
      kind: 'vendor',
      name: 'Tenda Technology',
    });
    expect(created.status, created.text).toBe(201);
    const vendor = JSON.parse(created.text) as { id: number; verified: boolean };
    expect(vendor.id).not.toBe(squatOrg);
    expect(vendor.verified).toBe(true);
    // notifying the squatter's unit is refused, naming it
    const refused = await call('POST', `/api/v1/submissions/${trackingNo}/notifications`, 'analyst', {
      recipients: [{ organisationId: squatOrg, category: 'vendor' }],
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.text).toContain('Tenda Technology');
    expect(refused.text).toMatch(/reporting unit|reporting_unit/);
    // registering a unit under an existing organisation's name joins nothing
    const again = await call('POST', '/api/v1/auth/register', 'anonymous', {
      email: 'squat2@evil.example',
      password: PW,
      displayName: 'Squatter 2',
      organisation: { kind: 'reporting_unit', name: 'D-Link' },
    });
    expect(again.status).toBe(409);
    const users = await d.db
      .selectFrom('users')
      .select('organisation_id')
      .where('organisation_id', '=', vendorId)
      .execute();
    expect(users).toHaveLength(1);
    // the squatter reads no inbox, no notification and cannot act
    expect((await call('GET', '/api/v1/inbox', 'squatter')).status).toBe(403);
    expect((await call('GET', `/api/v1/notifications/${notificationId}`, 'squatter')).status).toBe(403);
    const act = await call('POST', `/api/v1/notifications/${notificationId}/actions`, 'squatter', {
      action: 'fix',
      fixUrl: 'https://evil.example/',
    });
    expect(act.status).toBe(403);
  });
});
