import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';

const globSync = (pattern: RegExp, opts: { cwd: string }) =>
  (readdirSync(opts.cwd, { recursive: true }) as string[]).filter((f) => pattern.test(f));
import { zipOf } from '../test-support/zip.js';
import { describe, expect, it } from 'vitest';
import type { ParseItem, Weakness } from '../vulns/model.js';
import { sharedData } from '../test-support/shared-data.js';
import { cve5ToRecord, cweInText, parseCve5 } from './cve5.js';
import { prepareRecord } from './prepare.js';

async function collect(paths: string[]): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const it of parseCve5(paths)) out.push(it);
  return out;
}
const recs = (xs: ParseItem[]) => xs.flatMap((x) => (x.ok ? [x.record] : []));
const issues = (xs: ParseItem[]) => xs.flatMap((x) => (x.ok ? [] : [x.issue]));

const writeZip = (file: string, entries: Array<{ name: string; data: Buffer }>) =>
  writeFileSync(file, zipOf(entries));

const real = sharedData('cve-json5-vulnrichment');
const schemaTests = sharedData('cve-schema', 'cve-services', 'test', 'schemas');

describe.runIf(real)('CVE JSON 5 records from CISA Vulnrichment (real)', () => {
  it('reads all 2,099: 2,096 published and 3 kept as rejected, with CNA and ADP metrics', async () => {
    const items = await collect([real ?? '']);
    expect(issues(items)).toEqual([]);
    const all = recs(items);
    expect(all.length).toBe(2099);
    expect(all.filter((r) => r.state === 'rejected').length).toBe(3);
    expect(
      all.filter((r) => r.cvss.some((c) => c.provider === 'cna' && c.vector.startsWith('CVSS:3.1/'))).length,
    ).toBe(1510);
    expect(
      all.filter((r) => r.cvss.some((c) => c.provider === 'cna' && c.vector.startsWith('CVSS:4.0/'))).length,
    ).toBe(18);
    expect(all.filter((r) => r.exploited).length).toBe(13);
    expect(all.filter((r) => r.extra?.ssvc).length).toBe(2096);
    expect(all.filter((r) => r.cvss.some((c) => c.provider === 'CISA-ADP')).length).toBeGreaterThan(200);
    const one = all.find((r) => r.key === 'CVE-2024-0001');
    expect(one?.products[0]).toMatchObject({ vendor: 'Pure Storage', product: 'FlashArray' });
    expect(one?.products[0]?.cpes?.[0]).toMatch(/^cpe:2\.3:/);
    expect(JSON.parse(one?.raw ?? '{}')).toMatchObject({ cveMetadata: { cveId: 'CVE-2024-0001' } });
  });

  it("reads the CNA's CWE from its problem-type text when it gives no cweId, and marks inferred ones", async () => {
    const all = recs(await collect([real ?? ''])).filter((r) => r.state === 'published');
    const prepared = all.map((r) => prepareRecord(r, 'real').prepared);
    const stated = (src: string) => (r: { weaknesses: Weakness[] }) =>
      r.weaknesses.some((w) => w.cwe && w.source === src);
    // 999 records carry a cweId; 682 more state the CWE only in their description text ("CWE-79 …").
    expect(all.filter(stated('cna')).length).toBe(1681);
    const adpOnly = prepared.filter((r) => !stated('cna')(r) && stated('adp')(r));
    const inferred = prepared.filter((r) => !stated('cna')(r) && !stated('adp')(r) && stated('inferred')(r));
    const none = prepared.filter((r) => !r.weaknesses.some((w) => w.cwe));
    expect([adpOnly.length, inferred.length, none.length]).toEqual([198, 95, 122]);
    expect(1681 + 198 + 95 + 122).toBe(all.length);
    // An inferred CWE is never credited to the CNA.
    for (const r of inferred) expect(r.weaknesses.filter((w) => w.source === 'cna' && w.cwe)).toEqual([]);
  });

  it('reads a zip of a cvelistV5 tree the same as the tree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cve5-zip-'));
    const files = globSync(/^2024\/0xxx\/CVE-[^/]*\.json$/, { cwd: real ?? '' })
      .sort()
      .slice(0, 40);
    const zip = join(dir, 'cves.zip');
    writeZip(
      zip,
      files.map((f) => ({ name: `cves/${f}`, data: readFileSync(join(real ?? '', f)) })),
    );
    const fromZip = recs(await collect([zip])).map((r) => r.key);
    const fromFiles = recs(await collect(files.map((f) => join(real ?? '', f)))).map((r) => r.key);
    expect(fromZip).toEqual(fromFiles);
    expect(fromZip.length).toBe(40);
  });
});

describe.runIf(schemaTests)('schema validation against the official CVE schema test files', () => {
  it('rejects the files meant to fail, naming the field', async () => {
    const fails = globSync(/_fail[^/]*\.json$/, { cwd: schemaTests ?? '' }).map((f) =>
      join(schemaTests ?? '', f),
    );
    expect(fails.length).toBeGreaterThan(3);
    for (const f of fails) {
      const items = await collect([f]);
      expect(items.length, f).toBe(1);
      expect(items[0]?.ok, f).toBe(false);
      const is = issues(items)[0];
      expect(is?.field, f).toMatch(/^\//);
    }
    const good = await collect([join(schemaTests ?? '', '5.0', 'CVE-2017-4024_published.json')]);
    expect(good[0]?.ok).toBe(true);
  });
});

describe('CVE JSON 5 weaknesses', () => {
  it("takes the CWE id from the description text as the CNA's when cweId is absent", () => {
    expect(cweInText('CWE-79 Improper Neutralization of Input During Web Page Generation')).toBe('CWE-79');
    expect(cweInText('Cross-site scripting (cwe-079)')).toBe('CWE-79');
    expect(cweInText('NVD-CWE-noinfo')).toBeUndefined();
    expect(cweInText('Stored XSS')).toBeUndefined();
    const doc = {
      cveMetadata: { cveId: 'CVE-2024-7777', state: 'PUBLISHED' },
      containers: {
        cna: {
          descriptions: [{ lang: 'en', value: 'An SQL injection in P.' }],
          problemTypes: [
            { descriptions: [{ lang: 'en', type: 'CWE', description: 'CWE-89 SQL Injection' }] },
          ],
        },
        adp: [
          {
            providerMetadata: { shortName: 'CISA-ADP' },
            problemTypes: [
              {
                descriptions: [{ lang: 'en', type: 'CWE', cweId: 'CWE-74', description: 'CWE-74 Injection' }],
              },
            ],
          },
        ],
      },
    };
    expect(cve5ToRecord(doc, '{}').weaknesses).toEqual([
      { cwe: 'CWE-89', nameEn: 'CWE-89 SQL Injection', source: 'cna' },
      { cwe: 'CWE-74', nameEn: 'CWE-74 Injection', source: 'adp' },
    ]);
  });
});

describe('CVE JSON 5 bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cve5-bad-'));
  const base = {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: {
      cveId: 'CVE-2024-9999',
      assignerOrgId: '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368',
      state: 'PUBLISHED',
      datePublished: '2024-01-01T00:00:00.000Z',
    },
    containers: {
      cna: {
        providerMetadata: { orgId: '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368' },
        descriptions: [{ lang: 'en', value: 'A flaw.' }],
        affected: [{ vendor: 'V', product: 'P', versions: [{ version: '1.0', status: 'affected' }] }],
        references: [{ url: 'https://example.org/a' }],
      },
    },
  };
  it('validates against the schema file it is given (VULNSHARE_CVE_SCHEMA) instead of the bundled one', async () => {
    const own = mkdtempSync(join(tmpdir(), 'cve5-schema-'));
    const file = join(own, 'CVE-2024-9999.json');
    writeFileSync(file, JSON.stringify(base));
    const schema = join(own, 'strict.json');
    writeFileSync(schema, JSON.stringify({ type: 'object', required: ['localExtension'] }));
    const strict: ParseItem[] = [];
    for await (const it of parseCve5([file], undefined, schema)) strict.push(it);
    expect(recs(strict)).toEqual([]);
    expect(issues(strict)).toEqual([
      expect.objectContaining({
        file,
        record: 'CVE-2024-9999',
        field: '/localExtension',
        message: expect.stringMatching(/does not match the CVE JSON 5 schema/) as unknown,
      }),
    ]);
    expect(recs(await collect([file])).map((r) => r.key)).toEqual(['CVE-2024-9999']);
  });
  it('names file, record and field, and keeps the good records beside the bad ones', async () => {
    mkdirSync(join(dir, '2024', '9xxx'), { recursive: true });
    const good = join(dir, '2024', '9xxx', 'CVE-2024-9999.json');
    writeFileSync(good, JSON.stringify(base));
    const broken = join(dir, '2024', '9xxx', 'CVE-2024-9998.json');
    writeFileSync(broken, '{"dataType": "CVE_RECORD",');
    const noId = join(dir, '2024', '9xxx', 'CVE-2024-9997.json');
    writeFileSync(noId, JSON.stringify({ ...base, cveMetadata: { ...base.cveMetadata, cveId: undefined } }));
    const badDate = join(dir, '2024', '9xxx', 'CVE-2024-9996.json');
    writeFileSync(
      badDate,
      JSON.stringify({
        ...base,
        cveMetadata: { ...base.cveMetadata, cveId: 'CVE-2024-9996', datePublished: 'last tuesday' },
      }),
    );
    writeFileSync(join(dir, 'delta.json'), '{"not":"a record"}');
    const items = await collect([dir]);
    expect(recs(items).map((r) => r.key)).toEqual(['CVE-2024-9999']);
    const byFile = Object.fromEntries(issues(items).map((i) => [i.file, i]));
    expect(byFile[broken]).toMatchObject({
      record: 'CVE-2024-9998',
      message: expect.stringMatching(/invalid JSON/) as unknown,
    });
    expect(byFile[noId]).toMatchObject({ record: '#2', field: '/cveMetadata/cveId' });
    expect(byFile[badDate]).toMatchObject({ record: 'CVE-2024-9996', field: '/cveMetadata/datePublished' });
  });
});
