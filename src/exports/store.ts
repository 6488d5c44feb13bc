/**
 * Reads for exports: merged documents a page at a time (keyset on the row id, or the ids of a search page),
 * with the row's own timestamps and, on request, the verbatim CVE records a vulnerability was merged from.
 * Memory holds one page, never the corpus.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { PreparedRecord, SourceKind, Vulnerability } from '../vulns/model.js';

/** A source record of a vulnerability: normalised (what the merge read) and verbatim. */
export interface ExportSource {
  source: SourceKind;
  key: string;
  state: 'published' | 'rejected';
  record: PreparedRecord;
  raw: string;
}

export interface ExportRow {
  /** The row id (the keyset of a full export). */
  rowId: number;
  vulnerability: Vulnerability;
  /** When the platform first stored the record / last changed it (RFC 3339, UTC). */
  createdAt: string;
  modifiedAt: string;
  /** The CVE JSON 5 records (verbatim text) it was merged from; only when asked for. */
  cveRaw?: string[];
  /** Every source record it was merged from; only when asked for. */
  sources?: ExportSource[];
  /** The CVE ids whose record this vulnerability answers (the one `GET /{CVE id}` finds); only when asked for. */
  ownCveIds?: string[];
}

export interface ExportReadOptions {
  cveRaw?: boolean;
  sources?: boolean;
  ownCveIds?: boolean;
}

const iso = (t: string | Date) => new Date(t).toISOString();

async function enrich(db: Kysely<DB>, rows: ExportRow[], o: ExportReadOptions): Promise<ExportRow[]> {
  if (rows.length === 0 || !(o.cveRaw || o.sources || o.ownCveIds)) return rows;
  const ids = rows.map((r) => r.rowId);
  const sources = new Map<number, ExportSource[]>();
  if (o.cveRaw || o.sources) {
    let q = db
      .selectFrom('vuln_sources as vs')
      .innerJoin('source_records as s', 's.id', 'vs.source_record_id')
      .select(['vs.vuln_id', 's.source', 's.key', 's.state', 's.record', 's.raw'])
      .where('vs.vuln_id', 'in', ids);
    if (!o.sources) q = q.where('s.source', '=', 'cve');
    for (const r of await q.orderBy('s.source').orderBy('s.key').execute())
      sources.set(r.vuln_id, [
        ...(sources.get(r.vuln_id) ?? []),
        {
          source: r.source as SourceKind,
          key: r.key,
          state: r.state === 'rejected' ? 'rejected' : 'published',
          record: JSON.parse(r.record) as PreparedRecord,
          raw: r.raw,
        },
      ]);
  }
  const owned = new Map<number, string[]>();
  if (o.ownCveIds) {
    // the vulnerability an alias names: its public id first, else the oldest carrying it (as findVulnId)
    const r = await sql<{ alias: string; vuln_id: number }>`
      SELECT DISTINCT ON (a.alias) a.alias, v.id AS vuln_id
      FROM vuln_aliases a JOIN vulnerabilities v ON v.id = a.vuln_id
      WHERE a.alias IN (SELECT alias FROM vuln_aliases WHERE vuln_id = ANY(${ids}::bigint[]) AND alias LIKE 'CVE-%')
      ORDER BY a.alias, (v.public_id = a.alias) DESC, v.id`.execute(db);
    for (const x of r.rows) owned.set(x.vuln_id, [...(owned.get(x.vuln_id) ?? []), x.alias]);
  }
  return rows.map((r) => ({
    ...r,
    ...(o.cveRaw
      ? { cveRaw: (sources.get(r.rowId) ?? []).filter((s) => s.source === 'cve').map((s) => s.raw) }
      : {}),
    ...(o.sources ? { sources: sources.get(r.rowId) ?? [] } : {}),
    ...(o.ownCveIds ? { ownCveIds: owned.get(r.rowId) ?? [] } : {}),
  }));
}

/** The page of every stored vulnerability (any state) after `afterRowId`, in row order. */
export async function exportPageAfter(
  db: Kysely<DB>,
  afterRowId: number,
  limit: number,
  opts: ExportReadOptions = {},
): Promise<ExportRow[]> {
  const rows = await db
    .selectFrom('vulnerabilities')
    .select(['id', 'doc', 'created_at', 'modified_at'])
    .where('id', '>', afterRowId)
    .orderBy('id')
    .limit(limit)
    .execute();
  const page = rows.map((r) => ({
    rowId: r.id,
    vulnerability: r.doc as unknown as Vulnerability,
    createdAt: iso(r.created_at),
    modifiedAt: iso(r.modified_at),
  }));
  return enrich(db, page, opts);
}

/** The rows of these public ids, in the order given (a search page). */
export async function exportRowsByPublicId(
  db: Kysely<DB>,
  publicIds: string[],
  opts: ExportReadOptions = {},
): Promise<ExportRow[]> {
  if (publicIds.length === 0) return [];
  const rows = await db
    .selectFrom('vulnerabilities')
    .select(['id', 'public_id', 'doc', 'created_at', 'modified_at'])
    .where('public_id', 'in', publicIds)
    .execute();
  const by = new Map(rows.map((r) => [r.public_id, r]));
  const page = publicIds.flatMap((pid) => {
    const r = by.get(pid);
    return r
      ? [
          {
            rowId: r.id,
            vulnerability: r.doc as unknown as Vulnerability,
            createdAt: iso(r.created_at),
            modifiedAt: iso(r.modified_at),
          },
        ]
      : [];
  });
  return enrich(db, page, opts);
}

/** One row by its row id (after findVulnId resolved an alias). */
export async function exportRowById(
  db: Kysely<DB>,
  rowId: number,
  opts: ExportReadOptions = {},
): Promise<ExportRow | null> {
  const rows = await exportPageAfter(db, rowId - 1, 1, opts);
  return rows[0]?.rowId === rowId ? rows[0] : null;
}

/** How many rows a full export will write (for the progress line). */
export async function countAll(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM vulnerabilities`.execute(db);
  return r.rows[0]?.n ?? 0;
}
