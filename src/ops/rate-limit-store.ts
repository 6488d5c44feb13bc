/**
 * @fastify/rate-limit's counters in PostgreSQL instead of each process's memory: N app processes behind one
 * address allow a client the configured requests per window in all, not N times as many. Fixed windows on the
 * database's clock (./store.ts `hit`: one INSERT … ON CONFLICT … DO UPDATE … RETURNING per request).
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { hit } from './store.js';

export function databaseRateLimitStore(db: Kysely<DB>): FastifyRateLimitStoreCtor {
  class DatabaseStore implements FastifyRateLimitStore {
    private readonly scope: string;
    constructor(options: unknown) {
      // the plugin passes its options; a child passes the route's scope
      this.scope = typeof options === 'string' ? options : '';
    }
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      hit(db, `${this.scope}${key}`, timeWindow).then(
        (r) => callback(null, { current: r.hits, ttl: r.ttlMs }),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
    }
    child(routeOptions: { path: string; prefix: string }): FastifyRateLimitStore {
      return new DatabaseStore(`${routeOptions.prefix}${routeOptions.path}|`);
    }
  }
  return DatabaseStore;
}
