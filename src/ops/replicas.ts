/**
 * Read replicas: one Kysely whose every statement goes where it may.
 *
 * The platform's services are built once (src/app/platform.ts) over `routed.db`; each statement picks its node
 * when it runs. A statement goes to a replica only when all of these hold:
 * - it runs inside a request that may read from a replica (./request-route.ts: a GET or HEAD whose session has
 *   no write the replica has not replayed yet),
 * - it is a plain read (SELECT / WITH without a locking clause or a function with side effects), outside a
 *   transaction,
 * - a replica is in rotation: it answered the last measurement, is a standby, is at most `maxLagBytes` of WAL
 *   behind the primary and has replayed the session's last write (`minLsn`).
 * Everything else — writes, transactions, the worker, the CLI — runs on the primary. A read that fails on a
 * replica (stopped, restarting, a recovery conflict) runs again on the primary: the caller never sees it, and a
 * replica that cannot be reached leaves the rotation until the next measurement finds it again.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import {
  guardedPool,
  logPoolError,
  PG_SESSION_OPTIONS,
  type Database,
  type PoolErrorLog,
} from '../db/client.js';
import type { DB } from '../db/schema.js';
import { currentLsn, replayLsn } from './store.js';
import { currentRoute, type RequestRoute } from './request-route.js';

export interface ReplicaStatus {
  name: string;
  /** host:port/database, no credentials */
  address: string;
  inRotation: boolean;
  /** WAL bytes the replica has still to replay (null: not measured / unreachable) */
  lagBytes: number | null;
  replayLsn: string | null;
  /** why it is out of rotation */
  reason: string | null;
  checkedAt: string | null;
}

export interface ReplicaRouter {
  /** The Database the platform is built over: reads routed, everything else on the primary. */
  readonly database: Database;
  /** The primary as it was opened (migrations, rate-limit counters, leases, measurements). */
  readonly primary: Database;
  /** One measurement of every replica now (also run every `checkMs`). */
  check(): Promise<void>;
  status(): ReplicaStatus[];
  /** The primary's WAL position now, as a session remembers it after a write. */
  primaryLsn(): Promise<string | null>;
  /** Reads answered by each node since start (metrics). */
  readonly reads: Map<string, number>;
  /** The connection pools' figures (metrics). */
  pools(): Array<{ name: string; total: number; idle: number; waiting: number }>;
  close(): Promise<void>;
}

interface Replica {
  name: string;
  address: string;
  pool: pg.Pool;
  db: Kysely<DB>;
  inRotation: boolean;
  replayLsn: bigint | null;
  lagBytes: number | null;
  reason: string | null;
  checkedAt: string | null;
}

/** '16/B374D848' → its byte position. */
export function parseLsn(text: string | null | undefined): bigint | null {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text?.trim() ?? '');
  if (!m?.[1] || !m[2]) return null;
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

const READ = /^\s*(select|with)\b/i;
const NOT_A_PLAIN_READ =
  /\b(insert|update|delete|merge|for\s+(no\s+key\s+)?update|for\s+(key\s+)?share|nextval|setval|pg_advisory\w*|pg_notify|set_config|pg_current_wal_lsn|lo_\w+)\b/i;
const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|rollback|savepoint|release|end)\b/i;

/** Whether a statement may run on a read-only standby. */
export function isPlainRead(sqlText: string): boolean {
  return READ.test(sqlText) && !NOT_A_PLAIN_READ.test(sqlText);
}

/** Errors that say the node is gone, not that the statement is wrong. */
function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return true; // socket errors, timeouts, "Connection terminated"
  return /^(08|57P|53|ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH)/.test(code);
}

const addressOf = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
};

type QueryResult = { rows: unknown[]; rowCount: number | null; command: string };

interface PgClientLike {
  query(sqlText: string, params?: unknown[]): Promise<QueryResult>;
  release(destroy?: boolean | Error): void;
}

export function createReplicaRouter(
  primary: Database,
  opts: {
    primaryUrl: string;
    replicaUrls: string[];
    maxLagBytes: number;
    checkMs: number;
    poolSize?: number;
    /** Where a lost connection of the router's pools is logged (src/db/client.ts guardedPool). */
    onPoolError?: PoolErrorLog;
  },
): ReplicaRouter {
  const size = opts.poolSize ?? 10;
  const log = opts.onPoolError ?? logPoolError;
  const primaryPool = guardedPool(
    'primary',
    { connectionString: opts.primaryUrl, max: size, options: PG_SESSION_OPTIONS },
    log,
  );
  const replicas: Replica[] = opts.replicaUrls.map((url, i) => {
    const name = `replica-${i + 1}`;
    const pool = guardedPool(
      name,
      { connectionString: url, max: size, options: PG_SESSION_OPTIONS, connectionTimeoutMillis: 2000 },
      log,
    );
    return {
      name,
      address: addressOf(url),
      pool,
      db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }),
      inRotation: false,
      replayLsn: null,
      lagBytes: null,
      reason: 'not measured yet',
      checkedAt: null,
    };
  });
  const reads = new Map<string, number>();
  const count = (node: string) => reads.set(node, (reads.get(node) ?? 0) + 1);
  let next = 0;

  function takeOut(r: Replica, reason: string) {
    r.inRotation = false;
    r.reason = reason;
  }

  /** The replica a read of `route` goes to, or null for the primary. */
  function pick(route: RequestRoute): Replica | null {
    const fits = (r: Replica) =>
      r.inRotation && (route.minLsn === null || (r.replayLsn !== null && r.replayLsn >= route.minLsn));
    const pinned = replicas.find((r) => r.name === route.replica);
    if (pinned && fits(pinned)) return pinned;
    const candidates = replicas.filter(fits);
    if (candidates.length === 0) return null;
    const r = candidates[next++ % candidates.length] ?? null;
    route.replica = r?.name ?? null;
    return r;
  }

  /** A pg client for Kysely: reads of a replica-eligible request go to a replica, the rest to the primary. */
  class RoutingClient implements PgClientLike {
    private primaryClient: pg.PoolClient | null = null;
    constructor(private readonly route: RequestRoute | undefined) {}
    private async onPrimary(sqlText: string, params?: unknown[]): Promise<QueryResult> {
      this.primaryClient ??= await primaryPool.connect();
      return this.primaryClient.query(sqlText, params);
    }
    async query(sqlText: string, params?: unknown[]): Promise<QueryResult> {
      const route = this.route;
      if (route && !this.primaryClient && route.mayUseReplica && isPlainRead(sqlText)) {
        const replica = pick(route);
        if (replica) {
          try {
            const r = (await replica.pool.query(sqlText, params)) as QueryResult;
            route.answeredBy = replica.name;
            count(replica.name);
            return r;
          } catch (e) {
            if (isConnectionError(e)) takeOut(replica, `unreachable: ${String(e)}`);
            route.replica = null;
            // the read runs again on the primary: the caller never sees the replica's failure
          }
        }
      }
      if (route && !TRANSACTION_CONTROL.test(sqlText) && !isPlainRead(sqlText)) route.wrote = true;
      const r = await this.onPrimary(sqlText, params);
      if (route && isPlainRead(sqlText)) {
        route.answeredBy ??= 'primary';
        count('primary');
      }
      return r;
    }
    release(destroy?: boolean | Error): void {
      this.primaryClient?.release(destroy);
      this.primaryClient = null;
    }
  }

  const routingPool = {
    connect: () => Promise.resolve(new RoutingClient(currentRoute())),
    end: () => primaryPool.end(),
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: routingPool as unknown as pg.Pool }) });

  async function check(): Promise<void> {
    let head: bigint | null = null;
    try {
      head = parseLsn(await currentLsn(primary.db));
    } catch {
      head = null;
    }
    await Promise.all(
      replicas.map(async (r) => {
        r.checkedAt = new Date().toISOString();
        try {
          const s = await replayLsn(r.db);
          if (!s.standby) return takeOut(r, 'not a standby (pg_is_in_recovery() is false)');
          r.replayLsn = parseLsn(s.lsn);
          r.lagBytes = head !== null && r.replayLsn !== null ? Math.max(0, Number(head - r.replayLsn)) : null;
          if (r.replayLsn === null) return takeOut(r, 'has replayed nothing yet');
          if (r.lagBytes !== null && r.lagBytes > opts.maxLagBytes)
            return takeOut(r, `${r.lagBytes} bytes behind (more than ${opts.maxLagBytes})`);
          r.inRotation = true;
          r.reason = null;
        } catch (e) {
          r.lagBytes = null;
          takeOut(r, `unreachable: ${String(e)}`);
        }
      }),
    );
  }

  let timer: NodeJS.Timeout | null = null;
  let checking: Promise<void> = Promise.resolve();
  if (replicas.length) {
    timer = setInterval(() => {
      checking = checking.then(check);
    }, opts.checkMs);
    timer.unref();
  }

  const database: Database = {
    db,
    kind: primary.kind,
    via: primary.via,
    exec: (s) => primary.exec(s),
    copyFrom: (c, t) => primary.copyFrom(c, t),
    close: () => primary.close(),
  };

  return {
    database,
    primary,
    check: () => (checking = checking.then(check)),
    status: () =>
      replicas.map((r) => ({
        name: r.name,
        address: r.address,
        inRotation: r.inRotation,
        lagBytes: r.lagBytes,
        replayLsn: r.replayLsn === null ? null : formatLsn(r.replayLsn),
        reason: r.reason,
        checkedAt: r.checkedAt,
      })),
    primaryLsn: () => currentLsn(primary.db),
    reads,
    pools: () =>
      [{ name: 'primary', pool: primaryPool }, ...replicas].map((p) => ({
        name: p.name,
        total: p.pool.totalCount,
        idle: p.pool.idleCount,
        waiting: p.pool.waitingCount,
      })),
    async close() {
      if (timer) clearInterval(timer);
      await checking;
      await db.destroy();
      await Promise.all(replicas.map((r) => r.db.destroy()));
    },
  };
}

export function formatLsn(n: bigint): string {
  return `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;
}
