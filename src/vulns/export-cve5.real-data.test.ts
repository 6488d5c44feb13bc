/**
 * Every record of ../shared/data (CNVD XML, CVE JSON 5, KEV) exported as CVE JSON 5 and checked with the
 * official 5.1.1 schema from ../shared/data/cve-schema (Ajv + ajv-formats), and every real CVE record's
 * containers round-tripped. PGlite only: the import and 17,000 exports take about a minute and a half; the
 * both-backend checks are in export-cve5.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { isAppError } from '../errors.js';
import { freshDatabase } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { importSharedSources } from '../test-support/import-shared.js';
import { cveIdsOf, toCve5, type Cve5Record } from './export-cve5.js';
import { getVulnerabilityRecords } from './store.js';

const cnvd = sharedData('cnvd-share-xml', 'xml');
const cnvd2020 = sharedData('cnvd-share-xml-dated-2020');
const cve = sharedData('cve-json5-vulnrichment');
const kev = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');
const schema = sharedData('cve-schema', 'cvelib-vendored', 'CVE_JSON_bundled_5.1.1.json');
const all = cnvd && cnvd2020 && cve && kev && schema;

const ORG = { orgId: '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368', shortName: 'vulnshare' };

function officialValidator(path: string): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
}

const cveFiles = (dir: string) =>
  (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /CVE-\d{4}-\d+\.json$/.test(f))
    .map((f) => join(dir, f));

describe.runIf(all)('every record of the shared data as CVE JSON 5 (pglite)', () => {
  let d: Database;
  /** Exports of the CVE ids whose CVE record the store holds, by CVE id. */
  const heldExports = new Map<string, Cve5Record>();
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

  it('exports every record with a CVE id as a record the official schema accepts, under the id asked for; the rest answer no_cve_id', async () => {
    const validate = officialValidator(schema ?? '');
    const rows = (
      await sql<{ public_id: string; sources: string[] }>`
        SELECT public_id, sources FROM vulnerabilities ORDER BY id`.execute(d.db)
    ).rows;
    const counts: Record<string, { valid: number; invalid: number; noCveId: number }> = {};
    const failures: string[] = [];
    for (const row of rows) {
      const kind = row.sources.join('+');
      const c = (counts[kind] ??= { valid: 0, invalid: 0, noCveId: 0 });
      const m = await getVulnerabilityRecords(d.db, row.public_id);
      const ids = cveIdsOf(m.vulnerability);
      if (ids.length === 0) {
        try {
          toCve5(m, { org: ORG, requestedId: row.public_id });
          failures.push(`${row.public_id}: exported without a CVE id`);
        } catch (e) {
          if (isAppError(e) && e.code === 'no_cve_id') c.noCveId++;
          else throw e;
        }
        continue;
      }
      for (const id of ids) {
        const r = toCve5(m, { org: ORG, requestedId: id, publicUrl: 'http://127.0.0.1:8080' });
        const got = (r.cveMetadata as { cveId?: string }).cveId;
        if (got !== id) failures.push(`${row.public_id} asked as ${id}: exported ${String(got)}`);
        if (validate(r)) c.valid++;
        else {
          c.invalid++;
          failures.push(`${row.public_id} ${id}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
        }
        if (m.sources.some((s) => s.source === 'cve' && s.key === id)) heldExports.set(id, r);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(counts).toEqual({
      cnvd: { valid: 13487, invalid: 0, noCveId: 821 },
      cve: { valid: 2084, invalid: 0, noCveId: 0 },
      kev: { valid: 1296, invalid: 0, noCveId: 0 },
      'cnvd+kev': { valid: 97, invalid: 0, noCveId: 0 },
      'cve+kev': { valid: 15, invalid: 0, noCveId: 0 },
    });
  }, 600_000);

  it("keeps every real CVE record's cveMetadata, CNA container and ADP containers exactly as its file has them", () => {
    const files = cveFiles(cve ?? '');
    expect(files.length).toBe(2099);
    const differ: string[] = [];
    let rejected = 0;
    for (const f of files) {
      const doc = JSON.parse(readFileSync(f, 'utf8')) as Cve5Record & {
        cveMetadata: { cveId: string; state: string };
        containers: { cna: unknown; adp?: unknown[] };
      };
      const out = heldExports.get(doc.cveMetadata.cveId) as typeof doc | undefined;
      if (!out) {
        differ.push(`${doc.cveMetadata.cveId}: not exported`);
        continue;
      }
      if (doc.cveMetadata.state === 'REJECTED') {
        rejected++;
        if (JSON.stringify(out) !== JSON.stringify(doc))
          differ.push(`${doc.cveMetadata.cveId}: rejected record changed`);
        continue;
      }
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      const adp = out.containers.adp ?? [];
      const theirs = doc.containers.adp ?? [];
      if (!same(out.cveMetadata, doc.cveMetadata)) differ.push(`${doc.cveMetadata.cveId}: cveMetadata`);
      if (!same(out.containers.cna, doc.containers.cna)) differ.push(`${doc.cveMetadata.cveId}: cna`);
      if (!same(adp.slice(0, theirs.length), theirs)) differ.push(`${doc.cveMetadata.cveId}: adp`);
      const added = adp.slice(theirs.length) as Array<{ providerMetadata: { orgId: string } }>;
      if (added.length !== 1 || added[0]?.providerMetadata.orgId !== ORG.orgId)
        differ.push(`${doc.cveMetadata.cveId}: platform ADP`);
    }
    expect(differ.slice(0, 20)).toEqual([]);
    expect(rejected).toBe(3);
  });
});
