/**
 * The feed API over HTTP, on both backends, in the application as buildApp makes it (authentication, error
 * shape, the 'Error' schema): who may read and manage, validation, and an admin adding a feed, syncing it
 * against a local HTTP server and reading its status.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import type { Feed, FeedRun } from './model.js';
import type { SyncResult } from './run.js';
import { kevCatalogue } from '../test-support/kev.js';
import { etagOf, serve, startFeedServer, status, type FeedServer } from '../test-support/feed-server.js';

const PW = 'correct horse battery staple';
const WHO = ['admin', 'analyst', 'reporter', 'vendor'] as const;
type Who = (typeof WHO)[number] | 'anonymous';

describe.each(testBackends())('feed routes on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let server: FeedServer;
  const sessions: Partial<Record<Who, { cookie: string; csrf: string }>> = {};

  const call = async (
    who: Who,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse> => {
    const s = sessions[who];
    return app.inject({
      method,
      url,
      headers: s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {},
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
  };
  const code = (r: LightMyRequestResponse) => r.json<{ error: { code: string } }>().error.code;

  beforeAll(async () => {
    server = await startFeedServer();
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db });
    const vendor = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    for (const [name, role, org] of [
      ['admin', 'admin', null],
      ['analyst', 'analyst', null],
      ['reporter', 'reporter', null],
      ['vendor', 'recipient', vendor.id],
    ] as const)
      await accounts.createUser(CLI, {
        email: `${name}@x.example`,
        displayName: name,
        password: PW,
        role,
        organisationId: org,
      });
    app = await buildApp({
      database: d,
      // the feed server listens on 127.0.0.1: internal targets are allowed explicitly
      config: {
        rateLimitPerMinute: 1_000_000,
        logLevel: 'silent',
        allowInternalTargets: ANY_INTERNAL_TARGET,
      },
    });
    await app.ready();
    for (const name of WHO) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: `${name}@x.example`, password: PW },
      });
      expect(r.statusCode, name).toBe(200);
      const cookie = String(r.headers['set-cookie'] ?? '').split(';')[0] ?? '';
      sessions[name] = { cookie, csrf: r.json<{ csrfToken: string }>().csrfToken };
    }
  });
  afterAll(async () => {
    await app.close();
    await d.close();
    await server.close();
  });
  beforeEach(async () => {
    await d.db.deleteFrom('feeds').execute();
    server.requests.length = 0;
  });

  it('has every feed route in the application and in the OpenAPI document', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/feeds'],
      ['POST', '/api/v1/feeds'],
      ['GET', '/api/v1/feeds/:name'],
      ['PATCH', '/api/v1/feeds/:name'],
      ['DELETE', '/api/v1/feeds/:name'],
      ['POST', '/api/v1/feeds/:name/sync'],
    ] as const)
      expect(app.hasRoute({ method, url }), `${method} ${url}`).toBe(true);
    const doc = (await call('anonymous', 'GET', '/api/openapi.json')).json<{
      paths: Record<string, object>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/feeds', '/api/v1/feeds/{name}', '/api/v1/feeds/{name}/sync']),
    );
  });

  it('refuses anonymous callers (401) and reporters and recipients (403) on every route', async () => {
    await call('admin', 'POST', '/api/v1/feeds', {
      name: 'kev',
      format: 'kev',
      url: server.url('/kev.json'),
    });
    const routes: Array<['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?]> = [
      ['GET', '/api/v1/feeds'],
      ['GET', '/api/v1/feeds/kev'],
      ['POST', '/api/v1/feeds', { name: 'other', format: 'kev', url: server.url('/kev.json') }],
      ['PATCH', '/api/v1/feeds/kev', { schedule: '1h' }],
      ['DELETE', '/api/v1/feeds/kev'],
      ['POST', '/api/v1/feeds/kev/sync'],
    ];
    for (const [method, url, body] of routes) {
      const anon = await call('anonymous', method, url, body);
      expect([anon.statusCode, code(anon)], `anonymous ${method} ${url}`).toEqual([401, 'unauthorized']);
      for (const who of ['reporter', 'vendor'] as const) {
        const r = await call(who, method, url, body);
        expect([r.statusCode, code(r)], `${who} ${method} ${url}`).toEqual([403, 'forbidden']);
      }
    }
    expect(server.requests).toHaveLength(0); // nobody got a sync through
    expect((await call('admin', 'GET', '/api/v1/feeds/kev')).statusCode).toBe(200); // nor removed it
  });

  it('lets analysts read but not manage', async () => {
    await call('admin', 'POST', '/api/v1/feeds', {
      name: 'kev',
      format: 'kev',
      url: server.url('/kev.json'),
      schedule: '6h',
    });
    const list = await call('analyst', 'GET', '/api/v1/feeds');
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: Feed[] }>().items.map((f) => f.name)).toEqual(['kev']);
    expect((await call('analyst', 'GET', '/api/v1/feeds/kev')).statusCode).toBe(200);
    for (const [method, url, body] of [
      ['POST', '/api/v1/feeds', { name: 'x', format: 'kev', url: server.url('/x.json') }],
      ['PATCH', '/api/v1/feeds/kev', { schedule: '1h' }],
      ['DELETE', '/api/v1/feeds/kev', undefined],
      ['POST', '/api/v1/feeds/kev/sync', undefined],
    ] as const) {
      const r = await call('analyst', method, url, body);
      expect([r.statusCode, code(r)], `analyst ${method} ${url}`).toEqual([403, 'forbidden']);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('lets an admin add a feed, sync it against a server, and read its status and runs', async () => {
    const body = kevCatalogue(5);
    server.handle(serve(() => ({ body, contentType: 'application/json' })));
    const added = await call('admin', 'POST', '/api/v1/feeds', {
      name: 'kev',
      format: 'kev',
      url: server.url('/kev.json'),
      schedule: '6h',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json<Feed>()).toMatchObject({
      name: 'kev',
      format: 'kev',
      url: server.url('/kev.json'),
      schedule: '6h',
      scheduleMs: 6 * 3_600_000,
      status: { lastSuccessAt: null, consecutiveFailures: 0 },
    });
    expect(added.json<Feed>().status.nextRunAt).not.toBeNull();
    expect(
      (await call('admin', 'POST', '/api/v1/feeds', { name: 'kev', format: 'kev', url: server.url('/') }))
        .statusCode,
    ).toBe(409);

    const sync = await call('admin', 'POST', '/api/v1/feeds/kev/sync');
    expect(sync.statusCode).toBe(200);
    expect(sync.json<SyncResult>()).toMatchObject({
      feed: 'kev',
      outcome: 'imported',
      httpStatus: 200,
      counts: { read: 5, imported: 5, updated: 0, unchanged: 0, rejected: 0 },
      error: null,
    });
    const again = await call('admin', 'POST', '/api/v1/feeds/kev/sync');
    expect(again.json<SyncResult>()).toMatchObject({ outcome: 'not_modified', httpStatus: 304 });
    const forced = await call('admin', 'POST', '/api/v1/feeds/kev/sync?force=true');
    expect(forced.json<SyncResult>()).toMatchObject({
      outcome: 'imported',
      counts: { read: 5, imported: 0, unchanged: 5 },
    });
    expect(server.requests[2]?.headers['if-none-match']).toBeUndefined();

    const list = (await call('analyst', 'GET', '/api/v1/feeds')).json<{ items: Feed[] }>().items;
    expect(list).toHaveLength(1);
    expect(list[0]?.status).toMatchObject({
      lastOutcome: 'imported',
      lastError: null,
      lastErrorAt: null,
      consecutiveFailures: 0,
      etag: etagOf(body),
      lastCounts: { read: 5, imported: 0, updated: 0, unchanged: 5, rejected: 0 },
    });
    expect(list[0]?.status.lastSuccessAt).toEqual(expect.any(String));
    expect(list[0]?.status.lastAttemptAt).toEqual(expect.any(String));
    expect(Date.parse(list[0]?.status.nextRunAt ?? '')).toBeGreaterThan(Date.now() + 5 * 3_600_000);

    const one = await call('analyst', 'GET', '/api/v1/feeds/kev?runs=2');
    const st = one.json<Feed & { runs: FeedRun[] }>();
    expect(st.runs.map((r) => r.outcome)).toEqual(['imported', 'not_modified']);
    expect((await call('admin', 'GET', '/api/v1/feeds/kev')).json<{ runs: FeedRun[] }>().runs).toHaveLength(
      3,
    );

    // a failing source: outcome failed, recorded in the status
    server.handle(status(404));
    const failed = await call('admin', 'POST', '/api/v1/feeds/kev/sync');
    expect(failed.statusCode).toBe(200);
    expect(failed.json<SyncResult>()).toMatchObject({ outcome: 'failed', httpStatus: 404 });
    expect(failed.json<SyncResult>().error).toContain('feed "kev"');
    const after = (await call('admin', 'GET', '/api/v1/feeds/kev')).json<Feed>().status;
    expect(after).toMatchObject({ lastOutcome: 'failed', consecutiveFailures: 1, etag: etagOf(body) });
    expect(after.lastError).toContain('404');
    expect(after.lastErrorAt).toEqual(expect.any(String));

    const patched = await call('admin', 'PATCH', '/api/v1/feeds/kev', { schedule: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<Feed>()).toMatchObject({
      schedule: null,
      scheduleMs: null,
      status: { nextRunAt: null },
    });
    const moved = await call('admin', 'PATCH', '/api/v1/feeds/kev', {
      url: server.url('/v2.json'),
      schedule: '1d',
    });
    expect(moved.json<Feed>()).toMatchObject({
      url: server.url('/v2.json'),
      schedule: '1d',
      status: { etag: null },
    });

    expect((await call('admin', 'DELETE', '/api/v1/feeds/kev')).statusCode).toBe(204);
    expect((await call('admin', 'GET', '/api/v1/feeds/kev')).statusCode).toBe(404);
    expect((await call('admin', 'DELETE', '/api/v1/feeds/kev')).statusCode).toBe(404);
    expect((await call('admin', 'POST', '/api/v1/feeds/kev/sync')).statusCode).toBe(404);
  });

  it('answers bad input with 400 invalid_parameter, never 500', async () => {
    const u = server.url('/kev.json');
    await call('admin', 'POST', '/api/v1/feeds', { name: 'kev', format: 'kev', url: u });
    const bad: Array<['POST' | 'PATCH' | 'GET', string, unknown?]> = [
      ['POST', '/api/v1/feeds', {}],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: 'not a url' }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: 'ftp://example.org/kev.json' }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'nvd', url: u }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: u, schedule: 'often' }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: u, schedule: '30s' }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: u, schedule: '99999999999999d' }],
      ['POST', '/api/v1/feeds', { name: 'a b/c', format: 'kev', url: u }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: u, schedule: 6 }],
      ['POST', '/api/v1/feeds', { name: { a: 1 }, format: 'kev', url: u }],
      ['POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: 'x'.repeat(5000) }],
      ['PATCH', '/api/v1/feeds/kev', { url: 'file:///etc/passwd' }],
      ['PATCH', '/api/v1/feeds/kev', { format: 'csv' }],
      ['PATCH', '/api/v1/feeds/kev', { schedule: 'hourly' }],
      ['GET', '/api/v1/feeds/kev?runs=-1'],
      ['GET', '/api/v1/feeds/kev?runs=abc'],
      ['GET', '/api/v1/feeds/kev?runs=100000'],
      ['POST', '/api/v1/feeds/kev/sync?force=maybe'],
    ];
    const problems: string[] = [];
    for (const [method, url, body] of bad) {
      const r = await call('admin', method, url, body);
      if (r.statusCode !== 400 || code(r) !== 'invalid_parameter')
        problems.push(`${method} ${url} ${JSON.stringify(body)} → ${r.statusCode} ${r.body.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
    const msg = (
      await call('admin', 'POST', '/api/v1/feeds', { name: 'a', format: 'kev', url: u, schedule: 'often' })
    ).json<{ error: { message: string } }>().error.message;
    expect(msg).toMatch(/not an interval/);
    expect((await call('admin', 'GET', '/api/v1/feeds')).json<{ items: Feed[] }>().items).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });
});
