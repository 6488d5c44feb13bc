/**
 * bin/vulnshare.js as users start it: against a PostgreSQL server (DATABASE_URL) it runs the command again with
 * a 1,536 MB V8 heap limit and passes on signals and the exit; on the embedded database it runs the command in
 * its own process with V8's default limit. Read from the limit the process reports on /metrics.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/gen-cve-corpus.js';
import type { Database } from '../db/client.js';
import { freshDatabase } from '../test-support/db.js';
import { call, serve, until, vulnshare, servePgUnavailable } from '../test-support/serve-process.js';

const why = await servePgUnavailable();
if (why) console.warn(`launcher.test.ts skipped: ${why}`);

const MB = 1024 * 1024;
async function heapLimit(base: string): Promise<number> {
  const m = await call(base, '/metrics');
  const v = /^vulnshare_nodejs_heap_size_limit_bytes (\d+)/m.exec(String(m.body))?.[1];
  if (!v) throw new Error('no vulnshare_nodejs_heap_size_limit_bytes on /metrics');
  return Number(v);
}
const refuses = (base: string) =>
  call(base, '/healthz').then(
    () => false,
    () => true,
  );

describe.skipIf(!!why)('bin/vulnshare.js', () => {
  let database: Database & { url?: string };
  let dataDir: string;
  beforeAll(async () => {
    database = await freshDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'vulnshare-launcher-'));
    mkdirSync(join(dataDir, 'pglite'));
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('on PostgreSQL runs the command with a 1,536 MB heap limit, and stops it gracefully on SIGTERM', async () => {
    const s = await serve({ DATABASE_URL: database.url ?? '' });
    try {
      const limit = await heapLimit(s.base);
      // V8 adds the young generation's size to the old generation's limit
      expect(limit).toBeGreaterThanOrEqual(1536 * MB);
      expect(limit).toBeLessThan(1700 * MB);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(s.output()).not.toMatch(/"level":[56]/);
    expect(await refuses(s.base)).toBe(true);
  }, 60_000);

  it('keeps a limit of its own, and VULNSHARE_HEAP_LIMIT_MB=0 leaves V8 its default', async () => {
    for (const [env, check] of [
      [{ NODE_OPTIONS: '--max-old-space-size=700' }, (l: number) => l >= 700 * MB && l < 800 * MB],
      [{ VULNSHARE_HEAP_LIMIT_MB: '0' }, (l: number) => l > 1700 * MB],
    ] as const) {
      const s = await serve({ DATABASE_URL: database.url ?? '', ...env });
      try {
        const limit = await heapLimit(s.base);
        expect(check(limit), `${JSON.stringify(env)}: ${limit / MB} MB`).toBe(true);
      } finally {
        await s.stop();
      }
    }
  }, 60_000);

  it('on the embedded database runs the command in its own process with V8 default limit', async () => {
    const s = await serve({ VULNSHARE_DATA: join(dataDir, 'pglite') });
    try {
      expect(await heapLimit(s.base)).toBeGreaterThan(1700 * MB);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 60_000);

  it('passes on the exit code, and a command whose launcher is killed with SIGKILL stops too', async () => {
    const wrong = await vulnshare(['migrate'], {
      DATABASE_URL: database.url ?? '',
      VULNSHARE_HEAP_LIMIT_MB: 'lots',
    });
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('VULNSHARE_HEAP_LIMIT_MB: "lots" is not a whole number');
    const bad = await vulnshare(['no-such-command'], { DATABASE_URL: database.url ?? '' });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("unknown command 'no-such-command'");
    const ok = await vulnshare(['migrate'], { DATABASE_URL: database.url ?? '' });
    expect(ok.code).toBe(0);
    // more than one batch: prepared in import worker threads, which must start under the launched command too
    const corpus = join(dataDir, 'corpus');
    generateCorpus({ count: 1100, out: corpus, seed: 3 });
    const imported = await vulnshare(['import', 'cve5', corpus], { DATABASE_URL: database.url ?? '' });
    expect(imported.out).toContain('1100 read, 1100 imported');
    expect(imported.code).toBe(0);

    const s = await serve({ DATABASE_URL: database.url ?? '' });
    expect(await heapLimit(s.base)).toBeLessThan(1700 * MB);
    s.kill('SIGKILL');
    await s.exited;
    // the command (the launcher's child) notices its parent is gone and stops as on SIGTERM
    await until('the command to stop after its launcher died', () => refuses(s.base), 20_000);
  }, 60_000);
});
