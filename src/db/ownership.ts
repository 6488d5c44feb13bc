/**
 * One process owns an embedded (PGlite) data directory; every other process works through it.
 *
 * The owner holds the directory by listening on a Unix socket whose name is derived from the directory's real
 * path. On Linux it is an abstract socket (no file): the kernel frees the name the moment the process dies, so a
 * crashed owner never leaves a lock behind and two processes can never both hold it (the second `listen` gets
 * EADDRINUSE). Elsewhere it is a socket file in the OS temp folder; a file nobody answers on is stale and is
 * replaced. The same socket speaks the PostgreSQL protocol (see ./socket-server.ts), so a CLI command run beside
 * `vulnshare serve` connects there as an ordinary PostgreSQL client instead of opening the files a second time.
 * `owner.json` in the directory says who owns it (for messages only; the socket is the lock).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OwnerInfo {
  pid: number;
  /** What the owner runs: "serve", "import", … */
  command: string;
  /** Long-running owners (serve, worker) accept clients for as long as they run. */
  longRunning: boolean;
  since: string;
}

export interface DataDirClaim {
  /** The socket address clients connect to (abstract on Linux: starts with NUL). */
  readonly address: string;
  /** The listening socket; the socket server attaches its connection handler to it. */
  readonly server: Server;
  release(): Promise<void>;
}

const INFO_FILE = 'owner.json';

/** The socket address for a data directory (created if missing). */
export function ownerAddress(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const hash = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 32);
  return process.platform === 'linux'
    ? `\0vulnshare-pglite-${hash}`
    : join(tmpdir(), `vulnshare-pglite-${hash}.sock`);
}

export function readOwnerInfo(dataDir: string): OwnerInfo | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, INFO_FILE), 'utf8')) as OwnerInfo;
  } catch {
    return null;
  }
}

/** Does a live process answer on the address? */
export function isAnswering(address: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(address);
    const done = (v: boolean) => {
      s.removeAllListeners();
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function listen(server: Server, address: string): Promise<'ok' | 'in_use'> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') resolve('in_use');
      else reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve('ok');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

/**
 * Take the directory, or return null when a live process holds it. Never blocks; never takes it from a live
 * owner.
 */
export async function claimDataDir(
  dataDir: string,
  who: Omit<OwnerInfo, 'pid' | 'since'>,
): Promise<DataDirClaim | null> {
  const address = ownerAddress(dataDir);
  const server = createServer();
  let got = await listen(server, address);
  if (got === 'in_use' && !address.startsWith('\0')) {
    // a socket file: stale when nobody answers on it (its owner died)
    if (await isAnswering(address)) return null;
    try {
      unlinkSync(address);
    } catch {
      /* another process replaced it first */
    }
    got = await listen(server, address);
  }
  if (got === 'in_use') return null;
  const info: OwnerInfo = { ...who, pid: process.pid, since: new Date().toISOString() };
  try {
    writeFileSync(join(dataDir, INFO_FILE), `${JSON.stringify(info)}\n`);
  } catch {
    /* informational only */
  }
  let released = false;
  return {
    address,
    server,
    async release() {
      if (released) return;
      released = true;
      try {
        const now = readOwnerInfo(dataDir);
        if (now?.pid === process.pid) unlinkSync(join(dataDir, INFO_FILE));
      } catch {
        /* already gone */
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A sentence for whoever finds the directory taken. */
export function describeOwner(dataDir: string, info: OwnerInfo | null): string {
  const who = info
    ? `\`vulnshare ${info.command}\` (pid ${info.pid}, since ${info.since})`
    : 'another process';
  return `The data directory ${dataDir} is in use by ${who}`;
}
