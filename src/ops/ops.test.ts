import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../db/client.js';
import { loadConfig } from '../config/config.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { createLease } from './leases.js';
import { createReplicaRouter, formatLsn, isPlainRead, parseLsn } from './replicas.js';
import { withRoute } from './request-route.js';
import { currentLsn, hit, takeLease } from './store.js';

describe('which statements a replica may answer', () => {
  it.each([
    ['select * from vulnerabilities where id = $1', true],
    ['  WITH t AS (SELECT 1) SELECT * FROM t', true],
    ['select "updated_at" from vulnerabilities', true],
    ['select * from outbox for update skip locked', false],
    ['select nextval($1)', false],
    ['insert into sessions values ($1)', false],
    ['with x as (delete from t returning *) select * from x', false],
    ['update users set role = $1', false],
    ['begin', false],
    ['select pg_advisory_xact_lock(1)', false],
  ])('%s → %s', (sqlText, replica) => {
    expect(isPlainRead(sqlText)).toBe(replica);
  });

  it('reads and writes WAL positions as PostgreSQL prints them', () => {
    expect(parseLsn('0/3000148')).toBe(0x3000148n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(formatLsn(parseLsn('16/B374D848') ?? 0n)).toBe('16/B374D848');
    expect(parseLsn('nonsense')).toBeNull();
  });
});

describe.each(testBackends())('shared process state on %s', (backend) => {
  let d: Database & { url?: string };
  beforeAll(async () => {
    d = await freshDatabase(backend);
  });
  afterAll(async () => {
    await d.close();
  });

  it('counts hits of one key in one fixed window, and gives the time left', async () => {
    const a = await hit(d.db, 'k1', 60_000);
    const b = await hit(d.db, 'k1', 60_000);
    const other = await hit(d.db, 'k2', 60_000);
    expect([a.hits, b.hits, other.hits]).toEqual([1, 2, 1]);
    expect(b.ttlMs).toBeGreaterThan(0);
    expect(b.ttlMs).toBeLessThanOrEqual(60_000);
  });

  it('counts parallel hits exactly once each', async () => {
    const hits = await Promise.all(Array.from({ length: 20 }, () => hit(d.db, 'k3', 60_000)));
    expect(hits.map((h) => h.hits).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('grants a lease to one holder at a time, and to the next once released or expired', async () => {
    // four processes: a holder renews its own lease, so each has its own name
    const leases = ['a', 'b', 'c', 'd'].map((h) => createLease(d.db, 'sweep-test', 60_000, h));
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
    };
    const ran = await Promise.all(leases.map((l) => l.run(work)));
    expect(most).toBe(1);
    expect(ran.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(await takeLease(d.db, 'long', 'x', 60_000)).toBe(true);
    expect(await takeLease(d.db, 'long', 'y', 60_000)).toBe(false);
    expect(await takeLease(d.db, 'long', 'x', 60_000)).toBe(true); // its holder renews it
    expect(await takeLease(d.db, 'short', 'x', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await takeLease(d.db, 'short', 'y', 60_000)).toBe(true); // x's time is up
  });

  it('knows the write position of the WAL', async () => {
    expect(parseLsn(await currentLsn(d.db))).not.toBeNull();
  });
});

describe.skipIf(!testBackends().includes('postgres'))('the replica router on PostgreSQL', () => {
  let d: Database & { url?: string };
  beforeAll(async () => {
    d = await freshDatabase('postgres');
  });
  afterAll(async () => {
    await d.close();
  });

  it('takes a node that is not a standby, or does not answer, out of rotation and reads from the primary', async () => {
    const url = d.url ?? '';
    const router = createReplicaRouter(d, {
      primaryUrl: url,
      replicaUrls: [url, 'postgres://postgres@127.0.0.1:1/none'],
      maxLagBytes: 1024,
      checkMs: 60_000,
    });
    try {
      await router.check();
      const [self, gone] = router.status();
      expect(self).toMatchObject({ name: 'replica-1', inRotation: false });
      expect(self?.reason).toContain('not a standby');
      expect(gone).toMatchObject({ name: 'replica-2', inRotation: false });
      expect(gone?.reason).toContain('unreachable');
      const route = { mayUseReplica: true, minLsn: null, replica: null, wrote: false, answeredBy: null };
      const n = await withRoute(route, () =>
        router.database.db
          .selectFrom('vulnerabilities')
          .select((eb) => eb.fn.countAll().as('n'))
          .execute(),
      );
      expect(n).toHaveLength(1);
      expect(route).toMatchObject({ answeredBy: 'primary', wrote: false });
      await withRoute(route, () =>
        router.database.db
          .insertInto('process_leases')
          .values({ name: 'w', holder: 'h', acquired_at: 'now()', expires_at: 'now()' })
          .execute(),
      );
      expect(route.wrote).toBe(true);
    } finally {
      await router.close();
    }
  });
});

describe.skipIf(!testBackends().includes('postgres'))('two app processes over one PostgreSQL', () => {
  let d: Database & { url?: string };
  let second: Database;
  const apps: FastifyInstance[] = [];
  const bases: string[] = [];
  beforeAll(async () => {
    d = await freshDatabase('postgres');
    second = await openDatabase({ databaseUrl: d.url });
    for (const database of [d, second]) {
      const app = await buildApp({ database, config: { rateLimitPerMinute: 6, logLevel: 'silent' } });
      bases.push(await app.listen({ host: '127.0.0.1', port: 0 }));
      apps.push(app);
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await second.close();
    await d.close();
  });

  it('share one rate limit: six requests in all, whichever process answers', async () => {
    // windows are whole minutes of the database's clock: do not start just before one turns over
    const second = new Date().getUTCSeconds();
    if (second > 55) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const answers: Array<[number, string | null]> = [];
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${bases[i % 2] ?? ''}/healthz`);
      answers.push([r.status, r.headers.get('x-ratelimit-remaining')]);
    }
    expect(answers).toEqual([
      [200, '5'],
      [200, '4'],
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
      [429, '0'],
      [429, '0'],
    ]);
  });

  it('keeps an incoming request id and answers with it', async () => {
    const r = await fetch(`${bases[0] ?? ''}/healthz`, { headers: { 'x-request-id': 'edge-42' } });
    expect(r.headers.get('x-request-id')).toBe('edge-42');
  });
});

describe('settings for replicas', () => {
  it('reads DATABASE_REPLICA_URLS as a list, and names what is wrong', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://p/vs',
      DATABASE_REPLICA_URLS: 'postgres://r1/vs, postgres://r2/vs',
      DATABASE_REPLICA_MAX_LAG_BYTES: '1024',
    });
    expect(c.replicaUrls).toEqual(['postgres://r1/vs', 'postgres://r2/vs']);
    expect(c.replicaMaxLagBytes).toBe(1024);
    expect(c.replicaCheckMs).toBe(2000);
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'mysql://r1/vs' })).toThrow(
      /DATABASE_REPLICA_URLS: "mysql:\/\/r1\/vs" does not start with postgres:\/\/[\s\S]*needs DATABASE_URL/,
    );
  });
});

describe('metrics', () => {
  it('serves request latency by route and the outbox depth in Prometheus format', async () => {
    const d = await freshDatabase('pglite');
    const app = await buildApp({ database: d, config: { logLevel: 'silent' } });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      await fetch(`${base}/api/v1/vulnerabilities?limit=1`);
      const r = await fetch(`${base}/metrics`);
      expect(r.headers.get('content-type')).toContain('text/plain');
      const text = await r.text();
      expect(text).toMatch(
        /vulnshare_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/vulnerabilities",status="200"\} 1/,
      );
      expect(text).toMatch(/^vulnshare_outbox_depth 0$/m);
      expect(text).toMatch(/^vulnshare_import_runs_running 0$/m);
    } finally {
      await app.close();
      await d.close();
    }
  });
});
