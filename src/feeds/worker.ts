/** Building the feed service from the feed settings, and the worker that `serve` and `worker` start. */
import type { Database } from '../db/client.js';
import type { FeedConfig } from './config.js';
import { startFeedScheduler } from './scheduler.js';
import { createFeedService, type FeedService, type FeedServiceDeps } from './service.js';

/** Settings the feed service takes besides the feed config (the import batch size is in the main config). */
export type FeedExtras = Omit<FeedServiceDeps, 'database'>;

/** The feed service with the configured timeouts, attempts, size limit and temp folder. */
export function feedServiceFromConfig(
  database: Database,
  config: FeedConfig,
  extras: FeedExtras = {},
): FeedService {
  return createFeedService({
    ...extras,
    database,
    retry: { ...config.retry, ...extras.retry },
    ...(config.tmpDir !== undefined && extras.tmpDir === undefined ? { tmpDir: config.tmpDir } : {}),
  });
}

/**
 * Run every due feed every `config.intervalMs` until stopped; each run is logged in one line
 * (`describeResult`). `stop()` waits for a round in progress.
 */
export function startFeedWorker(
  database: Database,
  config: FeedConfig,
  log: (line: string) => void,
  extras: FeedExtras = {},
): { stop: () => Promise<void> } {
  const service = feedServiceFromConfig(database, config, extras);
  const scheduler = startFeedScheduler(service, { everyMs: config.intervalMs, log });
  return { stop: () => scheduler.stop() };
}
