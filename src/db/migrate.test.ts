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

  it('sends no applied migration to the database again: one up to date takes one statement and a query', async () => {
    const d = await freshDatabase(backend, { before: 37 });
    const scripts: string[] = [];
    const exec = d.exec.bind(d);
    d.exec = async (text: string) => {
      scripts.push(text);
      await exec(text);
    };
    try {
      const later = (await loadMigrations()).filter((m) => m.version >= 37).map((m) => m.name);
      expect(await migrate(d)).toEqual(later);
      // the CREATE TABLE IF NOT EXISTS, then one script per pending migration
      expect(scripts).toHaveLength(1 + later.length);
      expect(scripts.slice(1).every((s, i) => s.includes(`VALUES (${37 + i},`))).toBe(true);
      scripts.length = 0;
      expect(await migrate(d)).toEqual([]);
      expect(scripts).toHaveLength(1);
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

  it('keeps every source record and its anchor when 0037 makes the prepared record text', async () => {
    const d = await freshDatabase(backend, { before: 37 });
    try {
      const csaf = {
        source: 'csaf',
        key: 'ns/doc#CVE-2024-1',
        anchor: 'CVE-2024-1',
        title: { zh: '漏洞 "引号"' },
      };
      const cve = { source: 'cve', key: 'CVE-2024-1', title: { en: 'no anchor' } };
      for (const r of [csaf, cve])
        await sql`INSERT INTO source_records (source, key, state, hash, record, raw)
          VALUES (${r.source}, ${r.key}, 'published', 'h', ${JSON.stringify(r)}::jsonb, '{}')`.execute(d.db);
      expect(await migrate(d)).toContain('0037_source_record_text');
      const rows = await sql<{ key: string; record: string; anchor: string | null }>`
        SELECT key, record, anchor FROM source_records ORDER BY key`.execute(d.db);
      expect(rows.rows.map((r) => [r.key, JSON.parse(r.record) as unknown, r.anchor])).toEqual([
        ['CVE-2024-1', cve, null],
        ['ns/doc#CVE-2024-1', csaf, 'CVE-2024-1'],
      ]);
      const byAnchor = await sql<{ key: string }>`
        SELECT key FROM source_records WHERE anchor = 'CVE-2024-1'`.execute(d.db);
      expect(byAnchor.rows).toEqual([{ key: 'ns/doc#CVE-2024-1' }]);
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
