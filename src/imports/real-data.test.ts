/**
 * All of ../shared/data imports with counts equal to the source files, on both backends; importing it
 * again changes nothing; CNVD records that cite a KEV-listed CVE become exploited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { getVulnerability } from '../vulns/store.js';
import { IMPORT_FORMATS } from './formats.js';
import { importItems, type ImportSummary } from './pipeline.js';

const cnvd = sharedData('cnvd-share-xml', 'xml');
const cnvd2020 = sharedData('cnvd-share-xml-dated-2020');
const cve = sharedData('cve-json5-vulnrichment');
const kev = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');
const kevCsv = sharedData('cisa-kev', 'known_exploited_vulnerabilities.csv');
const all = cnvd && cnvd2020 && cve && kev && kevCsv;

const imp = (d: Database, format: string, paths: string[]): Promise<ImportSummary> => {
  const f = IMPORT_FORMATS[format];
  if (!f) throw new Error(format);
  return importItems(d, f.parse(paths), { format, paths });
};

describe.runIf(all).each(testBackends())('all real data on %s', (backend) => {
  let d: Database;
  const first: Record<string, ImportSummary> = {};
  beforeAll(async () => {
    d = await freshDatabase(backend);
    first.cnvd = await imp(d, 'cnvd-xml', [cnvd ?? '', cnvd2020 ?? '']);
    first.cve = await imp(d, 'cve5', [cve ?? '']);
    first.kev = await imp(d, 'kev', [kev ?? '']);
  }, 600_000);
  afterAll(async () => {
    await d.close();
  });

  it('imports every record of every source file', async () => {
    expect(first.cnvd).toMatchObject({ read: 14399, imported: 14399, rejected: 0 });
    expect(first.cve).toMatchObject({ read: 2099, imported: 2099, rejected: 0 });
    expect(first.kev).toMatchObject({ read: 1404, imported: 1404, rejected: 0 });
    const n = await sql<{
      source: string;
      n: number;
    }>`SELECT source, count(*)::int AS n FROM source_records GROUP BY source ORDER BY source`.execute(d.db);
    expect(n.rows).toEqual([
      { source: 'cnvd', n: 14399 },
      { source: 'cve', n: 2099 },
      { source: 'kev', n: 1404 },
    ]);
    const cnvdVulns = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM vulnerabilities WHERE identity LIKE 'cnvd:%'`.execute(d.db);
    expect(cnvdVulns.rows[0]?.n).toBe(14399);
  });

  it('keeps every CNVD record whose alias or link fields are dirty, warning about each value it changed', () => {
    expect(first.cnvd?.rejected).toBe(0);
    const fields = new Set(first.cnvd?.warnings.map((w) => w.field));
    expect(fields).toEqual(new Set(['referenceLink']));
    expect(first.cnvd?.warnings.every((w) => w.file.endsWith('.xml') && w.record?.startsWith('CNVD-'))).toBe(
      true,
    );
  });

  it('changes nothing on a second import of the same files, nor on the KEV CSV after the JSON', async () => {
    const h = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM vuln_history`.execute(d.db)).rows[0]?.n;
    const before = await h();
    const again = await imp(d, 'cnvd-xml', [cnvd ?? '', cnvd2020 ?? '']);
    const cve2 = await imp(d, 'cve5', [cve ?? '']);
    const kev2 = await imp(d, 'kev', [kev ?? '']);
    const csv = await imp(d, 'kev', [kevCsv ?? '']);
    expect(again).toMatchObject({ unchanged: 14399, imported: 0, updated: 0 });
    expect(cve2).toMatchObject({ unchanged: 2099, imported: 0, updated: 0 });
    expect(kev2).toMatchObject({ unchanged: 1404, imported: 0, updated: 0 });
    expect(csv).toMatchObject({ unchanged: 1404, imported: 0, updated: 0 });
    expect(await h()).toBe(before);
  });

  it('dates every KEV-only record by its dateAdded, none by 1970', async () => {
    const r = await sql<{ n: number; undated: number; off: number }>`
      SELECT count(*)::int AS n,
        count(*) FILTER (WHERE published_at IS NULL OR sort_date = '1970-01-01')::int AS undated,
        count(*) FILTER (WHERE published_at::text <> doc->'exploited'->>'dateAdded')::int AS off
      FROM vulnerabilities WHERE sources = ARRAY['kev']`.execute(d.db);
    expect(r.rows[0]?.n).toBeGreaterThan(1000);
    expect(r.rows[0]).toMatchObject({ undated: 0, off: 0 });
  });

  it('stores the CNA-stated weakness of 1,681 CVE records and marks the inferred ones', async () => {
    const r = await sql<{ source: string; n: number }>`
      SELECT w->>'source' AS source, count(DISTINCT s.id)::int AS n
      FROM source_records s, jsonb_array_elements(s.record::jsonb->'weaknesses') w
      WHERE s.source = 'cve' AND w->>'cwe' IS NOT NULL GROUP BY 1 ORDER BY 1`.execute(d.db);
    expect(r.rows).toEqual([
      { source: 'adp', n: expect.any(Number) as unknown },
      { source: 'cna', n: 1681 },
      { source: 'inferred', n: 95 },
    ]);
  });

  it('marks exploited the CNVD records that cite a KEV-listed CVE, with the KEV date', async () => {
    const r = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM vulnerabilities WHERE identity LIKE 'cnvd:%' AND exploited`.execute(
      d.db,
    );
    expect(r.rows[0]?.n).toBeGreaterThan(50);
    const v = await sql<{
      public_id: string;
    }>`SELECT public_id FROM vulnerabilities WHERE identity LIKE 'cnvd:%' AND exploited ORDER BY public_id LIMIT 1`.execute(
      d.db,
    );
    const det = await getVulnerability(d.db, v.rows[0]?.public_id ?? '');
    expect(det.vulnerability.exploited?.source).toBe('CISA KEV');
    expect(det.vulnerability.sources.map((s) => s.source)).toContain('kev');
    expect(det.history.some((h) => h.source === 'kev' && 'exploited' in h.fields)).toBe(true);
  });
});
