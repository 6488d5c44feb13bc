import { describe, expect, it } from 'vitest';
import { describeProblem, validateCsaf } from '../csaf/validate.js';
import { toCsaf, type CsafVendorStatus } from '../csaf/write.js';
import { prepareRecord } from '../imports/prepare.js';
import { mergeVulnerability } from '../vulns/merge.js';
import type { SourceRecord, Vulnerability } from '../vulns/model.js';
import { cnvdRecord, cveRecord } from '../test-support/factories.js';
import { toAdvisoryCsaf } from './csaf.js';
import type { AdvisoryContent } from './model.js';

const publisher = { name: 'vulnshare', namespace: 'https://vulnshare.example.org' };
const at = '2024-02-01T00:00:00.000Z';
const merged = (...recs: SourceRecord[]): Vulnerability =>
  mergeVulnerability(recs.map((r) => prepareRecord(r, 'test').prepared));
const recordDoc = (v: Vulnerability, statuses: CsafVendorStatus[] = [], lang: 'zh' | 'en' = 'en') =>
  toCsaf({ vulnerability: v, history: [], vendorStatuses: statuses, createdAt: at }, { publisher, lang });
const content: AdvisoryContent = {
  titleZh: '腾达路由器漏洞',
  titleEn: 'Tenda routers',
  summaryZh: null,
  summaryEn: 'Two overflows.',
  tlp: 'WHITE',
  vulnerabilityIds: [],
};
const fixedBy = (organisation: string): CsafVendorStatus => ({
  organisation,
  state: 'fixed',
  fixUrl: 'https://vendor.example/fix',
  answer: null,
  at,
});

async function expectValid(doc: unknown) {
  expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
}
function names(tree: unknown): Map<string, string> {
  const out = new Map<string, string>();
  JSON.stringify(tree, (_k, x: unknown) => {
    const p = x as { product_id?: string; name?: string } | null;
    if (p && typeof p === 'object' && typeof p.product_id === 'string' && p.name) {
      expect(out.has(p.product_id), `${p.product_id} defined twice`).toBe(false);
      out.set(p.product_id, p.name);
    }
    return x;
  });
  return out;
}

describe('an advisory as one CSAF document', () => {
  it('writes a fixed product beside an unversioned one as its own branch, valid in the strict schema (write.ts)', async () => {
    const v = merged(
      cnvdRecord('VS-2024-00001', {
        source: 'vulnshare',
        products: [{ vendor: 'D-Link', product: 'DIR-823G', versions: [] }],
      }),
    );
    const doc = recordDoc(v, [fixedBy('D-Link')]);
    await expectValid(doc);
    expect(JSON.stringify(doc.product_tree)).toContain(
      '"category":"product_name","name":"DIR-823G (with the vendor fix)"',
    );
  });

  it("merges the records' products into one tree: a product two records name has one id, a fixed product stays the record's own", async () => {
    const a = merged(
      cnvdRecord('CNVD-2024-00001', {
        aliases: ['CVE-2024-0001'],
        products: [{ vendor: 'Tenda', product: 'AC18', versions: ['15.03.05.19'] }],
      }),
    );
    const b = merged(
      cveRecord('CVE-2024-0002', {
        products: [{ vendor: 'TENDA', product: 'AC18', versions: ['15.03.05.19', '16.0'] }],
      }),
    );
    const c = merged(cnvdRecord('CNVD-2024-00003', { products: [] }));
    for (const lang of ['zh', 'en'] as const) {
      const doc = toAdvisoryCsaf(
        {
          publicId: 'VS-SA-2024-0001',
          content,
          revisions: [{ number: 1, at, summary: null }],
          records: [recordDoc(a, [fixedBy('Tenda')], lang), recordDoc(b, [], lang), recordDoc(c, [], lang)],
        },
        { publisher, lang },
      );
      await expectValid(doc);
      expect(doc.document).toMatchObject({
        category: 'csaf_vex',
        title: lang === 'zh' ? '腾达路由器漏洞' : 'Tenda routers',
        tracking: { id: 'VS-SA-2024-0001', version: '1' },
      });
      const n = names(doc.product_tree);
      const status = doc.vulnerabilities.map((v) => v.product_status as Record<string, string[]>);
      const shared = status[0]?.known_affected?.[0] ?? '';
      expect(n.get(shared)).toBe('Tenda AC18 15.03.05.19');
      expect(status[1]?.known_affected).toContain(shared); // the same product, the same id
      expect(status[1]?.known_affected).toHaveLength(2);
      expect(n.get(status[0]?.fixed?.[0] ?? '')).toMatch(/\(CNVD-2024-00001\)$/);
      expect(n.get(status[2]?.known_affected?.[0] ?? '')).toMatch(/\(CNVD-2024-00003\)$/); // unnamed: its own
      expect((doc.product_tree.branches as Array<{ name: string }>).map((x) => x.name)).toEqual(['Tenda']);
      expect(doc.vulnerabilities.map((v) => v.cve ?? null)).toEqual(['CVE-2024-0001', 'CVE-2024-0002', null]);
    }
  });

  it('lists a CVE a second record came to carry under ids (mandatory test 6.1.23) and numbers revisions in order', async () => {
    const a = merged(cnvdRecord('CNVD-2024-00001', { aliases: ['CVE-2024-0001'] }));
    const b = merged(cnvdRecord('CNVD-2024-00002', { aliases: ['CVE-2024-0001'] }));
    const doc = toAdvisoryCsaf(
      {
        publicId: 'VS-SA-2024-0002',
        content: { ...content, tlp: 'AMBER' },
        revisions: [
          { number: 2, at, summary: 'one more record' },
          { number: 1, at, summary: null },
        ],
        records: [recordDoc(a), recordDoc(b)],
      },
      { publisher, lang: 'en' },
    );
    await expectValid(doc);
    expect(doc.document.category).toBe('csaf_security_advisory');
    expect(doc.document.distribution.tlp.label).toBe('AMBER');
    expect(doc.vulnerabilities[1]?.cve).toBeUndefined();
    expect(doc.vulnerabilities[1]?.ids).toContainEqual({ system_name: 'CVE', text: 'CVE-2024-0001' });
    const t = doc.document.tracking as unknown as {
      version: string;
      revision_history: Array<Record<string, string>>;
    };
    expect(t.version).toBe('2');
    expect(t.revision_history).toEqual([
      { date: at, number: '1', summary: 'Initial version' },
      { date: '2024-02-01T00:00:00.001Z', number: '2', summary: 'one more record' },
    ]);
  });
});
