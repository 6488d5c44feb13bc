/**
 * The one database handle: embedded PGlite (default, data directory on disk or in memory) or a
 * PostgreSQL server (DATABASE_URL). Both speak the same SQL; Kysely sits on top of either.
 */
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DB } from './schema.js';

export type BackendKind = 'pglite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: BackendKind;
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
}

// Scores are numeric(3,1), counts bigint: both fit JS numbers. Dates stay 'YYYY-MM-DD' strings,
// timestamps become ISO strings in UTC, so both backends return identical shapes.
const toIso = (v: string): string => new Date(v.includes('T') || v.includes('+') ? v : `${v}Z`).toISOString();
const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184 } as const;

/** Serialises access to the single PGlite connection so Kysely transactions never interleave. */
class PGlitePool {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly pglite: PGlite) {}
  async connect() {
    let release: () => void = () => undefined;
    const prev = this.tail;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    const pglite = this.pglite;
    return {
      async query(sqlText: string, params: unknown[]) {
        const r = await pglite.query<Record<string, unknown>>(sqlText, params);
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
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPGlite(opts.dataDir);
}

async function openPGlite(dataDir: string | undefined): Promise<Database> {
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
  return {
    db,
    kind: 'pglite',
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
      await db.destroy();
    },
  };
}

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

async function openPostgres(url: string): Promise<Database> {
  setPgParsers();
  const pool = new pg.Pool({ connectionString: url, max: 10, options: '-c TimeZone=UTC' });
  // An idle connection the server closes (restart, admin termination) must not crash the process: the pool
  // drops it and opens a new one on demand; queries in flight still get their error.
  pool.on('error', () => undefined);
  // Fail fast with a clear message when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
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
