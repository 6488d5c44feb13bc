/**
 * The import side of the store: bulk reads and writes for one batch, inside one transaction.
 * Rows travel as one JSON parameter expanded by jsonb_to_recordset, so a batch of a thousand
 * records costs a handful of round trips on PGlite and PostgreSQL alike; their largest text values
 * (verbatim sources, prepared records, search vectors) go beside it as binary text[] parameters.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { TextArrayParam } from '../db/text-array.js';
import type { VulnRowColumns } from '../vulns/row.js';
import type { PreparedRecord, SourceKind } from '../vulns/model.js';

type Tx = Transaction<DB> | Kysely<DB>;

export interface StoredSourceRow {
  id: number;
  source: SourceKind;
  key: string;
  hash: string;
}

/** Serialises writers (several importers against one PostgreSQL server) for the transaction. */
export async function lockImports(tx: Tx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(748110)`.execute(tx);
}

export async function findSourceRows(
  tx: Tx,
  keys: Array<{ source: string; key: string }>,
): Promise<StoredSourceRow[]> {
  if (keys.length === 0) return [];
  const r = await sql<StoredSourceRow>`
    SELECT s.id, s.source, s.key, s.hash
    FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) AS k(source text, key text)
    JOIN source_records s ON s.source = k.source AND s.key = k.key`.execute(tx);
  return r.rows;
}

export interface SourceUpsert {
  source: string;
  key: string;
  state: string;
  hash: string;
  /** the PreparedRecord as JSON text */
  recordJson: string;
  /** the record's anchor (PreparedRecord.anchor), kept in a column of its own */
  anchor: string | null;
  raw: string;
  file: string;
}

/** Insert or update source records; returns their ids by "source:key". */
export async function upsertSourceRows(tx: Tx, rows: SourceUpsert[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (rows.length === 0) return out;
  // the verbatim sources and the prepared records, the batch's largest values, go beside the JSON of the small
  // columns as binary text[] (../db/text-array.ts): neither escaped into it nor parsed out of it
  const fields = JSON.stringify(
    rows.map((x) => ({
      source: x.source,
      key: x.key,
      state: x.state,
      hash: x.hash,
      anchor: x.anchor,
      file: x.file,
    })),
  );
  const r = await sql<{ id: number; source: string; key: string }>`
    INSERT INTO source_records (source, key, state, hash, record, anchor, raw, file)
    SELECT x.source, x.key, x.state, x.hash, x.record, x.anchor, x.raw, x.file
    FROM ROWS FROM (
      jsonb_to_recordset(${fields}::jsonb) AS (source text, key text, state text, hash text, anchor text, file text),
      unnest(${new TextArrayParam(rows.map((row) => row.recordJson))}::text[]),
      unnest(${new TextArrayParam(rows.map((row) => row.raw))}::text[])
    ) AS x(source, key, state, hash, anchor, file, record, raw)
    ON CONFLICT (source, key) DO UPDATE
      SET state = excluded.state, hash = excluded.hash, record = excluded.record, anchor = excluded.anchor,
          raw = excluded.raw, file = excluded.file, updated_at = now()
    RETURNING id, source, key`.execute(tx);
  for (const row of r.rows) out.set(`${row.source}:${row.key}`, row.id);
  return out;
}

export async function findLinksOfSources(
  tx: Tx,
  srIds: number[],
): Promise<Array<{ source_record_id: number; vuln_id: number }>> {
  if (srIds.length === 0) return [];
  const r = await sql<{ source_record_id: number; vuln_id: number }>`
    SELECT source_record_id, vuln_id FROM vuln_sources WHERE source_record_id = ANY(${srIds}::bigint[])`.execute(
    tx,
  );
  return r.rows;
}

export async function findVulnsByAliases(
  tx: Tx,
  aliases: string[],
): Promise<Array<{ alias: string; vuln_id: number; identity: string | null }>> {
  if (aliases.length === 0) return [];
  // joined to the list, not `alias = ANY(list)`: for that the planner scans the whole table and hashes the list;
  // 1,000 aliases in a 300k store, warm, 42–49 ms that way and 15–16 ms with one index probe each
  const r = await sql<{ alias: string; vuln_id: number; identity: string | null }>`
    SELECT a.alias, a.vuln_id, v.identity
    FROM unnest(${aliases}::text[]) AS k(alias)
    JOIN vuln_aliases a ON a.alias = k.alias
    JOIN vulnerabilities v ON v.id = a.vuln_id`.execute(tx);
  return r.rows;
}

export async function findIdentities(tx: Tx, vulnIds: number[]): Promise<Map<number, string | null>> {
  if (vulnIds.length === 0) return new Map();
  const r = await sql<{ id: number; identity: string | null }>`
    SELECT id, identity FROM vulnerabilities WHERE id = ANY(${vulnIds}::bigint[])`.execute(tx);
  return new Map(r.rows.map((x) => [x.id, x.identity]));
}

/** Enrichment (non-identity) source records whose key is one of the given ids. */
export async function findEnrichmentByKeys(
  tx: Tx,
  keys: string[],
  enrichmentSources: string[],
): Promise<Array<{ id: number; key: string }>> {
  if (keys.length === 0 || enrichmentSources.length === 0) return [];
  // by key (CVE, KEV) and by anchor (a CSAF vulnerability's CVE id: source_records_anchor_idx), each key
  // looked up in its index on its own. Written as joins, the planner misjudged both (the anchor is NULL in
  // most records, the key is the unique index's second column) and read every source record once per batch:
  // 200–250 ms per batch at 60,000 records, growing with the store; 20 ms as lookups (OFFSET 0 keeps them so).
  const r = await sql<{ id: number; key: string }>`
    SELECT s.id, s.key FROM unnest(${keys}::text[]) AS k(key)
      CROSS JOIN LATERAL (SELECT id, key, anchor FROM source_records
                          WHERE source = ANY(${enrichmentSources}::text[]) AND key = k.key OFFSET 0) s
    WHERE s.anchor IS NULL
    UNION ALL
    SELECT a.id, a.anchor FROM unnest(${keys}::text[]) AS k(key)
      CROSS JOIN LATERAL (SELECT id, anchor FROM source_records
                          WHERE anchor = k.key AND source = ANY(${enrichmentSources}::text[]) OFFSET 0) a`.execute(
    tx,
  );
  return r.rows;
}

export async function allocateVulnIds(tx: Tx, n: number): Promise<number[]> {
  if (n === 0) return [];
  const r = await sql<{ id: number }>`
    SELECT nextval(pg_get_serial_sequence('vulnerabilities', 'id')) AS id FROM generate_series(1, ${n}::int)`.execute(
    tx,
  );
  return r.rows.map((x) => x.id);
}

export async function insertLinks(tx: Tx, links: Array<{ vulnId: number; srId: number }>): Promise<void> {
  if (links.length === 0) return;
  await sql`
    INSERT INTO vuln_sources (vuln_id, source_record_id)
    SELECT x."vulnId", x."srId" FROM jsonb_to_recordset(${JSON.stringify(links)}::jsonb) AS x("vulnId" bigint, "srId" bigint)
    ON CONFLICT DO NOTHING`.execute(tx);
}

/** Move everything of a stand-alone vulnerability into the one that absorbs it, then delete it. */
export async function absorbVuln(tx: Tx, from: number, into: number): Promise<void> {
  await sql`INSERT INTO vuln_sources (vuln_id, source_record_id)
    SELECT ${into}::bigint, source_record_id FROM vuln_sources WHERE vuln_id = ${from}::bigint ON CONFLICT DO NOTHING`.execute(
    tx,
  );
  await sql`UPDATE vuln_history SET vuln_id = ${into}::bigint WHERE vuln_id = ${from}::bigint`.execute(tx);
  await sql`DELETE FROM vulnerabilities WHERE id = ${from}::bigint`.execute(tx);
}

/** Source record ids linked to each of the given vulnerabilities. */
export async function findSourcesOfVulns(
  tx: Tx,
  vulnIds: number[],
): Promise<Array<{ vuln_id: number; source_record_id: number }>> {
  if (vulnIds.length === 0) return [];
  const r = await sql<{ vuln_id: number; source_record_id: number }>`
    SELECT vuln_id, source_record_id FROM vuln_sources WHERE vuln_id = ANY(${vulnIds}::bigint[])`.execute(tx);
  return r.rows;
}

export async function loadPreparedRecords(tx: Tx, srIds: number[]): Promise<Map<number, PreparedRecord>> {
  if (srIds.length === 0) return new Map();
  const r = await sql<{ id: number; record: string }>`
    SELECT id, record FROM source_records WHERE id = ANY(${srIds}::bigint[])`.execute(tx);
  return new Map(r.rows.map((x) => [x.id, JSON.parse(x.record) as PreparedRecord]));
}

export async function loadVulnDocs(
  tx: Tx,
  vulnIds: number[],
): Promise<Map<number, { doc_hash: string; doc: unknown }>> {
  if (vulnIds.length === 0) return new Map();
  const r = await sql<{ id: number; doc_hash: string; doc: unknown }>`
    SELECT id, doc_hash, doc FROM vulnerabilities WHERE id = ANY(${vulnIds}::bigint[])`.execute(tx);
  return new Map(r.rows.map((x) => [x.id, { doc_hash: x.doc_hash, doc: x.doc }]));
}

export type VulnWrite = VulnRowColumns & { id: number; identity: string | null };

const VULN_COLS =
  sql.raw(`id, public_id, identity, state, doc, doc_hash, aliases, vendors, products, object_type,
  industries, cwes, sources, score, severity, kind, zero_day, exploited, poc_available, has_patch,
  submitted_at, collected_at, published_at, updated_at, sort_date, search`);
const VULN_RECORDSET =
  sql.raw(`(id bigint, public_id text, identity text, state text, doc jsonb, doc_hash text,
  aliases text[], vendors text[], products text[], object_type text, industries text[], cwes text[], sources text[],
  score numeric, severity text, kind text, zero_day boolean, exploited boolean, poc_available boolean,
  has_patch boolean, submitted_at date, collected_at date, published_at date, updated_at date, sort_date date)`);

/**
 * Insert new vulnerabilities and update changed ones (by id), then replace their aliases. `created`: the ids
 * allocated in this transaction, which have no aliases to replace yet.
 */
export async function writeVulns(
  tx: Tx,
  rows: VulnWrite[],
  created?: { has(id: number): boolean },
): Promise<void> {
  if (rows.length === 0) return;
  // doc is already JSON text: splice it into the parameter rather than parse and stringify it again; the
  // search vectors' text goes beside it as a binary text[] (../db/text-array.ts), not escaped into the JSON
  const payload = `[${rows.map(({ doc, ...rest }) => `${JSON.stringify({ ...rest, search: undefined }).slice(0, -1)},"doc":${doc}}`).join(',')}]`;
  await sql`
    INSERT INTO vulnerabilities (${VULN_COLS})
    SELECT ${VULN_COLS} FROM (
      SELECT x.*, x.unnest::tsvector AS search FROM ROWS FROM (
        jsonb_to_recordset(${payload}::jsonb) AS ${VULN_RECORDSET},
        unnest(${new TextArrayParam(rows.map((r) => r.search))}::text[])
      ) AS x
    ) x
    ON CONFLICT (id) DO UPDATE SET
      public_id = excluded.public_id, identity = coalesce(excluded.identity, vulnerabilities.identity),
      state = excluded.state, doc = excluded.doc, doc_hash = excluded.doc_hash, aliases = excluded.aliases,
      vendors = excluded.vendors, products = excluded.products, object_type = excluded.object_type,
      industries = excluded.industries, cwes = excluded.cwes, sources = excluded.sources, score = excluded.score,
      severity = excluded.severity, kind = excluded.kind, zero_day = excluded.zero_day,
      exploited = excluded.exploited, poc_available = excluded.poc_available, has_patch = excluded.has_patch,
      submitted_at = excluded.submitted_at, collected_at = excluded.collected_at,
      published_at = excluded.published_at, updated_at = excluded.updated_at, sort_date = excluded.sort_date,
      search = excluded.search, modified_at = now()`.execute(tx);
  const ids = rows.map((r) => r.id).filter((id) => !created?.has(id));
  if (ids.length) await sql`DELETE FROM vuln_aliases WHERE vuln_id = ANY(${ids}::bigint[])`.execute(tx);
  const aliasRows = rows.flatMap((r) => r.aliases.map((alias) => ({ alias, vuln_id: r.id })));
  await sql`
    INSERT INTO vuln_aliases (alias, vuln_id)
    SELECT x.alias, x.vuln_id FROM jsonb_to_recordset(${JSON.stringify(aliasRows)}::jsonb) AS x(alias text, vuln_id bigint)
    ON CONFLICT DO NOTHING`.execute(tx);
}

export async function setIdentity(tx: Tx, vulnId: number, identity: string): Promise<void> {
  await sql`UPDATE vulnerabilities SET identity = ${identity} WHERE id = ${vulnId}::bigint`.execute(tx);
}

export interface HistoryWrite {
  vuln_id: number;
  change: 'created' | 'updated' | 'merged';
  source: string | null;
  source_key: string | null;
  fields: Record<string, unknown>;
}

export async function insertHistory(tx: Tx, rows: HistoryWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO vuln_history (vuln_id, change, source, source_key, fields)
    SELECT x.vuln_id, x.change, x.source, x.source_key, x.fields
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x(vuln_id bigint, change text, source text, source_key text, fields jsonb)`.execute(tx);
}

export async function startImportRun(db: Tx, format: string, paths: string[]): Promise<number> {
  const r = await db
    .insertInto('import_runs')
    .values({ format, paths, counts: '{}', issues: '[]' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function finishImportRun(
  db: Tx,
  id: number,
  counts: Record<string, unknown>,
  issues: unknown[],
): Promise<void> {
  await db
    .updateTable('import_runs')
    .set({
      finished_at: new Date().toISOString(),
      counts: JSON.stringify(counts),
      issues: JSON.stringify(issues.slice(0, 10_000)),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Refresh planner statistics after an import. PGlite runs PostgreSQL in single-user mode, where no
 * autovacuum ever analyses a table; without statistics the planner cannot tell a common word from a
 * rare one and picks plans that read every row.
 *
 * With `vacuum` (the embedded database, which no autovacuum ever visits) the tables are vacuumed too: that sets
 * the visibility map, without which no index-only scan can skip the table (an id lookup reads its alias from
 * the index alone) and every first read of a row sets its hint bits. PGlite, the 300k store of issue 16, bench
 * (c)'s queries before and after: id p50 6.2 → 1.6 ms, filters p50 21.1 → 7.8 ms, all p95 44.2 → 40.6 ms; the
 * vacuum took 10.5 s after the 428 s import. A PostgreSQL server's autovacuum does this itself.
 */
export async function analyzeTables(db: Tx, opts: { vacuum?: boolean } = {}): Promise<void> {
  await sql.raw(`${opts.vacuum ? 'VACUUM (ANALYZE)' : 'ANALYZE'} ${IMPORT_TABLES}`).execute(db);
}

/** The tables an import writes in bulk: what analyzeTables refreshes (and the benchmark vacuums on PostgreSQL). */
export const IMPORT_TABLES = 'vulnerabilities, source_records, vuln_aliases, vuln_sources';

/**
 * Whether an import that changed `changed` records should refresh the statistics: autovacuum's own rule
 * (50 rows + 10 % of the table) applied to the records changed since the last import that analysed, this
 * one included. A daily delta of 1,000 records into a store of 300,000 leaves them as they are (ANALYZE
 * samples 30,000 rows of each table: about a second); ten such deltas, or a first load, refresh them.
 */
export async function analyzeDue(db: Tx, changed: number): Promise<boolean> {
  if (changed === 0) return false;
  const r = await sql<{ rows: number | null; debt: number }>`
    SELECT (SELECT reltuples::float8 FROM pg_class WHERE oid = 'vulnerabilities'::regclass) AS rows,
      (SELECT coalesce(sum(coalesce((counts->>'imported')::float8, 0) + coalesce((counts->>'updated')::float8, 0)), 0)
       FROM import_runs
       WHERE finished_at IS NOT NULL
         AND id > coalesce((SELECT max(id) FROM import_runs WHERE counts ? 'analyzed'), 0)) AS debt`.execute(
    db,
  );
  const rows = Number(r.rows[0]?.rows ?? -1);
  const debt = Number(r.rows[0]?.debt ?? 0) + changed;
  return rows < 0 || debt > 50 + 0.1 * rows;
}
