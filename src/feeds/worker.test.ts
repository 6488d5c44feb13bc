/** Feed settings from the environment, and the worker `serve` / `worker` start (on PGlite, a local server). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { isAppError } from '../errors.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase } from '../test-support/db.js';
import {
  DEFAULT_FEEDS_INTERVAL_MS,
  effectiveRetry,
  feedConfigFromEnv,
  parseDuration,
  parseSize,
} from './config.js';
import { DEFAULT_RETRY } from './model.js';
import { createFeedService } from './service.js';
import { kevCatalogue } from '../test-support/kev.js';
import { serve, startFeedServer, type FeedServer } from '../test-support/feed-server.js';
import { feedServiceFromConfig, startFeedWorker } from './worker.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    feedConfigFromEnv(env);
  } catch (e) {
    if (isAppError(e)) return (e.details?.problems as string[] | undefined) ?? [];
    throw e;
  }
  return [];
}

describe('feed settings from the environment', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vs-feed-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to a 60 s interval, the default retry policy and the OS temp folder', () => {
    const c = feedConfigFromEnv({});
    expect(c).toEqual({ intervalMs: DEFAULT_FEEDS_INTERVAL_MS, retry: {}, tmpDir: undefined });
    expect(DEFAULT_FEEDS_INTERVAL_MS).toBe(60_000);
    expect(effectiveRetry(c)).toEqual(DEFAULT_RETRY);
    expect(feedConfigFromEnv({ VULNSHARE_FEEDS_INTERVAL: '', VULNSHARE_FEED_ATTEMPTS: ' ' })).toEqual(c);
  });

  it('reads every variable', () => {
    expect(
      feedConfigFromEnv({
        VULNSHARE_FEEDS_INTERVAL: '5m',
        VULNSHARE_FEED_TIMEOUT: '90',
        VULNSHARE_FEED_ATTEMPTS: '2',
        VULNSHARE_FEED_MAX_BYTES: '512M',
        VULNSHARE_FEEDS_TMP: dir,
      }),
    ).toEqual({
      intervalMs: 300_000,
      retry: { requestTimeoutMs: 90_000, idleTimeoutMs: 90_000, attempts: 2, maxBytes: 512 * 1024 ** 2 },
      tmpDir: dir,
    });
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('soon')).toBeNull();
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('1048576')).toBe(1024 ** 2);
    expect(parseSize('10KB')).toBe(10 * 1024);
    expect(parseSize('lots')).toBeNull();
  });

  it('reports every problem at once, naming the variable', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const problems = problemsOf({
      VULNSHARE_FEEDS_INTERVAL: '500ms',
      VULNSHARE_FEED_TIMEOUT: 'soon',
      VULNSHARE_FEED_ATTEMPTS: '2.5',
      VULNSHARE_FEED_MAX_BYTES: '12',
      VULNSHARE_FEEDS_TMP: file,
    });
    expect(problems).toEqual([
      'VULNSHARE_FEEDS_INTERVAL must be a duration between 1s and 1d, like 90s, 5m or 1h30m (got "500ms")',
      'VULNSHARE_FEED_TIMEOUT must be a duration between 1s and 1h, like 90s, 5m or 1h30m (got "soon")',
      'VULNSHARE_FEED_ATTEMPTS must be an integer between 1 and 20 (got "2.5")',
      'VULNSHARE_FEED_MAX_BYTES must be a size between 1K and 1T, like 500M or 2G (got "12")',
      `VULNSHARE_FEEDS_TMP must be an existing folder (got "${file}")`,
    ]);
    expect(problemsOf({ VULNSHARE_FEED_ATTEMPTS: '21' })).toHaveLength(1);
    expect(problemsOf({ VULNSHARE_FEEDS_TMP: join(dir, 'missing') })).toHaveLength(1);
    expect(() => feedConfigFromEnv({ VULNSHARE_FEED_ATTEMPTS: '0' })).toThrow(
      /^Invalid configuration:\n {2}- /,
    );
  });
});

describe('the feed worker', () => {
  let server: FeedServer;
  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('syncs due feeds on its interval with the configured settings, logs each run, and stops', async () => {
    const d = await freshDatabase('pglite');
    const dir = mkdtempSync(join(tmpdir(), 'vs-feed-worker-'));
    try {
      server.handle(serve(() => ({ body: kevCatalogue(4), contentType: 'application/json' })));
      await createFeedService({ database: d, internalTargets: ANY_INTERNAL_TARGET }).addFeed(CLI, {
        name: 'kev',
        format: 'kev',
        url: server.url('/kev.json'),
        schedule: '1h',
      });
      const config = feedConfigFromEnv({ VULNSHARE_FEEDS_INTERVAL: '1s', VULNSHARE_FEEDS_TMP: dir });
      expect(feedServiceFromConfig(d, config).policy).toEqual(DEFAULT_RETRY);
      expect(
        feedServiceFromConfig(d, feedConfigFromEnv({ VULNSHARE_FEED_ATTEMPTS: '1' })).policy.attempts,
      ).toBe(1);

      const lines: string[] = [];
      const w = startFeedWorker(d, config, (l) => lines.push(l), {
        batchSize: 2,
        internalTargets: ANY_INTERNAL_TARGET, // the feed server listens on 127.0.0.1
      });
      for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await w.stop();
      expect(lines).toEqual([
        expect.stringMatching(/^feed kev: 4 read, 4 imported, 0 updated, 0 unchanged, 0 rejected/),
      ]);
      const [feed] = await createFeedService({ database: d }).listFeeds(CLI);
      expect(feed?.status).toMatchObject({ lastOutcome: 'imported', consecutiveFailures: 0 });
      expect(server.requests).toHaveLength(1); // not due again for an hour
    } finally {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
