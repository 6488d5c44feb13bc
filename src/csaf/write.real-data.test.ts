/**
 * Every published record of a real import of ../shared/data (CNVD XML, CVE JSON 5, KEV) exported as CSAF
 * 2.0 and checked by csaf-validator-lib: the strict schema and every mandatory test, 0 errors; a sample in
 * both languages. PGlite only, for its run time; the both-backend checks are in write.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { exportBulk } from '../exports/bulk.js';
import type { EntrySink } from '../exports/bulk.js';
import { freshDatabase } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { importSharedSources } from '../test-support/import-shared.js';
import { csafDocuments } from './service.js';
import { describeProblem, validateCsaf } from './validate.js';

const cnvd = sharedData('cnvd-share-xml', 'xml');
const cnvd2020 = sharedData('cnvd-share-xml-dated-2020');
const cve = sharedData('cve-json5-vulnrichment');
const kev = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');
const all = cnvd && cnvd2020 && cve && kev;
const publisher = { name: 'vulnshare', namespace: 'https://vulnshare.example.org' };

describe.runIf(all)('every published record of the shared data as CSAF 2.0 (pglite)', () => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase('pglite');
    await importSharedSources(d, {
      cnvd: cnvd ?? '',
      cnvd2020: cnvd2020 ?? '',
      cve: cve ?? '',
      kev: kev ?? '',
    });
  }, 900_000);
  afterAll(async () => {
    await d.close();
  });

  it('passes the strict schema and every mandatory test with 0 errors, each record once (bulk export)', async () => {
    const problems: string[] = [];
    let valid = 0;
    let sampled = 0;
    const sink: EntrySink = {
      async write(name, data) {
        if (typeof data !== 'string') throw new Error('a CSAF entry is one string');
        const doc = JSON.parse(data) as unknown;
        const r = await validateCsaf(doc, { strict: true });
        if (r.valid) valid++;
        else if (problems.length < 20)
          problems.push(`${name}: ${r.errors.slice(0, 3).map(describeProblem).join('; ')}`);
      },
      close: () => Promise.resolve(),
    };
    const s = await exportBulk(d.db, sink, {
      format: 'csaf',
      csaf: async (rows) => {
        // the first record of every page in both languages
        if (sampled < 40 && rows[0]) {
          sampled++;
          for (const lang of ['zh', 'en'] as const) {
            const [doc] = await csafDocuments(d.db, [rows[0]], { publisher, lang });
            const r = await validateCsaf(doc, { strict: true });
            if (!r.valid)
              problems.push(
                `${rows[0].vulnerability.id} (${lang}): ${r.errors.map(describeProblem).join('; ')}`,
              );
            expect((doc?.document as { lang?: string } | undefined)?.lang).toBe(lang);
          }
        }
        return csafDocuments(d.db, rows, { publisher });
      },
    });
    console.log(
      `CSAF export of the shared data: ${s.written} documents, ${valid} valid, skipped ${JSON.stringify(s.skippedWhy)}`,
    );
    expect(problems).toEqual([]);
    expect(valid).toBe(s.written);
    expect(s.written).toBeGreaterThan(17_000);
  }, 900_000);
});
