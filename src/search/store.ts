/**
 * Search over the vulnerability store: one indexed tsquery for the search box (or an alias lookup when
 * the box holds an id), filters on indexed columns, keyset pagination, facet counts.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.js';
import { vendorKey } from '../classify/index.js';
import { looksLikeId, normaliseId } from '../vulns/ids.js';
import { productKey } from '../vulns/row.js';
import { buildTsquery, tsqueryLexemes } from './tokens.js';
import { readsAllMatches, widerCut, windowCut, type ColumnStats, type Cut } from './window.js';
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

/** How relevance windows are read; tests shrink the window to reach the cuts on a small store. */
export interface SearchTuning {
  /** the window: how many of the most recent matches are ranked */
  relevanceCandidates: number;
  /** find the window of a common query through a date cut (./window.ts); off: as the planner likes */
  dateCuts: boolean;
  /**
   * A text query sorted by date: every match read and sorted when few are estimated ('auto', ./window.ts
   * readsAllMatches), always ('all') or as the planner likes ('planner'). The answer is the same.
   */
  sortedReads: 'auto' | 'all' | 'planner';
}
const TUNING: SearchTuning = {
  relevanceCandidates: RELEVANCE_CANDIDATES,
  dateCuts: true,
  sortedReads: 'auto',
};
const FACET_TOP = 20;
/**
 * Facet counts of a broad query (more than TOTAL_CAP matches, by the planner's estimate) on a store larger than
 * twice this many rows are estimated from a fixed sample of about this many rows (TABLESAMPLE SYSTEM … REPEATABLE:
 * the same pages each time, so an estimate does not change between two asks). Counting every match of a common
 * word reads every matching row; the sample reads this many, whatever the store's size.
 */
export const FACET_SAMPLE_ROWS = 10_000;
/**
 * Fewer matches than this in the sample and the estimate is too coarse: the counts are made exact instead (and
 * the sample is not read at all when the query's estimate says it would hold fewer).
 */
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

interface PageRow {
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
  /** relevance: the rows of the window (before the cursor), at most its size */
  candidates?: number | string;
}

/**
 * How the relevance window is read: as the planner likes (null), through a date cut, or 'all' — every match
 * through the text index. A cut and 'all' are fenced from the date order (OFFSET 0) so that a high estimate
 * cannot turn them into a walk of the date index.
 */
type Window = Cut | 'all' | null;

interface PageQuery {
  sortExpr: Frag;
  where: Frag[];
  cursor: { v: Frag; id: number } | null;
  limit: number;
  /** relevance of a text query: ranked within its window of this many rows, read as told */
  window?: { size: number; read: Window };
  /** without a window: every match read through the indexes (fenced from the sort's index), then sorted */
  readAll?: boolean;
}

/**
 * One page: the ids and sort values of limit + 1 rows first (narrow), then their columns by primary key.
 * Relevance ranks the window's most recent matches (each ranked as it is read, so the window's
 * sort carries no tsvector) and says how many the window held.
 */
async function pageRows(db: Kysely<DB>, q: PageQuery): Promise<PageRow[]> {
  const { sortExpr, where, cursor, limit, window } = q;
  const after = (expr: Frag) => (cursor ? [sql`(${expr}, id) < (${cursor.v}, ${cursor.id}::bigint)`] : []);
  let page: Frag;
  if (window === undefined && q.readAll)
    page = sql`SELECT id, sortv FROM (
        SELECT id, ${sortExpr} AS sortv FROM vulnerabilities WHERE ${and(where)} OFFSET 0
      ) m WHERE ${and(after(sql`sortv`))} ORDER BY sortv DESC, id DESC LIMIT ${limit + 1}`;
  else if (window === undefined)
    page = sql`SELECT id, ${sortExpr} AS sortv FROM vulnerabilities WHERE ${and([...where, ...after(sortExpr)])}
      ORDER BY sortv DESC, id DESC LIMIT ${limit + 1}`;
  else {
    const read = window.read;
    // a cut or every match is read through the indexes, fenced (OFFSET 0) from the window's date order: unfenced,
    // a wide cut let the planner walk the date index instead ("stored vulnerability", cut widened to 2020: 115,000
    // rows tested, 315 ms, where ANDing the text index with the cut reads the 5,640 matches)
    const source =
      read === null
        ? sql`vulnerabilities WHERE ${and(where)}`
        : sql`(SELECT id, search, sort_date FROM vulnerabilities
               WHERE ${and(read === 'all' ? where : [...where, sql`sort_date >= ${read.value}::date`])} OFFSET 0) m`;
    page = sql`SELECT id, sortv, candidates FROM (
        SELECT id, sortv, count(*) OVER () AS candidates FROM (
          SELECT id, ${sortExpr} AS sortv FROM ${source} ORDER BY sort_date DESC, id DESC LIMIT ${window.size}
        ) w
      ) w WHERE ${and(after(sql`sortv`))} ORDER BY sortv DESC, id DESC LIMIT ${limit + 1}`;
  }
  const r = await sql<PageRow>`
    WITH page AS (${page})
    SELECT v.id, public_id, aliases, doc->'title' AS title, doc->'vendors' AS vendors, severity, score, object_type,
           industries, kind, zero_day, exploited, state, published_at, collected_at, sources, page.sortv
           ${window === undefined ? sql`` : sql`, page.candidates`}
    FROM page JOIN vulnerabilities v ON v.id = page.id
    ORDER BY page.sortv DESC, v.id DESC`.execute(db);
  return r.rows;
}

/**
 * The page of a relevance-sorted text query. Its window (the `size` most recent matches) is found through a
 * date cut when the query is common (./window.ts); the cut is kept only when the whole window lies after it,
 * otherwise the page is asked again with a wider cut or with every match read. Also returns how many rows the
 * window held: fewer than its size means every match.
 */
async function relevancePage(
  db: Kysely<DB>,
  q: Omit<PageQuery, 'window'>,
  tuning: SearchTuning,
  estimate: () => Promise<number>,
): Promise<{ rows: PageRow[]; held: number | null }> {
  const size = tuning.relevanceCandidates;
  const stats = tuning.dateCuts ? await sortDateStats(db) : null;
  let read: Window = stats ? windowCut(stats, await estimate(), size) : null;
  for (;;) {
    const rows = await pageRows(db, { ...q, window: { size, read } });
    const held = rows[0]?.candidates === undefined ? null : Number(rows[0].candidates);
    // the window is whole when read without a cut, or when all of it lies after the cut
    if (!read || read === 'all' || (held !== null && held >= size)) return { rows, held };
    // fewer matches after the cut than estimated: a wider cut if they are still many, else every match. An
    // empty page (past the end) says nothing of the window: every match is read.
    read = (stats && held !== null ? widerCut(stats, read, held, size) : null) ?? 'all';
  }
}

/**
 * How many rows each of `wheres` may match, by the planner (EXPLAIN: planned, not run). One EXPLAIN each, sent
 * together: the top of a single statement's plan holds its whole estimate, where one EXPLAIN of their UNION ALL
 * could be planned in parallel (Gather over a parallel Append, whose branches hold each worker's share).
 */
async function estimatedRows(db: Kysely<DB>, wheres: Frag[][]): Promise<number[]> {
  return Promise.all(
    wheres.map(async (w) => {
      const r = await sql<{
        'QUERY PLAN': unknown;
      }>`EXPLAIN (FORMAT JSON) SELECT 1 FROM vulnerabilities WHERE ${and(w)}`.execute(db);
      const raw = r.rows[0]?.['QUERY PLAN'];
      const plan = (
        (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan?: { 'Plan Rows'?: number } }>
      )[0]?.Plan;
      return Number(plan?.['Plan Rows'] ?? 0);
    }),
  );
}

/**
 * sort_date's statistics, from the last ANALYZE (null before the first). They move only when the store is
 * analysed, so each database's are kept for STATS_TTL_MS; stale ones only make a cut less exact, and a cut
 * that falls short is widened.
 */
const STATS_TTL_MS = 60_000;
const statsCache = new WeakMap<Kysely<DB>, { at: number; stats: ColumnStats | null }>();

async function sortDateStats(db: Kysely<DB>): Promise<ColumnStats | null> {
  const hit = statsCache.get(db);
  if (hit && Date.now() - hit.at < STATS_TTL_MS) return hit.stats;
  const r = await sql<{ b: string[] | null; m: string[] | null; f: number[] | null; n: number | null }>`
    SELECT histogram_bounds::text::date[]::text[] AS b, most_common_vals::text::date[]::text[] AS m,
           most_common_freqs::float8[] AS f, null_frac::float8 AS n
    FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'vulnerabilities' AND attname = 'sort_date'`.execute(
    db,
  );
  const x = r.rows[0];
  const stats: ColumnStats | null =
    x && (x.b?.length || x.m?.length)
      ? {
          bounds: x.b ?? [],
          mostCommon: x.m ?? [],
          mostCommonFreqs: (x.f ?? []).map(Number),
          nullFrac: Number(x.n ?? 0),
        }
      : null;
  statsCache.set(db, { at: Date.now(), stats });
  return stats;
}

/**
 * The store's size by the last ANALYZE (pg_class.reltuples; -1 before the first) and the planner's estimate for
 * a word its statistics do not list (./window.ts readsAllMatches), kept like sortDateStats.
 */
const sizeCache = new WeakMap<Kysely<DB>, { at: number; size: Promise<{ rows: number; rare: number }> }>();

function storeSize(db: Kysely<DB>): Promise<{ rows: number; rare: number }> {
  const hit = sizeCache.get(db);
  if (hit && Date.now() - hit.at < STATS_TTL_MS) return hit.size;
  const size = (async () => {
    const [r, rare] = await Promise.all([
      sql<{ n: number }>`
        SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'vulnerabilities'::regclass`.execute(db),
      // a lexeme no text holds (the tokenizer never keeps a space inside one)
      estimatedRows(db, [[sql`search @@ ${"'no such lexeme'"}::tsquery`]]),
    ]);
    return { rows: Number(r.rows[0]?.n ?? -1), rare: rare[0] ?? 0 };
  })();
  size.catch(() => sizeCache.delete(db));
  sizeCache.set(db, { at: Date.now(), size });
  return size;
}

async function storeRows(db: Kysely<DB>): Promise<number> {
  return (await storeSize(db)).rows;
}

export async function searchVulns(
  db: Kysely<DB>,
  p: SearchParams,
  tuning: SearchTuning = TUNING,
): Promise<SearchResult> {
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
  let cursor: PageQuery['cursor'] = null;
  if (p.cursor) {
    const byDay = sort === 'date' || (sort === 'relevance' && !tsq);
    const c = decodeCursor(p.cursor, byDay ? 'day' : 'number');
    const typed = byDay
      ? sql`${String(c.v)}::date`
      : sort === 'score'
        ? sql`${Number(c.v)}::numeric`
        : sql`${Number(c.v)}::real`;
    cursor = { v: typed, id: c.id };
  }
  const q = { sortExpr, where, cursor, limit };
  // How many rows the query may match, by the planner (estimatedRows), asked once for the window and the facets,
  // and for the date order. estimate(): the least of the estimates of the query's conditions with one lexeme of
  // its text in place of the whole. The planner's estimate of several words together assumes they are independent,
  // and words of one text are not ("overflow overflow" was put at a twentieth of its matches): too high an
  // estimate costs the window one narrow cut that is then widened, too low reads every match. asWritten(): the
  // planner's estimate of the conditions as they are, for the date order (./window.ts readsAllMatches), where
  // too low an estimate reads every match and too high walks the date index: two common words that seldom meet
  // ("cross operations": 81,303 and 5,643 matches, 56 together, put at 1,489 as written and 5,636 by the least)
  // had walked it for 258 ms.
  const lexemes = tsq ? tsqueryLexemes(p.q ?? '') : [];
  const lexemeWheres = lexemes.map((l) => conditions(p, l));
  let estimating: Promise<number> | undefined;
  const estimate = () =>
    (estimating ??= estimatedRows(db, lexemeWheres.length > 0 ? lexemeWheres : [where]).then((e) =>
      Math.min(...e),
    ));
  // a query without text, or of one word (its own lexeme), has that estimate already: not asked twice
  const asWritten = async () =>
    lexemes.length === 0 || (lexemes.length === 1 && lexemes[0] === tsq)
      ? estimate()
      : ((await estimatedRows(db, [where]))[0] ?? 0);
  // the facet counts are read beside the page (another connection of the pool), not after it
  const facets = p.facets?.length ? cachedFacetCounts(db, p, where, p.facets, estimate) : null;
  facets?.catch(() => undefined); // awaited below; a failure of the page must not leave it unhandled
  const count = async () =>
    (
      await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM (SELECT 1 FROM vulnerabilities WHERE ${and(where)} LIMIT ${TOTAL_CAP + 1}) t`.execute(
        db,
      )
    ).rows[0]?.n ?? 0;
  const relevance = sort === 'relevance' && !!tsq;
  // beside the page too, except for relevance, whose window usually tells the count, and for a facet request,
  // whose counts, when exact, read every match and tell how many there are
  const counting = relevance || facets ? null : count();
  counting?.catch(() => undefined);
  // a text query sorted by date: its matches read and sorted when they are few (./window.ts). Not by score: a
  // word's matches cluster in the score order, high or low ("Windows" among the highest, "scripting" low), so
  // the walk is quick or slow by the word, not by how many match (q + severity high by score, 100 queries of
  // bench (c), every match read when few estimated: "Royal" 45 -> 18 ms, "Windows" 25 -> 48 ms; p95 30 -> 38 ms)
  let readAll = !!tsq && sort === 'date' && tuning.sortedReads !== 'planner';
  if (readAll && tuning.sortedReads === 'auto') {
    const [estimated, size] = await Promise.all([asWritten(), storeSize(db)]);
    readAll = readsAllMatches(estimated, limit, size.rows, size.rare);
  }
  const { rows, held } = relevance
    ? await relevancePage(db, q, tuning, estimate)
    : { rows: await pageRows(db, { ...q, readAll }), held: null };
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ v: last.sortv, id: last.id }) : null;
  // the relevance window tells how many match when it held them all, or that there are more than the cap; exact
  // facet counts tell it too
  const n =
    held !== null && (held < tuning.relevanceCandidates || held > TOTAL_CAP)
      ? held
      : ((facets ? (await facets).matched : null) ?? (await (counting ?? count())));

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
  if (facets) {
    const f = await facets;
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
  /** how many rows the query matches, when the counts were made over all of them (null for a sample) */
  matched: number | null;
}
const facetCache = new WeakMap<Kysely<DB>, Map<string, Facets>>();

async function cachedFacetCounts(
  db: Kysely<DB>,
  p: SearchParams,
  where: Frag[],
  facets: Facet[],
  estimate: () => Promise<number>,
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
  const matches = await estimate();
  let computed = matches > TOTAL_CAP ? await sampledFacetCounts(db, where, facets, matches) : null;
  if (!computed) {
    const exact = await facetStatement(db, where, facets, null);
    computed = { counts: exact.counts, estimated: false, matched: exact.matched };
  }
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
async function sampledFacetCounts(
  db: Kysely<DB>,
  where: Frag[],
  facets: Facet[],
  estimated: number,
): Promise<Facets | null> {
  const rows = await storeRows(db);
  if (!(rows > 2 * FACET_SAMPLE_ROWS)) return null; // never analysed (-1), or small
  const percent = (100 * FACET_SAMPLE_ROWS) / rows;
  // a sample that would hold too few even of the estimated matches is not read: the counts are made exact
  if ((estimated * percent) / 100 < FACET_SAMPLE_MIN_MATCHES) return null;
  const r = await facetStatement(db, where, facets, percent);
  if (r.matched < FACET_SAMPLE_MIN_MATCHES) return null;
  const scale = 100 / percent;
  const counts: FacetCounts = {};
  for (const [f, values] of Object.entries(r.counts) as Array<
    [Facet, Array<{ value: string; count: number }>]
  >)
    counts[f] = values.map((v) => ({ value: v.value, count: Math.max(1, Math.round(v.count * scale)) }));
  return { counts, estimated: true, matched: null };
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
