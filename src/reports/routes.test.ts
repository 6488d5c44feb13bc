/** /api/v1/bulletins over a real HTTP server, on both backends. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';

let auth: Record<string, string> = {};

describe.each(testBackends())('bulletin API on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const req = async (
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: unknown } = {},
  ) => {
    const r = await fetch(base + path, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await r.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, type: r.headers.get('content-type') ?? '', text, json };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const dates = { submitted: '2023-11-20', collected: '2023-12-05', published: '2023-12-05' };
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-90001', { dates }),
        cnvdRecord('CNVD-2023-90002', { dates, severity: 'low' }),
      ]),
      { format: 'test', paths: [] },
    );
    // an analyst with an API token limited to bulletin work
    const accounts = createAccountService({ db: d.db });
    await accounts.createUser(CLI, {
      email: 'analyst@vs.example',
      displayName: 'Analyst',
      password: 'correct horse battery',
      role: 'analyst',
    });
    const login = await accounts.login({ email: 'analyst@vs.example', password: 'correct horse battery' });
    const session = await accounts.resolveSession(login.session);
    if (!session) throw new Error('no session');
    const t = await accounts.createApiToken(session.principal, {
      name: 'bulletin robot',
      scopes: ['bulletins:draft', 'bulletins:edit', 'bulletins:publish'],
    });
    auth = { authorization: `Bearer ${t.token}` };
    app = await buildApp({
      database: d,
      config: { rateLimitPerMinute: 1000, logLevel: 'silent', publicUrl: 'https://vs.example' },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('shows a draft only to an operator', async () => {
    const anon = await req('GET', '/api/v1/bulletins/2023-W49');
    expect(anon.status).toBe(401);
    expect(anon.json).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await req('GET', '/api/v1/bulletins/2023-W49', {
      headers: { authorization: 'Bearer vs_nope' },
    });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.json)).toMatch(/API token is not valid/);
    const r = await req('GET', '/api/v1/bulletins/2023-W49', { headers: auth });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: '2023-W49', state: 'draft', figures: { overview: { total: 2 } } });
  });

  it('answers 400 naming the parameter for a bad week, language or format', async () => {
    const bad = await req('GET', '/api/v1/bulletins/2023-W54', { headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_parameter', details: { parameter: 'week' } } });
    const pattern = await req('GET', '/api/v1/bulletins/2023-49');
    expect(pattern.status).toBe(400);
    expect(pattern.json).toMatchObject({
      error: { code: 'invalid_parameter', details: { parameter: 'id' } },
    });
    const lang = await req('GET', '/api/v1/bulletins/2023-W49?lang=fr', { headers: auth });
    expect(lang.status).toBe(400);
    expect(lang.json).toMatchObject({ error: { details: { parameter: 'lang' } } });
  });

  it('validates editorial content and publishes once; the published bulletin is public and listed', async () => {
    const anonPut = await req('PUT', '/api/v1/bulletins/2023-W49/editorial', { body: { news: [] } });
    expect(anonPut.status).toBe(401);
    const badPut = await req('PUT', '/api/v1/bulletins/2023-W49/editorial', {
      headers: auth,
      body: { news: [{ title: 'x', url: 'ftp://x' }] },
    });
    expect(badPut.status).toBe(400);
    const put = await req('PUT', '/api/v1/bulletins/2023-W49/editorial', {
      headers: auth,
      body: {
        news: [{ title: '思科产品曝出安全漏洞', summary: '允许远程执行代码', url: 'https://example.org/n' }],
      },
    });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ id: '2023-W49', state: 'draft', publishedAt: null });
    const pub = await req('POST', '/api/v1/bulletins/2023-W49/publish', { headers: auth });
    expect(pub.status).toBe(200);
    expect(pub.json).toMatchObject({ id: '2023-W49', state: 'published' });
    const again = await req('POST', '/api/v1/bulletins/2023-W49/publish', { headers: auth });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      error: {
        code: 'already_published',
        message: expect.stringMatching(/^Bulletin 2023-W49 was published already \(20/) as unknown,
      },
    });
    // the same refusal in the reader's language: Accept-Language (q order), or ?lang= over it
    const zh = await req('POST', '/api/v1/bulletins/2023-W49/publish', {
      headers: { ...auth, 'accept-language': 'en;q=0.5, zh-CN' },
    });
    expect([zh.status, zh.json]).toMatchObject([
      409,
      {
        error: {
          code: 'already_published',
          message: expect.stringMatching(/^周报 2023-W49 已发布（20/) as unknown,
        },
      },
    ]);
    const en = await req('POST', '/api/v1/bulletins/2023-W49/publish?lang=en', {
      headers: { ...auth, 'accept-language': 'zh-CN' },
    });
    expect(en.json).toMatchObject({
      error: { message: expect.stringMatching(/^Bulletin 2023-W49/) as unknown },
    });
    // a draft stays the operators': an anonymous reader is told to sign in, in Chinese if asked
    const draft = await req('GET', '/api/v1/bulletins/2023-W50', { headers: { 'accept-language': 'zh' } });
    expect([draft.status, draft.json]).toMatchObject([
      401,
      { error: { code: 'unauthorized', message: '请先登录' } },
    ]);

    const html = await req('GET', '/api/v1/bulletins/2023-W49?format=html&lang=zh');
    expect(html.status).toBe(200);
    expect(html.type).toContain('text/html');
    expect(html.text).toContain('2023年第49期');
    expect(html.text).toContain('思科产品曝出安全漏洞');
    const md = await req('GET', '/api/v1/bulletins/2023-W49?format=md&lang=en');
    expect(md.type).toContain('text/markdown');
    expect(md.text).toContain('Weekly Vulnerability Bulletin');
    const list = await req('GET', '/api/v1/bulletins');
    expect(list.json).toMatchObject({
      items: [{ id: '2023-W49', start: '2023-12-04', end: '2023-12-10', total: 2, high: 1 }],
    });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await req('GET', '/api/openapi.json')).json as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/bulletins',
        '/api/v1/bulletins/{id}',
        '/api/v1/bulletins/{id}/editorial',
        '/api/v1/bulletins/{id}/publish',
      ]),
    );
  });
});
