/**
 * One vulnerability from every source record linked to it. Pure and order-independent: the same set
 * of records gives the same result whichever was imported first. Which source wins a field is data.
 */
import { primaryCvss, severityFromScore } from '../cvss/bands.js';
import { vendorKey } from '../classify/index.js';
import type {
  AffectedProduct,
  Cvss,
  PreparedRecord,
  Reference,
  SourceKind,
  SourceRef,
  Vulnerability,
  Weakness,
} from './model.js';
import { idScheme } from './ids.js';

/** Which source is trusted first, per field. An analyst may reorder. */
export const FIELD_PRIORITY: Record<
  'zh' | 'en' | 'products' | 'classification' | 'severity' | 'disposal' | 'published',
  SourceKind[]
> = {
  zh: ['vulnshare', 'cnvd', 'cve', 'csaf', 'kev'],
  en: ['cve', 'csaf', 'kev', 'vulnshare', 'cnvd'],
  products: ['vulnshare', 'cnvd', 'cve', 'csaf', 'kev'],
  classification: ['vulnshare', 'cnvd', 'cve', 'csaf', 'kev'],
  /** Sources whose stated severity word outranks a score band (CNVD rates its own records). */
  severity: ['vulnshare', 'cnvd'],
  /** A CSAF document's remediations (the vendor's fix and its link) before a CVE record's solutions. */
  disposal: ['vulnshare', 'cnvd', 'csaf', 'cve', 'kev'],
  published: ['vulnshare', 'cnvd', 'cve', 'csaf', 'kev'],
};

/** Which alias becomes the public id. */
export const ID_PREFERENCE = ['VS', 'CNVD', 'CVE', 'GHSA', 'CNNVD', 'BID'];

function ordered(records: PreparedRecord[], order: SourceKind[]): PreparedRecord[] {
  const rank = (s: SourceKind) => {
    const i = order.indexOf(s);
    return i < 0 ? order.length : i;
  };
  return [...records].sort((a, b) => rank(a.source) - rank(b.source) || a.key.localeCompare(b.key));
}

function firstOf<T>(
  records: PreparedRecord[],
  order: SourceKind[],
  pick: (r: PreparedRecord) => T | undefined | null,
): T | undefined {
  for (const r of ordered(records, order)) {
    const v = pick(r);
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) return v;
  }
  return undefined;
}

const minDate = (ds: Array<string | undefined>) => ds.filter((d): d is string => !!d).sort()[0];
const maxDate = (ds: Array<string | undefined>) =>
  ds
    .filter((d): d is string => !!d)
    .sort()
    .at(-1);

export function publicIdOf(aliases: string[]): string {
  const rank = (id: string) => {
    const s = idScheme(id) ?? id.split('-')[0] ?? '';
    const i = ID_PREFERENCE.indexOf(s);
    return i < 0 ? ID_PREFERENCE.length : i;
  };
  const sorted = [...aliases].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return sorted[0] ?? '';
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function mergeVulnerability(input: PreparedRecord[]): Vulnerability {
  if (input.length === 0) throw new Error('mergeVulnerability needs at least one record');
  const records = ordered(input, FIELD_PRIORITY.classification);
  const published = records.filter((r) => r.state === 'published');
  const live = published.length > 0 ? published : records;

  const aliases = Array.from(new Set(records.flatMap((r) => r.aliases))).sort();
  const cvss: Cvss[] = uniqueBy(
    live.flatMap((r) => r.scored),
    (c) => `${c.vector}|${c.provider ?? ''}`,
  );
  const primary = primaryCvss(cvss);
  const stated = firstOf(live, FIELD_PRIORITY.severity, (r) =>
    FIELD_PRIORITY.severity.includes(r.source) ? r.severity : undefined,
  );
  const anyStated = firstOf(live, FIELD_PRIORITY.classification, (r) => r.severity);
  let severity: Vulnerability['severity'] = null;
  let severitySource: string | null = null;
  if (stated) {
    severity = stated;
    severitySource =
      ordered(live, FIELD_PRIORITY.severity).find((r) => r.severity === stated)?.source ?? null;
  } else if (primary) {
    severity = severityFromScore(primary.baseScore);
    severitySource = `cvss:${primary.version}`;
  } else if (anyStated) {
    severity = anyStated;
    severitySource = live.find((r) => r.severity === anyStated)?.source ?? null;
  }

  const products: AffectedProduct[] = firstOf(live, FIELD_PRIORITY.products, (r) => r.products) ?? [];
  const cpes = uniqueBy(
    live.flatMap((r) => r.products.flatMap((p) => p.cpes ?? [])),
    (c) => c,
  );
  const productsWithCpe =
    cpes.length > 0 && products.every((p) => !p.cpes || p.cpes.length === 0) && products.length > 0
      ? products.map((p, i) => (i === 0 ? { ...p, cpes } : p))
      : products;

  // A weakness a source states comes before one the platform inferred (the same CWE keeps the stater).
  const all = live.flatMap((r) => r.weaknesses);
  const weaknesses: Weakness[] = uniqueBy(
    [...all.filter((w) => w.source !== 'inferred'), ...all.filter((w) => w.source === 'inferred')],
    (w) => w.cwe ?? `name:${w.nameZh ?? w.nameEn ?? ''}`,
  );
  // A named-only weakness (未明) is dropped when a source gives a real CWE; an inferred CWE is dropped
  // when a source states one.
  const hasCwe = weaknesses.some((w) => w.cwe);
  const hasStatedCwe = weaknesses.some((w) => w.cwe && w.source !== 'inferred');
  const finalWeaknesses = weaknesses.filter(
    (w) => (!hasCwe || w.cwe) && (!hasStatedCwe || w.source !== 'inferred'),
  );

  const exploited = firstOf(live, ['kev', 'cve', 'cnvd'], (r) => r.exploited) ?? null;
  const references: Reference[] = uniqueBy(
    live.flatMap((r) => r.references),
    (r) => r.url,
  );
  const sources: SourceRef[] = records.map((r) => ({ source: r.source, key: r.key, state: r.state }));
  const patch = firstOf(live, FIELD_PRIORITY.disposal, (r) => r.patch) ?? null;
  const ssvc = firstOf(
    live,
    ['cve'],
    (r) => (r.extra?.ssvc as Record<string, unknown> | undefined) ?? undefined,
  );

  const pubDate = firstOf(live, FIELD_PRIORITY.published, (r) => r.dates.published);
  const vuln: Vulnerability = {
    id: publicIdOf(aliases),
    aliases,
    state: published.length > 0 ? 'published' : 'rejected',
    title: {
      zh: firstOf(live, FIELD_PRIORITY.zh, (r) => r.titleZh),
      en: firstOf(live, FIELD_PRIORITY.en, (r) => r.titleEn),
    },
    description: {
      zh: firstOf(live, FIELD_PRIORITY.zh, (r) => r.descriptionZh),
      en: firstOf(live, FIELD_PRIORITY.en, (r) => r.descriptionEn),
    },
    products: productsWithCpe,
    vendors: uniqueBy(productsWithCpe.map((p) => p.vendor).filter(Boolean), (v) => vendorKey(v)),
    objectType: firstOf(live, FIELD_PRIORITY.classification, (r) => r.objectType) ?? null,
    industries: firstOf(live, FIELD_PRIORITY.classification, (r) => r.industries) ?? [],
    weaknesses: finalWeaknesses,
    cvss,
    score: primary?.baseScore ?? null,
    scoreVersion: primary?.version ?? null,
    severity,
    severitySource,
    zeroDay: firstOf(live, FIELD_PRIORITY.disposal, (r) => r.zeroDay) ?? null,
    kind: firstOf(live, FIELD_PRIORITY.classification, (r) => r.kind) ?? 'general',
    exploited,
    pocAvailable: live.some((r) => r.pocAvailable === true) || exploited !== null,
    dates: stripUndefined({
      submitted: minDate(live.map((r) => r.dates.submitted)),
      collected: firstOf(live, FIELD_PRIORITY.published, (r) => r.dates.collected) ?? pubDate,
      published: pubDate,
      updated: maxDate(live.map((r) => r.dates.updated)),
    }),
    solution: firstOf(live, FIELD_PRIORITY.disposal, (r) => r.solution) ?? null,
    patch,
    references,
    credits: Array.from(new Set(live.flatMap((r) => r.credits))),
    sources,
  };
  if (ssvc) vuln.ssvc = ssvc;
  return stripUndefined(vuln);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  if ('title' in o)
    for (const sub of ['title', 'description'] as const) {
      const v = (o as Record<string, unknown>)[sub];
      if (v && typeof v === 'object') stripUndefined(v);
    }
  return o;
}

/** Field-level differences between two versions of a record, for the history. */
export function diffVulnerability(
  before: Vulnerability | null,
  after: Vulnerability,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const k of keys) {
    const a = before ? (before as unknown as Record<string, unknown>)[k] : undefined;
    const b = (after as unknown as Record<string, unknown>)[k];
    if (canonicalJson(a) !== canonicalJson(b)) out[k] = { from: a ?? null, to: b ?? null };
  }
  return out;
}

/**
 * JSON with object keys sorted: the stored document comes back from jsonb with its keys in jsonb's order
 * (shorter first), so a plain JSON.stringify saw "dates changed" where only the key order had.
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : x,
  );
}
