/**
 * The background work `serve` and `worker` run over the platform: the outbox (e-mail, webhooks, inbox), feed
 * syncs, and once a minute the sweep — publication at embargo end, watchlist digests, disposal reminders and
 * escalation.
 */
import { startFeedScheduler } from '../feeds/scheduler.js';
import type { Platform } from './platform.js';

export function startWorker(p: Platform, log: (line: string) => void): { stop: () => Promise<void> } {
  const outbox = p.outbox.start(1000, (e) => log(`outbox: ${String(e)}`));
  const feeds = startFeedScheduler(p.feeds, { everyMs: p.config.feeds.intervalMs, log });
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = running.then(async () => {
      try {
        const n = await p.submissions.publishDue();
        if (n) log(`published ${n} submission(s) at the end of their embargo`);
        const w = await p.watchlists.sendDigests();
        if (w.digests) log(`watch digests: ${w.digests} sent, ${w.alerts} alerts`);
        const r = await p.coordination.sweep();
        if (r.reminded + r.escalated) log(`disposal sweep: ${r.reminded} reminded, ${r.escalated} escalated`);
      } catch (e) {
        log(`sweep: ${String(e)}`);
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, 60_000);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
      await feeds.stop();
      await outbox.stop();
    },
  };
}

/** Deliver what is due now, until nothing is left (`vulnshare worker --once`). */
export async function drainOutbox(p: Platform): Promise<{ sent: number; failed: number }> {
  const total = { sent: 0, failed: 0 };
  for (;;) {
    const r = await p.outbox.runOnce();
    total.sent += r.sent;
    total.failed += r.failed;
    if (r.sent + r.failed === 0) return total;
  }
}
