/**
 * A throw-away PostgreSQL primary with a hot-standby replica: initdb and pg_basebackup -R in a temporary
 * directory, on free loopback ports, run as the postgres system user (runuser). For the replica e2e test and
 * the bench's read-throughput task; `clusterUnavailable()` says why it cannot run here.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const v of readdirSync(root).sort().reverse()) {
    const bin = join(root, v, 'bin');
    if (['initdb', 'pg_ctl', 'pg_basebackup'].every((b) => existsSync(join(bin, b)))) return bin;
  }
  return null;
}

const PG_BIN = postgresBin();

function postgresUid(): number | null {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

/** Why a cluster cannot be started here, or null when it can. */
export function clusterUnavailable(): string | null {
  if (!PG_BIN) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (userInfo().uid !== 0) return 'not root: the clusters run as the postgres system user (runuser)';
  if (postgresUid() === null) return 'no postgres system user';
  return null;
}

/** A PostgreSQL program as the postgres user; throws with its output when it fails. */
function asPostgres(program: string, args: string[]): string {
  const r = spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN ?? '', program), ...args], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0)
    throw new Error(`${program} ${args.join(' ')} failed (${String(r.status)}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ReplicatedCluster {
  /** postgres:// URL of `database` on the primary */
  primaryUrl: string;
  /** the same database on the replica */
  replicaUrl: string;
  /** Stop the replica as an operator would (fast shutdown: sessions terminated). */
  stopReplica(): void;
  /** Wait until the replica has replayed everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stop both and remove their directories. */
  close(): void;
}

export async function startReplicatedCluster(database = 'vs'): Promise<ReplicatedCluster> {
  const why = clusterUnavailable();
  if (why) throw new Error(why);
  const uid = postgresUid() ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'vs-replicas-'));
  chownSync(dir, uid, -1);
  const running: string[] = [];
  const close = () => {
    for (const d of [...running].reverse())
      try {
        asPostgres('pg_ctl', ['-D', d, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    running.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [pPort, rPort] = [await freePort(), await freePort()];
    const pDir = join(dir, 'primary');
    const rDir = join(dir, 'replica');
    asPostgres('initdb', ['-D', pDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    appendFileSync(
      join(pDir, 'postgresql.conf'),
      [
        `port = ${pPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'hot_standby = on',
        'fsync = off',
        'shared_buffers = 64MB',
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    asPostgres('pg_ctl', ['-D', pDir, '-l', join(dir, 'primary.log'), '-w', '-t', '60', 'start']);
    running.push(pDir);
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${pPort}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    asPostgres('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(pPort), '-U', 'postgres'],
      ...['-D', rDir, '-R', '-X', 'stream', '-c', 'fast'],
    ]);
    appendFileSync(join(rDir, 'postgresql.conf'), `port = ${rPort}\n`);
    asPostgres('pg_ctl', ['-D', rDir, '-l', join(dir, 'replica.log'), '-w', '-t', '60', 'start']);
    running.push(rDir);
    const primaryUrl = `postgres://postgres@127.0.0.1:${pPort}/${database}`;
    const replicaUrl = `postgres://postgres@127.0.0.1:${rPort}/${database}`;
    return {
      primaryUrl,
      replicaUrl,
      stopReplica() {
        asPostgres('pg_ctl', ['-D', rDir, '-m', 'fast', '-w', 'stop']);
        running.splice(running.indexOf(rDir), 1);
      },
      async caughtUp(timeoutMs = 120_000) {
        const p = new pg.Client({ connectionString: primaryUrl });
        const r = new pg.Client({ connectionString: replicaUrl });
        await p.connect();
        await r.connect();
        try {
          const head = (await p.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]?.l;
          const end = Date.now() + timeoutMs;
          for (;;) {
            const behind = await r.query<{ b: boolean }>(
              'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS b',
              [head],
            );
            if (!behind.rows[0]?.b) return;
            if (Date.now() > end) throw new Error('the replica did not catch up');
            await new Promise((res) => setTimeout(res, 100));
          }
        } finally {
          await p.end();
          await r.end();
        }
      },
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}
