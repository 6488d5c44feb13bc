/**
 * OSV export, checked by the OSV project's own schema (../shared/data/osv-schema, Ajv draft 2020-12 with
 * formats): its 11 example records first (the validator set up right), then records built here, every
 * record of the real shared data, and the API route on both backends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { prepareRecord } from '../imports/prepare.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { sharedData } from '../test-support/shared-data.js';
import { importSharedSources } from '../test-support/import-shared.js';
import { mergeVulnerability } from '../vulns/merge.js';
import type { SourceRecord } from '../vulns/model.js';
import { osvId, toOsv, uriOf } from './osv.js';
import { errorsOf, osvValidator } from './osv-schema.js';
import { exportPageAfter } from './store.js';

const schemaDir = sharedData('osv-schema');
const MODIFIED = '2024-05-06T07:08:09.123Z';

const merged = (...records: SourceRecord[]) =>
  mergeVulnerability(records.map((r) => prepareRecord(r, 'test').prepared));

const cveJson = (id: string, affected: unknown[]) =>
  JSON.stringify({ dataType: 'CVE_RECORD', cveMetadata: { cveId: id }, containers: { cna: { affected } } });

describe.runIf(schemaDir)('OSV export against the OSV schema', () => {
  let validate: ValidateFunction;
  const valid = (rec: unknown) => {
    const ok = validate(rec);
    if (!ok) throw new Error(errorsOf(validate));
    return ok;
  };
  beforeAll(() => {
    validate = osvValidator(schemaDir ?? '');
  });

  it("accepts the OSV project's 11 example records and refuses a record without an id", () => {
    const dir = join(schemaDir ?? '', 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(11);
    for (const f of files) expect(valid(JSON.parse(readFileSync(join(dir, f), 'utf8')))).toBe(true);
    expect(validate({ modified: '2024-01-01T00:00:00Z' })).toBe(false);
    expect(validate({ id: 'CNVD-2022-06883', modified: '2024-01-01T00:00:00Z' })).toBe(false);
  });

  it('writes a CNVD record under x_ with its CNVD id and CVE as aliases and its CNVD fields in database_specific', () => {
    const v = merged(
      cnvdRecord('CNVD-2023-00001', {
        aliases: ['CVE-2023-1111'],
        references: [{ url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-1111' }],
      }),
    );
    const o = toOsv({ vulnerability: v, modifiedAt: MODIFIED });
    expect(valid(o)).toBe(true);
    expect(o).toMatchObject({
      id: 'x_CNVD-2023-00001',
      aliases: ['CNVD-2023-00001', 'CVE-2023-1111'],
      modified: '2024-05-06T07:08:09.123Z',
      published: '2023-01-09T00:00:00Z',
      summary: 'Tenda AC18缓冲区溢出漏洞（CNVD-2023-00001）',
      references: [
        { type: 'ADVISORY', url: 'https://www.cnvd.org.cn/flaw/show/CNVD-2023-00001' },
        { type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-1111' },
      ],
      database_specific: {
        id: 'CNVD-2023-00001',
        title_zh: 'Tenda AC18缓冲区溢出漏洞（CNVD-2023-00001）',
        kind: 'general',
        cnvd: { id: 'CNVD-2023-00001', serverity: '高', openTime: '2023-01-09', submitTime: '2023-01-02' },
      },
    });
    const ds = o.database_specific as Record<string, unknown>;
    expect(ds.object_type).toBe(v.objectType);
    expect(typeof ds.object_type_zh).toBe('string');
    // a router has no package ecosystem: vendor, product and CNVD's product text stay in database_specific
    expect(o.affected).toEqual([
      {
        database_specific: {
          vendor: v.products[0]?.vendor,
          product: v.products[0]?.product,
          versions: v.products[0]?.versions,
          productText: 'Tenda AC18 V15.03.05.19',
        },
      },
    ]);
  });

  it('keeps registered ids (CVE-…) as they are and prefixes the rest with x_', () => {
    expect(osvId('CVE-2024-0204')).toBe('CVE-2024-0204');
    expect(osvId('CNVD-2022-06883')).toBe('x_CNVD-2022-06883');
    expect(osvId('VS-2025-00012')).toBe('x_VS-2025-00012');
  });

  it('names a package only where the CVE record names its registry, with the CNA ranges as ECOSYSTEM events', () => {
    const v = merged(
      cveRecord('CVE-2024-1000', {
        products: [
          { vendor: 'acme', product: 'left-pad', versions: [] },
          { vendor: 'TP-Link', product: 'Archer C7', versions: ['1.0'] },
        ],
      }),
    );
    const raw = cveJson('CVE-2024-1000', [
      {
        vendor: 'acme',
        product: 'left-pad',
        collectionURL: 'https://registry.npmjs.org',
        packageName: 'left-pad',
        defaultStatus: 'unaffected',
        versions: [
          { version: '0', lessThan: '1.3.1', status: 'affected', versionType: 'semver' },
          { version: '2.0.0', lessThanOrEqual: '2.0.4', status: 'affected', versionType: 'semver' },
          { version: '3.0.0', status: 'affected' },
          { version: '1.3.1', status: 'unaffected' },
        ],
      },
      { vendor: 'TP-Link', product: 'Archer C7', versions: [{ version: '1.0', status: 'affected' }] },
      // a Maven package name must be group:artifact; a bare name is no package
      { vendor: 'x', product: 'y', collectionURL: 'https://repo.maven.apache.org/maven2', packageName: 'y' },
    ]);
    const o = toOsv({ vulnerability: v, modifiedAt: MODIFIED, cveRaw: [raw] });
    expect(valid(o)).toBe(true);
    expect(o.id).toBe('CVE-2024-1000');
    expect(o.aliases).toBeUndefined();
    const affected = o.affected as Array<Record<string, unknown>>;
    expect(affected[0]).toMatchObject({
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3.1' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { last_affected: '2.0.4' }] },
      ],
      versions: ['3.0.0'],
    });
    expect(affected[1]).toEqual({
      database_specific: { vendor: 'TP-Link', product: 'Archer C7', versions: ['1.0'] },
    });
    expect(affected).toHaveLength(2);
  });

  it('reads a package URL where the record gives one', () => {
    const v = merged(cveRecord('CVE-2024-1001', { products: [] }));
    const raw = cveJson('CVE-2024-1001', [
      {
        vendor: 'FasterXML',
        product: 'jackson-databind',
        packageURL: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.0',
        versions: [{ version: '2.9.0', lessThan: '2.9.10.8', status: 'affected', versionType: 'maven' }],
      },
    ]);
    const o = toOsv({ vulnerability: v, modifiedAt: MODIFIED, cveRaw: [raw] });
    expect(valid(o)).toBe(true);
    expect((o.affected as Array<Record<string, unknown>>)[0]?.package).toEqual({
      ecosystem: 'Maven',
      name: 'com.fasterxml.jackson.core:jackson-databind',
      purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
    });
  });

  it('states one CVSS vector per OSV type: v2 without parentheses, v3.1 before v3.0, v4.0', () => {
    const v = merged(
      cveRecord('CVE-2024-1002', {
        cvss: [
          { vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', provider: 'nvd' },
          { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', provider: 'cna' },
          { vector: '(AV:N/AC:L/Au:N/C:P/I:P/A:P)', provider: 'nvd' },
          {
            vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
            provider: 'cna',
          },
        ],
      }),
    );
    const o = toOsv({ vulnerability: v, modifiedAt: MODIFIED });
    expect(valid(o)).toBe(true);
    expect(o.severity).toEqual([
      { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
    ]);
    expect((o.database_specific as { cvss: unknown[] }).cvss).toHaveLength(4);
  });

  it('types references from CVE tags, then from the URL, and writes each as an RFC 3986 URI', () => {
    const v = merged(
      cveRecord('CVE-2024-1003', {
        references: [
          { url: 'https://example.com/fix', tags: ['patch'] },
          { url: 'https://github.com/o/r/commit/0123456789abcdef0123456789abcdef01234567' },
          { url: 'https://www.exploit-db.com/exploits/51234' },
          { url: 'https://github.com/o/r/issues/7' },
          { url: 'https://github.com/o/r/blob/1.0/a.ts#L1-#L9' },
          { url: 'https://例子.测试/路径?q=a|b' },
          { url: 'not a url' },
        ],
      }),
    );
    const o = toOsv({ vulnerability: v, modifiedAt: MODIFIED });
    expect(valid(o)).toBe(true);
    expect(o.references).toEqual([
      { type: 'FIX', url: 'https://example.com/fix' },
      { type: 'FIX', url: 'https://github.com/o/r/commit/0123456789abcdef0123456789abcdef01234567' },
      { type: 'EVIDENCE', url: 'https://www.exploit-db.com/exploits/51234' },
      { type: 'REPORT', url: 'https://github.com/o/r/issues/7' },
      { type: 'WEB', url: 'https://github.com/o/r/blob/1.0/a.ts#L1-%23L9' },
      { type: 'WEB', url: uriOf('https://例子.测试/路径?q=a|b') },
    ]);
    expect(uriOf('https://例子.测试/路径?q=a|b')).toBe(
      'https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84?q=a%7Cb',
    );
  });

  it('marks a rejected record withdrawn and a KEV listing in database_specific', () => {
    const v = merged(
      cveRecord('CVE-2024-1004', { state: 'rejected' }),
      kevRecord('CVE-2024-1004', { state: 'rejected' }),
    );
    const o = toOsv({ vulnerability: v, modifiedAt: '2024-06-01T00:00:00+08:00' });
    expect(valid(o)).toBe(true);
    expect(o.withdrawn).toBe('2024-05-31T16:00:00Z');
    expect((o.database_specific as { exploited?: unknown }).exploited).toMatchObject({
      dateAdded: '2023-03-01',
    });
  });

  const cnvd = sharedData('cnvd-share-xml', 'xml');
  const cnvd2020 = sharedData('cnvd-share-xml-dated-2020');
  const cve = sharedData('cve-json5-vulnrichment');
  const kev = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');
  describe.runIf(cnvd && cnvd2020 && cve && kev)('every record of the real shared data', () => {
    let d: Database;
    beforeAll(async () => {
      d = await freshDatabase('pglite');
      await importSharedSources(d, {
        cnvd: cnvd ?? '',
        cnvd2020: cnvd2020 ?? '',
        cve: cve ?? '',
        kev: kev ?? '',
      });
    }, 600_000);
    afterAll(async () => {
      await d.close();
    });

    it('exports as OSV records that all validate (CNVD, CVE, KEV and merged)', async () => {
      let n = 0;
      let packages = 0;
      const failures: string[] = [];
      const ids = new Set<string>();
      for (let after = 0; ;) {
        const page = await exportPageAfter(d.db, after, 500, { cveRaw: true });
        if (page.length === 0) break;
        for (const r of page) {
          const o = toOsv(r);
          const id = String(o.id);
          n++;
          ids.add(id);
          if ((o.affected as Array<{ package?: unknown }> | undefined)?.some((a) => a.package)) packages++;
          if (!validate(o)) failures.push(`${id}: ${errorsOf(validate)}`);
        }
        after = page[page.length - 1]?.rowId ?? after;
      }
      console.log(`OSV: ${n - failures.length} of ${n} records valid; ${packages} with a package ecosystem`);
      expect(failures.slice(0, 5)).toEqual([]);
      expect(n).toBe(17_794);
      expect(ids.size).toBe(n);
      expect(packages).toBeGreaterThan(0);
    }, 300_000);
  });
});

describe.runIf(schemaDir).each(testBackends())('GET /api/v1/vulnerabilities/{id}/osv on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let validate: ValidateFunction;
  beforeAll(async () => {
    validate = osvValidator(schemaDir ?? '');
    d = await freshDatabase(backend);
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-00002', { aliases: ['CVE-2023-2222'] }),
        cveRecord('CVE-2023-2222', {
          raw: cveJson('CVE-2023-2222', [
            {
              vendor: 'acme',
              product: 'acme-lib',
              collectionURL: 'https://pypi.org',
              packageName: 'acme-lib',
              versions: [{ version: '1.0', lessThan: '1.2', status: 'affected', versionType: 'python' }],
            },
          ]),
        }),
      ]),
      { format: 'test', paths: [] },
    );
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 100_000, logLevel: 'silent' } });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('answers the record found by any alias as a valid OSV record, its CVE package included', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/cve-2023-2222/osv' });
    expect(r.statusCode).toBe(200);
    const o = r.json<Record<string, unknown>>();
    expect(validate(o), errorsOf(validate)).toBe(true);
    expect(o.id).toBe('x_CNVD-2023-00002');
    expect(o.aliases).toEqual(['CNVD-2023-00002', 'CVE-2023-2222']);
    expect(o.affected).toContainEqual(
      expect.objectContaining({ package: { ecosystem: 'PyPI', name: 'acme-lib' } }),
    );
    expect(Date.parse(String(o.modified))).toBeGreaterThan(Date.parse('2024-01-01'));
  });

  it('answers 404 for an id nobody knows', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-1999-0001/osv' });
    expect(r.statusCode).toBe(404);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('not_found');
  });
});
