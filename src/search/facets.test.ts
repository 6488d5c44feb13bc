/**
 * Facet counts (one statement for all facets) against counts made independently: every row of the store read
 * plainly and counted here, for a broad query, a word, filters and a Chinese phrase — on both backends.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
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
});
