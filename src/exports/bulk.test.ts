/**
 * Bulk exports into a folder, on both backends: every OSV entry checked by the OSV schema, the CVE JSON 5
 * mirror read back by the CVE importer (which validates each record against the CVE 5.1.1 schema), the CSV
 * read by csv-parse; a search exports only its matches.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { sharedData } from '../test-support/shared-data.js';
import { toCve5 } from '../vulns/export-cve5.js';
import { csvRows, cvelistPath, directorySink, exportBulk, parseBulkFormat } from './bulk.js';
import { errorsOf, osvValidator } from './osv-schema.js';

const ORG = { orgId: '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368', shortName: 'vulnshare' };
const cve5 = (m: Parameters<typeof toCve5>[0], cveId: string) => toCve5(m, { org: ORG, requestedId: cveId });

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  return out.sort();
}

it('lays CVE records out as cvelistV5 does and names the formats it knows', () => {
  expect(cvelistPath('CVE-2024-0204')).toBe('cves/2024/0xxx/CVE-2024-0204.json');
  expect(cvelistPath('CVE-2023-32524')).toBe('cves/2023/32xxx/CVE-2023-32524.json');
  expect(cvelistPath('CVE-1999-123')).toBe('cves/1999/0xxx/CVE-1999-123.json');
  expect(parseBulkFormat('osv')).toBe('osv');
  expect(parseBulkFormat('csaf')).toBe('csaf');
  expect(() => parseBulkFormat('cvrf')).toThrow(/unknown export format/);
  expect(csvRows('a,"b\nc"\nd,"e""\n"\n')).toBe(2);
});

const schemaDir = sharedData('osv-schema');
describe.runIf(schemaDir).each(testBackends())('bulk export into a folder on %s', (backend) => {
  let d: Database;
  let dir: string;
  let validate: ValidateFunction;
  beforeAll(async () => {
    validate = osvValidator(schemaDir ?? '');
    d = await freshDatabase(backend);
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-20001', { aliases: ['CVE-2023-2001', 'CVE-2023-2002'] }),
        cnvdRecord('CNVD-2023-20002', { severity: 'low' }),
        cveRecord('CVE-2023-2001'),
        cveRecord('CVE-2023-2003', { state: 'rejected' }),
        kevRecord('CVE-2023-2004'),
      ]),
      { format: 'test', paths: [] },
    );
  }, 120_000);
  afterAll(async () => {
    await d.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vulnshare-bulk-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every record, withdrawn ones included, as an OSV file the OSV schema accepts', async () => {
    const s = await exportBulk(d.db, directorySink(dir), { format: 'osv', pageSize: 2 });
    expect(s).toMatchObject({ written: 4, skipped: 0, entries: 4, total: 4 });
    const files = await filesUnder(dir);
    expect(files).toEqual([
      'CVE-2023-2003.json',
      'CVE-2023-2004.json',
      'x_CNVD-2023-20001.json',
      'x_CNVD-2023-20002.json',
    ]);
    for (const f of files) {
      const o = JSON.parse(await readFile(join(dir, f), 'utf8')) as { id: string; withdrawn?: string };
      expect(validate(o), `${f}: ${errorsOf(validate)}`).toBe(true);
      expect(`${o.id}.json`).toBe(f);
      if (o.id === 'CVE-2023-2003') expect(o.withdrawn).toBeDefined();
    }
  });

  it('writes one CVE record per CVE id, in cvelistV5 layout, that the CVE importer reads back', async () => {
    const s = await exportBulk(d.db, directorySink(dir), { format: 'cve5', cve5 });
    expect(s).toMatchObject({ written: 3, skipped: 1, skippedWhy: { 'no CVE id': 1 } });
    expect(await filesUnder(dir)).toEqual([
      'cves/2023/2xxx/CVE-2023-2001.json',
      'cves/2023/2xxx/CVE-2023-2002.json',
      'cves/2023/2xxx/CVE-2023-2003.json',
      'cves/2023/2xxx/CVE-2023-2004.json',
    ]);
    const second = await freshDatabase(backend);
    try {
      const fmt = IMPORT_FORMATS.cve5;
      if (!fmt) throw new Error('cve5');
      const r = await importItems(second, fmt.parse([dir]), { format: 'cve5', paths: [dir] });
      expect(r.issues).toEqual([]);
      expect(r).toMatchObject({ read: 4, rejected: 0 });
    } finally {
      await second.close();
    }
  });

  it('exports only the matches of a search, and CSV rows csv-parse reads', async () => {
    const search = { severity: ['low' as const] };
    const s = await exportBulk(d.db, directorySink(dir), { format: 'osv', search });
    expect(s).toMatchObject({ written: 1, total: null });
    expect(await filesUnder(dir)).toEqual(['x_CNVD-2023-20002.json']);
    const c = await exportBulk(d.db, directorySink(dir), { format: 'csv', search: {} });
    const rows = parse<Record<string, string>>(await readFile(join(dir, 'vulnerabilities.csv'), 'utf8'), {
      bom: true,
      columns: true,
    });
    expect(rows.map((r) => r.id).sort()).toEqual(['CNVD-2023-20001', 'CNVD-2023-20002', 'CVE-2023-2004']);
    expect(c.written).toBe(3);
  });
});
