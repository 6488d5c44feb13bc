/** The worker's loop for peers: pull every active peer's feed every `everyMs`, never two rounds at once. */
import { CLI } from '../accounts/model.js';
import type { PeerService, PeerSyncResult } from './service.js';

export function startPeerScheduler(
  peers: Pick<PeerService, 'sync'>,
  opts: { everyMs: number; log?: (line: string) => void },
): { stop(): Promise<void> } {
  const log = opts.log ?? (() => undefined);
  let round: Promise<void> | null = null;
  const tick = () => {
    if (round) return;
    round = peers
      .sync(CLI)
      .then(
        (results) => {
          for (const r of results) if (r.outcome !== 'synced' || r.applied) log(describePeerSync(r));
        },
        (e: unknown) => log(`peers: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        round = null;
      });
  };
  tick();
  const timer = setInterval(tick, opts.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
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
