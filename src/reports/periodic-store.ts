/**
 * The monthly and annual reports' reads (aggregates over a period, by the bulletin's date basis) and the
 * periodic_reports table. Reads the vulnerabilities (imports' table) and the notifications with their events
 * (coordination's tables); writes only periodic_reports.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Severity } from '../vulns/model.js';
import type { DateBasis } from './rules.js';
import { rangeMoments, type DateRange, type Period, type PeriodKind } from './period.js';

type Db = Kysely<DB>;

/** The indexed date column each basis reads (a fixed table: never interpolated from input). */
const DATE_COLUMN: Record<DateBasis, 'collected_at' | 'published_at' | 'submitted_at'> = {
  collected: 'collected_at',
  published: 'published_at',
  submitted: 'submitted_at',
};

export interface PeriodTotals {
  total: number;
  bySeverity: Record<Severity, number>;
  scored: number;
  averageScore: number | null;
  zeroDay: number;
  exploited: number;
  poc: number;
  patched: number;
}

export interface MonthRow {
  month: string;
  total: number;
  high: number;
  medium: number;
  low: number;
  zeroDay: number;
  exploited: number;
}

/** General-type published records whose date falls in the range, filtered by the basis column. */
const general = (basis: DateBasis, r: DateRange) => {
  const col = sql.ref(DATE_COLUMN[basis]);
  return sql`state = 'published' AND kind = 'general' AND ${col} BETWEEN ${r.start}::date AND ${r.end}::date`;
};

export async function totals(db: Db, basis: DateBasis, r: DateRange): Promise<PeriodTotals> {
  const q = await sql<{
    total: number;
    high: number;
    medium: number;
    low: number;
    scored: number;
    avg: number | null;
    zero_day: number;
    exploited: number;
    poc: number;
    patched: number;
  }>`
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE severity = 'high')::int AS high,
           count(*) FILTER (WHERE severity = 'medium')::int AS medium,
           count(*) FILTER (WHERE severity = 'low')::int AS low,
           count(score)::int AS scored, round(avg(score), 2)::float8 AS avg,
           count(*) FILTER (WHERE zero_day)::int AS zero_day,
           count(*) FILTER (WHERE exploited)::int AS exploited,
           count(*) FILTER (WHERE poc_available)::int AS poc,
           count(*) FILTER (WHERE has_patch)::int AS patched
    FROM vulnerabilities WHERE ${general(basis, r)}`.execute(db);
  const t = q.rows[0];
  return {
    total: t?.total ?? 0,
    bySeverity: { high: t?.high ?? 0, medium: t?.medium ?? 0, low: t?.low ?? 0 },
    scored: t?.scored ?? 0,
    averageScore: t?.avg ?? null,
    zeroDay: t?.zero_day ?? 0,
    exploited: t?.exploited ?? 0,
    poc: t?.poc ?? 0,
    patched: t?.patched ?? 0,
  };
}

/** Per month ("YYYY-MM") of the range: totals, by severity, zero-days, exploited. Months without records are absent. */
export async function byMonth(db: Db, basis: DateBasis, r: DateRange): Promise<MonthRow[]> {
  const col = sql.ref(DATE_COLUMN[basis]);
  const q = await sql<{
    month: string;
    total: number;
    high: number;
    medium: number;
    low: number;
    zero_day: number;
    exploited: number;
  }>`
    SELECT to_char(${col}, 'YYYY-MM') AS month, count(*)::int AS total,
           count(*) FILTER (WHERE severity = 'high')::int AS high,
           count(*) FILTER (WHERE severity = 'medium')::int AS medium,
           count(*) FILTER (WHERE severity = 'low')::int AS low,
           count(*) FILTER (WHERE zero_day)::int AS zero_day,
           count(*) FILTER (WHERE exploited)::int AS exploited
    FROM vulnerabilities WHERE ${general(basis, r)} GROUP BY 1 ORDER BY 1`.execute(db);
  return q.rows.map((x) => ({
    month: x.month,
    total: x.total,
    high: x.high,
    medium: x.medium,
    low: x.low,
    zeroDay: x.zero_day,
    exploited: x.exploited,
  }));
}

export interface Count {
  key: string | null;
  count: number;
}

/** Records per affected-object type (null: unclassified). */
export async function byObjectType(db: Db, basis: DateBasis, r: DateRange): Promise<Count[]> {
  const q = await sql<{ key: string | null; count: number }>`
    SELECT object_type AS key, count(*)::int AS count FROM vulnerabilities WHERE ${general(basis, r)}
    GROUP BY 1`.execute(db);
  return q.rows;
}

/** Records per industry (a record of two industries counts in both). */
export async function byIndustry(db: Db, basis: DateBasis, r: DateRange): Promise<Count[]> {
  const q = await sql<{ key: string; count: number }>`
    SELECT i AS key, count(*)::int AS count FROM vulnerabilities CROSS JOIN LATERAL unnest(industries) AS i
    WHERE ${general(basis, r)} GROUP BY 1`.execute(db);
  return q.rows;
}

/** Records per first weakness (as the bulletin groups them), by CWE or by name when a source gives no CWE. */
export async function byWeakness(
  db: Db,
  basis: DateBasis,
  r: DateRange,
): Promise<Array<{ cwe: string | null; nameZh: string | null; nameEn: string | null; count: number }>> {
  const q = await sql<{ cwe: string | null; name_zh: string | null; name_en: string | null; count: number }>`
    SELECT max(w ->> 'cwe') AS cwe, max(w ->> 'nameZh') AS name_zh, max(w ->> 'nameEn') AS name_en,
           count(*)::int AS count
    FROM (SELECT doc -> 'weaknesses' -> 0 AS w FROM vulnerabilities WHERE ${general(basis, r)}) x
    WHERE w IS NOT NULL
    GROUP BY coalesce(w ->> 'cwe', w ->> 'nameZh', w ->> 'nameEn')`.execute(db);
  return q.rows.map((x) => ({ cwe: x.cwe, nameZh: x.name_zh, nameEn: x.name_en, count: x.count }));
}

/** Records per first vendor as spelt (figures merge spellings of one vendor). */
export async function byVendorSpelling(db: Db, basis: DateBasis, r: DateRange): Promise<Count[]> {
  const q = await sql<{ key: string; count: number }>`
    SELECT doc -> 'vendors' ->> 0 AS key, count(*)::int AS count FROM vulnerabilities
    WHERE ${general(basis, r)} AND doc -> 'vendors' ->> 0 IS NOT NULL AND doc -> 'vendors' ->> 0 <> ''
    GROUP BY 1`.execute(db);
  return q.rows;
}

export interface ExampleRow {
  id: string;
  titleZh: string | null;
  titleEn: string | null;
  score: number | null;
  severity: string | null;
}

/** Zero-day or exploited records of the range, highest score first, then by severity (CNVD gives no score). */
export async function examples(
  db: Db,
  basis: DateBasis,
  r: DateRange,
  which: 'zero_day' | 'exploited',
  limit: number,
): Promise<ExampleRow[]> {
  const flag = which === 'zero_day' ? sql`zero_day` : sql`exploited`;
  const q = await sql<{
    id: string;
    title_zh: string | null;
    title_en: string | null;
    score: number | null;
    severity: string | null;
  }>`
    SELECT public_id AS id, doc #>> '{title,zh}' AS title_zh, doc #>> '{title,en}' AS title_en,
           score::float8 AS score, severity
    FROM vulnerabilities WHERE ${general(basis, r)} AND ${flag}
    ORDER BY score DESC NULLS LAST,
             CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, public_id
    LIMIT ${limit}`.execute(db);
  return q.rows.map((x) => ({
    id: x.id,
    titleZh: x.title_zh,
    titleEn: x.title_en,
    score: x.score,
    severity: x.severity,
  }));
}

export interface DisposalRow {
  /** null: every category together */
  category: string | null;
  notified: number;
  acknowledged: number;
  fixed: number;
  fixedWithinSla: number;
  disputed: number;
  medianDaysToFix: number | null;
}

/**
 * Notifications sent in the range, per recipient category and in all: how many were acknowledged (the
 * recipient answered: acknowledged, fixed or disputed), fixed, fixed by their deadline (the SLA of
 * coordination/rules.ts, set when notified), disputed, and the median days from notification to fix.
 */
export async function disposalPerformance(db: Db, r: DateRange): Promise<DisposalRow[]> {
  const m = rangeMoments(r);
  const q = await sql<{
    category: string | null;
    notified: number;
    acknowledged: number;
    fixed: number;
    within: number;
    disputed: number;
    median: number | null;
  }>`
    WITH n AS (
      SELECT n.category, n.deadline, n.created_at,
             (SELECT min(e.at) FROM notification_events e WHERE e.notification_id = n.id
                AND e.to_state IN ('acknowledged', 'fixed', 'disputed')) AS answered_at,
             (SELECT min(e.at) FROM notification_events e WHERE e.notification_id = n.id
                AND e.to_state = 'fixed') AS fixed_at,
             (SELECT min(e.at) FROM notification_events e WHERE e.notification_id = n.id
                AND e.to_state = 'disputed') AS disputed_at
      FROM notifications n
      WHERE n.created_at BETWEEN ${m.from}::timestamptz AND ${m.to}::timestamptz)
    SELECT category, count(*)::int AS notified, count(answered_at)::int AS acknowledged,
           count(fixed_at)::int AS fixed, count(*) FILTER (WHERE fixed_at <= deadline)::int AS within,
           count(disputed_at)::int AS disputed,
           round((percentile_cont(0.5) WITHIN GROUP (
             ORDER BY extract(epoch FROM fixed_at - created_at) / 86400))::numeric, 1)::float8 AS median
    FROM n GROUP BY GROUPING SETS ((category), ())`.execute(db);
  return q.rows.map((x) => ({
    category: x.category,
    notified: x.notified,
    acknowledged: x.acknowledged,
    fixed: x.fixed,
    fixedWithinSla: x.within,
    disputed: x.disputed,
    medianDaysToFix: x.median,
  }));
}

// ---- the periodic_reports table

export interface PeriodicRow {
  id: string;
  kind: PeriodKind;
  state: 'draft' | 'published';
  data: Record<string, unknown> | null;
  publishedAt: string | null;
  updatedAt: string;
}

export async function getReport(db: Db, id: string, forUpdate = false): Promise<PeriodicRow | null> {
  let q = db
    .selectFrom('periodic_reports')
    .select(['id', 'kind', 'state', 'data', 'published_at', 'updated_at'])
    .where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r
    ? {
        id: r.id,
        kind: r.kind,
        state: r.state,
        data: r.data,
        publishedAt: r.published_at,
        updatedAt: r.updated_at,
      }
    : null;
}

/** The row of period p, created as a draft when absent. */
export async function ensureReport(db: Db, p: Period, at: string): Promise<void> {
  await db
    .insertInto('periodic_reports')
    .values({ id: p.id, kind: p.kind, start_date: p.start, end_date: p.end, state: 'draft', updated_at: at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function markPublished(db: Db, id: string, data: unknown, at: string): Promise<void> {
  await db
    .updateTable('periodic_reports')
    .set({ state: 'published', data: JSON.stringify(data), published_at: at, updated_at: at })
    .where('id', '=', id)
    .where('state', '=', 'draft')
    .execute();
}

export interface PublishedPeriodic {
  id: string;
  kind: PeriodKind;
  start: string;
  end: string;
  publishedAt: string;
  total: number;
  high: number;
}

/** Published reports, newest period first; optionally of one kind. */
export async function listPublished(db: Db, limit: number, kind?: PeriodKind): Promise<PublishedPeriodic[]> {
  const q = await sql<{
    id: string;
    kind: PeriodKind;
    start: string;
    end: string;
    published_at: string;
    total: number | null;
    high: number | null;
  }>`
    SELECT id, kind, start_date::text AS start, end_date::text AS "end", published_at::text AS published_at,
           (data #>> '{overview,total}')::int AS total, (data #>> '{overview,bySeverity,high}')::int AS high
    FROM periodic_reports WHERE state = 'published' ${kind ? sql`AND kind = ${kind}` : sql``}
    ORDER BY start_date DESC, kind DESC LIMIT ${limit}`.execute(db);
  return q.rows.map((x) => ({
    id: x.id,
    kind: x.kind,
    start: x.start,
    end: x.end,
    publishedAt: x.published_at,
    total: x.total ?? 0,
    high: x.high ?? 0,
  }));
}
