/**
 * The worker's loops for peers: pull every active peer's feed every `everyMs`, never two rounds at once;
 * deliver the peer outbox's due messages every `messagesEveryMs` (default 1 s), never two rounds at once; and
 * send push hints to peers when our published records change (service.ts startHints).
 */
import { CLI } from '../accounts/model.js';
import type { PeerService, PeerSyncResult } from './service.js';

/** One loop: `run` at once and every `everyMs`, a round never overlapping the one before. */
function loop(run: () => Promise<void>, everyMs: number): { stop(): Promise<void> } {
  let round: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (round || stopped) return;
    round = run().finally(() => {
      round = null;
    });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}

export function startPeerScheduler(
  peers: Pick<PeerService, 'sync'> & {
    messages?: Pick<PeerService['messages'], 'deliverDue'>;
    startHints?: PeerService['startHints'];
    notices?: Pick<PeerService['notices'], 'sweep'>;
  },
  opts: { everyMs: number; messagesEveryMs?: number; log?: (line: string) => void },
): { stop(): Promise<void> } {
  const log = opts.log ?? (() => undefined);
  const pulls = loop(
    () =>
      peers.sync(CLI).then(
        (results) => {
          for (const r of results) if (r.outcome !== 'synced' || r.applied) log(describePeerSync(r));
        },
        (e: unknown) => log(`peers: ${e instanceof Error ? e.message : String(e)}`),
      ),
    opts.everyMs,
  );
  const messages = peers.messages;
  const deliveries = messages
    ? loop(
        () =>
          (peers.notices?.sweep() ?? Promise.resolve())
            .then(() => messages.deliverDue())
            .then(
              (c) => {
                if (c.sent + c.failed + c.retried)
                  log(`peer messages: ${c.sent} sent, ${c.failed} refused, ${c.retried} to retry`);
              },
              (e: unknown) => log(`peer messages: ${e instanceof Error ? e.message : String(e)}`),
            ),
        opts.messagesEveryMs ?? 1000,
      )
    : null;
  // tell peers when our published records change, so they pull at once rather than at their next round
  const hints = peers.startHints?.() ?? null;
  return {
    async stop() {
      await hints?.stop();
      await pulls.stop();
      await deliveries?.stop();
    },
  };
}

export function describePeerSync(r: PeerSyncResult): string {
  switch (r.outcome) {
    case 'synced':
      return `peer ${r.peer}: ${r.pages} page(s), ${r.applied} applied, ${r.unchanged} unchanged, ${r.refused} refused by policy; cursor ${r.cursor}`;
    case 'busy':
      return `peer ${r.peer}: another process is syncing it`;
    case 'failed':
      return `peer ${r.peer}: failed (${r.errorCode ?? 'error'}): ${r.error ?? ''}`;
  }
}
