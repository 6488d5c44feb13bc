/** The worker's loop for feeds: `syncDue` every `everyMs`, never two rounds at once in one process. */
import { CLI, type Principal } from '../accounts/model.js';
import type { SyncResult } from './run.js';

export interface FeedScheduler {
  stop(): Promise<void>;
}

export function startFeedScheduler(
  service: { syncDue(principal: Principal): Promise<SyncResult[]> },
  opts: { everyMs?: number; log?: (line: string) => void } = {},
): FeedScheduler {
  const log = opts.log ?? (() => undefined);
  let round: Promise<void> | null = null;
  const tick = () => {
    if (round) return;
    // the worker runs as the operator of the machine, like the CLI
    round = service
      .syncDue(CLI)
      .then(
        (results) => {
          for (const r of results) log(describeResult(r));
        },
        (e: unknown) => log(`feeds: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        round = null;
      });
  };
  tick();
  const timer = setInterval(tick, opts.everyMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}

/** One line per run, as the worker logs it and the CLI prints it. */
export function describeResult(r: SyncResult): string {
  switch (r.outcome) {
    case 'imported': {
      const c = r.counts;
      return `feed ${r.feed}: ${c.read} read, ${c.imported} imported, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected (${r.bytes} bytes, ${r.attempts} request${r.attempts === 1 ? '' : 's'})`;
    }
    case 'not_modified':
      return `feed ${r.feed}: not modified since the last run`;
    case 'failed':
      return `feed ${r.feed}: failed: ${r.error ?? 'unknown error'}`;
  }
}
