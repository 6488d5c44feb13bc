/**
 * Every route of the OpenAPI document × every outsider to an embargoed case (anonymous, another reporter, a
 * vendor that was not notified), on both backends: no answer contains the embargoed report, no answer is a
 * 500, and routes that change something refuse an anonymous caller. The same calls by the parties to the case
 * do see it (so the test would notice if the report were simply missing).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { calendarDay, weekOf } from '../vulns/calendar.js';

const PW = 'correct horse battery staple';
const MARKER = 'EMBARGOMARKER7Q';
const PUBLIC_WRITES = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/register',
  'POST /api/v1/cvss/score',
]);

describe.each(testBackends())('authorization over every route on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const sessions: Record<string, { cookie: string; csrf: string } | null> = { anonymous: null };
  let trackingNo = '';
  let sha = '';
  let publicId = '';

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

  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(d, itemsOf([cnvdRecord('CNVD-2023-10001')]), { format: 'test', paths: [] });
    publicId = 'CNVD-2023-10001';
    const accounts = createAccountService({ db: d.db });
    const vendor = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    const other = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Tenda' });
    for (const [name, role, org] of [
      ['admin', 'admin', null],
      ['analyst', 'analyst', null],
      ['owner', 'reporter', null],
      ['reporter', 'reporter', null],
      ['vendor', 'recipient', vendor.id],
      ['stranger', 'recipient', other.id],
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
    for (const name of ['admin', 'analyst', 'owner', 'reporter', 'vendor', 'stranger']) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${name}@x.example`, password: PW }),
      });
      const j = (await r.json()) as { csrfToken: string };
      sessions[name] = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: j.csrfToken };
    }
    // the embargoed case: submitted, verified, notified to D-Link, with an attachment and messages
    const sub = JSON.parse(
      (
        await call('POST', '/api/v1/submissions', 'owner', {
          kind: 'general',
          title: `D-Link DIR-823G ${MARKER} 参数缓冲区溢出漏洞`,
          vendor: 'D-Link',
          product: 'DIR-823G',
          description: `${MARKER} 参数存在缓冲区溢出`,
          originality: 'original',
          cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        })
      ).text,
    ) as { trackingNo: string };
    trackingNo = sub.trackingNo;
    const s = sessions.owner;
    const att = await fetch(`${base}/api/v1/submissions/${trackingNo}/attachments?filename=${MARKER}.txt`, {
      method: 'POST',
      headers: { cookie: s?.cookie ?? '', 'x-csrf-token': s?.csrf ?? '', 'content-type': 'text/plain' },
      body: `${MARKER} proof`,
    });
    sha = ((await att.json()) as { sha256: string }).sha256;
    for (const to of ['triaged', 'verifying'])
      await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', { to });
    await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', {
      to: 'verified',
      verification: { environment: 'lab', steps: MARKER, result: 'reproduced', verifier: 'CNVD' },
    });
    await call('POST', `/api/v1/submissions/${trackingNo}/notifications`, 'analyst', {
      recipients: [{ organisationId: vendor.id, category: 'vendor' }],
    });
    await call('POST', `/api/v1/submissions/${trackingNo}/messages`, 'analyst', {
      body: `${MARKER} internal`,
      audience: 'internal',
    });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  /** Every operation of the OpenAPI document with its path parameters filled in. */
  async function operations(): Promise<Array<{ method: string; path: string; key: string }>> {
    const doc = JSON.parse((await call('GET', '/api/openapi.json', 'anonymous')).text) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const week = weekOf(calendarDay(new Date().toISOString())).id;
    const fill: Record<string, string> = {
      trackingNo,
      sha256: sha,
      token: 'A'.repeat(43),
      week,
    };
    const out: Array<{ method: string; path: string; key: string }> = [];
    for (const [p, ops] of Object.entries(doc.paths))
      for (const method of Object.keys(ops)) {
        const path = p.replace(/\{(\w+)\}/g, (_, name: string) => {
          if (name === 'id')
            return p.startsWith('/api/v1/bulletins')
              ? week
              : p.startsWith('/api/v1/vulnerabilities')
                ? publicId
                : '1';
          return fill[name] ?? '1';
        });
        out.push({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${p}` });
      }
    return out;
  }

  it('covers the API', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(35);
  });

  it.each(['anonymous', 'reporter', 'stranger'])(
    'never shows the embargoed report to %s, on any route',
    async (who) => {
      const ops = await operations();
      const problems: string[] = [];
      for (const op of ops) {
        if (op.key === 'POST /api/v1/auth/logout') continue; // would end the session used by the next calls
        const withBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
        const r = await call(
          op.method,
          `${op.path}${op.method === 'GET' && op.path.includes('/vulnerabilities') ? `?q=${MARKER}&facets=vendor,severity` : ''}`,
          who,
          withBody ? {} : undefined,
        );
        if (r.status >= 500) problems.push(`${op.key} → ${r.status}`);
        if (r.text.includes(MARKER)) problems.push(`${op.key} → shows the embargoed report`);
        if (who === 'anonymous' && withBody && !PUBLIC_WRITES.has(op.key) && r.status < 400)
          problems.push(`${op.key} → ${r.status} for anonymous`);
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );

  it('shows it to the parties of the case, each their part', async () => {
    expect((await call('GET', `/api/v1/submissions/${trackingNo}`, 'owner')).text).toContain(MARKER);
    expect((await call('GET', `/api/v1/submissions/${trackingNo}`, 'analyst')).text).toContain(MARKER);
    expect((await call('GET', `/api/v1/submissions/${trackingNo}`, 'admin')).text).toContain(MARKER);
    expect(
      (await call('GET', `/api/v1/submissions/${trackingNo}/attachments/${sha}`, 'owner')).text,
    ).toContain(MARKER);
    const n = await call('GET', `/api/v1/submissions/${trackingNo}/notifications`, 'vendor');
    expect(n.status).toBe(200);
    expect(n.text).toContain('D-Link');
    // the internal note stays with the coordinator
    expect((await call('GET', `/api/v1/submissions/${trackingNo}/messages`, 'owner')).text).not.toContain(
      MARKER,
    );
    expect((await call('GET', `/api/v1/submissions/${trackingNo}/messages`, 'analyst')).text).toContain(
      MARKER,
    );
  });
});
