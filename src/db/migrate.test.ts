import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { appliedMigrationCount, loadMigrations, migrate } from './migrate.js';

describe.each(testBackends())('migrations on %s', (backend) => {
  it('applies every migration once and is a no-op the second time', async () => {
    const d = await freshDatabase(backend);
    try {
      const again = await migrate(d);
      expect(again).toEqual([]);
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(d.db);
      expect(r.rows[0]?.n).toBeGreaterThanOrEqual(1);
      const t = await sql<{ n: number }>`SELECT count(*)::int AS n FROM vulnerabilities`.execute(d.db);
      expect(t.rows[0]?.n).toBe(0);
    } finally {
      await d.close();
    }
  });

  it('counts the migrations a database has applied (what /healthz asks)', async () => {
    const d = await freshDatabase(backend);
    try {
      const files = await loadMigrations();
      expect(files.length).toBeGreaterThan(1);
      expect(await appliedMigrationCount(d)).toBe(files.length);
    } finally {
      await d.close();
    }
  });

  it('rolls back a failing migration completely', async () => {
    const d = await freshDatabase(backend);
    try {
      await expect(
        migrate(d, [
          { version: 9001, name: '9001_bad', checksum: 'x', sql: 'CREATE TABLE t_ok (a int); SELECT 1/0;' },
        ]),
      ).rejects.toThrow(/9001_bad failed/);
      const r = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't_ok'`.execute(d.db);
      expect(r.rows[0]?.n).toBe(0);
    } finally {
      await d.close();
    }
  });
});
