/**
 * Matching many watch items against many vulnerabilities, cheaply: the items of every watchlist are indexed
 * once (by the compacted product name, the CPE vendor:product, the keyword's first word), and a vulnerability
 * looks up only the entries its own names could match; matchesWatch (match.ts) then decides each candidate.
 * Pure: no database.
 */
import { AppError } from '../errors.js';
import type { AffectedProduct, Vulnerability } from '../vulns/model.js';
import { parseCpe, type Cpe, type CpeValue } from './cpe.js';
import { matchesWatch, type VulnProduct, type WatchedProduct } from './match.js';
import { nameKey, parseProductString } from './product.js';
import { parseRange, parseRanges, type VersionRange } from './range.js';
import { DELIVERY_RANK, MIN_KEYWORD_LENGTH, type Delivery, type WatchKind } from './rules.js';

/** One watch item as stored (a row of watch_items with its watchlist's organisation and delivery). */
export interface WatchItemSpec {
  id: number;
  watchlistId: number;
  watchlistName?: string;
  organisationId: number;
  delivery: Delivery;
  kind: WatchKind;
  vendor?: string | null;
  product?: string | null;
  range?: string | null;
  cpe?: string | null;
  keyword?: string | null;
}

/** A vulnerability matched for one organisation: the item that decided, and why. */
export interface OrgMatch {
  organisationId: number;
  watchlistId: number;
  watchlistName: string;
  itemId: number;
  delivery: Delivery;
  reason: string;
}

interface Entry {
  spec: WatchItemSpec;
  watch?: WatchedProduct;
  /** keyword: its words (latin) or the whole text (CJK, matched as a substring). */
  words?: string[];
  cjk?: string;
}

export interface WatchIndex {
  size: number;
  byName: Map<string, Entry[]>;
  byCpe: Map<string, Entry[]>;
  /** CPE items whose vendor or product is a wildcard: checked against every vulnerability with CPEs. */
  cpeWide: Entry[];
  byKeyword: Map<string, Entry[]>;
  cjkKeywords: Entry[];
  /** What a product (by its text) matched: records repeat products (a vendor's many advisories). */
  productHits: Map<string, Array<{ entry: Entry; reason: string }>>;
}

const PRODUCT_HITS_MAX = 100_000;

/** Compacted name: lower case, letters and digits only ("D-Link" → "dlink", "IOS XE" → "iosxe"). */
export const compactName = (s: string): string => nameKey(s).replace(/ /g, '');

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
const WORD = /[\p{L}\p{N}]+/gu;
const wordsOf = (s: string): string[] => s.normalize('NFKC').toLowerCase().match(WORD) ?? [];

const cpeText = (v: CpeValue): string | undefined =>
  v.kind === 'value' && v.leading === '' && v.trailing === '' ? v.text : undefined;

/** The vendor and product a CPE names, as words ("cpe:2.3:a:apache:http_server:…" → apache, http server). */
export function cpeNames(c: Cpe): { vendor?: string; product?: string } {
  const vendor = cpeText(c.vendor);
  const product = cpeText(c.product);
  const words = (s: string) => s.replace(/[_\\]+/g, ' ').trim();
  return {
    ...(vendor ? { vendor: words(vendor) } : {}),
    ...(product ? { product: words(product) } : {}),
  };
}

/**
 * Check an item as a caller gives it; throws AppError('invalid_input', …, {field}) naming `field` + the
 * attribute (`items[2].range`, `items[0].cpe`). Returns the parsed range, if any.
 */
export function validateItem(
  item: {
    kind: WatchKind;
    vendor?: string;
    product?: string;
    range?: string;
    cpe?: string;
    keyword?: string;
  },
  field = '',
): VersionRange | undefined {
  const at = (f: string) => (field ? `${field}.${f}` : f);
  const bad = (message: string, f: string) => new AppError('invalid_input', message, { field: at(f) });
  const rethrow = (e: unknown, f: string): never => {
    if (e instanceof AppError) throw new AppError(e.code, e.message, { ...e.details, field: at(f) });
    throw e;
  };
  let range: VersionRange | undefined;
  if (item.range !== undefined && item.range.trim() !== '') {
    try {
      range = parseRange(item.range, at('range'));
    } catch (e) {
      rethrow(e, 'range');
    }
  }
  switch (item.kind) {
    case 'product':
      if (!item.product || compactName(item.product) === '')
        throw bad('a product watch names its product', 'product');
      return range;
    case 'cpe':
      if (!item.cpe) throw bad('a cpe watch gives a CPE 2.3 name', 'cpe');
      try {
        parseCpe(item.cpe);
      } catch (e) {
        rethrow(e, 'cpe');
      }
      return range;
    case 'keyword': {
      const k = item.keyword?.trim() ?? '';
      if (k.length < MIN_KEYWORD_LENGTH || (!CJK.test(k) && wordsOf(k).length === 0))
        throw bad(`keyword "${k}" is too short (at least ${MIN_KEYWORD_LENGTH} characters)`, 'keyword');
      return undefined;
    }
  }
}

function entryOf(spec: WatchItemSpec): Entry | null {
  try {
    const range = spec.range ? parseRange(spec.range) : undefined;
    switch (spec.kind) {
      case 'product': {
        if (!spec.product) return null;
        const watch: WatchedProduct = { product: spec.product };
        if (spec.vendor) watch.vendor = spec.vendor;
        if (range) watch.range = range;
        return { spec, watch };
      }
      case 'cpe': {
        if (!spec.cpe) return null;
        const names = cpeNames(parseCpe(spec.cpe));
        // without CPEs on the vulnerability, the CPE's vendor and product are matched as names
        const watch: WatchedProduct = { product: names.product ?? '', cpe: spec.cpe };
        if (names.vendor) watch.vendor = names.vendor;
        if (range) watch.range = range;
        return { spec, watch };
      }
      case 'keyword': {
        const k = (spec.keyword ?? '').normalize('NFKC').toLowerCase().trim();
        if (CJK.test(k)) return { spec, cjk: k };
        const words = wordsOf(k);
        return words.length ? { spec, words } : null;
      }
    }
  } catch {
    return null; // stored before a rule changed and no longer valid: never matches (the API refuses new ones)
  }
}

const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
};

/** The names a watched product is looked up by: its product, and its product less a leading vendor. */
function nameKeys(w: WatchedProduct): string[] {
  const keys = [compactName(w.product)];
  if (w.vendor) {
    const words = w.product.trim().split(/\s+/);
    const n = w.vendor.trim().split(/\s+/).length;
    if (words.length > n && compactName(words.slice(0, n).join(' ')) === compactName(w.vendor))
      keys.push(compactName(words.slice(n).join(' ')));
  }
  return keys.filter((k) => k !== '');
}

export function buildWatchIndex(specs: readonly WatchItemSpec[]): WatchIndex {
  const ix: WatchIndex = {
    size: 0,
    byName: new Map(),
    byCpe: new Map(),
    cpeWide: [],
    byKeyword: new Map(),
    cjkKeywords: [],
    productHits: new Map(),
  };
  for (const spec of specs) {
    const e = entryOf(spec);
    if (!e) continue;
    ix.size++;
    if (e.watch) {
      for (const k of new Set(nameKeys(e.watch))) push(ix.byName, k, e);
      if (e.watch.cpe !== undefined) {
        const c = parseCpe(e.watch.cpe);
        const v = cpeText(c.vendor);
        const p = cpeText(c.product);
        if (v !== undefined && p !== undefined) push(ix.byCpe, `${v}:${p}`, e);
        else ix.cpeWide.push(e);
      }
    } else if (e.cjk !== undefined) ix.cjkKeywords.push(e);
    else if (e.words?.[0] !== undefined) push(ix.byKeyword, e.words[0], e);
  }
  return ix;
}

/** Every join of 1..n consecutive words: the keys containsName could find in these words. */
function joins(words: string[], out: Set<string>) {
  for (let i = 0; i < words.length; i++) {
    let j = '';
    for (let k = i; k < words.length && k < i + 12 && j.length < 120; k++) {
      j += words[k];
      out.add(j);
    }
  }
}

function rangesOf(versions: string[]): VersionRange[] | 'unknown' {
  const out: VersionRange[] = [];
  for (const v of versions) {
    try {
      out.push(...parseRanges(v, 'versions'));
    } catch {
      // unreadable version text: does not narrow the product
    }
  }
  return out.length ? out : 'unknown';
}

/** A merged record's product as matchesWatch reads it (CNVD strings are split into vendor, product, range). */
export function vulnProductOf(p: AffectedProduct): VulnProduct {
  const cpes = p.cpes?.length ? { cpes: p.cpes } : {};
  if (p.raw && (!p.product || p.versions.length === 0)) {
    const parsed = parseProductString(p.raw, p.vendor || undefined);
    const vendor = parsed.vendor ?? p.vendor;
    return {
      ...(vendor ? { vendor } : {}),
      product: parsed.product,
      versions: parsed.ranges.length ? parsed.ranges : 'unknown',
      ...cpes,
    };
  }
  return {
    ...(p.vendor ? { vendor: p.vendor } : {}),
    product: p.product,
    versions: rangesOf(p.versions),
    ...cpes,
  };
}

function cpeKey(name: string): string | undefined {
  try {
    const c = parseCpe(name);
    const v = cpeText(c.vendor);
    const p = cpeText(c.product);
    return v !== undefined && p !== undefined ? `${v}:${p}` : undefined;
  } catch {
    return undefined;
  }
}

function better(a: OrgMatch | undefined, b: OrgMatch): boolean {
  if (!a) return true;
  const d = DELIVERY_RANK[b.delivery] - DELIVERY_RANK[a.delivery];
  return d < 0 || (d === 0 && b.itemId < a.itemId);
}

function keywordHits(
  ix: WatchIndex,
  doc: Pick<Vulnerability, 'title' | 'description'>,
  found: (e: Entry, why: string) => void,
) {
  if (ix.byKeyword.size === 0 && ix.cjkKeywords.length === 0) return;
  const texts = [doc.title.zh, doc.title.en, doc.description.zh, doc.description.en].filter(
    (t): t is string => !!t,
  );
  if (ix.byKeyword.size > 0)
    for (const t of texts) {
      const words = wordsOf(t);
      for (let i = 0; i < words.length; i++) {
        for (const e of ix.byKeyword.get(words[i] ?? '') ?? []) {
          const kw = e.words ?? [];
          if (kw.every((w, j) => words[i + j] === w))
            found(e, `keyword "${e.spec.keyword ?? ''}" in the text`);
        }
      }
    }
  if (ix.cjkKeywords.length > 0) {
    const lower = texts.map((t) => t.normalize('NFKC').toLowerCase());
    for (const e of ix.cjkKeywords)
      if (lower.some((t) => t.includes(e.cjk ?? '\u0000')))
        found(e, `keyword "${e.spec.keyword ?? ''}" in the text`);
  }
}

/** The entries a product matches, with matchesWatch's reason; looked up by name, CPE; cached by its text. */
function productHits(ix: WatchIndex, p: AffectedProduct): Array<{ entry: Entry; reason: string }> {
  const sig = [
    p.vendor,
    p.product,
    p.raw ?? '',
    p.versions.join('\u0002'),
    (p.cpes ?? []).join('\u0002'),
  ].join('\u0001');
  const known = ix.productHits.get(sig);
  if (known) return known;
  const keys = new Set<string>();
  let vp: VulnProduct | undefined;
  const product = () => (vp ??= vulnProductOf(p));
  if (p.product) joins(nameKey(`${p.vendor} ${p.product}`).split(' '), keys);
  else if (p.raw) {
    const q = product();
    joins(nameKey(`${q.vendor ?? ''} ${q.product}`).split(' '), keys);
  }
  const candidates = new Set<Entry>();
  for (const k of keys) for (const e of ix.byName.get(k) ?? []) candidates.add(e);
  if (p.cpes?.length) {
    for (const c of p.cpes) {
      const k = cpeKey(c);
      if (k) for (const e of ix.byCpe.get(k) ?? []) candidates.add(e);
    }
    for (const e of ix.cpeWide) candidates.add(e);
  }
  const hits: Array<{ entry: Entry; reason: string }> = [];
  for (const e of candidates) {
    if (!e.watch) continue;
    const r = matchesWatch(e.watch, product());
    if (r.match) hits.push({ entry: e, reason: r.reason });
  }
  if (ix.productHits.size >= PRODUCT_HITS_MAX) ix.productHits.clear();
  ix.productHits.set(sig, hits);
  return hits;
}

/**
 * Which organisations a vulnerability concerns, one match each (its fastest-delivery watchlist, then the
 * lowest item id). Products are compared only with the entries their names can match.
 */
export function matchVulnerability(
  ix: WatchIndex,
  doc: Pick<Vulnerability, 'products' | 'title' | 'description'>,
): OrgMatch[] {
  if (ix.size === 0) return [];
  const byOrg = new Map<number, OrgMatch>();
  const found = (e: Entry, reason: string) => {
    const m: OrgMatch = {
      organisationId: e.spec.organisationId,
      watchlistId: e.spec.watchlistId,
      watchlistName: e.spec.watchlistName ?? '',
      itemId: e.spec.id,
      delivery: e.spec.delivery,
      reason,
    };
    if (better(byOrg.get(m.organisationId), m)) byOrg.set(m.organisationId, m);
  };
  for (const p of doc.products) for (const h of productHits(ix, p)) found(h.entry, h.reason);
  keywordHits(ix, doc, found);
  return Array.from(byOrg.values());
}
