/**
 * API-token scopes bound what a token may do with its owner's own cases (issue 11, item 4). For every route a
 * reporter or a recipient uses on its own case — reading the submission, its attachments and messages,
 * writing on it, the inbox, a notification and acting on it — a token of the same user with an unrelated
 * scope is refused with 403, and a token with the scope the route needs succeeds. Both backends, the real app.
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

interface Route {
  who: 'owner' | 'vendor';
  method: string;
  path: () => string;
  body?: () => unknown;
  raw?: { type: string; content: string };
  scope: string;
  ok: number;
}

describe.each(testBackends())('API-token scopes on own cases on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};
  let trackingNo = '';
  let needInfo = '';
  let sha = '';
  let notificationId = 0;
  let vendorId = 0;

  const call = async (
    method: string,
    path: string,
    auth: { session?: string; token?: string },
    body?: unknown,
    raw?: { type: string; content: string },
  ) => {
    const headers: Record<string, string> = {};
    const s = auth.session ? sessions[auth.session] : undefined;
    if (s) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] = s.csrf;
    }
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.type;
    const r = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : raw ? { body: raw.content } : {}),
    });
    return { status: r.status, text: await r.text() };
  };
  const token = async (who: string, scopes: string[]) => {
    const r = await call('POST', '/api/v1/tokens', { session: who }, { name: scopes.join(' '), scopes });
    expect(r.status, r.text).toBe(201);
    return (JSON.parse(r.text) as { token: string }).token;
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db });
    const vendor = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    vendorId = vendor.id;
    await accounts.addContact(CLI, vendor.id, { name: 'PSIRT', portal: true });
    for (const [name, role, org] of [
      ['analyst', 'analyst', null],
      ['owner', 'reporter', null],
      ['vendor', 'recipient', vendor.id],
    ] as const)
      await accounts.createUser(CLI, {
        email: `${name}@x.example`,
        displayName: name,
        password: PW,
        role,
        organisationId: org,
      });
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const name of ['analyst', 'owner', 'vendor']) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${name}@x.example`, password: PW }),
      });
      const j = (await r.json()) as { csrfToken: string };
      sessions[name] = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: j.csrfToken };
    }
    const submit = async (param: string) =>
      (
        JSON.parse(
          (
            await call(
              'POST',
              '/api/v1/submissions',
              { session: 'owner' },
              {
                kind: 'general',
                title: `D-Link DIR-823G ${param} 参数缓冲区溢出漏洞`,
                vendor: 'D-Link',
                product: 'DIR-823G',
                description: `${param} 参数存在缓冲区溢出`,
                originality: 'original',
              },
            )
          ).text,
        ) as { trackingNo: string }
      ).trackingNo;
    trackingNo = await submit('EndTime');
    needInfo = await submit('StartTime');
    const att = await call(
      'POST',
      `/api/v1/submissions/${trackingNo}/attachments?filename=poc.txt`,
      { session: 'owner' },
      undefined,
      { type: 'text/plain', content: 'proof' },
    );
    sha = (JSON.parse(att.text) as { sha256: string }).sha256;
    for (const to of ['triaged', 'verifying'])
      await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, { session: 'analyst' }, { to });
    await call(
      'POST',
      `/api/v1/submissions/${trackingNo}/transitions`,
      { session: 'analyst' },
      {
        to: 'verified',
        verification: { environment: 'lab', steps: 'long EndTime', result: 'reproduced', verifier: 'CNVD' },
      },
    );
    await call(
      'POST',
      `/api/v1/submissions/${needInfo}/transitions`,
      { session: 'analyst' },
      { to: 'need_info', note: 'which firmware?' },
    );
    const n = await call(
      'POST',
      `/api/v1/submissions/${trackingNo}/notifications`,
      { session: 'analyst' },
      { recipients: [{ organisationId: vendor.id, category: 'vendor' }] },
    );
    expect(n.status, n.text).toBe(201);
    notificationId =
      (JSON.parse(n.text) as { notifications: Array<{ id: number }> }).notifications[0]?.id ?? 0;
    await createOutboxWorker({ db: d.db, mailer: null }).runOnce();
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  const ROUTES: Route[] = [
    {
      who: 'owner',
      method: 'GET',
      path: () => `/api/v1/submissions/${trackingNo}`,
      scope: 'submissions:read_own',
      ok: 200,
    },
    {
      who: 'owner',
      method: 'GET',
      path: () => '/api/v1/submissions',
      scope: 'submissions:read_own',
      ok: 200,
    },
    {
      who: 'owner',
      method: 'GET',
      path: () => '/api/v1/reporters/me',
      scope: 'submissions:read_own',
      ok: 200,
    },
    {
      who: 'owner',
      method: 'GET',
      path: () => `/api/v1/submissions/${trackingNo}/attachments/${sha}`,
      scope: 'submissions:read_own',
      ok: 200,
    },
    {
      who: 'owner',
      method: 'POST',
      path: () => `/api/v1/submissions/${trackingNo}/attachments?filename=more.txt`,
      raw: { type: 'text/plain', content: 'more proof' },
      scope: 'submissions:update_own',
      ok: 201,
    },
    {
      who: 'owner',
      method: 'POST',
      path: () => `/api/v1/submissions/${needInfo}/transitions`,
      body: () => ({ to: 'triaged', note: 'firmware 1.0.2B05' }),
      scope: 'submissions:update_own',
      ok: 200,
    },
    {
      who: 'owner',
      method: 'GET',
      path: () => `/api/v1/submissions/${trackingNo}/messages`,
      scope: 'messages:read',
      ok: 200,
    },
    {
      who: 'owner',
      method: 'POST',
      path: () => `/api/v1/submissions/${trackingNo}/messages`,
      body: () => ({ body: 'any news?' }),
      scope: 'messages:write',
      ok: 201,
    },
    { who: 'vendor', method: 'GET', path: () => '/api/v1/inbox', scope: 'inbox:read', ok: 200 },
    {
      who: 'vendor',
      method: 'GET',
      path: () => `/api/v1/organisations/${vendorId}`,
      scope: 'inbox:read',
      ok: 200,
    },
    { who: 'vendor', method: 'GET', path: () => '/api/v1/notifications', scope: 'inbox:read', ok: 200 },
    {
      who: 'vendor',
      method: 'GET',
      path: () => `/api/v1/notifications/${notificationId}`,
      scope: 'inbox:read',
      ok: 200,
    },
    {
      who: 'vendor',
      method: 'GET',
      path: () => `/api/v1/submissions/${trackingNo}/notifications`,
      scope: 'inbox:read',
      ok: 200,
    },
    {
      who: 'vendor',
      method: 'POST',
      path: () => `/api/v1/notifications/${notificationId}/actions`,
      body: () => ({ action: 'acknowledge' }),
      scope: 'disposal:respond',
      ok: 200,
    },
    {
      who: 'vendor',
      method: 'GET',
      path: () => `/api/v1/submissions/${trackingNo}/messages`,
      scope: 'messages:read',
      ok: 200,
    },
    {
      who: 'vendor',
      method: 'POST',
      path: () => `/api/v1/submissions/${trackingNo}/messages`,
      body: () => ({ body: 'we are on it' }),
      scope: 'messages:write',
      ok: 201,
    },
  ];
  const UNRELATED = { owner: 'tokens:own', vendor: 'watchlists:own' } as const;

  const label = (r: Route) =>
    `${r.who}: ${r.method} ${r.path
      .toString()
      .replace(/^\(\) => /, '')
      .replace(/[`'$]/g, '')}`;
  it.each(ROUTES.map((r) => [label(r), r] as const))(
    'refuses %s to a token with an unrelated scope and allows it with its own scope',
    async (_name, r) => {
      const wrong = await token(r.who, [UNRELATED[r.who]]);
      const refused = await call(r.method, r.path(), { token: wrong }, r.body?.(), r.raw);
      expect(refused.status, refused.text).toBe(403);
      expect(refused.text).not.toContain('DIR-823G');
      const right = await token(r.who, [r.scope]);
      const allowed = await call(r.method, r.path(), { token: right }, r.body?.(), r.raw);
      expect(allowed.status, allowed.text).toBe(r.ok);
    },
  );

  it('offers the new scopes when creating a token, and a session still does everything its role allows', async () => {
    for (const scope of ['submissions:read_own', 'submissions:update_own', 'messages:read', 'messages:write'])
      expect(
        (await call('POST', '/api/v1/tokens', { session: 'owner' }, { name: scope, scopes: [scope] })).status,
      ).toBe(201);
    for (const scope of ['inbox:read', 'disposal:respond'])
      expect(
        (await call('POST', '/api/v1/tokens', { session: 'vendor' }, { name: scope, scopes: [scope] }))
          .status,
      ).toBe(201);
    // a reporter cannot take a recipient's scope
    expect(
      (await call('POST', '/api/v1/tokens', { session: 'owner' }, { name: 'x', scopes: ['inbox:read'] }))
        .status,
    ).toBe(400);
    expect((await call('GET', `/api/v1/submissions/${trackingNo}`, { session: 'owner' })).status).toBe(200);
    expect((await call('GET', '/api/v1/inbox', { session: 'vendor' })).status).toBe(200);
  });
});
