import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SaxesParser } from 'saxes';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { buildApp } from './app.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe.each(testBackends())('REST API over a real HTTP server on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const get = async (path: string) => {
    const r = await fetch(base + path);
    const text = await r.text();
    return {
      status: r.status,
      headers: r.headers,
      text,
      json: (r.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as unknown) : null,
    };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const recs = [
      cnvdRecord('CNVD-2022-56484', { aliases: ['CVE-2022-9001'] }),
      cnvdRecord('CNVD-2023-11111', {
        titleZh: 'D-Link DIR-823G命令注入漏洞',
        descriptionZh: 'D-Link DIR-823G是友讯（D-Link）公司的一款无线路由器。',
        products: [{ vendor: '', product: '', versions: [], raw: 'D-Link DIR-823G 1.02B05' }],
        severity: 'medium',
        dates: { submitted: '2023-03-01', collected: '2023-03-06', published: '2023-03-06' },
      }),
      cveRecord('CVE-2022-9001'),
      cveRecord('CVE-2024-0204', {
        titleEn: 'Authentication bypass in GoAnywhere MFT',
        products: [{ vendor: 'Fortra', product: 'GoAnywhere MFT', versions: ['< 7.4.1'] }],
        cvss: [{ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      }),
      kevRecord('CVE-2024-0204'),
    ];
    for (let i = 0; i < 30; i++)
      recs.push(
        cveRecord(`CVE-2021-${String(1000 + i)}`, {
          cvss: [{ vector: `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:${i % 2 ? 'H' : 'L'}/I:N/A:N` }],
        }),
      );
    await importItems(d, itemsOf(recs), { format: 'test', paths: [] });
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('finds titles containing a Chinese phrase', async () => {
    const r = await get(`/api/v1/vulnerabilities?q=${encodeURIComponent('缓冲区溢出')}`);
    expect(r.status).toBe(200);
    const ids = (r.json as { items: Array<{ id: string }> }).items.map((i) => i.id);
    expect(ids).toContain('CNVD-2022-56484');
    expect(ids).not.toContain('CNVD-2023-11111');
  });

  it('finds a model number and any id', async () => {
    const m = (await get('/api/v1/vulnerabilities?q=DIR-823G')).json as { items: Array<{ id: string }> };
    expect(m.items.map((i) => i.id)).toEqual(['CNVD-2023-11111']);
    const byCve = (await get('/api/v1/vulnerabilities?q=cve-2022-9001')).json as {
      items: Array<{ id: string }>;
    };
    expect(byCve.items.map((i) => i.id)).toEqual(['CNVD-2022-56484']);
    const byCnvd = (await get('/api/v1/vulnerabilities/CNVD-2022-56484')).json as {
      vulnerability: { aliases: string[]; score: number };
    };
    expect(byCnvd.vulnerability.aliases).toEqual(['CNVD-2022-56484', 'CVE-2022-9001']);
    expect(byCnvd.vulnerability.score).toBe(9.8);
  });

  it('filters, sorts and pages with a cursor without repeating or skipping', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = (
        await get(`/api/v1/vulnerabilities?source=cve&sort=score&limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      ).json as {
        items: Array<{ id: string; score: number }>;
        nextCursor: string | null;
        total: number;
      };
      seen.push(...r.items.map((i) => i.id));
      cursor = r.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(new Set(seen).size);
    expect(seen.length).toBe(32);
    const exploited = (await get('/api/v1/vulnerabilities?exploited=true')).json as {
      items: Array<{ id: string }>;
    };
    expect(exploited.items.map((i) => i.id)).toEqual(['CVE-2024-0204']);
  });

  it('returns facet counts for the current query', async () => {
    const r = (await get('/api/v1/vulnerabilities?source=cnvd&facets=severity,vendor')).json as {
      facets: Record<string, Array<{ value: string; count: number }>>;
    };
    expect(r.facets.severity).toEqual(
      expect.arrayContaining([
        { value: 'high', count: 1 },
        { value: 'medium', count: 1 },
      ]),
    );
  });

  it('answers a bad parameter with 400 naming it, in the one error shape', async () => {
    for (const [q, param] of [
      ['severity=urgent', 'severity'],
      ['limit=1000', 'limit'],
      ['publishedFrom=2023-02-30', 'publishedFrom'],
      ['cursor=garbage', 'cursor'],
    ] as const) {
      const r = await get(`/api/v1/vulnerabilities?${q}`);
      expect(r.status, q).toBe(400);
      const body = r.json as ErrorBody;
      expect(body.error.code).toBe('invalid_parameter');
      expect(body.error.message).toContain(param);
    }
  });

  it('answers an unknown id with 404 and never leaks a stack trace', async () => {
    const r = await get('/api/v1/vulnerabilities/CVE-1999-0001');
    expect(r.status).toBe(404);
    expect((r.json as ErrorBody).error.code).toBe('not_found');
    expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('exports a search as CSV and a record as CVE JSON 5', async () => {
    const res = await fetch(`${base}/api/v1/vulnerabilities.csv?source=cnvd`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 BOM for spreadsheet programs
    const lines = bytes
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^id,aliases,title_zh/);
    expect(lines.length).toBe(3);
    const cve = await get('/api/v1/vulnerabilities/CVE-2024-0204/cve5');
    expect(cve.status).toBe(200);
    expect(cve.json).toMatchObject({
      dataType: 'CVE_RECORD',
      cveMetadata: { cveId: 'CVE-2024-0204', state: 'PUBLISHED' },
    });
    const none = await get('/api/v1/vulnerabilities/CNVD-2023-11111/cve5');
    expect(none.status).toBe(409);
  });

  it('serves an Atom feed of new and updated records, whole or per vendor, that parses as XML', async () => {
    const r = await get('/api/v1/vulnerabilities.atom?limit=200');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/atom+xml');
    const entries = r.text.match(/<entry>/g) ?? [];
    expect(entries).toHaveLength(33);
    expect(r.text).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/,
    );
    const xml = new SaxesParser({ xmlns: true });
    let root = '';
    xml.on('opentag', (t) => (root ||= `${t.uri} ${t.local}`));
    xml.write(r.text).close(); // throws on malformed XML
    expect(root).toBe('http://www.w3.org/2005/Atom feed');
    const updated = [...r.text.matchAll(/<entry>[\s\S]*?<updated>([^<]+)<\/updated>/g)].map(
      (m) => m[1] ?? '',
    );
    expect([...updated].sort().reverse()).toEqual(updated);
    const dlink = await get('/api/v1/vulnerabilities.atom?vendor=D-Link&lang=en');
    expect(dlink.text.match(/<entry>/g)).toHaveLength(1);
    expect(dlink.text).toContain('CNVD-2023-11111 D-Link DIR-823G命令注入漏洞');
    expect(dlink.text).toContain(
      'rel="self" type="application/atom+xml" href="http://127.0.0.1:8080/api/v1/vulnerabilities.atom?vendor=D-Link&amp;lang=en"',
    );
    expect((await get('/api/v1/vulnerabilities.atom?vendor=nobody')).text).not.toContain('<entry>');
  });

  it('serves vendors, stats, health and the OpenAPI document', async () => {
    const vendors = (await get('/api/v1/vendors')).json as {
      items: Array<{ vendor: string; count: number }>;
    };
    expect(vendors.items.length).toBeGreaterThan(0);
    const stats = (await get('/api/v1/stats')).json as { total: number; bySeverity: Record<string, number> };
    expect(stats.total).toBe(33); // 35 source records; the CVE and KEV entries join their CNVD / CVE records
    expect((await get('/healthz')).json).toEqual({ status: 'ok', database: backend });
    const doc = (await get('/api/openapi.json')).json as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/vulnerabilities',
        '/api/v1/vulnerabilities/{id}',
        '/api/v1/stats',
        '/api/v1/vendors',
      ]),
    );
    expect((await get('/api/docs/')).status).toBe(200);
  });
  // writes a record: after the tests that count records
  it('counts facets afresh after any write to the store, even for a query asked before', async () => {
    type F = { facets: Record<string, Array<{ value: string; count: number }>> };
    const q = '/api/v1/vulnerabilities?source=cnvd&facets=severity&limit=1';
    const high = async () =>
      ((await get(q)).json as F).facets.severity?.find((f) => f.value === 'high')?.count;
    const before = await high();
    expect(await high()).toBe(before); // asked again, nothing changed
    await importItems(d, itemsOf([cnvdRecord('CNVD-2023-22222', { severity: 'high' })]), {
      format: 'test',
      paths: [],
    });
    expect(await high()).toBe((before ?? 0) + 1);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once the limit is spent', async () => {
    const d = await freshDatabase('pglite');
    const app = await buildApp({ database: d, config: { rateLimitPerMinute: 3, logLevel: 'silent' } });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(`${base}/api/v1/vendors`);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await last?.json()) as ErrorBody).error.code).toBe('rate_limited');
    } finally {
      await app.close();
      await d.close();
    }
  });
});
