/**
 * The platform as a GCVE GNA (GCVE-BCP-03 / -05), on both backends through the real app: the pull API pages
 * the platform's own published records as GCVE-<gna>-<year>-<serial> (never another numbering's records),
 * honours since / date_sort / sort_order / page / per_page, and the NDJSON dump carries the same records;
 * every record validates against the official CVE Record Format 5.1.1 schema with BCP-05's one change
 * (cveMetadata carries vulnId in place of cveId); without a GNA id both answer 404.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { gcveIdOf, publicIdOfGcve, type GcveRecord } from './model.js';

const GNA = 4242;
const BASE = 'https://vulnshare.example.org';

/** The official CVE 5.1.1 schema, with GCVE-BCP-05's change: cveMetadata identified by vulnId, not cveId. */
function bcp05Validator() {
  const schema = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../imports/schemas/CVE_JSON_bundled_5.1.1.json', import.meta.url)),
      'utf8',
    ),
  ) as { definitions: Record<string, { required: string[]; properties: Record<string, unknown> }> };
  const meta = schema.definitions.cveMetadataPublished;
  if (!meta) throw new Error('the CVE schema has no cveMetadataPublished');
  meta.properties.vulnId = { type: 'string', pattern: '^GCVE-[0-9]+-[0-9]{4}-[0-9]{4,}$' };
  meta.required = [...meta.required.filter((r) => r !== 'cveId'), 'vulnId'];
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile(schema);
}

describe('GCVE ids', () => {
  it('maps the platform ids to its GNA and back, and nothing else', () => {
    expect(gcveIdOf('VS-2026-00012', 'VS', GNA)).toBe('GCVE-4242-2026-00012');
    expect(gcveIdOf('CNVD-2026-00012', 'VS', GNA)).toBeNull();
    expect(gcveIdOf('VS-2026-12', 'VS', GNA)).toBeNull(); // BCP-04 serials have 4 digits or more
    expect(publicIdOfGcve('gcve-4242-2026-00012', 'VS', GNA)).toBe('VS-2026-00012');
    expect(publicIdOfGcve('GCVE-1-2026-00012', 'VS', GNA)).toBeNull();
  });
});

describe.each(testBackends())('GCVE publication on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let notGna: FastifyInstance;
  const get = async (url: string, on = app) => on.inject({ url });
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(
      d,
      itemsOf([
        cnvdRecord('VS-2026-00001', {
          source: 'vulnshare',
          raw: '',
          aliases: ['CVE-2026-1001'],
          credits: ['天融信阿尔法实验室'],
          descriptionEn: undefined,
        }),
        cnvdRecord('VS-2026-00002', { source: 'vulnshare', raw: '', titleEn: 'Tenda AC18 overflow' }),
        cnvdRecord('VS-2026-00003', { source: 'vulnshare', raw: '' }),
        cnvdRecord('CNVD-2026-00004'),
        cveRecord('CVE-2026-0005'),
      ]),
      { format: 'cnvd-xml', paths: [] },
    );
    // distinct first-publication and change times, so the orders differ: 00001 oldest, changed last
    await sql`UPDATE vulnerabilities SET
      created_at = ('2026-01-0' || right(public_id, 1) || 'T00:00:00Z')::timestamptz,
      modified_at = ('2026-03-0' || (4 - right(public_id, 1)::int) || 'T00:00:00Z')::timestamptz
      WHERE public_id LIKE 'VS-%'`.execute(d.db);
    app = await buildApp({ database: d, config: { publicUrl: BASE, gcveGna: GNA, logLevel: 'silent' } });
    notGna = await buildApp({ database: d, config: { publicUrl: BASE, logLevel: 'silent' } });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await notGna?.close();
    await d?.close();
  });

  it('pages its own records newest change first, each a record the BCP-05 CVE schema accepts', async () => {
    const r = await get('/api/gcve/publication');
    expect(r.statusCode).toBe(200);
    const records = r.json<GcveRecord[]>();
    expect(records.map((x) => x.cveMetadata.vulnId)).toEqual([
      'GCVE-4242-2026-00001',
      'GCVE-4242-2026-00002',
      'GCVE-4242-2026-00003',
    ]);
    const validate = bcp05Validator();
    for (const rec of records) expect(validate(rec), JSON.stringify(validate.errors)).toBe(true);
    const first = records[0];
    expect(first?.cveMetadata).toMatchObject({ assignerShortName: 'vulnshare', state: 'PUBLISHED' });
    expect(first?.cveMetadata).not.toHaveProperty('cveId'); // a CVE id is an alias, never claimed
    const x = first?.containers.cna.x_vulnshare as { id: string; aliases: string[]; titleZh: string };
    expect(x.id).toBe('VS-2026-00001');
    expect(x.aliases).toContain('CVE-2026-1001');
    expect(x.titleZh).toContain('Tenda AC18');
    expect(first?.containers.cna.credits).toEqual([
      { lang: 'zh', value: '天融信阿尔法实验室', type: 'reporter' },
    ]);
    // no English text in the record: the required English description says it is generated
    expect(JSON.stringify(first?.containers.cna.descriptions)).toContain('Generated by vulnshare');
  });

  it('honours since, date_sort, sort_order, page and per_page', async () => {
    const ids = async (q: string) =>
      (await get(`/api/gcve/publication?${q}`))
        .json<GcveRecord[]>()
        .map((x) => x.cveMetadata.vulnId.slice(-1));
    expect(await ids('date_sort=published')).toEqual(['3', '2', '1']);
    expect(await ids('date_sort=published&sort_order=asc')).toEqual(['1', '2', '3']);
    expect(await ids('date_sort=published&since=2026-01-02')).toEqual(['3', '2']);
    expect(await ids('since=2026-03-03T00:00:00Z')).toEqual(['1']);
    expect(await ids('date_sort=published&per_page=2&page=2')).toEqual(['1']);
    expect((await get('/api/gcve/publication?per_page=101')).statusCode).toBe(400);
    const bad = await get('/api/gcve/publication?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('invalid_parameter');
  });

  it('dumps the same records as NDJSON, names its GNA in security.txt, and is no GNA without an id', async () => {
    const dump = await get(`/dumps/gna-${GNA}.ndjson`);
    expect(dump.statusCode).toBe(200);
    expect(dump.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = dump.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as GcveRecord);
    expect(lines.map((x) => x.cveMetadata.vulnId).sort()).toEqual([
      'GCVE-4242-2026-00001',
      'GCVE-4242-2026-00002',
      'GCVE-4242-2026-00003',
    ]);
    expect((await get('/dumps/gna-1.ndjson')).statusCode).toBe(404);
    expect((await get('/.well-known/security.txt')).body).toContain(`GCVE: ${BASE}\n`);

    const none = await get('/api/gcve/publication', notGna);
    expect(none.statusCode).toBe(404);
    expect(none.json<{ error: { details: { reason: string } } }>().error.details.reason).toBe('no_gna');
    expect((await get(`/dumps/gna-${GNA}.ndjson`, notGna)).statusCode).toBe(404);
    expect((await get('/.well-known/security.txt', notGna)).body).not.toContain('GCVE:');
  });
});
