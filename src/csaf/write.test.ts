import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { directorySink, exportBulk } from '../exports/bulk.js';
import { prepareRecord } from '../imports/prepare.js';
import { importItems } from '../imports/pipeline.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { mergeVulnerability } from '../vulns/merge.js';
import type { SourceRecord, Vulnerability } from '../vulns/model.js';
import { csafBytes, csafDirectoryPath, csafFileName } from './names.js';
import { parseCsafText } from './parse.js';
import { csafDocuments, getCsaf } from './service.js';
import { describeProblem, validateCsaf } from './validate.js';
import { toCsaf, type CsafVendorStatus } from './write.js';

const publisher = { name: 'vulnshare', namespace: 'https://vulnshare.example.org' };
const merged = (...recs: SourceRecord[]): Vulnerability =>
  mergeVulnerability(recs.map((r) => prepareRecord(r, 'test').prepared));

async function expectValid(doc: unknown) {
  const r = await validateCsaf(doc, { strict: true });
  expect(r.errors.map(describeProblem)).toEqual([]);
}

const published = (): Vulnerability =>
  merged(
    cnvdRecord('VS-2024-00001', {
      source: 'vulnshare',
      aliases: ['CVE-2024-0001'],
      products: [
        { vendor: 'Tenda', product: 'AC18', versions: ['V15.03.05.19'] },
        { vendor: 'Acme', product: 'Router', versions: ['<2.0'] },
        { vendor: 'Foo', product: 'Gateway', versions: [] },
      ],
      cvss: [{ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', provider: 'vulnshare' }],
      weaknesses: [{ cwe: 'CWE-121' }],
    }),
  );
const at = '2024-02-01T00:00:00.000Z';
const statuses: CsafVendorStatus[] = [
  {
    organisation: 'Tenda',
    state: 'fixed',
    fixUrl: 'https://tenda.example.com/fix',
    answer: 'Fixed in V15.03.05.20',
    at,
  },
  { organisation: 'Acme', state: 'disputed', fixUrl: null, answer: 'The router does not ship that code', at },
  { organisation: 'Other Co', state: 'acknowledged', fixUrl: null, answer: null, at },
];

describe('CSAF 2.0 writer', () => {
  it('writes a record without vendor statuses as a security advisory: every product known_affected, valid in zh and en', async () => {
    const v = merged(
      cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] }),
      cveRecord('CVE-2023-0001'),
    );
    for (const lang of ['zh', 'en'] as const) {
      const doc = toCsaf(
        { vulnerability: v, history: [], vendorStatuses: [], createdAt: at },
        { publisher, lang },
      );
      await expectValid(doc);
      expect(doc.document).toMatchObject({
        category: 'csaf_security_advisory',
        lang,
        publisher: { category: 'coordinator', namespace: publisher.namespace },
        distribution: { tlp: { label: 'WHITE' } },
        tracking: { id: 'CNVD-2023-00001', version: '1' },
      });
      const vuln = doc.vulnerabilities[0];
      expect(vuln?.cve).toBe('CVE-2023-0001');
      expect(vuln?.ids).toEqual([{ system_name: 'CNVD', text: 'CNVD-2023-00001' }]);
      expect(Object.keys(vuln?.product_status as object)).toEqual(['known_affected']);
    }
  });

  it("writes a VEX where vendors answered: fixed → a fixed product and a vendor_fix link, disputed → known_not_affected with the vendor's word, otherwise under investigation", async () => {
    for (const lang of ['zh', 'en'] as const) {
      const doc = toCsaf(
        { vulnerability: published(), history: [], vendorStatuses: statuses, createdAt: at },
        { publisher, lang },
      );
      await expectValid(doc);
      expect(doc.document.category).toBe('csaf_vex');
      const vuln = doc.vulnerabilities[0] as {
        product_status: Record<string, string[]>;
        remediations: Array<{ category: string; url?: string; product_ids: string[] }>;
        threats: Array<{ category: string; details: string; product_ids: string[] }>;
      };
      const names = new Map<string, string>();
      JSON.stringify(doc.product_tree, (_k, x: unknown) => {
        const p = x as { product_id?: string; name?: string };
        if (p && typeof p === 'object' && p.product_id && p.name) names.set(p.product_id, p.name);
        return x;
      });
      const named = (k: string) => (vuln.product_status[k] ?? []).map((id) => names.get(id));
      expect(named('known_affected')).toEqual(['Tenda AC18 V15.03.05.19']);
      expect(named('fixed')).toEqual([
        `Tenda AC18 (${lang === 'zh' ? '已安装厂商补丁' : 'with the vendor fix'})`,
      ]);
      expect(named('known_not_affected')).toEqual(['Acme Router <2.0']);
      expect(named('under_investigation')).toEqual(['Foo Gateway']);
      expect(vuln.remediations).toMatchObject([
        { category: 'vendor_fix', url: 'https://tenda.example.com/fix' },
      ]);
      expect(vuln.threats[0]?.category).toBe('impact');
      expect(vuln.threats[0]?.details).toContain('The router does not ship that code');
    }
  });

  it('puts a version range in product_version_range, never in product_version (mandatory test 6.1.31)', () => {
    const doc = toCsaf(
      { vulnerability: published(), history: [], vendorStatuses: [], createdAt: at },
      { publisher, lang: 'en' },
    );
    expect(JSON.stringify(doc.product_tree)).toContain('"category":"product_version_range","name":"<2.0"');
  });

  it('numbers revisions from the record history, each after the one before, the last being the version', async () => {
    const history = [
      { at: '2024-01-01T00:00:00.000Z', change: 'created', source: 'cnvd', sourceKey: 'CNVD-2023-00001' },
      {
        at: '2024-01-05T00:00:00.000Z',
        change: 'updated',
        source: 'cve',
        sourceKey: 'CVE-2023-0001',
        fields: ['cvss'],
      },
      { at: '2024-01-05T00:00:00.000Z', change: 'updated', source: 'kev', sourceKey: 'CVE-2023-0001' },
    ];
    const v = merged(
      cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] }),
      kevRecord('CVE-2023-0001'),
    );
    const doc = toCsaf(
      { vulnerability: v, history, vendorStatuses: [], createdAt: at },
      { publisher, lang: 'en' },
    );
    await expectValid(doc);
    const t = doc.document.tracking as unknown as {
      revision_history: Array<{ date: string; number: string }>;
      version: string;
    };
    expect(t.revision_history.map((r) => r.number)).toEqual(['1', '2', '3']);
    expect(t.version).toBe('3');
    expect(t.revision_history[0]?.date).toBe('2023-01-09T00:00:00.000Z'); // the record's publication
    expect(t.revision_history[2]?.date).toBe('2024-01-05T00:00:00.001Z');
    expect(doc.vulnerabilities[0]?.threats).toMatchObject([{ category: 'exploit_status' }]);
  });
});

const filenames = sharedData('csaf-2.0', 'csaf_2.0', 'test', 'filenames', 'data');
describe.runIf(filenames)('csafFileName (CSAF 2.0 section 5.1)', () => {
  it("gives the OASIS valid examples' file names from their tracking ids, and none of the invalid ones", () => {
    for (const [kind, expected] of [
      ['valid', true],
      ['invalid', false],
    ] as const)
      for (const f of readdirSync(join(filenames ?? '', kind))) {
        const id = (
          JSON.parse(readFileSync(join(filenames ?? '', kind, f), 'utf8')) as {
            document: { tracking: { id: string } };
          }
        ).document.tracking.id;
        expect(csafFileName(id) === f, `${kind} ${f}`).toBe(expected);
      }
  });

  it('keeps + and -, lower-cases, and folds every other run of characters into one _', () => {
    expect(csafFileName('RHSA-2021:5186')).toBe('rhsa-2021_5186.json');
    expect(csafFileName('OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-13')).toBe(
      'oasis_csaf_tc-csaf_2_0-2021-5-1-13.json',
    );
    expect(csafFileName('A+B')).toBe('a+b.json');
  });
});

describe.each(testBackends())('CSAF export from the store on %s', (backend) => {
  it('exports a stored record valid in both languages with its revisions; a rejected record has none', async () => {
    const d = await freshDatabase(backend);
    try {
      await importItems(d, itemsOf([cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] })]), {
        format: 'cnvd-xml',
        paths: [],
      });
      await importItems(d, itemsOf([cveRecord('CVE-2023-0001'), kevRecord('CVE-2023-0001')]), {
        format: 'cve5',
        paths: [],
      });
      await importItems(d, itemsOf([cveRecord('CVE-2023-0009', { state: 'rejected' })]), {
        format: 'cve5',
        paths: [],
      });
      for (const lang of ['zh', 'en'] as const) {
        const doc = await getCsaf(d.db, 'CVE-2023-0001', { publisher, lang });
        await expectValid(doc);
        expect(doc.document.tracking.id).toBe('CNVD-2023-00001');
        expect(doc.document.tracking.version).toBe('2');
      }
      await expect(getCsaf(d.db, 'CVE-2023-0009', { publisher })).rejects.toMatchObject({
        code: 'rejected_record',
      });
    } finally {
      await d.close();
    }
  });

  it('bulk-exports every published record into <tlp>/<year>/<file name> that the CSAF importer reads back', async () => {
    const d = await freshDatabase(backend);
    try {
      await importItems(
        d,
        itemsOf([
          cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] }),
          cnvdRecord('CNVD-2023-00002'),
          cveRecord('CVE-2023-0009', { state: 'rejected' }),
        ]),
        { format: 'cnvd-xml', paths: [] },
      );
      const dir = mkdtempSync(join(tmpdir(), 'csaf-out-'));
      const s = await exportBulk(d.db, directorySink(dir), {
        format: 'csaf',
        csaf: (rows) => csafDocuments(d.db, rows, { publisher }),
      });
      expect(s).toMatchObject({ written: 2, skippedWhy: { 'rejected (no advisory)': 1 } });
      const files = (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.json'))
        .sort();
      expect(files).toEqual(['white/2023/cnvd-2023-00001.json', 'white/2023/cnvd-2023-00002.json']);
      for (const f of files) {
        const text = readFileSync(join(dir, f), 'utf8');
        const doc = JSON.parse(text) as Parameters<typeof csafDirectoryPath>[0];
        await expectValid(doc);
        expect(csafDirectoryPath(doc)).toBe(f);
        expect(csafBytes(doc).toString('utf8')).toBe(text);
        const items = await parseCsafText(text, f, 1);
        expect(items.every((i) => i.ok)).toBe(true);
      }
      const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM vulnerabilities`.execute(d.db);
      expect(n.rows[0]?.n).toBe(3);
    } finally {
      await d.close();
    }
  });
});
