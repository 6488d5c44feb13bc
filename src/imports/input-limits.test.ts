/**
 * Hostile sizes: a zip entry of 4 GiB in a 4 MB zip, CNVD text fields of 5 and 50 MB. Each is refused or
 * dropped with an error naming the file, record and field, the records beside it still land, and the
 * process's memory stays bounded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { rssGrowth, zeroBombZip } from '../test-support/zip-bomb.js';
import { zipOf } from '../test-support/zip.js';
import type { ParseItem } from '../vulns/model.js';
import { getVulnerability } from '../vulns/store.js';
import { CNVD_LIMITS, parseCnvdXml } from './cnvd-xml.js';
import { parseCve5 } from './cve5.js';
import { IMPORT_FORMATS } from './formats.js';
import { importItems } from './pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'vs-limits-'));
const MiB = 1024 * 1024;
const write = (name: string, body: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
async function collect(items: AsyncIterable<ParseItem>): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const it of items) out.push(it);
  return out;
}
const keys = (xs: ParseItem[]) => xs.flatMap((x) => (x.ok ? [x.record.key] : []));
const issues = (xs: ParseItem[]) => xs.flatMap((x) => (x.ok ? [] : [x.issue]));

const cveDoc = (id: string) =>
  JSON.stringify({
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: { cveId: id, assignerOrgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', state: 'PUBLISHED' },
    containers: {
      cna: {
        providerMetadata: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6' },
        descriptions: [{ lang: 'en', value: `A flaw ${id}.` }],
        affected: [{ vendor: 'v', product: 'p', versions: [{ version: '1', status: 'affected' }] }],
        references: [{ url: 'https://example.com/a' }],
      },
    },
  });

describe('zip entries past the size and ratio limits', () => {
  it('refuses a 4 GiB entry of a 4 MB zip by name without inflating it, with memory bounded', async () => {
    const zip = write('bomb.zip', zeroBombZip('cves/2024/0xxx/CVE-2024-0001.json', 4096));
    expect(zip).toBeTruthy();
    const { result, growthBytes } = await rssGrowth(() => collect(parseCve5([zip])));
    expect(issues(result)).toEqual([
      {
        file: `${zip}!cves/2024/0xxx/CVE-2024-0001.json`,
        record: 'CVE-2024-0001',
        message: 'not read: entry declares 4096 MiB, over the 64 MiB limit of an entry',
      },
    ]);
    expect(growthBytes).toBeLessThan(300 * MiB);
  });

  it('stops inflating an entry that lies about its size, and reads the entries beside it', async () => {
    // Declares 32 MiB (under the limit, a plausible ratio) but inflates to 4 GiB.
    const bomb = zeroBombZip('cves/2024/0xxx/CVE-2024-0002.json', 4096, 32 * MiB);
    const good = zipOf([
      { name: 'cves/2024/0xxx/CVE-2024-0003.json', data: Buffer.from(cveDoc('CVE-2024-0003')) },
    ]);
    const zip = write('lie.zip', bomb);
    const other = write('good.zip', good);
    const { result, growthBytes } = await rssGrowth(() => collect(parseCve5([zip, other])));
    expect(keys(result)).toEqual(['CVE-2024-0003']);
    expect(issues(result)).toEqual([
      {
        file: `${zip}!cves/2024/0xxx/CVE-2024-0002.json`,
        record: 'CVE-2024-0002',
        message: `not read: entry inflates past the ${32 * MiB} bytes it declares (a zip bomb?)`,
      },
    ]);
    expect(growthBytes).toBeLessThan(300 * MiB);
  });

  it('refuses an entry compressed past the ratio limit, and a plain record file past the size limit', async () => {
    const zip = write('ratio.zip', zeroBombZip('CVE-2024-0004.json', 3));
    const big = write('CVE-2024-0005.json', `${cveDoc('CVE-2024-0005')}${' '.repeat(5 * MiB)}`);
    const items = await collect(
      parseCve5([zip, big], { maxEntryBytes: 4 * MiB, maxRatio: 200, ratioFloorBytes: MiB }),
    );
    expect(issues(items).map((i) => [i.record, i.message])).toEqual([
      [
        'CVE-2024-0004',
        expect.stringMatching(
          /^not read: entry declares 3\.0 MiB from \d+ compressed bytes, over the 200:1 compression-ratio limit/,
        ) as unknown,
      ],
      [
        'CVE-2024-0005',
        expect.stringMatching(
          /^not read: \d+ bytes, over the 4194304-byte limit of a record file$/,
        ) as unknown,
      ],
    ]);
  });
});

describe('CNVD text fields past the size limit', () => {
  const rec = (n: string, extra = '') =>
    `<vulnerability><number>${n}</number><title>Foo跨站脚本漏洞</title><serverity>中</serverity><openTime>2023-01-02</openTime>${extra}</vulnerability>`;
  const file = (name: string, middle: string) =>
    write(
      name,
      `<vulnerabilitys>${rec('CNVD-2023-00001')}${middle}${rec('CNVD-2023-00003')}</vulnerabilitys>`,
    );

  for (const mb of [5, 50])
    it(`keeps a record with a ${mb} MB description, dropping that value with a warning, memory bounded`, async () => {
      const f = file(
        `desc-${mb}.xml`,
        rec('CNVD-2023-00002', `<description>${'A'.repeat(mb * MiB)}</description>`),
      );
      const { result, growthBytes } = await rssGrowth(() => collect(parseCnvdXml(f)));
      expect(keys(result)).toEqual(['CNVD-2023-00001', 'CNVD-2023-00002', 'CNVD-2023-00003']);
      const item = result[1];
      if (!item?.ok) throw new Error('expected a record');
      expect(item.record.descriptionZh).toBeUndefined();
      expect(item.record.raw).toContain(
        `<description>[vulnshare: ${(mb * MiB).toLocaleString('en-US')} characters dropped, over the field limit]</description>`,
      );
      expect(item.warnings).toEqual([
        {
          file: f,
          record: 'CNVD-2023-00002',
          field: 'description',
          message: `${(mb * MiB).toLocaleString('en-US')} characters, over the 1,048,576-character limit of a field: the value was dropped`,
        },
      ]);
      expect(growthBytes).toBeLessThan(300 * MiB);
    });

  it('refuses a record whose title is over the limit, naming the field, and keeps its neighbours', async () => {
    const f = file('title.xml', rec('CNVD-2023-00002').replace('Foo', 'B'.repeat(5 * MiB)));
    const items = await collect(parseCnvdXml(f));
    expect(keys(items)).toEqual(['CNVD-2023-00001', 'CNVD-2023-00003']);
    expect(issues(items)).toEqual([
      {
        file: f,
        record: 'CNVD-2023-00002',
        field: 'title',
        message: '5,242,886 characters, over the 1,048,576-character limit of a field: the record is refused',
      },
    ]);
  });

  it('stops the file at a field past the hard limit, naming record and field, after the records before it', async () => {
    const f = file('hard.xml', rec('CNVD-2023-00002', `<formalWay>${'C'.repeat(3 * MiB)}</formalWay>`));
    const items = await collect(
      parseCnvdXml(f, { ...CNVD_LIMITS, maxFieldChars: 1000, maxFieldCharsHard: 2 * MiB }),
    );
    expect(keys(items)).toEqual(['CNVD-2023-00001']);
    expect(issues(items)).toEqual([
      expect.objectContaining({
        file: f,
        record: 'CNVD-2023-00002',
        field: 'formalWay',
        message: expect.stringMatching(
          /^<formalWay> runs past 2,097,152 characters; the rest of the file is not read/,
        ) as unknown,
      }),
    ]);
  });
});

describe.each(testBackends())('oversized input through the pipeline on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
  });
  afterAll(async () => {
    await d.close();
  });

  it('stores a CNVD record whose 5 MB description was dropped (no stack overflow), with the warning', async () => {
    const big = 'A'.repeat(5 * MiB);
    const xml = `<vulnerabilitys><vulnerability><number>CNVD-2023-00010</number><title>Foo跨站脚本漏洞</title><serverity>中</serverity><description>${big}</description></vulnerability><vulnerability><number>CNVD-2023-00011</number><title>Bar SQL注入漏洞</title><serverity>高</serverity><description>${'x'.repeat(1_000_000)} ${'甲乙'.repeat(20_000)}</description></vulnerability></vulnerabilitys>`;
    const f = write(`pipe-${backend}.xml`, xml);
    const fmt = IMPORT_FORMATS['cnvd-xml'];
    if (!fmt) throw new Error('no cnvd-xml format');
    const s = await importItems(d, fmt.parse([f]), { format: 'cnvd-xml', paths: [f] });
    expect(s).toMatchObject({ read: 2, imported: 2, rejected: 0 });
    expect(s.warnings).toEqual([
      expect.objectContaining({ record: 'CNVD-2023-00010', field: 'description' }),
    ]);
    const v = await getVulnerability(d.db, 'CNVD-2023-00011');
    expect(v.vulnerability.description.zh?.length).toBe(1_040_001);
  });
});
