import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { importItems } from '../imports/pipeline.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { getVulnerability } from '../vulns/store.js';
import type { ParseItem } from '../vulns/model.js';
import { csafToRecords, parseCsafText } from './parse.js';
import { smallVex } from './test-documents.js';

const examples = sharedData('csaf-2.0', 'csaf_2.0', 'examples', 'csaf');
const validatorData = sharedData('csaf-2.0', 'csaf_2.0', 'test', 'validator', 'data');

const jsonFiles = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));

/** A parser's items as an import stream. */
// eslint-disable-next-line @typescript-eslint/require-await -- an async source, like the real parsers
async function* streamOf(items: ParseItem[]): AsyncGenerator<ParseItem> {
  yield* items;
}

async function collect(items: AsyncIterable<ParseItem>): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const i of items) out.push(i);
  return out;
}

const csaf = IMPORT_FORMATS.csaf;
if (!csaf) throw new Error('csaf is an import format');

describe.runIf(examples)('the 19 CSAF 2.0 examples of the OASIS repository', () => {
  it('are all accepted, giving one record per vulnerability (59) with its CVE, products and document', async () => {
    const files = jsonFiles(examples ?? '');
    expect(files.length).toBe(19);
    const items = await collect(csaf.parse([examples ?? '']));
    expect(items.filter((i) => !i.ok)).toEqual([]);
    const vulns = files.reduce(
      (n, f) =>
        n +
        ((JSON.parse(readFileSync(f, 'utf8')) as { vulnerabilities?: unknown[] }).vulnerabilities?.length ??
          0),
      0,
    );
    expect(vulns).toBe(59);
    expect(items.length).toBe(59);
    const bsi = items.find((i) => i.ok && i.record.key.startsWith('https://www.bsi.bund.de/BSI-2022-0001#'));
    if (!bsi?.ok) throw new Error('BSI-2022-0001 was not read');
    expect(bsi.record).toMatchObject({
      source: 'csaf',
      key: 'https://www.bsi.bund.de/BSI-2022-0001#CVE-2022-27193',
      aliases: ['CVE-2022-27193'],
      anchor: 'CVE-2022-27193',
    });
    expect(bsi.record.cvss.length).toBeGreaterThan(0);
    expect(bsi.record.cvss.every((c) => c.vector.startsWith('CVSS:3') && c.provider)).toBe(true);
    expect(bsi.record.products.length).toBeGreaterThan(0);
    expect(bsi.record.raw).toBe(readFileSync(join(examples ?? '', 'bsi-2022-0001.json'), 'utf8'));
  });

  it('reads a product tree to any depth, with CPE and purl, and relationships as their components', () => {
    const doc = JSON.parse(
      readFileSync(join(examples ?? '', 'csaf_vex', '2022-evd-uc-08-001.json'), 'utf8'),
    ) as Record<string, unknown>;
    const [rec] = csafToRecords(doc, '');
    expect(rec?.products.every((p) => p.vendor && p.product)).toBe(true);
    const withIds = JSON.parse(readFileSync(join(examples ?? '', 'bsi-2022-0001.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const [b] = csafToRecords(withIds, '');
    expect(
      b?.products.some(
        (p) => (p.cpes ?? []).length > 0 || (p.purls ?? []).length > 0 || p.versions.length > 0,
      ),
    ).toBe(true);
    const rh = JSON.parse(readFileSync(join(examples ?? '', 'rhsa-2021_5186.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const [r] = csafToRecords(rh, '');
    expect(r?.products[0]?.vendor).toBe('Red Hat');
    expect(r?.products[0]?.product).not.toMatch(/as a component of/);
  });
});

interface TestCases {
  tests: Array<{
    id: string;
    group: string;
    failures?: Array<{ name: string }>;
    valid?: Array<{ name: string }>;
  }>;
}

describe.runIf(validatorData)('the OASIS validator test documents (testcases.json, mandatory tests)', () => {
  it('refuses each document that must fail a mandatory test, naming that test and a JSON path; accepts the rest', async () => {
    const tc = JSON.parse(readFileSync(join(validatorData ?? '', 'testcases.json'), 'utf8')) as TestCases;
    const mandatory = tc.tests.filter((t) => t.group === 'mandatory');
    expect(mandatory.length).toBe(43);
    const wrong: string[] = [];
    let refused = 0;
    let accepted = 0;
    for (const t of mandatory) {
      const failed = new RegExp(
        `tests failed: (?:[\\d.]+, |schema, )*${t.id.replaceAll('.', '\\.')}(?:,|\\))`,
      );
      for (const c of t.failures ?? []) {
        const items = await parseCsafText(readFileSync(join(validatorData ?? '', c.name), 'utf8'), c.name, 1);
        const only = items.length === 1 ? items[0] : undefined;
        const issue = only && !only.ok ? only.issue : null;
        if (issue && failed.test(issue.message) && issue.field?.startsWith('/')) refused++;
        else wrong.push(`${t.id} ${c.name} was not refused by ${t.id}: ${issue?.message ?? 'accepted'}`);
      }
      for (const c of t.valid ?? []) {
        const items = await parseCsafText(readFileSync(join(validatorData ?? '', c.name), 'utf8'), c.name, 1);
        const issue = items.find((i) => !i.ok);
        if (!issue) accepted++;
        else wrong.push(`${t.id} ${c.name} was refused: ${issue.ok ? '' : issue.issue.message}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(refused).toBe(87);
    expect(accepted).toBe(60);
  });
});

describe.each(testBackends())('CSAF import on %s', (backend) => {
  it('lands the valid documents of a batch and refuses the invalid one by test id and path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csaf-'));
    const good = smallVex({ id: 'VS-TEST-1', cve: 'CVE-2021-44228' });
    const bad = smallVex({ id: 'VS-TEST-2', cve: 'CVE-2021-45046' });
    (bad.vulnerabilities[0] as { product_status: Record<string, string[]> }).product_status = {
      known_affected: ['CSAFPID-9999'],
    };
    writeFileSync(join(dir, 'a.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(bad));
    const d = await freshDatabase(backend);
    try {
      const s = await importItems(d, csaf.parse([dir]), { format: 'csaf', paths: [dir] });
      expect(s.imported).toBe(1);
      expect(s.rejected).toBe(1);
      expect(s.issues[0]).toMatchObject({
        record: 'VS-TEST-2',
        field: '/vulnerabilities/0/product_status/known_affected/0',
      });
      expect(s.issues[0]?.message).toMatch(/mandatory test 6\.1\.1 /);
      const v = await getVulnerability(d.db, 'CVE-2021-44228', { withRaw: true });
      expect(v.sources.map((x) => x.source)).toEqual(['csaf']);
    } finally {
      await d.close();
    }
  });

  it('is idempotent, and a new revision of a document updates its record in place with history', async () => {
    const d = await freshDatabase(backend);
    try {
      const v1 = smallVex({ id: 'VS-TEST-3', cve: 'CVE-2021-44228' });
      const run = async (doc: unknown) => {
        const items = await parseCsafText(JSON.stringify(doc), 'x.json', 1);
        return importItems(d, streamOf(items), { format: 'csaf', paths: ['x.json'] });
      };
      expect((await run(v1)).imported).toBe(1);
      expect((await run(v1)).unchanged).toBe(1);
      const v2 = smallVex({ id: 'VS-TEST-3', cve: 'CVE-2021-44228', revisions: 2, title: 'Revised title' });
      const s = await run(v2);
      expect(s).toMatchObject({ imported: 0, updated: 1 });
      const rows = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM source_records WHERE source = 'csaf'`.execute(d.db);
      expect(rows.rows[0]?.n).toBe(1);
      const v = await getVulnerability(d.db, 'CVE-2021-44228', { withRaw: false });
      expect(v.vulnerability.title.en).toBe('Revised title');
      const h = await sql<{ change: string; source: string | null }>`
        SELECT change, source FROM vuln_history ORDER BY id`.execute(d.db);
      expect(h.rows.map((r) => `${r.change} ${r.source ?? ''}`)).toEqual(['created csaf', 'updated csaf']);
    } finally {
      await d.close();
    }
  });

  it('attaches a CSAF record to every CNVD record citing its CVE, whichever was imported first', async () => {
    const d = await freshDatabase(backend);
    try {
      const items = await parseCsafText(
        JSON.stringify(smallVex({ id: 'VS-TEST-4', cve: 'CVE-2021-44228' })),
        'v.json',
        1,
      );
      await importItems(d, streamOf(items), { format: 'csaf', paths: [] });
      await importItems(
        d,
        itemsOf([
          cnvdRecord('CNVD-2021-00001', { aliases: ['CVE-2021-44228'] }),
          cnvdRecord('CNVD-2021-00002', { aliases: ['CVE-2021-44228'] }),
        ]),
        { format: 'cnvd-xml', paths: [] },
      );
      for (const id of ['CNVD-2021-00001', 'CNVD-2021-00002']) {
        const v = await getVulnerability(d.db, id, { withRaw: false });
        expect(v.sources.map((x) => x.source).sort()).toEqual(['cnvd', 'csaf']);
      }
    } finally {
      await d.close();
    }
  });
});
