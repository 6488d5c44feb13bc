/**
 * Published records as they travel between peers, and back into a source record at the receiver. The feed
 * carries the merged record exactly as the sender's API serves it (vulns/model Vulnerability: ids and
 * aliases, CVSS vectors with their scores, classification, products, weaknesses, exploitation, dates,
 * references, credits, the sender's own sources). The receiver turns it into one source record
 * (`peer:<name>`, keyed by the sender's public id) and writes it through the import pipeline like any other.
 */
import type { SourceKind, SourceRecord, Vulnerability } from '../vulns/model.js';
import type { AcceptPolicy, PolicyItem } from './policy.js';

/** One entry of a change feed page. */
export interface FeedEntry {
  /** the sender's change sequence of this version of the record */
  seq: string;
  record: Vulnerability;
}

/** The source a peer's records are stored under. */
export function peerSource(peer: string): SourceKind {
  // Source kinds are a closed list in vulns/model.ts; a peer source ranks after every listed one in the merge
  // priority tables (merge.ts ranks an unknown source last), which is what a relayed record should do.
  return `peer:${peer}` as SourceKind;
}

/** What a policy decides about a published record: kind record, TLP:CLEAR, not embargoed. */
export function recordItem(v: Pick<Vulnerability, 'vendors' | 'industries' | 'products'>): PolicyItem {
  const vendors = v.vendors.length ? v.vendors : v.products.map((p) => p.vendor);
  return { kind: 'record', tlp: 'clear', embargoed: false, sectors: [...v.industries], vendors };
}

/** The sender's record as our source record: its id is the key and stays an alias. */
export function toSourceRecord(peer: string, v: Vulnerability, accept: AcceptPolicy): SourceRecord {
  const r: SourceRecord = {
    source: peerSource(peer),
    key: v.id,
    aliases: Array.from(new Set([v.id, ...v.aliases])),
    state: v.state,
    products: v.products,
    weaknesses: v.weaknesses,
    cvss: v.cvss.map((c) => ({ vector: c.vector, ...(c.provider ? { provider: c.provider } : {}) })),
    dates: v.dates,
    references: v.references,
    credits: v.credits,
    pocAvailable: v.pocAvailable,
    raw: JSON.stringify(v),
  };
  // a CVE-carrying record attaches to what we hold under that CVE (as a CVE record would), else stands alone
  const cve = v.aliases.find((a) => /^CVE-\d{4}-\d+$/.test(a));
  if (cve && cve !== v.id) r.anchor = cve;
  if (v.title.zh) r.titleZh = v.title.zh;
  if (v.title.en) r.titleEn = v.title.en;
  if (v.description.zh) r.descriptionZh = v.description.zh;
  if (v.description.en) r.descriptionEn = v.description.en;
  if (v.solution) r.solution = v.solution;
  if (v.patch) r.patch = v.patch;
  if (v.exploited) r.exploited = v.exploited;
  if (v.zeroDay !== null) r.zeroDay = v.zeroDay;
  if (accept.overrideSeverity && v.severity) r.severity = v.severity;
  if (accept.overrideClassification) {
    if (v.objectType) r.objectType = v.objectType;
    if (v.industries.length) r.industries = v.industries;
    r.kind = v.kind;
  }
  if (v.ssvc) r.extra = { ssvc: v.ssvc };
  return r;
}
