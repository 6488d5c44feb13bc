/** The bulletin's reads of the store (a week's records and aggregates) and the bulletins table. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { individualDisplayName } from '../accounts/model.js';
import type { Vulnerability } from '../vulns/model.js';
import { INDUSTRIES } from '../vulns/model.js';
import { shiftWeek, weekOf, type IsoWeek } from '../vulns/calendar.js';
import { rangeMoments, type DateRange } from './period.js';
import type { Editorial, ReporterCount, TrendPoint } from './figures.js';
import type { DateBasis } from './rules.js';
import { eventReportsBetween, verifiedReportsBetween } from '../submissions/store.js';

/** The indexed date column each basis reads (a fixed table: never interpolated from input). */
const DATE_COLUMN: Record<DateBasis, 'collected_at' | 'published_at' | 'submitted_at'> = {
  collected: 'collected_at',
  published: 'published_at',
  submitted: 'submitted_at',
};

type Db = Kysely<DB>;

/** General-type published records of the week. */
export async function weekRecords(db: Db, basis: DateBasis, w: IsoWeek): Promise<Vulnerability[]> {
  const col = DATE_COLUMN[basis];
  const rows = await db
    .selectFrom('vulnerabilities')
    .select('doc')
    .where('state', '=', 'published')
    .where('kind', '=', 'general')
    .where(col, '>=', w.start)
    .where(col, '<=', w.end)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.doc as unknown as Vulnerability);
}

/**
 * Event-type (事件型) reports of the week (or any period): those received through the platform (submissions, by arrival) plus
 * event-type records imported from other sources (by the date basis). Published submissions are counted once,
 * by arrival.
 */
export async function eventCount(db: Db, basis: DateBasis, w: DateRange): Promise<number> {
  const col = DATE_COLUMN[basis];
  const r = await db
    .selectFrom('vulnerabilities')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'published')
    .where('kind', '=', 'event')
    .where((eb) => eb.not(eb(sql.val('vulnshare'), '=', eb.fn.any('sources'))))
    .where(col, '>=', w.start)
    .where(col, '<=', w.end)
    .executeTakeFirstOrThrow();
  const m = rangeMoments(w);
  return Number(r.n) + (await eventReportsBetween(db, m.from, m.to));
}

/** Per week, oldest first, `weeks` weeks ending with w: totals, average score, industry counts. */
export async function trend(db: Db, basis: DateBasis, w: IsoWeek, weeks: number): Promise<TrendPoint[]> {
  const first = shiftWeek(w, -(weeks - 1));
  const col = sql.ref(DATE_COLUMN[basis]);
  const rows = await sql<{
    start: string;
    total: number;
    scored: number;
    avg: number | null;
    telecom: number;
    mobile_internet: number;
    ics: number;
  }>`
    SELECT date_trunc('week', ${col})::date::text AS start, count(*)::int AS total, count(score)::int AS scored,
           round(avg(score), 2)::float8 AS avg,
           count(*) FILTER (WHERE 'telecom' = ANY (industries))::int AS telecom,
           count(*) FILTER (WHERE 'mobile_internet' = ANY (industries))::int AS mobile_internet,
           count(*) FILTER (WHERE 'ics' = ANY (industries))::int AS ics
    FROM vulnerabilities
    WHERE state = 'published' AND kind = 'general' AND ${col} BETWEEN ${first.start}::date AND ${w.end}::date
    GROUP BY 1`.execute(db);
  const byStart = new Map(rows.rows.map((r) => [r.start, r]));
  return Array.from({ length: weeks }, (_, i) => {
    const wk = shiftWeek(first, i);
    const r = byStart.get(wk.start);
    return {
      week: wk.id,
      start: wk.start,
      total: r?.total ?? 0,
      scored: r?.scored ?? 0,
      averageScore: r?.avg ?? null,
      industries: Object.fromEntries(INDUSTRIES.map((i) => [i, r?.[i] ?? 0])) as TrendPoint['industries'],
    };
  });
}

/**
 * Reporters of the week or any period (Table 1, the public ranking and the monthly / annual reports read this). Reports received
 * through the platform count once verified, in the week of their verification, for the reporting organisation
 * (an individual researcher's own organisation counts as an individual): reported = verified, original = those
 * claimed original. Unverified arrivals (spam included) never count; cases the coordinator opened itself from
 * an incident (origin 'incident') are nobody's report. Records imported from feeds credit their discoverer
 * (CNVD discovererName): reported and original for that name. CVE finder credits are not reports to this
 * platform and are not counted.
 */
export async function reporters(db: Db, basis: DateBasis, w: DateRange): Promise<ReporterCount[]> {
  const col = sql.ref(DATE_COLUMN[basis]);
  const imported = await sql<{ name: string; reported: number; original: number }>`
    SELECT c.name, count(*)::int AS reported, count(*)::int AS original
    FROM vulnerabilities v CROSS JOIN LATERAL jsonb_array_elements_text(v.doc -> 'credits') AS c(name)
    WHERE v.state = 'published' AND NOT ('vulnshare' = ANY (v.sources)) AND ('cnvd' = ANY (v.sources) OR v.kind = 'event')
      AND ${col} BETWEEN ${w.start}::date AND ${w.end}::date
    GROUP BY c.name`.execute(db);
  const m = rangeMoments(w);
  // through the submissions store: reports verified in the week, per reporting organisation
  const submitted = await verifiedReportsBetween(db, m.from, m.to);
  return [
    ...imported.rows,
    // an individual's organisation is named "<name> <email>": the bulletin counts individuals together
    ...submitted.map((r) => ({
      name: r.kind === 'individual' ? individualDisplayName(r.name) : r.name,
      reported: r.reported,
      original: r.original,
      ...(r.kind === 'individual' ? { individual: true } : {}),
    })),
  ];
}

export interface BulletinRow {
  id: string;
  state: 'draft' | 'published';
  editorial: Editorial;
  data: Record<string, unknown> | null;
  publishedAt: string | null;
  updatedAt: string;
}

const toRow = (r: {
  id: string;
  state: string;
  editorial: Record<string, unknown>;
  data: Record<string, unknown> | null;
  published_at: string | null;
  updated_at: string;
}): BulletinRow => ({
  id: r.id,
  state: r.state === 'published' ? 'published' : 'draft',
  editorial: r.editorial as unknown as Editorial,
  data: r.data,
  publishedAt: r.published_at,
  updatedAt: r.updated_at,
});

export async function getBulletin(db: Db, id: string, forUpdate = false): Promise<BulletinRow | null> {
  let q = db
    .selectFrom('bulletins')
    .select(['id', 'state', 'editorial', 'data', 'published_at', 'updated_at'])
    .where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toRow(r) : null;
}

/** The bulletin row of week w, created as an empty draft when absent. */
export async function ensureBulletin(db: Db, w: IsoWeek): Promise<void> {
  await db
    .insertInto('bulletins')
    .values({
      id: w.id,
      year: w.year,
      week: w.week,
      start_date: w.start,
      end_date: w.end,
      state: 'draft',
      editorial: JSON.stringify({}),
      updated_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function saveEditorial(db: Db, id: string, editorial: Editorial, at: string): Promise<void> {
  await db
    .updateTable('bulletins')
    .set({ editorial: JSON.stringify(editorial), updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function markPublished(db: Db, id: string, data: unknown, at: string): Promise<void> {
  await db
    .updateTable('bulletins')
    .set({ state: 'published', data: JSON.stringify(data), published_at: at, updated_at: at })
    .where('id', '=', id)
    .where('state', '=', 'draft')
    .execute();
}

export interface PublishedSummary {
  id: string;
  year: number;
  week: number;
  start: string;
  end: string;
  publishedAt: string;
  total: number;
  high: number;
}

export async function listPublished(db: Db, limit: number): Promise<PublishedSummary[]> {
  const rows = await sql<{
    id: string;
    year: number;
    week: number;
    start: string;
    end: string;
    published_at: string;
    total: number | null;
    high: number | null;
  }>`
    SELECT id, year, week, start_date::text AS start, end_date::text AS "end", published_at::text AS published_at,
           (data #>> '{overview,total}')::int AS total, (data #>> '{overview,bySeverity,high}')::int AS high
    FROM bulletins WHERE state = 'published' ORDER BY start_date DESC LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    year: r.year,
    week: r.week,
    start: r.start,
    end: r.end,
    publishedAt: r.published_at,
    total: r.total ?? 0,
    high: r.high ?? 0,
  }));
}

/** The most recent week holding any record (by basis): a sensible default week for the CLI. */
export async function latestWeek(db: Db, basis: DateBasis): Promise<IsoWeek | null> {
  const col = DATE_COLUMN[basis];
  const r = await db
    .selectFrom('vulnerabilities')
    .select((eb) => eb.fn.max(col).as('d'))
    .where('state', '=', 'published')
    .executeTakeFirst();
  const d = r?.d;
  return d ? weekOf(d) : null;
}
