/**
 * A real `vulnshare serve` process (bin/vulnshare.js over dist/, built by `npm test`) on PostgreSQL: it goes on
 * when the server ends its connections, and it stops gracefully on SIGTERM — the requests in flight finish, new
 * connections are refused, the worker finishes what it holds and gives its leases back, exit code 0 — or at once,
 * with exit code 1 and a log line, on a second signal or when the grace time is up. Skipped, saying why, when the
 * test PostgreSQL server (src/test-support/db.ts) does not answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createPlatform } from '../app/platform.js';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { kevCatalogue } from '../test-support/kev.js';
import {
  call,
  openResponse,
  serve,
  sleep,
  until,
  vulnshare,
  servePgUnavailable,
} from '../test-support/serve-process.js';

const why = await servePgUnavailable();
if (why) console.warn(`shutdown.test.ts skipped: ${why}`);

const RECORDS = 3000;
// long titles make the CSV export ~9 MB: more than the loopback socket buffers hold, so a client that stops
// reading keeps the response in flight on the server
const LONG_ZH = '某型号工业控制系统固件远程代码执行漏洞'.repeat(30);
const LONG_EN = 'Remote code execution in the firmware of an industrial control system '.repeat(14);

/** A receiver (feed and webhook) that answers only when the test lets it. */
async function heldServer() {
  const held: Array<() => void> = [];
  const seen: string[] = [];
  let open = false;
  const catalogue = kevCatalogue(20);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    const answer = () => {
      if (req.url === '/kev.json') res.writeHead(200, { 'content-type': 'application/json' }).end(catalogue);
      else res.writeHead(204).end();
    };
    if (open) answer();
    else held.push(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    seen,
    held: () => held.length,
    release() {
      open = true;
      for (const a of held.splice(0)) a();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Read a response to its end; resolves to the text. */
function readAll(res: IncomingMessage, first: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks = [...first];
    res.setEncoding('utf8');
    res.on('data', (c: string) => chunks.push(c));
    res.on('end', () => resolve(chunks.join('')));
    res.on('error', reject);
    res.resume();
  });
}

/** The first chunk of a response, then the stream is paused (a client that stopped reading). */
function firstChunk(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  return new Promise((resolve) =>
    res.once('data', (c: string) => {
      res.pause();
      resolve(c);
    }),
  );
}

describe.skipIf(why !== null)('a serve process on PostgreSQL', () => {
  let database: Database & { url?: string };
  let url = '';
  const csvPath = '/api/v1/vulnerabilities.csv?source=cnvd';

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    url = database.url ?? '';
    await importItems(
      database,
      itemsOf(
        Array.from({ length: RECORDS }, (_, i) =>
          cnvdRecord(`CNVD-2025-${String(10000 + i)}`, {
            titleZh: `${LONG_ZH}${i}`,
            titleEn: `${LONG_EN}${i}`,
          }),
        ),
      ),
      { format: 'test', paths: [] },
    );
  }, 180_000);

  afterAll(async () => {
    await database?.close();
  });

  it('goes on when PostgreSQL ends its connections, logging the loss with the pool’s name', async () => {
    const a = await serve({ DATABASE_URL: url, VULNSHARE_WORKER: '0' });
    try {
      // idle connections in both pools: reads through the router's, the rate-limit counter through the direct one
      const before = await call(a.base, '/api/v1/vulnerabilities?limit=5');
      expect(before.status).toBe(200);
      for (let i = 0; i < 3; i++)
        expect((await call(a.base, '/api/v1/vulnerabilities?limit=5')).status).toBe(200);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const ended = await admin.query<{ t: boolean }>(
        `SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await admin.end();
      expect(ended.rows.filter((r) => r.t).length).toBeGreaterThanOrEqual(2);
      await until(
        'both pools to log the lost connections',
        () =>
          /"pool":"primary".*database connection lost/.test(a.output()) &&
          /"pool":"primary-direct".*database connection lost/.test(a.output()),
        10_000,
      );
      expect(a.running()).toBe(true);
      for (let i = 0; i < 4; i++) {
        const r = await call(a.base, '/api/v1/vulnerabilities?limit=5');
        expect(r.status).toBe(200);
        expect(r.body).toEqual(before.body);
      }
      expect(a.running()).toBe(true);
    } finally {
      expect(await a.stop()).toBe(0);
    }
  }, 60_000);

  it('on SIGTERM finishes the request in flight, refuses new connections, gives its leases back and exits 0', async () => {
    const receiver = await heldServer();
    const config = loadConfig({ VULNSHARE_ALLOW_INTERNAL_TARGETS: '127.0.0.1' }, { databaseUrl: url });
    const platform = createPlatform(database, config);
    await platform.feeds.addFeed(CLI, {
      name: 'held-kev',
      format: 'kev',
      url: receiver.url('/kev.json'),
      schedule: '1h',
    });
    await platform.close();
    await database.db
      .insertInto('outbox')
      .values({
        delivery_id: 'shutdown-test-1',
        channel: 'webhook',
        target: receiver.url('/hook'),
        secret: 's',
        subject: 'held delivery',
        body: JSON.stringify({ text: 'held' }),
      })
      .execute();
    const a = await serve(
      {
        DATABASE_URL: url,
        VULNSHARE_ALLOW_INTERNAL_TARGETS: '127.0.0.1',
        VULNSHARE_SWEEP_MS: '200',
        VULNSHARE_LOG_LEVEL: 'info',
      },
      ['--grace', '30'],
    );
    try {
      // the worker holds the feed's lease and the webhook's: both receivers wait
      await until(
        'the feed run and the webhook delivery to wait on the receiver',
        () => receiver.held() === 2,
      );
      const feedLease = await database.db
        .selectFrom('feeds')
        .select(['leased_until'])
        .where('name', '=', 'held-kev')
        .executeTakeFirstOrThrow();
      expect(feedLease.leased_until).not.toBeNull();
      const outLease = await database.db
        .selectFrom('outbox')
        .select(['leased_until'])
        .where('delivery_id', '=', 'shutdown-test-1')
        .executeTakeFirstOrThrow();
      expect(outLease.leased_until).not.toBeNull();

      // a slow client: the export has started, the client reads its first chunk and stops
      const res = await openResponse(a.base, csvPath);
      expect(res.statusCode).toBe(200);
      const first = await firstChunk(res);
      const t0 = Date.now();
      a.kill('SIGTERM');
      await sleep(1500);
      expect(a.running()).toBe(true);
      await expect(call(a.base, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // the client reads on: the whole export arrives
      const csv = await readAll(res, [first]);
      const lines = csv.trimEnd().split('\n');
      expect(lines).toHaveLength(RECORDS + 1);
      expect(lines[0]).toMatch(/^\ufeffid,/);
      expect(lines.at(-1)).toMatch(/^CNVD-2025-\d+,/);
      await sleep(500);
      expect(a.running()).toBe(true); // the worker still holds its two runs
      receiver.release();
      const { code } = await a.exited;
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(a.output()).toMatch(/stopping: no new connections/);
      expect(a.output()).not.toMatch(/"level":(50|60)/);

      // what it held is finished and given back: no lease of it is left to wait out
      const feed = await database.db
        .selectFrom('feeds')
        .select(['leased_until', 'lease_token'])
        .where('name', '=', 'held-kev')
        .executeTakeFirstOrThrow();
      expect(feed).toEqual({ leased_until: null, lease_token: null });
      const sent = await database.db
        .selectFrom('outbox')
        .select(['sent_at', 'failed_at'])
        .where('delivery_id', '=', 'shutdown-test-1')
        .executeTakeFirstOrThrow();
      expect(sent.sent_at).not.toBeNull();
      const leases = await database.db.selectFrom('process_leases').selectAll().execute();
      expect(leases.filter((l) => l.holder.includes(`:${a.pid}:`))).toEqual([]);
      // another process takes the feed at once (its lease is 10 minutes)
      const sync = await vulnshare(['sync', '--feed', 'held-kev'], {
        DATABASE_URL: url,
        VULNSHARE_ALLOW_INTERNAL_TARGETS: '127.0.0.1',
      });
      expect(sync.out).not.toMatch(/holds it|busy|another/i);
      expect(sync.code, sync.out).toBe(0);
    } finally {
      receiver.release();
      if (a.running()) await a.stop();
      await receiver.close();
    }
  }, 120_000);

  it('exits 1 with a log line when the grace time is up before the request in flight finishes', async () => {
    const a = await serve({ DATABASE_URL: url, VULNSHARE_WORKER: '0' }, ['--grace', '2']);
    const res = await openResponse(a.base, csvPath);
    await firstChunk(res);
    const t0 = Date.now();
    a.kill('SIGTERM');
    const { code } = await a.exited;
    const took = Date.now() - t0;
    res.destroy();
    expect(code).toBe(1);
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(10_000);
    expect(a.output()).toMatch(/"level":50.*grace time of 2 s exceeded/);
  }, 60_000);

  it('exits 1 at once with a log line on a second SIGTERM', async () => {
    const a = await serve({ DATABASE_URL: url, VULNSHARE_WORKER: '0' }, ['--grace', '60']);
    const res = await openResponse(a.base, csvPath);
    await firstChunk(res);
    a.kill('SIGTERM');
    await sleep(500);
    expect(a.running()).toBe(true);
    const t0 = Date.now();
    a.kill('SIGTERM');
    const { code } = await a.exited;
    res.destroy();
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(a.output()).toMatch(/"level":50.*second SIGTERM/);
  }, 60_000);
});
