/**
 * The background work `serve` and `worker` run over the platform: the outbox (e-mail, webhooks, inbox), feed
 * syncs, and once a minute the sweep — publication at embargo end, alliance membership expiry, early warnings
 * to the members' watchlists, watchlist digests, disposal reminders and escalation. Any number of processes may
 * run it: the outbox and feeds lease their rows, and the sweep runs under the `sweep` lease
 * (src/ops/leases.ts), so one process at a time sweeps; stopping gives the lease back.
 */
import { startFeedScheduler } from '../feeds/scheduler.js';
import { startPeerScheduler } from '../peers/scheduler.js';
import { startCaseUpdates } from '../peers/handover.js';
import { createLease } from '../ops/leases.js';
import { forgetCounters } from '../ops/store.js';
import { startDrillReplies } from '../mail-in/drill-replies.js';
import type { Platform } from './platform.js';

/** Longer than any sweep takes: a process that dies holding it delays the next sweep by at most this. */
const SWEEP_LEASE_MS = 5 * 60_000;

export function startWorker(p: Platform, log: (line: string) => void): { stop: () => Promise<void> } {
  const outbox = p.outbox.start(1000, (e) => log(`outbox: ${String(e)}`));
  const feeds = startFeedScheduler(p.feeds, { everyMs: p.config.feeds.intervalMs, log });
  // every active peer's change feed is pulled on the feeds' interval
  const peers = startPeerScheduler(p.peers, { everyMs: p.config.feeds.intervalMs, log });
  // received cases that changed go back to the peer that handed them over (case.update)
  const caseUpdates = startCaseUpdates(p.handover, { everyMs: 2000, log });
  // e-mail replies to exercise injects (VULNSHARE_INBOUND_SMTP_PORT); a port another process holds is logged
  const inbound = p.config.inboundSmtp ? startDrillReplies(p.drills, p.config.inboundSmtp, log) : null;
  inbound?.ready.catch(() => undefined);
  const lease = createLease(p.database.db, 'sweep', SWEEP_LEASE_MS);
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await lease.run(async () => {
          const n = await p.submissions.publishDue();
          if (n) log(`published ${n} submission(s) at the end of their embargo`);
          // memberships past their renewal date expire first: an expired member gets no early warning
          const m = await p.alliance.expireDue();
          if (m.expired.length) log(`alliance: ${m.expired.length} membership(s) expired`);
          const e = await p.watchlists.earlyWarnings();
          if (e.warnings) log(`early warnings: ${e.warnings} to alliance members' watchlists`);
          const w = await p.watchlists.sendDigests();
          if (w.digests) log(`watch digests: ${w.digests} sent, ${w.alerts} alerts`);
          const x = await p.drills.deliverDue();
          if (x.injects) log(`exercise injects: ${x.injects} sent, ${x.messages} messages queued`);
          const r = await p.coordination.sweep();
          if (r.reminded + r.escalated)
            log(`disposal sweep: ${r.reminded} reminded, ${r.escalated} escalated`);
          await forgetCounters(p.database.db, 3_600_000); // rate-limit windows that ended an hour ago
        });
      } catch (e) {
        log(`sweep: ${String(e)}`);
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, p.config.sweepIntervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await lease.release();
      await feeds.stop();
      await caseUpdates.stop();
      await peers.stop();
      await outbox.stop();
      await inbound?.stop();
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
