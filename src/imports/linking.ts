/**
 * Cross-source linking, as a pure plan over a snapshot of the store.
 *
 * Identity sources (CNVD; later the platform's own submissions) each define one vulnerability.
 * Enrichment sources (CVE, KEV, CSAF) attach to every vulnerability that carries their anchor (a CVE or KEV
 * record's key; a CSAF vulnerability's CVE id) as an alias, or stand alone when none does. When an identity record cites ids that stand alone, it absorbs
 * them. The resulting grouping does not depend on import order:
 *   CNVD-A cites CVE-X, CNVD-B cites CVE-X  →  {CNVD-A, CVE-X}, {CNVD-B, CVE-X} either way round.
 */
import type { SourceKind } from '../vulns/model.js';

/** Sources that define a vulnerability of their own. */
export const IDENTITY_SOURCES: ReadonlySet<SourceKind> = new Set<SourceKind>(['vulnshare', 'cnvd']);

export interface LinkInput {
  srId: number;
  source: SourceKind;
  key: string;
  aliases: string[];
  /** The id an enrichment record attaches by, when not its key (a CSAF vulnerability's CVE id). */
  anchor?: string;
}

export interface StoreSnapshot {
  /** alias → vulnerabilities carrying it (for every alias of the batch). */
  aliasToVulns: Map<string, number[]>;
  /** vulnerability → its identity ('cnvd:CNVD-…') or null when it stands alone. */
  identityOf: Map<number, string | null>;
  /** source record → vulnerabilities it is linked to (for batch records already stored). */
  linksOf: Map<number, number[]>;
  /** enrichment source records by anchor (CVE-X → its cve, kev and csaf records), for ids the batch cites. */
  enrichmentByKey: Map<string, number[]>;
}

export interface LinkPlan {
  links: Array<{ vulnId: number; srId: number }>;
  /** new vulnerabilities and their identity (null = stand-alone). */
  created: Map<number, string | null>;
  /** existing vulnerabilities that gain an identity. */
  identities: Map<number, string>;
  /** stand-alone vulnerabilities merged into another: from → into. */
  absorbed: Map<number, number>;
  /** every vulnerability whose merged record must be recomputed. */
  affected: Set<number>;
}

export function planLinks(batch: LinkInput[], snap: StoreSnapshot, allocateId: () => number): LinkPlan {
  const plan: LinkPlan = {
    links: [],
    created: new Map(),
    identities: new Map(),
    absorbed: new Map(),
    affected: new Set(),
  };
  const aliasTo = new Map(Array.from(snap.aliasToVulns, ([k, v]) => [k, [...v]]));
  const identityOf = new Map(snap.identityOf);
  const linksOf = new Map(Array.from(snap.linksOf, ([k, v]) => [k, [...v]]));
  const enrichment = new Map(Array.from(snap.enrichmentByKey, ([k, v]) => [k, [...v]]));
  const resolve = (v: number) => {
    let x = v;
    while (plan.absorbed.has(x)) x = plan.absorbed.get(x) ?? x;
    return x;
  };
  const vulnsWithAlias = (a: string) => Array.from(new Set((aliasTo.get(a) ?? []).map(resolve)));
  const addAlias = (a: string, v: number) => {
    const l = aliasTo.get(a) ?? [];
    if (!l.includes(v)) l.push(v);
    aliasTo.set(a, l);
  };
  const link = (v: number, sr: number) => {
    const l = linksOf.get(sr) ?? [];
    if (l.map(resolve).includes(v)) return;
    l.push(v);
    linksOf.set(sr, l);
    plan.links.push({ vulnId: v, srId: sr });
    plan.affected.add(v);
  };
  const create = (identity: string | null) => {
    const id = allocateId();
    plan.created.set(id, identity);
    identityOf.set(id, identity);
    plan.affected.add(id);
    return id;
  };

  for (const r of batch) {
    if (IDENTITY_SOURCES.has(r.source)) {
      const identity = `${r.source}:${r.key}`;
      const candidates = Array.from(new Set(r.aliases.flatMap(vulnsWithAlias)));
      const standalone = candidates.filter((v) => identityOf.get(v) === null).sort((a, b) => a - b);
      const already = (linksOf.get(r.srId) ?? []).map(resolve)[0];
      let target: number;
      if (already !== undefined) target = already;
      else if (standalone.length > 0 && standalone[0] !== undefined) target = standalone[0];
      else target = create(identity);
      if (identityOf.get(target) === null) {
        identityOf.set(target, identity);
        if (plan.created.has(target)) plan.created.set(target, identity);
        else plan.identities.set(target, identity);
      }
      for (const v of standalone) {
        if (v === target) continue;
        plan.absorbed.set(v, target);
        plan.affected.delete(v);
      }
      plan.affected.add(target);
      link(target, r.srId);
      for (const a of r.aliases) {
        addAlias(a, target);
        for (const sr of enrichment.get(a) ?? []) link(target, sr);
      }
    } else {
      const anchor = r.anchor ?? r.key;
      let targets = vulnsWithAlias(anchor);
      if (targets.length === 0) targets = [create(null)];
      for (const v of targets) {
        link(v, r.srId);
        for (const a of r.aliases) addAlias(a, v);
      }
      // A changed record already linked (a new revision of a CSAF document, an updated CVE record) re-merges
      // every vulnerability it belongs to: link() adds only new links to the affected set.
      for (const v of [...targets, ...(linksOf.get(r.srId) ?? []).map(resolve)]) plan.affected.add(v);
      const l = enrichment.get(anchor) ?? [];
      if (!l.includes(r.srId)) l.push(r.srId);
      enrichment.set(anchor, l);
    }
  }
  // Links recorded against a vulnerability absorbed later in the batch go to its new home.
  plan.links = plan.links.map((l) => ({ vulnId: resolve(l.vulnId), srId: l.srId }));
  plan.affected = new Set(Array.from(plan.affected, resolve));
  for (const v of plan.absorbed.keys()) plan.created.delete(v);
  return plan;
}
