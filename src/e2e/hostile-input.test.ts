/**
 * Hostile input on every route of the OpenAPI document, on both backends: each path parameter, query parameter
 * and JSON body field in turn gets each payload class (NUL bytes, 100 kB strings, lone surrogates, RTL override,
 * emoji, SQL and path-traversal metacharacters, HTML, numbers for strings and strings for numbers, negative and
 * huge numbers, objects and arrays for scalars, forged cursors, invalid dates), and whole bodies are replaced by
 * the wrong kind of JSON or by no JSON at all — as an anonymous caller and as a signed-in analyst (with its CSRF
 * token). No answer may be a 500, and every 4xx has the error shape { error: { code, message, details } }.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { calendarDay, weekOf } from '../vulns/calendar.js';

const PW = 'correct horse battery staple';

/** The payload classes; each is tried on every parameter and field. */
const PAYLOADS: Array<[string, unknown]> = [
  ['NUL byte', 'a\u0000b'],
  ['100 kB string', 'x'.repeat(100_000)],
  ['lone surrogate', '\ud800x'],
  ['RTL override', '\u202eexe.txt'],
  ['emoji', '🐛💥👩‍💻'],
  ['SQL', "' OR 1=1--"],
  ['path traversal', '../../etc/passwd'],
  ['HTML', '<script>alert(1)</script><img src=x onerror=alert(1)>'],
  ['number', 12345],
  ['numeric string', '12345abc'],
  ['negative', -1],
  ['huge', 1e308],
  ['beyond safe integer', Number.MAX_SAFE_INTEGER + 2],
  ['object', { a: { b: [1, { c: 'd' }] } }],
  ['array', ['a', 1, null]],
  ['null', null],
  ['boolean', true],
  ['forged cursor', Buffer.from('{"v":"x\'; DROP TABLE users--","id":-1}').toString('base64url')],
  ['cursor of another shape', Buffer.from('{"v":1e308,"id":1e300}').toString('base64url')],
  ['invalid date', '2024-02-30'],
  ['invalid week', '2024-W99'],
];

/** Whole bodies of the wrong kind. */
const RAW_BODIES: Array<[string, string]> = [
  ['a JSON string', '"x"'],
  ['a JSON array', '[1,2]'],
  ['JSON null', 'null'],
  ['broken JSON', '{"a":'],
  ['a NUL escape', '{"x":"\\u0000"}'],
  ['deep nesting', `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`],
];

/** A query / path value: strings as they are, everything else as JSON; invalid UTF-8 stays raw. */
function urlValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (s === '\ud800x') return '%ED%A0%80x';
  return encodeURIComponent(s);
}

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
}
interface Operation {
  parameters?: Array<{ in: string; name: string; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/** A plausible value for a schema, so that one hostile field at a time reaches past the others. */
function plausible(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausible(v)]));
    case 'string':
    case undefined:
    default:
      return s.format === 'email'
        ? 'someone@x.example'
        : s.format === 'date'
          ? '2024-01-01'
          : s.format === 'uri'
            ? 'https://example.org/'
            : 'x';
  }
}

describe.each(testBackends())('hostile input on every route on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let analyst: Record<string, string> = {};
  let trackingNo = '';
  let orgId = 0;

  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(d, itemsOf([cnvdRecord('CNVD-2023-10001')]), { format: 'test', paths: [] });
    app = await buildApp({
      database: d,
      config: { rateLimitPerMinute: 100_000_000, logLevel: 'silent' },
      overrides: {
        pdf: { render: () => Promise.resolve(Buffer.from('%PDF-1.4')), close: () => Promise.resolve() },
      },
    });
    await app.ready();
    const accounts = createAccountService({ db: d.db });
    orgId = (await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' })).id;
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['reporter', 'reporter'],
    ] as const)
      await accounts.createUser(CLI, {
        email: `${name}@x.example`,
        displayName: name,
        password: PW,
        role,
        organisationId: null,
      });
    const login = async (name: string) => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: `${name}@x.example`, password: PW },
      });
      expect(r.statusCode, `login ${name}`).toBe(200);
      return {
        cookie: String(r.headers['set-cookie'] ?? '').split(';')[0] ?? '',
        'x-csrf-token': r.json<{ csrfToken: string }>().csrfToken,
      };
    };
    analyst = await login('analyst');
    const sub = await app.inject({
      method: 'POST',
      url: '/api/v1/submissions',
      headers: await login('reporter'),
      payload: {
        kind: 'general',
        title: 'D-Link DIR-823G 缓冲区溢出漏洞',
        vendor: 'D-Link',
        product: 'DIR-823G',
        description: '参数存在缓冲区溢出',
        originality: 'original',
      },
    });
    trackingNo = sub.json<{ trackingNo: string }>().trackingNo;
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('answers every hostile parameter and body with a 4xx in the error shape or a success, never a 500', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, Schema> };
    }>();
    const deref = (s: Schema | undefined): Schema | undefined =>
      s?.$ref ? doc.components?.schemas?.[s.$ref.split('/').at(-1) ?? ''] : s;
    const week = weekOf(calendarDay(new Date().toISOString())).id;
    const valid = (path: string, name: string): string =>
      name === 'trackingNo'
        ? trackingNo
        : name === 'sha256'
          ? '0'.repeat(64)
          : name === 'token'
            ? 'A'.repeat(43)
            : name === 'name'
              ? 'kev'
              : name === 'id' && path.startsWith('/api/v1/bulletins')
                ? week
                : name === 'id' && path.startsWith('/api/v1/vulnerabilities')
                  ? 'CNVD-2023-10001'
                  : name === 'id' && path.startsWith('/api/v1/organisations')
                    ? String(orgId)
                    : '1';

    const problems: string[] = [];
    let calls = 0;
    const check = async (label: string, opts: InjectOptions) => {
      calls++;
      let r: Awaited<ReturnType<FastifyInstance['inject']>>;
      try {
        r = await app.inject(opts);
      } catch (e) {
        problems.push(`${label} → no response: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      if (r.statusCode >= 500) problems.push(`${label} → ${r.statusCode} ${r.body.slice(0, 200)}`);
      else if (r.statusCode >= 400) {
        let shape: boolean;
        try {
          const e = r.json<{ error?: { code?: unknown; message?: unknown; details?: unknown } }>().error;
          shape =
            typeof e?.code === 'string' &&
            typeof e.message === 'string' &&
            typeof e.details === 'object' &&
            e.details !== null;
        } catch {
          shape = false;
        }
        if (!shape)
          problems.push(`${label} → ${r.statusCode} without the error shape: ${r.body.slice(0, 200)}`);
      }
    };

    for (const [path, ops] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(ops)) {
        const method = m.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        const key = `${method} ${path}`;
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        const json = op.requestBody?.content['application/json'];
        const bodySchema = deref(json?.schema);
        const fields = Object.keys(bodySchema?.properties ?? {});
        const base = json ? plausible({ ...bodySchema, type: 'object' }) : undefined;
        const urlWith = (over: Record<string, string>, query = '') =>
          path.replace(/\{(\w+)\}/g, (_, n: string) => over[n] ?? encodeURIComponent(valid(path, n))) + query;

        for (const who of ['anonymous', 'analyst'] as const) {
          if (who === 'analyst' && key === 'POST /api/v1/auth/logout') continue; // would end the session
          const headers = who === 'analyst' ? analyst : {};
          const send = (label: string, url: string, payload?: unknown) =>
            check(`${who} ${key} ${label}`, {
              method,
              url,
              headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
              ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
            });
          for (const [what, value] of PAYLOADS) {
            for (const p of pathParams)
              await send(`path ${p}=${what}`, urlWith({ [p]: urlValue(value) }), base);
            for (const q of queryParams)
              await send(`query ${q}=${what}`, urlWith({}, `?${q}=${urlValue(value)}`), base);
            for (const f of fields)
              await send(`body ${f}=${what}`, urlWith({}), {
                ...(base as Record<string, unknown>),
                [f]: value,
              });
          }
          if (json)
            for (const [what, raw] of RAW_BODIES)
              await check(`${who} ${key} body ${what}`, {
                method,
                url: urlWith({}),
                headers: { ...headers, 'content-type': 'application/json' },
                payload: raw,
              });
        }
      }
    expect(calls).toBeGreaterThan(5000);
    expect(problems).toEqual([]);
  }, 240_000);
});
