/**
 * A platform advisory as one CSAF 2.0 document (pure). Each record is first written as its own document by
 * the record writer (src/csaf/write.ts `toCsaf`, through csaf/service.ts `csafDocuments`: its products, its
 * vendor statuses, its scores); this module merges those documents:
 *
 * - product_tree: the records' branches merged by vendor (the vendor key the record writer groups by), then by
 *   category and name at every level, so a product that two records name is one product with one id. A leaf and
 *   a branch of the same name stay siblings (a CSAF branch holds either a product or branches, never both).
 *   A product "with the vendor fix" and an unnamed product are the record's own: their names carry the record id
 *   and they are never merged. Product ids are renumbered CSAFPID-0001… in order of appearance; every reference
 *   (statuses, remediations, scores, threats) follows.
 * - vulnerabilities: one entry per record, as the record writer wrote it. Should two records come to carry
 *   the same CVE after publication (publishing refuses it), the later one lists it under `ids` instead
 *   (mandatory test 6.1.23).
 * - document: the advisory's title, summary and TLP, the platform as coordinator, `csaf_vex` when any record
 *   carries vendor statuses (else `csaf_security_advisory`), the highest severity of its records, a self
 *   reference and one reference per record document, the advisory's revisions as revision history.
 */
import { vendorKey } from '../classify/index.js';
import type { CsafDocument, CsafLang, CsafPublisher } from '../csaf/write.js';
import { csafDate } from '../csaf/write.js';
import { PRODUCT_STATUSES } from '../csaf/parse.js';
import type { AdvisoryContent, AdvisoryRevision } from './model.js';

const T = {
  zh: {
    initial: '首次发布',
    revised: (n: number) => `第 ${n} 次修订`,
    summary: '摘要',
    records: (n: number, titles: string) => `本公告涉及 ${n} 个漏洞：${titles}`,
    self: '本文档',
    sep: '；',
    severity: ['低', '中', '高'],
  },
  en: {
    initial: 'Initial version',
    revised: (n: number) => `Revision ${n}`,
    summary: 'Summary',
    records: (n: number, titles: string) =>
      `This advisory covers ${n} ${n === 1 ? 'vulnerability' : 'vulnerabilities'}: ${titles}`,
    self: 'This document',
    sep: '; ',
    severity: ['Low', 'Medium', 'High'],
  },
} as const;

export interface AdvisoryCsafInput {
  publicId: string;
  /** What the last revision published. */
  content: AdvisoryContent;
  revisions: Array<Pick<AdvisoryRevision, 'number' | 'at' | 'summary'>>;
  /** The records' own documents, in the advisory's order and language. */
  records: CsafDocument[];
}

export interface AdvisoryCsafOptions {
  publisher: CsafPublisher;
  lang: CsafLang;
  generatorVersion?: string;
}

type Json = Record<string, unknown>;
interface Product {
  name: string;
  product_id: string;
  product_identification_helper?: Json;
}
interface Branch {
  category: string;
  name: string;
  product?: Product;
  branches?: Branch[];
}

/** Merges the records' product trees, giving each merged product one new id. */
class TreeMerger {
  private n = 0;
  readonly root: Branch[] = [];
  readonly fullProductNames: Product[] = [];
  private readonly index = new WeakMap<Branch[], Map<string, Branch>>();

  private nextId(): string {
    return `CSAFPID-${String(++this.n).padStart(4, '0')}`;
  }

  private keyOf(b: Branch, level: number): string {
    const name = level === 0 && b.category === 'vendor' ? vendorKey(b.name) || b.name : b.name;
    return `${b.category}\u0000${name.trim().toLowerCase()}\u0000${b.product ? 'leaf' : 'node'}`;
  }

  private copyProduct(p: Product, rename: Map<string, string>, suffix: string): Product {
    const id = this.nextId();
    rename.set(p.product_id, id);
    return { ...p, name: `${p.name}${suffix}`, product_id: id };
  }

  /** Merge `from` (one record's branches) into `into`; `own` = product ids that stay the record's own. */
  merge(
    into: Branch[],
    from: Branch[],
    rename: Map<string, string>,
    own: Set<string>,
    recordId: string,
    level = 0,
  ): void {
    let idx = this.index.get(into);
    if (!idx) this.index.set(into, (idx = new Map<string, Branch>()));
    for (const b of from) {
      const isOwn = !!b.product && own.has(b.product.product_id);
      const suffix = isOwn ? ` (${recordId})` : '';
      const src: Branch = { ...b, name: `${b.name}${suffix}` };
      const key = this.keyOf(src, level);
      const found = idx.get(key);
      if (found && b.product && found.product) {
        rename.set(b.product.product_id, found.product.product_id);
        if (!found.product.product_identification_helper && b.product.product_identification_helper)
          found.product.product_identification_helper = b.product.product_identification_helper;
        continue;
      }
      if (found && b.branches && found.branches) {
        this.merge(found.branches, b.branches, rename, own, recordId, level + 1);
        continue;
      }
      const made: Branch = { category: src.category, name: src.name };
      if (b.product) made.product = this.copyProduct(b.product, rename, suffix);
      if (b.branches) {
        made.branches = [];
        this.merge(made.branches, b.branches, rename, own, recordId, level + 1);
      }
      into.push(made);
      idx.set(key, made);
    }
  }

  /** Unnamed products are each record's own. */
  addFullProductNames(list: Product[], rename: Map<string, string>, recordId: string): void {
    for (const p of list) this.fullProductNames.push(this.copyProduct(p, rename, ` (${recordId})`));
  }

  tree(): Json {
    return {
      ...(this.root.length ? { branches: this.root } : {}),
      ...(this.fullProductNames.length ? { full_product_names: this.fullProductNames } : {}),
    };
  }
}

const STATUS_ORDER: readonly string[] = PRODUCT_STATUSES;

/** The record's vulnerability entry with product ids renamed and each list free of repeats. */
function renamedVulnerability(v: Json, rename: Map<string, string>): Json {
  const ids = (list: unknown): string[] =>
    Array.from(new Set((Array.isArray(list) ? (list as string[]) : []).map((id) => rename.get(id) ?? id)));
  const out: Json = { ...v };
  const status = (v.product_status ?? {}) as Record<string, string[]>;
  const seen = new Set<string>();
  const renamedStatus: Record<string, string[]> = {};
  for (const k of [...STATUS_ORDER, ...Object.keys(status).filter((k) => !STATUS_ORDER.includes(k))]) {
    if (!status[k]) continue;
    // two products merged into one keep the first status (they come from one record and one vendor)
    const list = ids(status[k]).filter((id) => (k === 'recommended' ? true : !seen.has(id)));
    if (k !== 'recommended') for (const id of list) seen.add(id);
    if (list.length) renamedStatus[k] = list;
  }
  out.product_status = renamedStatus;
  for (const [field, key] of [
    ['remediations', 'product_ids'],
    ['threats', 'product_ids'],
    ['scores', 'products'],
  ] as const)
    if (Array.isArray(v[field])) out[field] = (v[field] as Json[]).map((x) => ({ ...x, [key]: ids(x[key]) }));
  return out;
}

const pick = (zh: string | null, en: string | null, lang: CsafLang): string | null =>
  lang === 'zh' ? (zh ?? en) : (en ?? zh);

export function toAdvisoryCsaf(input: AdvisoryCsafInput, o: AdvisoryCsafOptions): CsafDocument {
  const { lang, publisher } = o;
  const t = T[lang];
  const c = input.content;
  const merger = new TreeMerger();
  const vulnerabilities: Json[] = [];
  const usedCves = new Set<string>();
  for (const r of input.records) {
    const recordId = r.document.tracking.id;
    const rename = new Map<string, string>();
    const v = r.vulnerabilities[0] ?? {};
    const own = new Set(((v.product_status ?? {}) as Record<string, string[]>).fixed ?? []);
    const tree = r.product_tree as { branches?: Branch[]; full_product_names?: Product[] };
    merger.merge(merger.root, tree.branches ?? [], rename, own, recordId);
    merger.addFullProductNames(tree.full_product_names ?? [], rename, recordId);
    const entry = renamedVulnerability(v, rename);
    const cve = typeof entry.cve === 'string' ? entry.cve : null;
    if (cve && usedCves.has(cve)) {
      delete entry.cve;
      const others = Array.isArray(entry.ids) ? (entry.ids as Json[]) : [];
      entry.ids = [...others, { system_name: 'CVE', text: cve }];
    } else if (cve) usedCves.add(cve);
    vulnerabilities.push(entry);
  }

  const vex = input.records.some((r) => r.document.category === 'csaf_vex');
  const severities = input.records
    .map((r) => (r.document.aggregate_severity as { text?: string } | undefined)?.text)
    .map((s) => (s ? (t.severity as readonly string[]).indexOf(s) : -1));
  const highest = Math.max(-1, ...severities);
  const titles = input.records.map((r) => `${r.document.tracking.id} ${String(r.document.title)}`);
  const summary = pick(c.summaryZh, c.summaryEn, lang) ?? t.records(titles.length, titles.join(t.sep));
  const statusNote = input.records
    .flatMap((r) => (Array.isArray(r.document.notes) ? (r.document.notes as Json[]) : []))
    .find((n) => n.category === 'other');
  const recordRefs = input.records.flatMap((r) => {
    const self = (r.document.references as Json[] | undefined)?.find((x) => x.category === 'self');
    return self
      ? [
          {
            category: 'external',
            summary: `${r.document.tracking.id} ${String(r.document.title)}`,
            url: self.url,
          },
        ]
      : [];
  });

  const history: Array<{ date: string; number: string; summary: string }> = [];
  for (const rev of [...input.revisions].sort((a, b) => a.number - b.number)) {
    const prev = history.at(-1);
    const at = Date.parse(csafDate(rev.at));
    const date = new Date(prev ? Math.max(at, Date.parse(prev.date) + 1) : at).toISOString();
    history.push({
      date,
      number: String(rev.number),
      summary: rev.summary ?? (rev.number === 1 ? t.initial : t.revised(rev.number)),
    });
  }
  const first = history[0];
  const last = history.at(-1);
  if (!first || !last) throw new Error(`advisory ${input.publicId} has no revision`);

  const selfUrl = `${publisher.namespace}/api/v1/advisories/${encodeURIComponent(input.publicId)}/csaf?lang=${lang}`;
  return {
    document: {
      category: vex ? 'csaf_vex' : 'csaf_security_advisory',
      csaf_version: '2.0',
      lang,
      title: pick(c.titleZh, c.titleEn, lang) ?? input.publicId,
      publisher: { category: 'coordinator', name: publisher.name, namespace: publisher.namespace },
      distribution: { tlp: { label: c.tlp, url: 'https://www.first.org/tlp/' } },
      ...(highest >= 0 ? { aggregate_severity: { text: t.severity[highest] } } : {}),
      notes: [{ category: 'summary', title: t.summary, text: summary }, ...(statusNote ? [statusNote] : [])],
      references: [{ category: 'self', summary: t.self, url: selfUrl }, ...recordRefs],
      tracking: {
        id: input.publicId,
        status: 'final',
        version: last.number,
        initial_release_date: first.date,
        current_release_date: last.date,
        revision_history: history,
        generator: {
          engine: { name: 'vulnshare', ...(o.generatorVersion ? { version: o.generatorVersion } : {}) },
        },
      },
    },
    product_tree: merger.tree(),
    vulnerabilities,
  };
}
