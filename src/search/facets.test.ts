/**
 * Facet counts (one statement for all facets) against counts made independently: every row of the store read
 * plainly and counted here, for a broad query, a word, filters and a Chinese phrase — on both backends.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { capturing } from '../test-support/capture.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import type { SourceRecord } from '../vulns/model.js';
import { FACETS, parseSearchParams } from './query.js';
import { searchVulns } from './store.js';

const VENDORS = ['Tenda', 'Siemens', 'Cisco', 'Huawei', 'Moxa'];
const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N',
  'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N',
];

function records(): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const vendor = VENDORS[i % VENDORS.length] as string;
    const year = 2020 + (i % 5);
    out.push(
      cveRecord(`CVE-${year}-${1000 + i}`, {
        titleEn: `${vendor} router ${i % 3 === 0 ? 'command injection' : 'buffer overflow'} (${i})`,
        products: [{ vendor, product: `Model ${i % 4}`, versions: ['1.0'] }],
        weaknesses: [{ cwe: i % 2 ? 'CWE-121' : 'CWE-78' }],
        cvss: [{ vector: VECTORS[i % VECTORS.length] as string, provider: 'cna' }],
        dates: { published: `${year}-0${1 + (i % 9)}-15T00:00:00.000Z` },
      }),
    );
  }
  for (let i = 0; i < 25; i++)
    out.push(
      cnvdRecord(`CNVD-2023-${String(10000 + i)}`, {
        severity: i % 3 === 0 ? 'low' : 'high',
        ...(i % 4 === 0 ? { titleZh: `工控系统命令注入漏洞（${i}）`, industries: ['ics'] } : {}),
      }),
    );
  return out;
}

interface Row {
  severity: string | null;
  object_type: string | null;
  kind: string;
  industries: string[];
  vendors: string[];
  cwes: string[];
  sources: string[];
  exploited: boolean;
  zero_day: boolean | null;
  year: string;
}

/** The expected counts: the rows a query matches (their ids from the search's own total), counted here. */
function countHere(rows: Row[]): Record<string, Array<{ value: string; count: number }>> {
  const pick: Record<string, (r: Row) => Array<string | null>> = {
    severity: (r) => [r.severity],
    objectType: (r) => [r.object_type],
    kind: (r) => [r.kind],
    industry: (r) => r.industries,
    vendor: (r) => r.vendors,
    cwe: (r) => r.cwes,
    source: (r) => r.sources,
    exploited: (r) => [String(r.exploited)],
    zeroDay: (r) => [r.zero_day === null ? 'unknown' : String(r.zero_day)],
    year: (r) => [r.year],
  };
  const out: Record<string, Array<{ value: string; count: number }>> = {};
  for (const [f, get] of Object.entries(pick)) {
    const n = new Map<string, number>();
    for (const r of rows) for (const v of get(r)) if (v !== null) n.set(v, (n.get(v) ?? 0) + 1);
    out[f] = Array.from(n, ([value, count]) => ({ value, count }));
  }
  return out;
}

const bySet = (xs: Array<{ value: string; count: number }>) =>
  [...xs].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));

describe.each(testBackends())('facet counts in one statement (%s)', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(d, itemsOf(records()), { format: 'test', paths: [] });
  }, 120_000);
  afterAll(() => d.close());

  const queries: Array<Record<string, string>> = [
    {},
    { q: 'router' },
    { q: 'command injection', severity: 'high' },
    { vendor: 'Siemens' },
    { q: '命令注入' },
    { publishedFrom: '2022-01-01', scoreMin: '7' },
  ];
  for (const q of queries)
    it(`counts ${JSON.stringify(q)} as an independent count does`, async () => {
      const p = parseSearchParams({ ...q, facets: FACETS.join(','), limit: '100' });
      const r = await searchVulns(d.db, p);
      expect(r.totalIsExact).toBe(true);
      expect(r.total).toBeGreaterThan(0);
      // the matching rows, found by the search itself (all on one page), then read plainly
      const ids = r.items.map((i) => i.id);
      expect(ids).toHaveLength(r.total);
      const rows = (
        await sql<Row>`SELECT severity, object_type, kind, industries, vendors, cwes, sources, exploited, zero_day,
                              to_char(sort_date, 'YYYY') AS year
                       FROM vulnerabilities WHERE public_id = ANY(${ids}::text[])`.execute(d.db)
      ).rows;
      const expected = countHere(rows);
      for (const f of FACETS) {
        const got = r.facets?.[f] ?? [];
        expect(bySet(got), f).toEqual(bySet(expected[f] ?? []));
        // most frequent first
        for (let i = 1; i < got.length; i++)
          expect((got[i - 1] as { count: number }).count).toBeGreaterThanOrEqual(
            (got[i] as { count: number }).count,
          );
      }
    });

  it('takes the total from exact facet counts: no count statement of its own', async () => {
    const cap = capturing(d.db);
    for (const q of [{ q: 'router' }, { vendor: 'Cisco' }, { q: 'overflow', sort: 'score' }]) {
      cap.take();
      const r = await searchVulns(cap.db, parseSearchParams({ ...q, facets: 'severity,vendor', limit: '1' }));
      const counts = cap.take().filter((c) => /SELECT count\(\*\)::int AS n FROM \(SELECT 1/.test(c.sql));
      expect(counts, JSON.stringify(q)).toEqual([]);
      const plain = await searchVulns(d.db, parseSearchParams({ ...q, limit: '100' }));
      expect(r.total, JSON.stringify(q)).toBe(plain.items.length);
      expect(r.total).toBeGreaterThan(0);
      expect(r.totalIsExact).toBe(true);
    }
  });
});

describe.each(testBackends())(
  'facet counts of a broad query on a large store are estimated (%s)',
  (backend) => {
    let d: Database;
    const COPIES = 300; // 85 records × 300 ≈ 25,500 rows: more than twice FACET_SAMPLE_ROWS
    beforeAll(async () => {
      d = await freshDatabase(backend);
      await importItems(d, itemsOf(records()), { format: 'test', paths: [] });
      // the imported rows, copied under new ids: a store large enough to sample, built in seconds
      await sql`
      INSERT INTO vulnerabilities (public_id, state, doc, doc_hash, aliases, vendors, products, object_type, industries,
        cwes, sources, score, severity, kind, zero_day, exploited, poc_available, has_patch, submitted_at,
        collected_at, published_at, updated_at, sort_date, search)
      SELECT public_id || '-' || g, state, doc, doc_hash, aliases, vendors, products, object_type, industries,
        cwes, sources, score, severity, kind, zero_day, exploited, poc_available, has_patch, submitted_at,
        collected_at, published_at, updated_at, sort_date, search
      FROM vulnerabilities, generate_series(1, ${COPIES - 1}::int) g`.execute(d.db);
      await sql`ANALYZE vulnerabilities`.execute(d.db);
    }, 300_000);
    afterAll(() => d.close());

    const exactOf = async (where: string) =>
      (
        await sql<{ severity: string; n: number }>`
        SELECT severity, count(*)::int AS n FROM vulnerabilities WHERE ${sql.raw(where)} GROUP BY severity`.execute(
          d.db,
        )
      ).rows;

    it('the bare list: estimated, each large count within 15 % of the exact one, the same on a second ask', async () => {
      const p = parseSearchParams({ facets: 'severity,vendor', limit: '1' });
      const r = await searchVulns(d.db, p);
      expect(r.totalIsExact).toBe(false);
      expect(r.facetsAreEstimates).toBe(true);
      const exact = await exactOf(`state = 'published'`);
      expect(exact.length).toBeGreaterThan(1);
      for (const { severity, n } of exact.filter((x) => x.n >= 2000)) {
        const got = r.facets?.severity?.find((x) => x.value === severity)?.count ?? 0;
        expect(Math.abs(got - n) / n, `${severity}: ${got} for ${n}`).toBeLessThan(0.15);
      }
      // the sample is fixed: asking again (past the cache, through a new store stamp) gives the same counts
      await sql`UPDATE vulnerabilities SET modified_at = now() WHERE id = (SELECT min(id) FROM vulnerabilities)`.execute(
        d.db,
      );
      const again = await searchVulns(d.db, p);
      expect(again.facets).toEqual(r.facets);
    });

    it('a word with many matches is estimated too; a query with few matches is counted exactly', async () => {
      const broad = await searchVulns(
        d.db,
        parseSearchParams({ q: 'router', facets: 'severity', limit: '1' }),
      );
      expect(broad.facetsAreEstimates).toBe(true);
      const narrow = await searchVulns(
        d.db,
        // one Siemens record of the 85 was published in August 2021: its 300 copies
        parseSearchParams({
          vendor: 'Siemens',
          publishedFrom: '2021-08-01',
          publishedTo: '2021-08-31',
          facets: 'severity',
          limit: '1',
        }),
      );
      expect(narrow.total).toBe(COPIES);
      expect(narrow.totalIsExact).toBe(true);
      expect(narrow.facetsAreEstimates).toBeUndefined();
      const counted = narrow.facets?.severity?.reduce((a, x) => a + x.count, 0);
      expect(counted).toBe(narrow.total);
    });
  },
);
