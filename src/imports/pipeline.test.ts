import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../db/client.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { getVulnerability } from '../vulns/store.js';
import { importItems } from './pipeline.js';

const run = (d: Database, recs: Parameters<typeof itemsOf>[0], format = 'test') =>
  importItems(d, itemsOf(recs), { format, paths: ['test.input'], batchSize: 2 });

describe.each(testBackends())('import pipeline on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
  });
  afterAll(async () => {
    await d.close();
  });

  it('links a CNVD record and the CVE it cites into one vulnerability that each enriches', async () => {
    await run(d, [cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] })]);
    const before = await getVulnerability(d.db, 'CVE-2023-0001');
    expect(before.vulnerability.id).toBe('CNVD-2023-00001');
    expect(before.vulnerability.score).toBeNull();
    expect(before.vulnerability.severity).toBe('high');
    expect(before.vulnerability.severitySource).toBe('cnvd');

    const s = await run(d, [cveRecord('CVE-2023-0001')]);
    expect(s).toMatchObject({ imported: 1, vulnerabilitiesCreated: 0, vulnerabilitiesChanged: 1 });
    const after = await getVulnerability(d.db, 'CNVD-2023-00001');
    const v = after.vulnerability;
    expect(v.score).toBe(9.8);
    expect(v.title.zh).toContain('缓冲区溢出');
    expect(v.title.en).toContain('stack-based buffer overflow');
    expect(v.sources.map((x) => x.source).sort()).toEqual(['cnvd', 'cve']);
    expect(after.history.map((h) => [h.change, h.source])).toEqual([
      ['created', 'cnvd'],
      ['updated', 'cve'],
    ]);
    expect(Object.keys(after.history[1]?.fields ?? {})).toEqual(expect.arrayContaining(['cvss', 'score']));
    expect(after.sources.find((x) => x.source === 'cve')?.raw).toContain('CVE-2023-0001');
  });

  it('gives the same merged record whichever source comes first', async () => {
    await run(d, [cveRecord('CVE-2023-0002')]);
    await run(d, [cnvdRecord('CNVD-2023-00002', { aliases: ['CVE-2023-0002'] })]);
    await run(d, [cnvdRecord('CNVD-2023-00003', { aliases: ['CVE-2023-0003'] })]);
    await run(d, [cveRecord('CVE-2023-0003')]);
    const a = (await getVulnerability(d.db, 'CNVD-2023-00002')).vulnerability;
    const b = (await getVulnerability(d.db, 'CNVD-2023-00003')).vulnerability;
    const norm = (v: typeof a) =>
      JSON.parse(JSON.stringify(v).replaceAll('0002', 'XXXX').replaceAll('0003', 'XXXX')) as unknown;
    expect(norm(a)).toEqual(norm(b));
    // the stand-alone CVE vulnerability was joined, not duplicated
    const n = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM vuln_aliases WHERE alias = 'CVE-2023-0002'`.execute(d.db);
    expect(n.rows[0]?.n).toBe(1);
  });

  it('changes nothing when the same input is imported twice', async () => {
    const recs = [
      cnvdRecord('CNVD-2023-00010', { aliases: ['CVE-2023-0010'] }),
      cveRecord('CVE-2023-0010'),
      kevRecord('CVE-2023-0010'),
    ];
    await run(d, recs);
    const h1 = await sql<{ n: number }>`SELECT count(*)::int AS n FROM vuln_history`.execute(d.db);
    const s = await run(d, recs);
    expect(s).toMatchObject({
      read: 3,
      imported: 0,
      updated: 0,
      unchanged: 3,
      rejected: 0,
      vulnerabilitiesChanged: 0,
    });
    const h2 = await sql<{ n: number }>`SELECT count(*)::int AS n FROM vuln_history`.execute(d.db);
    expect(h2.rows[0]?.n).toBe(h1.rows[0]?.n);
  });

  it('updates a changed record in place and says so in its history', async () => {
    await run(d, [cnvdRecord('CNVD-2023-00020')]);
    const s = await run(d, [
      cnvdRecord('CNVD-2023-00020', { severity: 'medium', solution: '厂商已发布了漏洞修复程序' }),
    ]);
    expect(s).toMatchObject({ imported: 0, updated: 1, vulnerabilitiesChanged: 1 });
    const det = await getVulnerability(d.db, 'CNVD-2023-00020');
    expect(det.vulnerability.severity).toBe('medium');
    const last = det.history.at(-1);
    expect(last?.change).toBe('updated');
    expect(last?.fields).toMatchObject({ severity: { from: 'high', to: 'medium' } });
  });

  it('writes a batch of many INSERTs whole, and replaces the aliases of the records it changes in each', async () => {
    // 600 records in one batch: the writer sends their rows in several statements (WRITE_CHUNK)
    const keys = Array.from({ length: 600 }, (_, i) => `CNVD-2023-${String(31000 + i)}`);
    const batch = (cve: (i: number) => string) =>
      importItems(d, itemsOf(keys.map((k, i) => cnvdRecord(k, { aliases: [cve(i)] }))), {
        format: 'test',
        paths: ['test.input'],
        batchSize: 1000,
      });
    const aliases = async () =>
      (
        await sql<{ alias: string }>`
          SELECT a.alias FROM vuln_aliases a JOIN vulnerabilities v ON v.id = a.vuln_id
          WHERE v.public_id = ANY(${keys}::text[]) ORDER BY a.alias`.execute(d.db)
      ).rows.map((r) => r.alias);
    const cves = (cve: (i: number) => string) => keys.map((_, i) => cve(i));
    const first = (i: number) => `CVE-2023-${String(41000 + i)}`;
    const second = (i: number) => `CVE-2023-${String(42000 + i)}`;
    expect(await batch(first)).toMatchObject({ imported: 600, vulnerabilitiesCreated: 600 });
    expect(await aliases()).toEqual([...cves(first), ...keys].sort());
    expect(await batch(second)).toMatchObject({ updated: 600, vulnerabilitiesChanged: 600 });
    expect(await aliases()).toEqual([...cves(second), ...keys].sort());
  });

  it('marks exploited every record that cites a KEV-listed CVE', async () => {
    await run(d, [
      cnvdRecord('CNVD-2023-00030', { aliases: ['CVE-2023-0030'] }),
      cnvdRecord('CNVD-2023-00031', { aliases: ['CVE-2023-0030'] }),
    ]);
    await run(d, [kevRecord('CVE-2023-0030')]);
    for (const id of ['CNVD-2023-00030', 'CNVD-2023-00031']) {
      const v = (await getVulnerability(d.db, id)).vulnerability;
      expect(v.exploited).toMatchObject({ dateAdded: '2023-03-01', ransomware: true });
    }
    const byCve = await getVulnerability(d.db, 'CVE-2023-0030');
    expect(byCve.vulnerability.id).toBe('CNVD-2023-00030');
    expect(byCve.alsoKnownAs).toEqual(['CNVD-2023-00031']);
  });

  it('rejects bad records with their location while good ones beside them land', async () => {
    const s = await run(d, [
      cnvdRecord('CNVD-2023-00040'),
      { bad: 'CNVD-2023-00041', field: 'openTime' },
      cnvdRecord('CNVD-2023-00042'),
    ]);
    expect(s).toMatchObject({ read: 3, imported: 2, rejected: 1 });
    expect(s.issues).toEqual([
      { file: 'test.input', record: 'CNVD-2023-00041', field: 'openTime', message: 'bad value' },
    ]);
    await expect(getVulnerability(d.db, 'CNVD-2023-00042')).resolves.toBeTruthy();
  });

  it('keeps an invalid CVSS vector out, with a warning naming record and field', async () => {
    const s = await run(d, [
      cveRecord('CVE-2023-0050', { cvss: [{ vector: 'CVSS:3.1/AV:X', provider: 'cna' }] }),
    ]);
    expect(s.imported).toBe(1);
    expect(s.warnings[0]).toMatchObject({ record: 'CVE-2023-0050', field: 'cvss[0] (cna)' });
    const v = (await getVulnerability(d.db, 'CVE-2023-0050')).vulnerability;
    expect(v.cvss).toEqual([]);
    expect(v.severity).toBeNull();
  });

  it('marks a weakness inferred from the text as inferred, and drops it when a source states one', async () => {
    const text = {
      titleEn: 'Stored cross-site scripting in Foo',
      descriptionEn: 'A stored cross-site scripting flaw in Foo.',
      weaknesses: [],
    };
    await run(d, [cveRecord('CVE-2023-0060', text)]);
    const alone = (await getVulnerability(d.db, 'CVE-2023-0060')).vulnerability;
    expect(alone.weaknesses).toEqual([
      { cwe: 'CWE-79', nameEn: 'Cross-site scripting (XSS)', nameZh: '跨站脚本', source: 'inferred' },
    ]);
    // The CNA's statement (here in a KEV entry's cwes for the same CVE) wins over the inference.
    await run(d, [kevRecord('CVE-2023-0060', { weaknesses: [{ cwe: 'CWE-80', source: 'kev' }] })]);
    const stated = (await getVulnerability(d.db, 'CVE-2023-0060')).vulnerability;
    expect(stated.weaknesses).toEqual([{ cwe: 'CWE-80', source: 'kev' }]);
    const cwes = await sql<{
      cwes: string[];
    }>`SELECT cwes FROM vulnerabilities WHERE public_id = 'CVE-2023-0060'`.execute(d.db);
    expect(cwes.rows[0]?.cwes).toEqual(['CWE-80']);
  });

  it('records in the history only the fields that changed, not a date or title in another key order', async () => {
    await run(d, [cnvdRecord('CNVD-2023-00070', { aliases: ['CVE-2023-0070'] })]);
    await run(d, [cveRecord('CVE-2023-0070')]);
    await run(d, [kevRecord('CVE-2023-0070')]);
    const h = await sql<{ source: string; fields: Record<string, unknown> }>`
      SELECT h.source, h.fields FROM vuln_history h JOIN vulnerabilities v ON v.id = h.vuln_id
      WHERE v.public_id = 'CNVD-2023-00070' ORDER BY h.id`.execute(d.db);
    const kev = h.rows.find((r) => r.source === 'kev');
    expect(Object.keys(kev?.fields ?? {}).sort()).toEqual(['exploited', 'pocAvailable', 'sources']);
  });
});

describe.each(testBackends())('planner statistics after an import on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
  });
  afterAll(() => d.close());
  const load = (recs: Parameters<typeof itemsOf>[0]) =>
    importItems(d, itemsOf(recs), { format: 'test', paths: ['test.input'] });

  const lastRun = async () =>
    (
      await sql<{
        counts: Record<string, unknown>;
      }>`SELECT counts FROM import_runs ORDER BY id DESC LIMIT 1`.execute(d.db)
    ).rows[0]?.counts ?? {};
  /** A figure pg_class keeps of the vulnerabilities table: reltuples (rows the statistics know), relallvisible. */
  const tableFigure = async (column: 'reltuples' | 'relallvisible') =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT ${sql.ref(column)}::float8 AS n FROM pg_class WHERE oid = 'vulnerabilities'::regclass`.execute(
          d.db,
        )
      ).rows[0]?.n,
    );
  const rowsKnown = () => tableFigure('reltuples');
  const pagesAllVisible = () => tableFigure('relallvisible');

  it('are refreshed by a first load and by changes beyond 50 + 10 % of the store, not by a small delta', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `CVE-2024-${String(10000 + i)}`);
    await load(ids.map((id) => cveRecord(id)));
    expect(await lastRun()).toMatchObject({ imported: 600, analyzed: true });
    expect(await rowsKnown()).toBe(600);
    // the embedded database, which no autovacuum visits, is vacuumed by the import: its visibility map is set
    if (backend === 'pglite') expect(await pagesAllVisible()).toBeGreaterThan(0);

    // 60 changed records: 50 + 10 % of 600 = 110 not reached; nor with 40 more (100)
    const changed = (n: number, from: number) =>
      ids.slice(from, from + n).map((id) => cveRecord(id, { titleEn: `changed ${id}` }));
    await load(changed(60, 0));
    expect(await lastRun()).toMatchObject({ updated: 60 });
    expect((await lastRun()).analyzed).toBeUndefined();
    await load([...changed(40, 100), cveRecord('CVE-2024-20000')]);
    expect((await lastRun()).analyzed).toBeUndefined();
    expect(await rowsKnown()).toBe(600);
    // the third delta takes the changes since the last analysis past the threshold
    await load(changed(20, 200));
    expect(await lastRun()).toMatchObject({ updated: 20, analyzed: true });
    expect(await rowsKnown()).toBe(601);
  });
});
