/** /api/v1/reports (monthly and annual) over a real HTTP server, on both backends. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';

describe.each(testBackends())('monthly and annual report API on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  let auth: Record<string, string> = {};
  const req = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(base + path, { method, headers });
    const body = Buffer.from(await r.arrayBuffer());
    let json: unknown = null;
    try {
      json = JSON.parse(body.toString());
    } catch {
      /* not JSON */
    }
    return { status: r.status, headers: r.headers, text: body.toString(), json };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const dates = { submitted: '2023-11-20', collected: '2023-12-05', published: '2023-12-05' };
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-90001', { dates, severity: 'high' }),
        cnvdRecord('CNVD-2023-90002', { dates, severity: 'low' }),
        cnvdRecord('CNVD-2023-80001', {
          dates: { collected: '2023-03-01', published: '2023-03-01' },
          severity: 'medium',
        }),
      ]),
      { format: 'test', paths: [] },
    );
    const accounts = createAccountService({ db: d.db });
    await accounts.createUser(CLI, {
      email: 'admin@vs.example',
      displayName: 'Admin',
      password: 'correct horse battery',
      role: 'admin',
    });
    const login = await accounts.login({ email: 'admin@vs.example', password: 'correct horse battery' });
    const session = await accounts.resolveSession(login.session);
    if (!session) throw new Error('no session');
    const t = await accounts.createApiToken(session.principal, {
      name: 'report robot',
      scopes: ['bulletins:draft', 'bulletins:publish'],
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

  it('shows a draft only to an operator, and refuses malformed periods', async () => {
    const anon = await req('GET', '/api/v1/reports/monthly/2023-12');
    expect(anon.status).toBe(401);
    expect(anon.json).toMatchObject({ error: { code: 'unauthorized' } });
    const draft = await req('GET', '/api/v1/reports/monthly/2023-12', auth);
    expect(draft.status).toBe(200);
    expect(draft.headers.get('cache-control')).toBe('no-store');
    expect(draft.json).toMatchObject({
      id: '2023-12',
      kind: 'month',
      state: 'draft',
      figures: { overview: { total: 2, bySeverity: { high: 1, medium: 0, low: 1 } } },
    });
    const year = await req('GET', '/api/v1/reports/annual/2023', auth);
    expect(year.json).toMatchObject({ kind: 'year', figures: { overview: { total: 3 } } });
    for (const bad of [
      '/api/v1/reports/monthly/2023-13',
      '/api/v1/reports/monthly/2023',
      '/api/v1/reports/annual/23',
    ])
      expect((await req('GET', bad, auth)).status).toBe(400);
  });

  it('publishes once, then serves the frozen report to anyone in every format and lists it', async () => {
    const p = await req('POST', '/api/v1/reports/monthly/2023-12/publish', auth);
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ id: '2023-12', kind: 'month', state: 'published' });
    const again = await req('POST', '/api/v1/reports/monthly/2023-12/publish', auth);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'already_published' } });
    const json = await req('GET', '/api/v1/reports/monthly/2023-12');
    expect(json.status).toBe(200);
    expect(json.headers.get('cache-control')).toBe('public, max-age=300');
    const html = await req('GET', '/api/v1/reports/monthly/2023-12?format=html&lang=en');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('Monthly Vulnerability Report');
    expect(html.text).toContain('December 2023');
    const md = await req('GET', '/api/v1/reports/monthly/2023-12?format=md&download=true');
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.headers.get('content-disposition')).toBe(
      'attachment; filename="vulnshare-monthly-2023-12-zh.md"',
    );
    const list = await req('GET', '/api/v1/reports');
    expect(list.json).toEqual({
      items: [
        expect.objectContaining({
          id: '2023-12',
          kind: 'month',
          start: '2023-12-01',
          end: '2023-12-31',
          total: 2,
          high: 1,
          links: expect.objectContaining({
            pdf_zh: '/api/v1/reports/monthly/2023-12?lang=zh&format=pdf',
          }) as unknown,
        }),
      ],
    });
    expect((await req('GET', '/api/v1/reports?kind=year')).json).toEqual({ items: [] });
    expect((await req('POST', '/api/v1/reports/annual/2023/publish')).status).toBe(401);
  });
});
