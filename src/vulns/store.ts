/** Reads of vulnerabilities: by any alias, with sources and history; vendors; statistics. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { normaliseId } from './ids.js';
import type { PreparedRecord, SourceKind, Vulnerability } from './model.js';
import { weekOf } from './calendar.js';
import { vendorKey } from '../classify/index.js';

export interface VulnSource {
  source: string;
  key: string;
  state: string;
  file: string | null;
  firstSeenAt: string;
  updatedAt: string;
  /** The source's own record, verbatim. */
  raw: string;
}

export interface HistoryEntry {
  at: string;
  change: string;
  source: string | null;
  sourceKey: string | null;
  fields: Record<string, unknown>;
}

export interface VulnDetail {
  vulnerability: Vulnerability;
  /** Other vulnerabilities that share the alias asked for (two CNVD records citing one CVE). */
  alsoKnownAs: string[];
  sources: VulnSource[];
  history: HistoryEntry[];
}

/** The vulnerability an id names: its public id first, else the oldest record carrying the alias. */
export async function findVulnId(
  db: Kysely<DB>,
  rawId: string,
): Promise<{ id: number; others: string[] } | null> {
  const id = normaliseId(rawId);
  const r = await sql<{ id: number; public_id: string }>`
    SELECT v.id, v.public_id FROM vuln_aliases a JOIN vulnerabilities v ON v.id = a.vuln_id
    WHERE a.alias = ${id} ORDER BY (v.public_id = ${id}) DESC, v.id`.execute(db);
  const first = r.rows[0];
  if (!first) return null;
  return { id: first.id, others: r.rows.slice(1).map((x) => x.public_id) };
}

export async function getVulnerability(
  db: Kysely<DB>,
  rawId: string,
  opts: { withRaw?: boolean } = {},
): Promise<VulnDetail> {
  const found = await findVulnId(db, rawId);
  if (!found)
    throw new AppError('not_found', `No vulnerability is known by the id "${rawId}"`, { id: rawId });
  const v = await db
    .selectFrom('vulnerabilities')
    .select(['doc'])
    .where('id', '=', found.id)
    .executeTakeFirstOrThrow();
  const sources = await db
    .selectFrom('vuln_sources as vs')
    .innerJoin('source_records as s', 's.id', 'vs.source_record_id')
    .select(['s.source', 's.key', 's.state', 's.file', 's.first_seen_at', 's.updated_at', 's.raw'])
    .where('vs.vuln_id', '=', found.id)
    .orderBy('s.source')
    .orderBy('s.key')
    .execute();
  const history = await db
    .selectFrom('vuln_history')
    .select(['at', 'change', 'source', 'source_key', 'fields'])
    .where('vuln_id', '=', found.id)
    .orderBy('id')
    .execute();
  return {
    vulnerability: v.doc as unknown as Vulnerability,
    alsoKnownAs: found.others,
    sources: sources.map((s) => ({
      source: s.source,
      key: s.key,
      state: s.state,
      file: s.file,
      firstSeenAt: s.first_seen_at,
      updatedAt: s.updated_at,
      raw: opts.withRaw === false ? '' : s.raw,
    })),
    history: history.map((h) => ({
      at: h.at,
      change: h.change,
      source: h.source,
      sourceKey: h.source_key,
      fields: h.fields,
    })),
  };
}

/** One source record of a vulnerability, normalised (what the merge read) and verbatim (what the source said). */
export interface SourceRecordDetail {
  source: SourceKind;
  key: string;
  state: 'published' | 'rejected';
  record: PreparedRecord;
  raw: string;
}

/** A vulnerability by any id with every source record it is merged from: what format writers build from. */
export async function getVulnerabilityRecords(
  db: Kysely<DB>,
  rawId: string,
): Promise<{ vulnerability: Vulnerability; sources: SourceRecordDetail[] }> {
  const found = await findVulnId(db, rawId);
  if (!found)
    throw new AppError('not_found', `No vulnerability is known by the id "${rawId}"`, { id: rawId });
  const v = await db
    .selectFrom('vulnerabilities')
    .select(['doc'])
    .where('id', '=', found.id)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('vuln_sources as vs')
    .innerJoin('source_records as s', 's.id', 'vs.source_record_id')
    .select(['s.source', 's.key', 's.state', 's.record', 's.raw'])
    .where('vs.vuln_id', '=', found.id)
    .orderBy('s.source')
    .orderBy('s.key')
    .execute();
  return {
    vulnerability: v.doc as unknown as Vulnerability,
    sources: rows.map((r) => ({
      source: r.source as SourceKind,
      key: r.key,
      state: r.state === 'rejected' ? 'rejected' : 'published',
      record: JSON.parse(r.record) as PreparedRecord,
      raw: r.raw,
    })),
  };
}

export interface VendorCount {
  vendor: string;
  count: number;
  high: number;
}

export async function listVendors(
  db: Kysely<DB>,
  opts: { q?: string; limit?: number } = {},
): Promise<VendorCount[]> {
  const limit = opts.limit ?? 50;
  const like = opts.q ? `%${opts.q.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
  const r = await sql<VendorCount>`
    SELECT vendor, count(*)::int AS count, count(*) FILTER (WHERE severity = 'high')::int AS high
    FROM (SELECT unnest(vendors) AS vendor, severity FROM vulnerabilities WHERE state = 'published') t
    WHERE ${like === null ? sql`true` : sql`vendor LIKE ${like}`}
    GROUP BY vendor ORDER BY count DESC, vendor LIMIT ${limit}`.execute(db);
  return r.rows;
}

export interface Stats {
  total: number;
  bySeverity: Record<string, number>;
  byObjectType: Record<string, number>;
  byKind: Record<string, number>;
  bySource: Record<string, number>;
  exploited: number;
  zeroDay: number;
  /** ISO weeks (Monday start) of the collection date, newest first. */
  byWeek: Array<{
    week: string;
    start: string;
    total: number;
    high: number;
    medium: number;
    low: number;
    averageScore: number | null;
  }>;
  topVendors: VendorCount[];
}

const toRecord = (rows: Array<{ k: string | null; n: number }>) =>
  Object.fromEntries(rows.map((r) => [r.k ?? 'unknown', r.n]));

export async function getStats(
  db: Kysely<DB>,
  opts: { weeks?: number; from?: string; to?: string } = {},
): Promise<Stats> {
  const range = sql`state = 'published'
    AND ${opts.from ? sql`collected_at >= ${opts.from}::date` : sql`true`}
    AND ${opts.to ? sql`collected_at <= ${opts.to}::date` : sql`true`}`;
  const group = async (col: string, unnest = false) =>
    toRecord(
      (
        await sql<{ k: string | null; n: number }>`
        SELECT k, count(*)::int AS n FROM (SELECT ${sql.raw(unnest ? `unnest(${col})` : col)} AS k FROM vulnerabilities WHERE ${range}) t GROUP BY k ORDER BY n DESC`.execute(
          db,
        )
      ).rows,
    );
  const totals = await sql<{ total: number; exploited: number; zero_day: number }>`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE exploited)::int AS exploited,
           count(*) FILTER (WHERE zero_day)::int AS zero_day FROM vulnerabilities WHERE ${range}`.execute(db);
  const weeks = await sql<{
    start: string;
    total: number;
    high: number;
    medium: number;
    low: number;
    avg: number | null;
  }>`
    SELECT date_trunc('week', collected_at)::date AS start, count(*)::int AS total,
           count(*) FILTER (WHERE severity = 'high')::int AS high,
           count(*) FILTER (WHERE severity = 'medium')::int AS medium,
           count(*) FILTER (WHERE severity = 'low')::int AS low,
           round(avg(score), 2)::float8 AS avg
    FROM vulnerabilities WHERE ${range} AND collected_at IS NOT NULL
    GROUP BY 1 ORDER BY 1 DESC LIMIT ${opts.weeks ?? 12}`.execute(db);
  const t = totals.rows[0] ?? { total: 0, exploited: 0, zero_day: 0 };
  const topVendors = await sql<VendorCount>`
    SELECT vendor, count(*)::int AS count, count(*) FILTER (WHERE severity = 'high')::int AS high
    FROM (SELECT unnest(vendors) AS vendor, severity FROM vulnerabilities WHERE ${range}) t
    GROUP BY vendor ORDER BY count DESC, vendor LIMIT 10`.execute(db);
  return {
    total: t.total,
    bySeverity: await group('severity'),
    byObjectType: await group('object_type'),
    byKind: await group('kind'),
    bySource: await group('sources', true),
    exploited: t.exploited,
    zeroDay: t.zero_day,
    byWeek: weeks.rows.map((w) => ({
      week: weekOf(w.start).id,
      start: w.start,
      total: w.total,
      high: w.high,
      medium: w.medium,
      low: w.low,
      averageScore: w.avg,
    })),
    topVendors: topVendors.rows,
  };
}

/** New and updated published records, most recently changed first (the Atom feed). */
export async function listRecentChanges(
  db: Kysely<DB>,
  opts: { vendor?: string; limit?: number } = {},
): Promise<Array<{ vulnerability: Vulnerability; changedAt: string; createdAt: string }>> {
  let q = db
    .selectFrom('vulnerabilities')
    .select(['doc', 'modified_at', 'created_at'])
    .where('state', '=', 'published')
    .orderBy('modified_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 50);
  if (opts.vendor) q = q.where(sql<boolean>`vendors @> ARRAY[${vendorKey(opts.vendor)}]::text[]`);
  const rows = await q.execute();
  return rows.map((r) => ({
    vulnerability: r.doc as unknown as Vulnerability,
    changedAt: new Date(r.modified_at).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
