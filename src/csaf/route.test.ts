import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { describeProblem, validateCsaf } from './validate.js';

describe.each(testBackends())('GET /api/v1/vulnerabilities/{id}/csaf on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] }),
        cveRecord('CVE-2023-0009', { state: 'rejected' }),
      ]),
      { format: 'cnvd-xml', paths: [] },
    );
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 100_000, logLevel: 'silent' } });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('answers a CSAF document that passes the strict schema and every mandatory test, in the language asked for', async () => {
    for (const lang of ['zh', 'en']) {
      const r = await app.inject({
        method: 'GET',
        url: `/api/v1/vulnerabilities/cve-2023-0001/csaf?lang=${lang}`,
      });
      expect(r.statusCode).toBe(200);
      const doc = r.json<{
        document: { lang: string; tracking: { id: string }; publisher: { category: string } };
      }>();
      expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
      expect(doc.document.lang).toBe(lang);
      expect(doc.document.tracking.id).toBe('CNVD-2023-00001');
      expect(doc.document.publisher.category).toBe('coordinator');
    }
  });

  it('answers 409 for a rejected record, 404 for an unknown id and 400 for another language', async () => {
    const rejected = await app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-2023-0009/csaf' });
    expect(rejected.statusCode).toBe(409);
    expect(rejected.json<{ error: { code: string } }>().error.code).toBe('rejected_record');
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-1999-0001/csaf' })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-2023-0001/csaf?lang=fr' }))
        .statusCode,
    ).toBe(400);
  });
});
