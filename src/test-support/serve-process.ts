/**
 * Test support: the real `vulnshare serve` (bin/vulnshare.js over dist/, built by `npm test`) as a child process,
 * and plain HTTP requests to it from a chosen loopback address (each address has its own rate-limit counter).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PG_TEST_URL } from './db.js';

export const BIN = fileURLToPath(new URL('../../bin/vulnshare.js', import.meta.url));

/** Why the shipped process cannot be run against PostgreSQL here (no build, no server answering), or null. */
export async function servePgUnavailable(): Promise<string | null> {
  if (!existsSync(BIN.replace(/bin\/vulnshare\.js$/, 'dist/cli/main.js'))) return 'no dist/ (npm run build)';
  const c = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.end();
    return null;
  } catch (e) {
    return `PostgreSQL at ${PG_TEST_URL} does not answer: ${String(e)}`;
  }
}

export interface ServeProcess {
  base: string;
  pid: number;
  /** Everything it wrote, standard output and standard error interleaved. */
  output(): string;
  /** Its exit: code (null when a signal ended it) and how long after `kill` it came. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it is still running. */
  running(): boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, and its exit code. */
  stop(): Promise<number | null>;
}

export function serve(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      proc.on('close', (code, signal) => {
        done = true;
        r({ code, signal });
      }),
    );
    proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1])
        resolve({
          base: m[1],
          pid: proc.pid ?? 0,
          output: () => out,
          exited,
          running: () => !done,
          kill: (signal = 'SIGTERM') => void proc.kill(signal),
          stop: async () => {
            if (!done) proc.kill('SIGTERM');
            return (await exited).code;
          },
        });
    });
    void exited.then(({ code }) => reject(new Error(`serve exited with ${String(code)}: ${out}`)));
  });
}

/** A vulnshare command to its end: exit code and output. */
export function vulnshare(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.on('close', (code) => resolve({ code, out }));
  });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One HTTP request (no keep-alive); `from` picks the client's loopback address. */
export function call(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; from?: string } = {},
): Promise<Answer> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = open(base, path, opts, body, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A GET whose response the caller reads at its own pace (a slow client). */
export function openResponse(base: string, path: string, from = '127.0.0.1'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = open(base, path, { from }, undefined, resolve);
    req.on('error', reject);
    req.end();
  });
}

function open(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; from?: string },
  body: string | undefined,
  onResponse: (res: IncomingMessage) => void,
) {
  const u = new URL(path, base);
  return request(
    {
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: opts.method ?? 'GET',
      localAddress: opts.from ?? '127.0.0.1',
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      agent: false,
    },
    onResponse,
  );
}

/** The cookies a response sets, as a Cookie header beside those already held. */
export function cookiesOf(a: Answer, held = ''): string {
  const jar = new Map(
    held
      .split(/;\s*/)
      .filter(Boolean)
      .map((c) => c.split('=') as [string, string]),
  );
  const set = a.headers['set-cookie'] ?? [];
  for (const c of [set].flat()) {
    const [pair] = c.split(';');
    const [k, v] = (pair ?? '').split('=');
    if (k && v !== undefined) jar.set(k, v);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` every 200 ms until it gives something truthy. */
export async function until<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
