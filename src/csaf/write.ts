/**
 * A vulnerability as a CSAF 2.0 document (pure). Published by the platform as a coordinator: publisher
 * category `coordinator`, namespace the platform's public URL, tracking id the record's public id (the file
 * name follows from it: names.ts), TLP:WHITE (CSAF 2.0's word for TLP:CLEAR) for a published record.
 * Dates and revision history come from the record: the initial release is its publication date (or, when it
 * has none, when the platform first stored it), then one revision per change in its history (each at least a
 * millisecond after the one before, so the history sorts the same by date and by number).
 *
 * The profile is `csaf_security_advisory`, or `csaf_vex` where vendor statuses are known — the per-vendor
 * state of the notifications of the record's published submission. A VEX states what each vendor says:
 *
 * | notification state                                | product status of the reported versions | also                                              |
 * |---------------------------------------------------|-----------------------------------------|---------------------------------------------------|
 * | fixed                                             | known_affected                          | vendor_fix remediation with the fix link; a product "with the vendor fix" in `fixed` |
 * | disputed                                          | known_not_affected                      | an `impact` threat quoting the vendor's answer (CSAF's impact statement) |
 * | sent, delivered, acknowledged, no_response, undeliverable | under_investigation             | —                                                 |
 *
 * The reported versions stay affected when the vendor fixed them — the fix is a later release or a patch, not
 * those versions — so "fixed" names the product with the vendor's fix, never the versions reported. A vendor
 * is matched to the products of its name; vendors matching none speak for the products no other vendor
 * matches. Where two vendors speak for one product, the most conclusive state wins (fixed, disputed,
 * then the rest). The advisory's statement (no vendor statuses) is `known_affected` for every product, the
 * platform's verification, with the record's solution as a vendor_fix (or none_available).
 */
import { weaknesses as CWE_CATALOGUE } from '@secvisogram/csaf-validator-lib/cwe.js';
import { vendorKey } from '../classify/index.js';
import type { AffectedProduct, Cvss, Vulnerability } from '../vulns/model.js';
import { idScheme } from '../vulns/ids.js';
import { cleanUrl, cveIdsOf, generatedDescription } from '../vulns/export-cve5.js';

export type CsafLang = 'zh' | 'en';
export type CsafDocument = Record<string, unknown> & {
  document: Record<string, unknown> & {
    category: string;
    tracking: Record<string, unknown> & {
      id: string;
      initial_release_date: string;
      current_release_date: string;
      version: string;
    };
    distribution: { tlp: { label: string; url?: string } };
  };
  product_tree: Record<string, unknown>;
  vulnerabilities: Array<Record<string, unknown>>;
};

export interface CsafPublisher {
  name: string;
  /** The platform's public URL (VULNSHARE_PUBLIC_URL). */
  namespace: string;
}

export interface CsafHistoryEntry {
  at: string;
  change: string;
  source: string | null;
  sourceKey: string | null;
  fields?: string[];
}

/** One vendor notification of the record's published submission. */
export interface CsafVendorStatus {
  organisation: string;
  organisationEn?: string | null;
  state: string;
  fixUrl: string | null;
  answer: string | null;
  /** When the notification last changed (RFC 3339). */
  at: string;
}

export interface CsafInput {
  vulnerability: Vulnerability;
  /** The record's history, oldest first. */
  history: CsafHistoryEntry[];
  vendorStatuses: CsafVendorStatus[];
  /** When the platform first stored the record (RFC 3339). */
  createdAt: string;
}

type VexState = 'fixed' | 'disputed' | 'under_investigation';
const vexState = (state: string): VexState =>
  state === 'fixed' ? 'fixed' : state === 'disputed' ? 'disputed' : 'under_investigation';
const CONCLUSIVE: VexState[] = ['fixed', 'disputed', 'under_investigation'];

const T = {
  zh: {
    unknownVendor: '未列明厂商',
    unnamed: '未列明的产品（见漏洞描述）',
    withFix: '已安装厂商补丁',
    initial: '首次发布',
    updated: (s: string) => `记录更新${s}`,
    merged: '与另一条记录合并',
    noFix: '平台暂未获知修复方案。',
    fixDefault: '厂商已发布修复程序，请参阅链接。',
    fixedBy: (who: string, answer: string | null) => `${who}已修复该漏洞${answer ? `：${answer}` : '。'}`,
    disputed: (who: string, answer: string | null) =>
      `${who}对该漏洞提出异议${answer ? `：${answer}` : '。'}`,
    exploited: (src: string, d: string) => `已被利用：${d} 列入 ${src}。`,
    summary: '摘要',
    self: '本文档',
    statusNote: '产品状态说明',
    statusText:
      '本 VEX 文档记载各厂商对本平台通报的答复：已修复 → 已报告版本仍为受影响（known_affected），厂商补丁后的产品为已修复（fixed）；有异议 → 不受影响（known_not_affected），附厂商答复；其余（已通报、已确认、未答复）→ 调查中（under_investigation）。',
    severity: { high: '高', medium: '中', low: '低' },
  },
  en: {
    unknownVendor: 'Unnamed vendor',
    unnamed: 'Unnamed product (see the vulnerability description)',
    withFix: 'with the vendor fix',
    initial: 'Initial version',
    updated: (s: string) => `Record updated${s}`,
    merged: 'Merged with another record',
    noFix: 'No fix is known to the platform.',
    fixDefault: 'The vendor has released a fix; see the link.',
    fixedBy: (who: string, answer: string | null) =>
      `${who} states the vulnerability is fixed${answer ? `: ${answer}` : '.'}`,
    disputed: (who: string, answer: string | null) =>
      `${who} disputes the report${answer ? `: ${answer}` : '.'}`,
    exploited: (src: string, d: string) => `Known to be exploited: listed in ${src} on ${d}.`,
    summary: 'Summary',
    self: 'This document',
    statusNote: 'Product statuses',
    statusText:
      "This VEX document states each vendor's answer to the platform's notification: fixed → the reported versions stay known_affected and the product with the vendor fix is fixed; disputed → known_not_affected, with the vendor's answer; otherwise (notified, acknowledged, no answer yet) → under_investigation.",
    severity: { high: 'High', medium: 'Medium', low: 'Low' },
  },
} as const;

/** A date or date-time as CSAF's date-time (UTC, milliseconds). */
export function csafDate(d: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(d) ? Date.parse(`${d}T00:00:00Z`) : Date.parse(d);
  return new Date(Number.isNaN(t) ? 0 : t).toISOString();
}

/** Version strings that state a range go to product_version_range (mandatory test 6.1.31). */
const RANGE =
  /[<>≤≥*~,，;；]|\s-\s|\b(after|all|before|earlier|later|prior|versions|through|and|or|up|to|since|from)\b|以前|之前|以下|以上|以后|之后|至|及/i;
export const isVersionRange = (v: string): boolean => RANGE.test(v);

const CWE_NAMES = new Map(CWE_CATALOGUE.map((w) => [w.id, w.name]));

function cvssBand(score: number): string {
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

/** One CVSS v3 and one v2 score (mandatory test 6.1.7: one per version and product), the first given. */
function scoresOf(cvss: Cvss[], products: string[]): Array<Record<string, unknown>> {
  const v3 = cvss.find((c) => c.version === '3.1') ?? cvss.find((c) => c.version === '3.0');
  const v2 = cvss.find((c) => c.version === '2.0');
  const out: Array<Record<string, unknown>> = [];
  if (v3)
    out.push({
      products,
      cvss_v3: {
        version: v3.version,
        vectorString: v3.vector,
        baseScore: v3.baseScore,
        baseSeverity: cvssBand(v3.baseScore),
      },
    });
  if (v2)
    out.push({
      products,
      cvss_v2: {
        version: '2.0',
        vectorString: v2.vector.replace(/^CVSS:2\.0\//, ''),
        baseScore: v2.baseScore,
      },
    });
  return out;
}

interface TreeProduct {
  /** The record's product it belongs to. */
  index: number;
  id: string;
}

/** Branches for the record's products; ids of the reported versions and of the "with the vendor fix" products. */
function productTree(
  products: AffectedProduct[],
  lang: CsafLang,
  withFix: Set<number>,
): { tree: Record<string, unknown>; reported: TreeProduct[]; fixed: TreeProduct[] } {
  const t = T[lang];
  let n = 0;
  const nextId = () => `CSAFPID-${String(++n).padStart(4, '0')}`;
  const reported: TreeProduct[] = [];
  const fixed: TreeProduct[] = [];
  if (products.length === 0) {
    const id = nextId();
    reported.push({ index: 0, id });
    return { tree: { full_product_names: [{ name: t.unnamed, product_id: id }] }, reported, fixed };
  }
  const vendors = new Map<string, { name: string; branches: Array<Record<string, unknown>> }>();
  products.forEach((p, index) => {
    const vendor = p.vendor.trim() || t.unknownVendor;
    const product = p.product.trim() || p.raw?.trim() || t.unnamed;
    const helperFor = (version?: string): Record<string, unknown> | undefined => {
      const cpe = (p.cpes ?? []).find((c) =>
        version ? c.split(':')[5] === version : (p.cpes ?? []).length === 1,
      );
      const purl = (p.purls ?? []).find((u) =>
        version ? u.endsWith(`@${version}`) : (p.purls ?? []).length === 1,
      );
      const h = { ...(cpe && CPE.test(cpe) ? { cpe } : {}), ...(purl ? { purl } : {}) };
      return Object.keys(h).length ? h : undefined;
    };
    const leaf = (name: string, version?: string) => {
      const id = nextId();
      const helper = helperFor(version);
      return {
        id,
        product: { name, product_id: id, ...(helper ? { product_identification_helper: helper } : {}) },
      };
    };
    const full = `${vendor === t.unknownVendor ? '' : `${vendor} `}${product}`;
    const productBranch: Record<string, unknown> = { category: 'product_name', name: product };
    const children: Array<Record<string, unknown>> = [];
    const versions = Array.from(new Set(p.versions.map((v) => v.trim()).filter(Boolean)));
    if (versions.length === 0) {
      const l = leaf(full);
      productBranch.product = l.product;
      reported.push({ index, id: l.id });
    } else
      for (const v of versions) {
        const l = leaf(`${full} ${v}`, v);
        children.push({
          category: isVersionRange(v) ? 'product_version_range' : 'product_version',
          name: v,
          product: l.product,
        });
        reported.push({ index, id: l.id });
      }
    let sibling: Record<string, unknown> | null = null;
    if (withFix.has(index)) {
      const l = leaf(`${full} (${t.withFix})`);
      // a branch holds a product or branches, never both: beside an unversioned product the fix is a sibling
      if (productBranch.product)
        sibling = { category: 'product_name', name: `${product} (${t.withFix})`, product: l.product };
      else children.push({ category: 'product_version', name: t.withFix, product: l.product });
      fixed.push({ index, id: l.id });
    }
    if (children.length) productBranch.branches = children;
    const k = vendorKey(vendor) || vendor;
    const entry = vendors.get(k) ?? { name: vendor, branches: [] };
    entry.branches.push(productBranch);
    if (sibling) entry.branches.push(sibling);
    vendors.set(k, entry);
  });
  return {
    tree: {
      branches: Array.from(vendors.values()).map((v) => ({
        category: 'vendor',
        name: v.name,
        branches: v.branches,
      })),
    },
    reported,
    fixed,
  };
}

/** The schema's CPE pattern (2.2 URI or 2.3 formatted string), so a malformed CPE of a source is left out. */
const CPE =
  /^(cpe:2\.3:[aho*-](:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@[\]^`{|}~]))+(\?*|\*?))|[*-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[*-]))(:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@[\]^`{|}~]))+(\?*|\*?))|[*-])){4})|([c][pP][eE]:\/[AHOaho]?(:[A-Za-z0-9._\-~%]*){0,6})$/;

/** Which vendor status speaks for each of the record's products (see the module comment). */
function statusesByProduct(
  products: AffectedProduct[],
  statuses: CsafVendorStatus[],
): Map<number, CsafVendorStatus> {
  const out = new Map<number, CsafVendorStatus>();
  const better = (a: CsafVendorStatus | undefined, b: CsafVendorStatus) =>
    !a || CONCLUSIVE.indexOf(vexState(b.state)) < CONCLUSIVE.indexOf(vexState(a.state)) ? b : a;
  const keys = (s: CsafVendorStatus) =>
    [s.organisation, s.organisationEn ?? ''].filter(Boolean).map(vendorKey);
  const matched = new Set<CsafVendorStatus>();
  const count = Math.max(products.length, 1);
  for (let i = 0; i < count; i++) {
    const vk = products[i] ? vendorKey(products[i]?.vendor ?? '') : '';
    for (const s of statuses)
      if (vk && keys(s).includes(vk)) {
        out.set(i, better(out.get(i), s));
        matched.add(s);
      }
  }
  const rest = statuses.filter((s) => !matched.has(s));
  for (let i = 0; i < count; i++) if (!out.has(i)) for (const s of rest) out.set(i, better(out.get(i), s));
  return out;
}

const pick = (o: { zh?: string; en?: string }, lang: CsafLang) => o[lang] ?? o[lang === 'zh' ? 'en' : 'zh'];

function revisionHistory(input: CsafInput, lang: CsafLang) {
  const t = T[lang];
  const v = input.vulnerability;
  const first = input.history[0]?.at ?? input.createdAt;
  const published = v.dates.published ? csafDate(v.dates.published) : null;
  const initial = published && published <= csafDate(first) ? published : csafDate(first);
  const entries: Array<{ date: string; number: string; summary: string }> = [
    { date: initial, number: '1', summary: t.initial },
  ];
  for (const h of input.history.slice(1)) {
    const prev = Date.parse(entries.at(-1)?.date ?? initial);
    const date = new Date(Math.max(Date.parse(csafDate(h.at)), prev + 1)).toISOString();
    const by = h.source ? ` (${h.source}${h.sourceKey ? ` ${h.sourceKey}` : ''})` : '';
    const fields = h.fields?.length ? `: ${h.fields.join(', ')}` : '';
    entries.push({
      date,
      number: String(entries.length + 1),
      summary: h.change === 'merged' ? t.merged : t.updated(`${by}${fields}`),
    });
  }
  return entries;
}

export interface CsafOptions {
  publisher: CsafPublisher;
  lang: CsafLang;
  /** Version of the generator, for document.tracking.generator. */
  generatorVersion?: string;
}

export function toCsaf(input: CsafInput, o: CsafOptions): CsafDocument {
  const v = input.vulnerability;
  const { lang } = o;
  const t = T[lang];
  const vex = input.vendorStatuses.length > 0;
  const byProduct = vex
    ? statusesByProduct(v.products, input.vendorStatuses)
    : new Map<number, CsafVendorStatus>();
  const withFix = new Set(
    Array.from(byProduct)
      .filter(([, s]) => vexState(s.state) === 'fixed')
      .map(([i]) => i),
  );
  const { tree, reported, fixed } = productTree(v.products, lang, withFix);
  const allIds = [...reported, ...fixed].map((p) => p.id);

  const title = pick(v.title, lang) ?? v.id;
  const description =
    (lang === 'en' && !v.description.en && v.description.zh
      ? generatedDescription(
          v,
          v.sources.map((s) => s.key),
        )
      : pick(v.description, lang)) ?? title;
  const history = revisionHistory(input, lang);
  const last = history.at(-1) ?? history[0];

  const cves = cveIdsOf(v);
  const cve = cves[0];
  const ids = v.aliases
    .filter((a) => a !== cve)
    .map((a) => ({
      system_name: a.startsWith('VS-') ? o.publisher.name : (idScheme(a) ?? a.split('-')[0] ?? a),
      text: a,
    }));
  const cwe = v.weaknesses.map((w) => w.cwe).find((c): c is string => !!c && CWE_NAMES.has(c));
  const references = v.references
    .map((r) => ({ r, url: cleanUrl(r.url) }))
    .filter((x): x is { r: (typeof v.references)[number]; url: string } => !!x.url)
    .map(({ r, url }) => ({ category: 'external', summary: r.name ?? url, url }));
  const fixUrl = v.patch?.url ? cleanUrl(v.patch.url) : null;

  const productStatus: Record<string, string[]> = {};
  const add = (k: string, id: string) => (productStatus[k] = [...(productStatus[k] ?? []), id]);
  const remediations: Array<Record<string, unknown>> = [];
  const threats: Array<Record<string, unknown>> = [];
  if (!vex) {
    for (const p of reported) add('known_affected', p.id);
    const ids = reported.map((p) => p.id);
    remediations.push(
      v.solution || fixUrl
        ? {
            category: 'vendor_fix',
            details: v.solution ?? v.patch?.description ?? t.fixDefault,
            ...(fixUrl ? { url: fixUrl } : {}),
            product_ids: ids,
          }
        : { category: 'none_available', details: t.noFix, product_ids: ids },
    );
  } else {
    const groups = new Map<CsafVendorStatus, TreeProduct[]>();
    for (const p of reported) {
      const s = byProduct.get(p.index);
      if (!s) continue;
      groups.set(s, [...(groups.get(s) ?? []), p]);
    }
    for (const [s, ps] of groups) {
      const who = (lang === 'en' ? s.organisationEn : null) ?? s.organisation;
      const ids = ps.map((p) => p.id);
      switch (vexState(s.state)) {
        case 'fixed': {
          for (const id of ids) add('known_affected', id);
          const url = s.fixUrl ? cleanUrl(s.fixUrl) : fixUrl;
          remediations.push({
            category: 'vendor_fix',
            details: t.fixedBy(who, s.answer),
            date: csafDate(s.at),
            ...(url ? { url } : {}),
            product_ids: ids,
          });
          for (const f of fixed.filter((f) => ps.some((p) => p.index === f.index))) add('fixed', f.id);
          break;
        }
        case 'disputed':
          for (const id of ids) add('known_not_affected', id);
          threats.push({
            category: 'impact',
            details: t.disputed(who, s.answer),
            date: csafDate(s.at),
            product_ids: ids,
          });
          break;
        case 'under_investigation':
          for (const id of ids) add('under_investigation', id);
          break;
      }
    }
  }
  if (v.exploited)
    threats.push({
      category: 'exploit_status',
      details: t.exploited(v.exploited.source, v.exploited.dateAdded),
      date: csafDate(v.exploited.dateAdded),
      product_ids: allIds,
    });

  const vulnerability: Record<string, unknown> = {
    ...(cve ? { cve } : {}),
    ...(ids.length ? { ids } : {}),
    ...(cwe ? { cwe: { id: cwe, name: CWE_NAMES.get(cwe) } } : {}),
    notes: [{ category: 'description', title, text: description }],
    ...(v.dates.published ? { release_date: csafDate(v.dates.published) } : {}),
    ...(v.credits.length ? { acknowledgments: [{ names: v.credits }] } : {}),
    product_status: productStatus,
    ...(remediations.length ? { remediations } : {}),
    ...(v.cvss.length && scoresOf(v.cvss, allIds).length ? { scores: scoresOf(v.cvss, allIds) } : {}),
    ...(threats.length ? { threats } : {}),
    ...(references.length ? { references } : {}),
    title,
  };

  const selfUrl = `${o.publisher.namespace}/api/v1/vulnerabilities/${encodeURIComponent(v.id)}/csaf?lang=${lang}`;
  return {
    document: {
      category: vex ? 'csaf_vex' : 'csaf_security_advisory',
      csaf_version: '2.0',
      lang,
      title,
      publisher: { category: 'coordinator', name: o.publisher.name, namespace: o.publisher.namespace },
      distribution: { tlp: { label: 'WHITE', url: 'https://www.first.org/tlp/' } },
      ...(v.severity ? { aggregate_severity: { text: t.severity[v.severity] } } : {}),
      notes: [
        { category: 'summary', title: t.summary, text: description },
        ...(vex ? [{ category: 'other', title: t.statusNote, text: t.statusText }] : []),
      ],
      references: [{ category: 'self', summary: t.self, url: selfUrl }],
      tracking: {
        id: v.id,
        status: 'final',
        version: last?.number ?? '1',
        initial_release_date: history[0]?.date ?? csafDate(input.createdAt),
        current_release_date: last?.date ?? csafDate(input.createdAt),
        revision_history: history,
        generator: {
          engine: { name: 'vulnshare', ...(o.generatorVersion ? { version: o.generatorVersion } : {}) },
        },
      },
    },
    product_tree: tree,
    vulnerabilities: [vulnerability],
  };
}
