/**
 * Store tests run on both backends: PGlite (in memory) always, and PostgreSQL when reachable
 * (VULNSHARE_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test). Each PostgreSQL test
 * database gets a fresh schema so parallel test files never see each other's rows.
 */
import pg from 'pg';
import { openDatabase, type Database } from '../db/client.js';
import { loadMigrations, migrate } from '../db/migrate.js';
import { sql } from 'kysely';
import { importItems } from '../imports/pipeline.js';
import type { SourceRecord } from '../vulns/model.js';
import { itemsOf } from './factories.js';

export const PG_TEST_URL = process.env.VULNSHARE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** 'pglite' always; 'postgres' unless VULNSHARE_TEST_BACKENDS excludes it. */
export function testBackends(): Array<'pglite' | 'postgres'> {
  const wanted = (process.env.VULNSHARE_TEST_BACKENDS ?? 'pglite,postgres').split(',').map((s) => s.trim());
  return (['pglite', 'postgres'] as const).filter((b) => wanted.includes(b));
}

let counter = 0;

/**
 * A migrated, empty database on the given backend; close() drops it. `before` stops the migrations short of that
 * version (to test an upgrade: the rest are applied by the test).
 */
export async function freshDatabase(
  backend: 'pglite' | 'postgres',
  opts: { before?: number } = {},
): Promise<Database & { url?: string }> {
  const upgrade = async (d: Database) => {
    const before = opts.before;
    await migrate(
      d,
      before === undefined ? undefined : (await loadMigrations()).filter((m) => m.version < before),
    );
  };
  if (backend === 'pglite') {
    const d = await openDatabase({ dataDir: 'memory://' });
    await upgrade(d);
    return d;
  }
  const name = `vs_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = PG_TEST_URL.replace(/\/[^/]*$/, `/${name}`);
  const d = await openDatabase({ databaseUrl: url });
  await upgrade(d);
  return {
    ...d,
    url,
    async close() {
      await d.close();
      const a = new pg.Client({ connectionString: PG_TEST_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/**
 * A fresh database on the backend holding these records, imported through the pipeline and analysed, so that the
 * planner's statistics (the search's estimates and date cuts) are those of the records.
 */
export async function analysedStore(
  backend: 'pglite' | 'postgres',
  records: SourceRecord[],
): Promise<Database & { url?: string }> {
  const d = await freshDatabase(backend);
  await importItems(d, itemsOf(records), { format: 'test', paths: [] });
  await sql`ANALYZE vulnerabilities`.execute(d.db);
  return d;
}
