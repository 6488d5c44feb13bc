/**
 * (j) Public read throughput of `vulnshare serve` processes: a mix of search, detail and list requests, 32 in
 * flight, for a fixed time, in three deployments over one loaded PostgreSQL primary with a hot standby:
 * 1 process + primary, 2 processes + primary, 2 processes reading from the replica. Each in-flight slot is its
 * own client address (127.0.2.x), as many readers are, so no one client's rate-limit row becomes the bottleneck.
 * The machine's load average (other work shares its cores) is recorded beside each measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';

export interface ReadRun {
  deployment: string;
  processes: number;
  replica: boolean;
  /** measured seconds (after the warm-up) */
  seconds: number;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  failed: number;
  /** the 1-minute load average at the start and at the end of the measurement */
  loadAverage: [number, number];
  /** share of reads the replica answered */
  fromReplica: number;
}

interface Serve {
  base: string;
  stop(): Promise<void>;
}

function serve(root: string, env: Record<string, string>): Promise<Serve> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(
      process.execPath,
      [join(root, 'bin', 'vulnshare.js'), 'serve', '--port', '0'],
      {
        env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', VULNSHARE_WORKER: '0', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    const exited = new Promise<void>((r) => proc.on('close', () => r()));
    proc.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1])
        resolve({
          base: m[1],
          stop: () => {
            proc.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then(() => reject(new Error(`serve exited: ${err}`)));
  });
}

function get(
  base: string,
  path: string,
  from: string,
): Promise<{ status: number; from: string | undefined }> {
  const u = new URL(path, base);
  return new Promise((resolve) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, localAddress: from },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            from: res.headers['x-vulnshare-read-from'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', () => resolve({ status: 0, from: undefined }));
    req.end();
  });
}

/** Ids a list answers (the details of the mix). */
function listedIds(base: string, path: string): Promise<string[]> {
  return new Promise((resolve) => {
    request(new URL(path, base), (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          resolve((JSON.parse(text) as { items: Array<{ id: string }> }).items.map((v) => v.id));
        } catch {
          resolve([]); // no ids: the mix has no details
        }
      });
    }).end();
  });
}

/** Chinese phrases as a reader of CNVD records types them (the query file's CJK terms are single words). */
const CJK_PHRASES = [
  '缓冲区溢出漏洞',
  '跨站脚本漏洞',
  'SQL注入漏洞',
  '命令执行漏洞',
  '路由器 缓冲区溢出',
  '信息泄露漏洞',
];

/**
 * The request mix, a third each: searches (the query file's — ASCII words, CJK terms, ids, filters — and one in
 * six a CJK phrase), details of CVE and CNVD records, and list pages (newest, by score, by severity).
 */
async function requestMix(base: string, queries: Array<Record<string, string>>): Promise<string[]> {
  const ids = [
    ...(await listedIds(base, '/api/v1/vulnerabilities?limit=100')),
    ...(await listedIds(base, '/api/v1/vulnerabilities?limit=100&source=cnvd')),
    ...(await listedIds(base, '/api/v1/vulnerabilities?limit=100&sort=score')),
  ];
  const paths: string[] = [];
  for (let i = 0; i < 900; i++) {
    const n = Math.floor(i / 3);
    if (i % 3 === 0) {
      // the query file's label (ascii, cjk, id, filter) is not a parameter
      const q = Object.fromEntries(
        Object.entries(queries[n % Math.max(1, queries.length)] ?? {}).filter(([k]) => k !== 'label'),
      );
      const params = n % 6 === 5 ? { q: CJK_PHRASES[n % CJK_PHRASES.length] ?? '' } : q;
      paths.push(`/api/v1/vulnerabilities?${new URLSearchParams(params).toString()}`);
    } else if (i % 3 === 1 && ids.length) paths.push(`/api/v1/vulnerabilities/${ids[n % ids.length] ?? ''}`);
    else
      paths.push(
        n % 4 === 0
          ? `/api/v1/vulnerabilities?limit=50&sort=${n % 8 === 0 ? 'score' : 'date'}`
          : `/api/v1/vulnerabilities?limit=20&severity=${['high', 'medium', 'low'][n % 3] ?? 'high'}`,
      );
  }
  return paths;
}

async function load(bases: string[], paths: string[], seconds: number, concurrency: number) {
  const latencies: number[] = [];
  const load0 = loadavg()[0] ?? 0;
  let failed = 0;
  let fromReplica = 0;
  const end = performance.now() + seconds * 1000;
  const slot = async (n: number) => {
    const from = `127.0.2.${n + 1}`;
    for (let i = n; performance.now() < end; i += concurrency) {
      const t0 = performance.now();
      const r = await get(bases[i % bases.length] ?? '', paths[i % paths.length] ?? '/', from);
      latencies.push(performance.now() - t0);
      if (r.status !== 200) failed++;
      if (r.from?.startsWith('replica')) fromReplica++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, n) => slot(n)));
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    requests: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    failed,
    loadAverage: [Math.round(load0 * 100) / 100, Math.round((loadavg()[0] ?? 0) * 100) / 100] as [
      number,
      number,
    ],
    fromReplica: latencies.length ? Math.round((fromReplica / latencies.length) * 100) / 100 : 0,
  };
}

export async function readThroughput(opts: {
  root: string;
  primaryUrl: string;
  replicaUrl: string;
  queries: Array<Record<string, string>>;
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
}): Promise<ReadRun[]> {
  const deployments = [
    { deployment: '1 process + primary', processes: 1, replica: false },
    { deployment: '2 processes + primary', processes: 2, replica: false },
    { deployment: '2 processes + replica', processes: 2, replica: true },
  ];
  const runs: ReadRun[] = [];
  for (const d of deployments) {
    const env = {
      DATABASE_URL: opts.primaryUrl,
      VULNSHARE_RATE_LIMIT: '1000000',
      ...(d.replica ? { DATABASE_REPLICA_URLS: opts.replicaUrl, DATABASE_REPLICA_CHECK_MS: '500' } : {}),
    };
    const servers: Serve[] = [];
    try {
      for (let i = 0; i < d.processes; i++) servers.push(await serve(opts.root, env));
      const bases = servers.map((s) => s.base);
      const paths = await requestMix(bases[0] ?? '', opts.queries);
      await load(bases, paths, opts.warmupSeconds, opts.concurrency); // warm-up, not counted
      runs.push({
        ...d,
        seconds: opts.seconds,
        ...(await load(bases, paths, opts.seconds, opts.concurrency)),
      });
    } finally {
      for (const s of servers) await s.stop();
    }
  }
  return runs;
}
