/**
 * The one database handle: embedded PGlite (default, data directory on disk or in memory) or a
 * PostgreSQL server (DATABASE_URL). Both speak the same SQL; Kysely sits on top of either.
 */
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { pino, type Logger } from 'pino';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DB } from './schema.js';
import { AppError } from '../errors.js';
import { claimDataDir, describeOwner, ownerAddress, readOwnerInfo, type DataDirClaim } from './ownership.js';
import { servePGliteOn, type ConnectionLock } from './socket-server.js';
import { TextArrayParam } from './text-array.js';

export type BackendKind = 'pglite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: BackendKind;
  /**
   * 'owner': this process opened the database itself (PGlite files, or a PostgreSQL server); 'client': it works
   * through the process that owns the embedded directory (./ownership.ts).
   */
  readonly via: 'owner' | 'client';
  /** Run SQL text with several statements (migrations) as one implicit transaction. */
  exec(sqlText: string): Promise<void>;
  /** COPY … FROM STDIN with text-format rows (bulk loads; the benchmark's floor). */
  copyFrom(copySql: string, text: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; 'memory://' (or undefined) for an in-memory database. */
  dataDir?: string | undefined;
  /**
   * Who opens a PGlite directory (see ./ownership.ts). The first process owns it and serves it to the others;
   * a command (the default) run while another process owns it works through that owner; a long-running
   * process (serve, worker) refuses to start beside another owner.
   */
  as?: { command: string; longRunning: boolean } | undefined;
  /** Where a PostgreSQL pool's lost connections are logged (default: a pino line on standard error). */
  onPoolError?: PoolErrorLog | undefined;
}

/** A pool's connection error, logged with the pool's name; the process goes on. */
export type PoolErrorLog = (pool: string, err: Error) => void;

let fallbackLogger: Logger | null = null;

/** The default PoolErrorLog: one pino JSON line on standard error (standard output may carry a command's JSON). */
export const logPoolError: PoolErrorLog = (pool, err) => {
  fallbackLogger ??= pino({ level: 'warn' }, pino.destination(2));
  fallbackLogger.warn({ pool, err }, POOL_ERROR_MESSAGE);
};

export const POOL_ERROR_MESSAGE = 'database connection lost; the pool opens a new one on demand';

/**
 * A PostgreSQL pool whose connections cannot crash the process. pg emits 'error' on a client whose backend ends
 * (a server restart, pg_terminate_backend, a replica stopped with -m fast); pg-pool forwards it to the pool only
 * while the client is idle, and a checked-out client without a listener would throw it as uncaught. Every client
 * gets a listener that logs it with the pool's name; the pool drops the connection and opens a new one for the
 * next query, and a query that was running still gets its error.
 */
export function guardedPool(name: string, config: pg.PoolConfig, log: PoolErrorLog = logPoolError): pg.Pool {
  const pool = new pg.Pool(config);
  // the same error reaches the client's listener below: logged there once
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', (err) => log(name, err)));
  return pool;
}

// Scores are numeric(3,1), counts bigint: both fit JS numbers. Dates stay 'YYYY-MM-DD' strings,
// timestamps become ISO strings in UTC, so both backends return identical shapes.
const toIso = (v: string): string => new Date(v.includes('T') || v.includes('+') ? v : `${v}Z`).toISOString();
const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184 } as const;

/**
 * Serialises access to the single PGlite connection so Kysely transactions never interleave — the owner's own
 * and those of clients connected through its socket (./socket-server.ts) take the same lock.
 */
class PGlitePool implements ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly pglite: PGlite) {}
  async acquire(): Promise<() => void> {
    let release: () => void = () => undefined;
    const prev = this.tail;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    return release;
  }
  async connect() {
    const release = await this.acquire();
    const pglite = this.pglite;
    return {
      async query(sqlText: string, params: unknown[]) {
        // PGlite binds parameters as text with its own serialisers: a binary text[] goes as the plain array
        const values = params.map((v) => (v instanceof TextArrayParam ? v.literal() : v));
        const r = await pglite.query<Record<string, unknown>>(sqlText, values);
        const command = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase() ?? '';
        return { rows: r.rows, rowCount: r.affectedRows ?? 0, command };
      },
      release() {
        release();
      },
    };
  }
  async end() {
    await this.pglite.close();
  }
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.onPoolError ?? logPoolError);
  const dataDir = opts.dataDir && opts.dataDir !== 'memory://' ? opts.dataDir : undefined;
  if (!dataDir) return openPGlite(undefined, null);
  const as = opts.as ?? { command: 'command', longRunning: false };
  for (let attempt = 0; ; attempt++) {
    const claim = await claimDataDir(dataDir, as);
    if (claim) return openPGlite(dataDir, claim);
    const owner = readOwnerInfo(dataDir);
    if (as.longRunning)
      throw new AppError(
        'unavailable',
        `${describeOwner(dataDir, owner)}. Stop it (or wait for it to finish) before starting \`vulnshare ${as.command}\`; ` +
          'to run several servers, use a PostgreSQL server (DATABASE_URL).',
        { dataDir, owner },
      );
    try {
      return await openThroughOwner(ownerAddress(dataDir));
    } catch (e) {
      // the owner stopped between our claim and our connection: try to own the directory ourselves
      if (attempt >= 2)
        throw new AppError(
          'unavailable',
          `${describeOwner(dataDir, owner)} and does not answer: ${String(e)}`,
          {
            dataDir,
          },
        );
    }
  }
}

async function openPGlite(dataDir: string | undefined, claim: DataDirClaim | null): Promise<Database> {
  try {
    return await openPGliteOwned(dataDir, claim);
  } catch (e) {
    await claim?.release();
    throw e;
  }
}

async function openPGliteOwned(dataDir: string | undefined, claim: DataDirClaim | null): Promise<Database> {
  const pglite = await PGlite.create(dataDir && dataDir !== 'memory://' ? dataDir : undefined, {
    parsers: {
      [OID.INT8]: (v: string) => Number(v),
      [OID.NUMERIC]: (v: string) => Number(v),
      [OID.DATE]: (v: string) => v,
      [OID.TIMESTAMP]: (v: string) => toIso(v),
      [OID.TIMESTAMPTZ]: (v: string) => toIso(v),
    },
  });
  await pglite.exec(`SET TimeZone = 'UTC'`);
  void pgliteTypes;
  const pool = new PGlitePool(pglite);
  // PostgresDialect only needs connect()/release()/query()/end(); the adapter provides them.
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  const stopServing = claim ? servePGliteOn(claim.server, pglite, pool) : null;
  return {
    db,
    kind: 'pglite',
    via: 'owner',
    async exec(sqlText) {
      const conn = await pool.connect();
      try {
        await pglite.exec(sqlText);
      } finally {
        conn.release();
      }
    },
    async copyFrom(copySql, text) {
      const conn = await pool.connect();
      try {
        await pglite.query(copySql.replace(/FROM\s+STDIN/i, "FROM '/dev/blob'"), [], {
          blob: new Blob([text]),
        });
      } finally {
        conn.release();
      }
    },
    async close() {
      await stopServing?.();
      await db.destroy();
      await claim?.release();
    },
  };
}

/** A command run beside the owner: a PostgreSQL client of the owner's socket. */
async function openThroughOwner(address: string): Promise<Database> {
  setPgParsers();
  const pool = new pg.Pool({
    max: 4,
    // pg connects to host:port; the owner listens on a Unix socket (abstract on Linux), so give it the stream
    stream: () => {
      const s = new Socket();
      const connect = s.connect.bind(s);
      // pg calls connect(port, host): connect to the owner's socket instead
      (s as unknown as { connect: (...a: unknown[]) => Socket }).connect = () => connect({ path: address });
      return s;
    },
    user: 'postgres',
    database: 'postgres',
  });
  pool.on('error', () => undefined);
  const probe = await pool.connect();
  probe.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pglite',
    via: 'client',
    exec: async (sqlText) => void (await pool.query(sqlText)),
    copyFrom() {
      return Promise.reject(
        new AppError('unavailable', 'COPY is not available through the owner of an embedded database'),
      );
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Session settings of every connection to a PostgreSQL server. UTC, so timestamps read the same on both
 * backends; and no JIT: the platform's statements are short, and a plan whose row estimate is off (a list
 * of 1,000 keys, a partial expression index) crosses jit_above_cost and spends seconds compiling what runs
 * in milliseconds — the import's lookup of enrichment records took 2,292 ms with JIT and 20 ms without.
 * PGlite has no JIT.
 */
export const PG_SESSION_OPTIONS = '-c TimeZone=UTC -c jit=off';

let pgParsersSet = false;
function setPgParsers() {
  if (pgParsersSet) return;
  pgParsersSet = true;
  pg.types.setTypeParser(OID.INT8, (v) => Number(v));
  pg.types.setTypeParser(OID.NUMERIC, (v) => Number(v));
  pg.types.setTypeParser(OID.DATE, (v) => v);
  pg.types.setTypeParser(OID.TIMESTAMP, (v) => toIso(v));
  pg.types.setTypeParser(OID.TIMESTAMPTZ, (v) => toIso(v));
}

async function openPostgres(url: string, log: PoolErrorLog): Promise<Database> {
  setPgParsers();
  // migrations, counters, leases and measurements; the replica router has its own pools (src/ops/replicas.ts)
  const pool = guardedPool(
    'primary-direct',
    { connectionString: url, max: 10, options: PG_SESSION_OPTIONS },
    log,
  );
  // Fail fast with a clear message when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    via: 'owner',
    async exec(sqlText) {
      await pool.query(sqlText);
    },
    async copyFrom(copySql, text) {
      const client = await pool.connect();
      try {
        await pipeline(Readable.from([text]), client.query(copyStreams.from(copySql)));
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
