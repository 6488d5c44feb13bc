/**
 * The SQL of shared process state: fixed-window request counters, named leases, and the WAL positions the
 * replica router compares. Every statement runs on the primary except `replayLsn` (on a replica).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

type Db = Kysely<DB>;

/**
 * Count one hit for `key` in the current fixed window of `windowMs` (windows start on the database's clock, so
 * every process agrees). One statement: concurrent hits from any process serialise on the row.
 */
export async function hit(db: Db, key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
  const seconds = windowMs / 1000;
  const r = await sql<{ hits: number; ttl_ms: number }>`
    INSERT INTO rate_limit_counters AS c (key, window_start, hits)
    VALUES (${key}, to_timestamp(floor(extract(epoch FROM now()) / ${seconds}::float8) * ${seconds}::float8), 1)
    ON CONFLICT (key) DO UPDATE
      SET hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + 1 ELSE 1 END,
          window_start = EXCLUDED.window_start
    RETURNING hits,
      greatest(0, floor(extract(epoch FROM (window_start + make_interval(secs => ${seconds}::float8) - now())) * 1000))::int AS ttl_ms`.execute(
    db,
  );
  const row = r.rows[0];
  return { hits: row?.hits ?? 1, ttlMs: row?.ttl_ms ?? windowMs };
}

/** Forget counters whose window ended before `olderThanMs` ago. */
export async function forgetCounters(db: Db, olderThanMs: number): Promise<number> {
  const r = await db
    .deleteFrom('rate_limit_counters')
    .where('window_start', '<', sql<string>`now() - make_interval(secs => ${olderThanMs / 1000}::float8)`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Take (or renew) the lease `name` for `ttlMs`: granted when nobody holds it, its holder's time is up, or
 * `holder` already holds it. True when `holder` holds it now.
 */
export async function takeLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const r = await sql<{ holder: string }>`
    INSERT INTO process_leases AS l (name, holder, acquired_at, expires_at)
    VALUES (${name}, ${holder}, now(), now() + make_interval(secs => ${ttlMs / 1000}::float8))
    ON CONFLICT (name) DO UPDATE
      SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
      WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
    RETURNING holder`.execute(db);
  return r.rows[0]?.holder === holder;
}

/** Give the lease back (only its holder can). */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('process_leases').where('name', '=', name).where('holder', '=', holder).execute();
}

/** The primary's current WAL write position ('0/3000148'); null where there is no WAL (never on PostgreSQL). */
export async function currentLsn(db: Db): Promise<string | null> {
  const r = await sql<{ lsn: string | null }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db);
  return r.rows[0]?.lsn ?? null;
}

/** What a standby has replayed, and whether it is a standby at all. */
export async function replayLsn(db: Db): Promise<{ standby: boolean; lsn: string | null }> {
  const r = await sql<{ standby: boolean; lsn: string | null }>`
    SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn`.execute(db);
  return { standby: r.rows[0]?.standby ?? false, lsn: r.rows[0]?.lsn ?? null };
}

/** Messages waiting in the outbox (the metrics' outbox depth). */
export async function outboxDepth(db: Db): Promise<number> {
  const r = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Import runs going on now, and the records the runs finished in the last `windowMs` read. */
export async function importActivity(
  db: Db,
  windowMs: number,
): Promise<{ running: number; records: number }> {
  const r = await sql<{ running: number; records: number }>`
    SELECT count(*) FILTER (WHERE finished_at IS NULL AND started_at > now() - interval '1 day')::int AS running,
      coalesce(sum((counts->>'read')::bigint) FILTER (
        WHERE finished_at > now() - make_interval(secs => ${windowMs / 1000}::float8)), 0)::bigint AS records
    FROM import_runs WHERE started_at > now() - interval '1 day'`.execute(db);
  return { running: r.rows[0]?.running ?? 0, records: Number(r.rows[0]?.records ?? 0) };
}
