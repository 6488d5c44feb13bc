/**
 * An advisory of 50 real published records (CNVD XML of ../shared/data, with the KEV catalogue marking the
 * exploited ones) published and exported as one CSAF 2.0 document in zh and en: the strict schema and every
 * mandatory test, 0 errors. Skipped, with a message, when the shared data is absent.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { describeProblem, validateCsaf } from '../csaf/validate.js';
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { cveIdsOf } from '../vulns/export-cve5.js';
import type { Vulnerability } from '../vulns/model.js';
import { createAdvisoryService } from './service.js';

const cnvdDir = sharedData('cnvd-share-xml', 'xml');
const kev = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');
const publisher = { name: 'vulnshare', namespace: 'https://vulnshare.example.org' };

describe.runIf(cnvdDir && kev).each(testBackends())('an advisory of 50 real records on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const files = readdirSync(cnvdDir ?? '')
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .slice(0, 3)
      .map((f) => join(cnvdDir ?? '', f));
    for (const [format, paths] of [
      ['cnvd-xml', files],
      ['kev', [kev ?? '']],
    ] as const) {
      const f = IMPORT_FORMATS[format];
      if (!f) throw new Error(format);
      await importItems(d, f.parse([...paths]), { format, paths: [...paths] });
    }
  }, 600_000);
  afterAll(async () => {
    await d.close();
  });

  it('publishes them as one document that passes the strict schema and every mandatory test in zh and en', async () => {
    const rows = await sql<{ public_id: string; doc: Vulnerability }>`
      SELECT public_id, doc FROM vulnerabilities
      WHERE state = 'published' AND public_id LIKE 'CNVD-%' ORDER BY id`.execute(d.db);
    // 50 records, no CVE standing for two of them (publishing refuses that)
    const seen = new Set<string>();
    const picked = rows.rows
      .filter((r) => {
        const cve = cveIdsOf(r.doc)[0];
        if (cve && seen.has(cve)) return false;
        if (cve) seen.add(cve);
        return true;
      })
      .slice(0, 50);
    expect(picked).toHaveLength(50);
    const advisories = createAdvisoryService({ db: d.db, publisher });
    const draft = await advisories.create(CLI, {
      titleZh: 'CNVD 漏洞汇总通报',
      titleEn: 'CNVD vulnerabilities',
      vulnerabilityIds: picked.map((r) => r.public_id),
    });
    const published = await advisories.publish(CLI, draft.id);
    for (const lang of ['zh', 'en'] as const) {
      const doc = await advisories.csaf(CLI, published.publicId ?? '', lang);
      expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
      expect(doc.vulnerabilities).toHaveLength(50);
      expect(doc.document.tracking.id).toBe(published.publicId);
    }
  }, 600_000);
});
