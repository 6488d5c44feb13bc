/** Versioned plain-SQL forward migrations (src/db/migrations/NNNN_name.sql), applied at start and by `vulnshare migrate`. */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from './client.js';

// Works from src/db (tests, tsx) and from dist/db (built): both resolve to <repo>/src/db/migrations.
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => {
      const sql = await readFile(new URL(f, `file://${dir}`), 'utf8');
      return {
        version: Number(f.slice(0, 4)),
        name: f.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

const LOCK_KEY = 748_110_2026;

/** Apply pending migrations; returns the names applied. Safe when several processes start at once. */
export async function migrate(database: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  await database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  // The versions applied already are not sent again: each script sent stopped at its re-check below, and sending
  // all 36 had cost every start (a CLI command, `serve`, a worker) 0.4 s on PostgreSQL.
  const done = new Set(
    (await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(database.db)).rows.map(
      (r) => Number(r.version),
    ),
  );
  const applied: string[] = [];
  for (const m of all) {
    if (done.has(m.version)) continue;
    const esc = (s: string) => s.replace(/'/g, "''");
    // One implicit transaction: the lock, the re-check, the DDL and the bookkeeping row.
    const script = `SELECT pg_advisory_xact_lock(${LOCK_KEY});
DO $vs$ BEGIN IF EXISTS (SELECT 1 FROM schema_migrations WHERE version = ${m.version}) THEN
  RAISE EXCEPTION 'vulnshare-migration-already-applied'; END IF; END $vs$;
${m.sql}
;INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, '${esc(m.name)}', '${m.checksum}');`;
    try {
      await database.exec(script);
      applied.push(m.name);
    } catch (e) {
      if (e instanceof Error && e.message.includes('vulnshare-migration-already-applied')) continue;
      throw new Error(`migration ${m.name} failed: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
  }
  return applied;
}

/** How many migrations the database has applied; a health check's proof that the database answers. */
export async function appliedMigrationCount(database: Pick<Database, 'db'>): Promise<number> {
  const r = await database.db
    .selectFrom('schema_migrations' as never)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number((r as { n?: number | string } | undefined)?.n ?? 0);
}
