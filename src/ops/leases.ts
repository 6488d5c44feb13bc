/**
 * A named lease shared by every process on one database (the `process_leases` table): work done under it runs
 * in one process at a time. The holder is this process; a holder that dies loses the lease when its time is up.
 */
import type { Kysely } from 'kysely';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { DB } from '../db/schema.js';
import { releaseLease, takeLease } from './store.js';

/** This process, as lease holders are named: host:pid:random. */
export const PROCESS_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export function createLease(db: Kysely<DB>, name: string, ttlMs: number, holder = PROCESS_ID) {
  return {
    /** Run `work` when the lease is ours (taken or renewed); false when another process holds it. */
    async run(work: () => Promise<void>): Promise<boolean> {
      if (!(await takeLease(db, name, holder, ttlMs))) return false;
      try {
        await work();
      } finally {
        await releaseLease(db, name, holder);
      }
      return true;
    },
    /** Give it back (on shutdown; harmless when not held). */
    release: () => releaseLease(db, name, holder),
  };
}
