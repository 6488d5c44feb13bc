/**
 * Bulk exports into one zip: read back entry by entry with yauzl, each OSV entry checked by the OSV schema, and
 * the CVE JSON 5 zip imported by `import cve5` (which validates every record against the CVE 5.1.1 schema).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { sharedData } from '../test-support/shared-data.js';
import { toCve5 } from '../vulns/export-cve5.js';
import { exportBulk } from './bulk.js';
import { errorsOf, osvValidator } from './osv-schema.js';
import { zipSink } from './zip-sink.js';

const ORG = { orgId: '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368', shortName: 'vulnshare' };

/** Every entry of a zip: name → text. */
function readZip(file: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, string>();
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (er, s) => {
          if (er) return reject(er);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const schemaDir = sharedData('osv-schema');
describe.runIf(schemaDir).each(testBackends())('bulk export into a zip on %s', (backend) => {
  let d: Database;
  let dir: string;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    dir = await mkdtemp(join(tmpdir(), 'vulnshare-zip-'));
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-20001', { aliases: ['CVE-2023-2001'] }),
        cnvdRecord('CNVD-2023-20002', { severity: 'low' }),
        cveRecord('CVE-2023-2001'),
        kevRecord('CVE-2023-2004'),
      ]),
      { format: 'test', paths: [] },
    );
  }, 120_000);
  afterAll(async () => {
    await d.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one OSV entry per record that the OSV schema accepts, and no partial file is left', async () => {
    const file = join(dir, 'osv.zip');
    const s = await exportBulk(d.db, zipSink(file), { format: 'osv', pageSize: 1 });
    expect(s).toMatchObject({ written: 3, entries: 3 });
    expect(existsSync(`${file}.partial`)).toBe(false);
    const entries = await readZip(file);
    expect([...entries.keys()].sort()).toEqual([
      'CVE-2023-2004.json',
      'x_CNVD-2023-20001.json',
      'x_CNVD-2023-20002.json',
    ]);
    const validate = osvValidator(schemaDir ?? '');
    for (const [name, text] of entries)
      expect(validate(JSON.parse(text)), `${name}: ${errorsOf(validate)}`).toBe(true);
  });

  it('writes a cvelistV5 zip that `import cve5` reads back whole', async () => {
    const file = join(dir, 'cve5.zip');
    const s = await exportBulk(d.db, zipSink(file), {
      format: 'cve5',
      cve5: (m, cveId) => toCve5(m, { org: ORG, requestedId: cveId }),
    });
    expect(s.entries).toBe(2);
    const names = [...(await readZip(file)).keys()].sort();
    expect(names).toEqual(['cves/2023/2xxx/CVE-2023-2001.json', 'cves/2023/2xxx/CVE-2023-2004.json']);
    const back = await freshDatabase('pglite');
    try {
      const fmt = IMPORT_FORMATS.cve5;
      if (!fmt) throw new Error('no cve5 importer');
      const r = await importItems(back, fmt.parse([file]), { format: 'cve5', paths: [file] });
      expect(r).toMatchObject({ read: 2, imported: 2, rejected: 0 });
    } finally {
      await back.close();
    }
  });
});
