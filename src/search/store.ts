/**
 * Search over the vulnerability store: one indexed tsquery for the search box (or an alias lookup when
 * the box holds an id), filters on indexed columns, keyset pagination, facet counts.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.js';
import { vendorKey } from '../classify/index.js';
import { looksLikeId, normaliseId } from '../vulns/ids.js';
import { productKey } from '../vulns/row.js';
import { buildTsquery } from './tokens.js';
import { decodeCursor, encodeCursor, type Facet, type SearchParams, type Sort } from './query.js';

export interface SearchItem {
  id: string;
  aliases: string[];
  title: { zh?: string; en?: string };
  severity: string | null;
  score: number | null;
  vendors: string[];
  objectType: string | null;
  industries: string[];
  kind: string;
  zeroDay: boolean | null;
  exploited: boolean;
  state: string;
  published: string | null;
  collected: string | null;
  sources: string[];
  rank?: number;
}

export interface SearchResult {
  items: SearchItem[];
  nextCursor: string | null;
  /** Exact up to TOTAL_CAP; beyond it totalIsExact is false and total is the cap. */
  total: number;
  totalIsExact: boolean;
  sort: Sort;
  facets?: Partial<Record<Facet, Array<{ value: string; count: number }>>>;
  /** true when the facet counts were estimated from a sample of the store (a broad query on a large store) */
  facetsAreEstimates?: boolean;
}

/** Counting stops here ("1,000+"): exact counts of very common words cost more than the page itself. */
export const TOTAL_CAP = 1_000;
/**
 * Relevance is computed over at most this many matches, the most recent first: ranking every one of
 * 100,000 matches of a common word means reading every matching row. Rarer words are ranked in full.
 */
export const RELEVANCE_CANDIDATES = 2_000;
const FACET_TOP = 20;
/**
 * Facet counts of a broad query (more than TOTAL_CAP matches) on a store larger than twice this many rows are
 * estimated from a fixed sample of about this many rows (TABLESAMPLE SYSTEM … REPEATABLE: the same pages each
 * time, so an estimate does not change between two asks). Counting every match of a common word reads every
 * matching row; the sample reads this many, whatever the store's size.
 */
export const FACET_SAMPLE_ROWS = 10_000;
/** Fewer matches than this in the sample and the estimate is too coarse: the counts are made exact instead. */
export const FACET_SAMPLE_MIN_MATCHES = 300;

type Frag = RawBuilder<unknown>;

function conditions(p: SearchParams, tsq: string | null): Frag[] {
  const c: Frag[] = [];
  if (!p.includeRejected) c.push(sql`state = 'published'`);
  if (p.q && looksLikeId(p.q)) c.push(sql`aliases @> ARRAY[${normaliseId(p.q)}]::text[]`);
  else if (tsq) c.push(sql`search @@ ${tsq}::tsquery`);
  else if (p.q) c.push(sql`false`);
  if (p.severity) c.push(sql`severity = ANY(${p.severity}::text[])`);
  if (p.scoreMin !== undefined) c.push(sql`score >= ${p.scoreMin}`);
  if (p.scoreMax !== undefined) c.push(sql`score <= ${p.scoreMax}`);
  if (p.objectType) c.push(sql`object_type = ANY(${p.objectType}::text[])`);
  if (p.industry) c.push(sql`industries && ${p.industry}::text[]`);
  if (p.vendor) c.push(sql`vendors && ${p.vendor.map(vendorKey)}::text[]`);
  if (p.product) c.push(sql`products && ${p.product.map(productKey)}::text[]`);
  if (p.cwe) c.push(sql`cwes && ${p.cwe}::text[]`);
  if (p.kind) c.push(sql`kind = ${p.kind}`);
  if (p.zeroDay !== undefined) c.push(p.zeroDay ? sql`zero_day IS TRUE` : sql`zero_day IS NOT TRUE`);
  if (p.exploited !== undefined) c.push(sql`exploited = ${p.exploited}`);
  if (p.hasPatch !== undefined) c.push(sql`has_patch = ${p.hasPatch}`);
  if (p.source) c.push(sql`sources && ${p.source}::text[]`);
  for (const [field, range] of Object.entries(p.dates ?? {})) {
    const col = sql.ref(`${field}_at`);
    if (range?.from) c.push(sql`${col} >= ${range.from}::date`);
    if (range?.to) c.push(sql`${col} <= ${range.to}::date`);
  }
  return c;
}

const and = (c: Frag[]): Frag => (c.length === 0 ? sql`true` : sql.join(c, sql` AND `));

export async function searchVulns(db: Kysely<DB>, p: SearchParams): Promise<SearchResult> {
  const idQuery = !!p.q && looksLikeId(p.q);
  const tsq = p.q && !idQuery ? buildTsquery(p.q) : null;
  const sort: Sort = p.sort ?? (tsq ? 'relevance' : 'date');
  const limit = p.limit ?? 20;
  const where = conditions(p, tsq);
  let sortExpr: Frag;
  switch (sort) {
    case 'relevance':
      sortExpr = tsq ? sql`ts_rank(search, ${tsq}::tsquery)` : sql`sort_date`;
      break;
    case 'score':
      sortExpr = sql`coalesce(score, -1)`;
      break;
    case 'date':
      sortExpr = sql`sort_date`;
      break;
  }
  const afterCursor: Frag[] = [];
  if (p.cursor) {
    const byDay = sort === 'date' || (sort === 'relevance' && !tsq);
    const c = decodeCursor(p.cursor, byDay ? 'day' : 'number');
    const typed = byDay
      ? sql`${String(c.v)}::date`
      : sort === 'score'
        ? sql`${Number(c.v)}::numeric`
        : sql`${Number(c.v)}::real`;
    afterCursor.push(sql`(${sortExpr}, id) < (${typed}, ${c.id}::bigint)`);
  }
  const relevanceCap = sort === 'relevance' && !!tsq;
  const rows = await sql<{
    id: number;
    public_id: string;
    aliases: string[];
    title: { zh?: string; en?: string };
    vendors: string[];
    severity: string | null;
    score: number | null;
    object_type: string | null;
    industries: string[];
    kind: string;
    zero_day: boolean | null;
    exploited: boolean;
    state: string;
    published_at: string | null;
    collected_at: string | null;
    sources: string[];
    sortv: number | string;
  }>`
    WITH page AS (
      SELECT id, ${sortExpr} AS sortv
      FROM ${relevanceCap ? sql`(SELECT id, search FROM vulnerabilities WHERE ${and(where)} ORDER BY sort_date DESC, id DESC LIMIT ${RELEVANCE_CANDIDATES}) AS vulnerabilities` : sql`vulnerabilities`}
      WHERE ${and(relevanceCap ? afterCursor : [...where, ...afterCursor])}
      ORDER BY sortv DESC, id DESC
      LIMIT ${limit + 1}
    )
    SELECT v.id, public_id, aliases, doc->'title' AS title, doc->'vendors' AS vendors, severity, score, object_type,
           industries, kind, zero_day, exploited, state, published_at, collected_at, sources, page.sortv
    FROM page JOIN vulnerabilities v ON v.id = page.id
    ORDER BY page.sortv DESC, v.id DESC`.execute(db);
  const page = rows.rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.rows.length > limit && last ? encodeCursor({ v: last.sortv, id: last.id }) : null;

  const countRow = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM vulnerabilities WHERE ${and(where)} LIMIT ${TOTAL_CAP + 1}) t`.execute(
    db,
  );
  const n = countRow.rows[0]?.n ?? 0;

  const result: SearchResult = {
    items: page.map((r) => ({
      id: r.public_id,
      aliases: r.aliases,
      title: r.title,
      severity: r.severity,
      score: r.score,
      vendors: r.vendors,
      objectType: r.object_type,
      industries: r.industries,
      kind: r.kind,
      zeroDay: r.zero_day,
      exploited: r.exploited,
      state: r.state,
      published: r.published_at,
      collected: r.collected_at,
      sources: r.sources,
      ...(sort === 'relevance' && tsq ? { rank: Number(r.sortv) } : {}),
    })),
    nextCursor,
    total: Math.min(n, TOTAL_CAP),
    totalIsExact: n <= TOTAL_CAP,
    sort,
  };
  if (p.facets?.length) {
    const f = await cachedFacetCounts(db, p, where, p.facets, n > TOTAL_CAP);
    result.facets = f.counts;
    if (f.estimated) result.facetsAreEstimates = true;
  }
  return result;
}

/**
 * Facet counts of a broad query cost seconds on a large store, and the same few queries (the bare list, one
 * severity…) are asked again and again. Counts are kept per database and query, stamped with the store's
 * version (the last change and the highest id, both read from indexes): any write gives a new stamp, so a
 * cached count is never stale, it is only not recomputed while nothing changed.
 */
const FACET_CACHE_SIZE = 200;
type FacetCounts = Partial<Record<Facet, Array<{ value: string; count: number }>>>;
interface Facets {
  counts: FacetCounts;
  estimated: boolean;
}
const facetCache = new WeakMap<Kysely<DB>, Map<string, Facets>>();

async function cachedFacetCounts(
  db: Kysely<DB>,
  p: SearchParams,
  where: Frag[],
  facets: Facet[],
  broad: boolean,
): Promise<Facets> {
  const stamp = await sql<{ m: string | null; i: number | null }>`
    SELECT (SELECT max(modified_at) FROM vulnerabilities)::text AS m, (SELECT max(id) FROM vulnerabilities) AS i`.execute(
    db,
  );
  // what decides the counts: the filters and words, not the page, its size or its order
  const query = { ...p, cursor: undefined, limit: undefined, sort: undefined, facets: undefined };
  const key = JSON.stringify([stamp.rows[0]?.m ?? null, stamp.rows[0]?.i ?? null, query, [...facets].sort()]);
  let cache = facetCache.get(db);
  if (!cache) facetCache.set(db, (cache = new Map<string, Facets>()));
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // most recently used last
    cache.set(key, hit);
    return hit;
  }
  const computed = (broad ? await sampledFacetCounts(db, where, facets) : null) ?? {
    counts: (await facetStatement(db, where, facets, null)).counts,
    estimated: false,
  };
  cache.set(key, computed);
  if (cache.size > FACET_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
  return computed;
}

const FACET_SQL: Record<Facet, { expr: string; unnest?: boolean }> = {
  severity: { expr: 'severity' },
  objectType: { expr: 'object_type' },
  kind: { expr: 'kind' },
  industry: { expr: 'industries', unnest: true },
  vendor: { expr: 'vendors', unnest: true },
  cwe: { expr: 'cwes', unnest: true },
  source: { expr: 'sources', unnest: true },
  exploited: { expr: 'exploited::text' },
  zeroDay: { expr: "coalesce(zero_day::text, 'unknown')" },
  year: { expr: "to_char(sort_date, 'YYYY')" },
};

/**
 * The counts of a broad query estimated from a sample of about FACET_SAMPLE_ROWS rows, each count scaled by the
 * sampled fraction; null when the store is small enough to count exactly or the sample holds too few matches.
 */
async function sampledFacetCounts(db: Kysely<DB>, where: Frag[], facets: Facet[]): Promise<Facets | null> {
  const size = await sql<{ n: number }>`
    SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'vulnerabilities'::regclass`.execute(db);
  const rows = Number(size.rows[0]?.n ?? 0);
  if (!(rows > 2 * FACET_SAMPLE_ROWS)) return null; // never analysed (-1), or small
  const percent = (100 * FACET_SAMPLE_ROWS) / rows;
  const r = await facetStatement(db, where, facets, percent);
  if (r.matched < FACET_SAMPLE_MIN_MATCHES) return null;
  const scale = 100 / percent;
  const counts: FacetCounts = {};
  for (const [f, values] of Object.entries(r.counts) as Array<
    [Facet, Array<{ value: string; count: number }>]
  >)
    counts[f] = values.map((v) => ({ value: v.value, count: Math.max(1, Math.round(v.count * scale)) }));
  return { counts, estimated: true };
}

/**
 * Every facet in one statement: the matching rows are read once (a materialised CTE of just the columns the
 * facets need), then each facet is a small GROUP BY over that set — not one scan of the store per facet. With a
 * sample percentage, only the sampled pages are read; `matched` is the number of matching rows that were read.
 */
async function facetStatement(
  db: Kysely<DB>,
  where: Frag[],
  facets: Facet[],
  samplePercent: number | null,
): Promise<{ counts: FacetCounts; matched: number }> {
  const out: FacetCounts = {};
  const wanted = Array.from(new Set(facets));
  if (wanted.length === 0) return { counts: out, matched: 0 };
  const columns = sql.join(wanted.map((f) => sql.raw(`${FACET_SQL[f].expr} AS "${f}"`)));
  const parts = wanted.map((f, i) => {
    const v = FACET_SQL[f].unnest ? sql.raw(`unnest("${f}")`) : sql.raw(`"${f}"`);
    return sql`(SELECT ${i}::int AS ord, ${f}::text AS facet, v AS value, count(*)::int AS count
      FROM (SELECT ${v} AS v FROM m) t WHERE v IS NOT NULL GROUP BY v ORDER BY count DESC, v LIMIT ${FACET_TOP})`;
  });
  // the number of matching rows read (all of them, or those in the sample) comes back as ord -1
  parts.push(sql`(SELECT -1 AS ord, '' AS facet, NULL AS value, count(*)::int AS count FROM m)`);
  const from =
    samplePercent === null
      ? sql`vulnerabilities`
      : sql`vulnerabilities TABLESAMPLE SYSTEM (${sql.lit(Math.min(100, samplePercent))}) REPEATABLE (0)`;
  const r = await sql<{ ord: number; facet: Facet; value: string | null; count: number }>`
    WITH m AS MATERIALIZED (SELECT ${columns} FROM ${from} WHERE ${and(where)})
    SELECT ord, facet, value, count FROM (${sql.join(parts, sql` UNION ALL `)}) u ORDER BY ord, count DESC, value`.execute(
    db,
  );
  for (const f of wanted) out[f] = [];
  let matched = 0;
  for (const x of r.rows) {
    if (x.ord === -1) matched = x.count;
    else out[x.facet]?.push({ value: x.value ?? '', count: x.count });
  }
  return { counts: out, matched };
}
