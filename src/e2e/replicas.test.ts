/**
 * Scale-out as it is deployed: a real PostgreSQL primary and a hot-standby replica (initdb + pg_basebackup -R in
 * temporary directories, run as the postgres system user), and two `vulnshare serve` processes (bin/vulnshare.js
 * over dist/, built by `npm test`) reading through the replica. Skipped, saying why, where the PostgreSQL
 * binaries are absent or the test does not run as root.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { openDatabase, type Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { createSubmissionService } from '../submissions/service.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import {
  clusterUnavailable,
  startReplicatedCluster,
  type ReplicatedCluster,
} from '../test-support/pg-cluster.js';
import {
  call,
  cookiesOf,
  serve,
  sleep,
  until,
  vulnshare,
  type Answer,
  type ServeProcess,
} from '../test-support/serve-process.js';

const PW = 'Tea kettle orbit 7 lantern';

const why = clusterUnavailable();
if (why) console.warn(`replicas.test.ts skipped: ${why}`);

describe.skipIf(why !== null)('two serve processes over a primary and a hot standby', () => {
  let cluster: ReplicatedCluster | null = null;
  let primaryUrl = '';
  let replicaUrl = '';
  let replica: pg.Client | null = null;
  let database: Database;
  const servers: ServeProcess[] = [];
  let A = '';
  let B = '';
  const people: Record<string, Principal> = {};

  beforeAll(async () => {
    cluster = await startReplicatedCluster('vs');
    ({ primaryUrl, replicaUrl } = cluster);
    replica = new pg.Client({ connectionString: replicaUrl });
    replica.on('error', () => undefined); // the last test stops the replica under it
    await replica.connect();
    expect((await replica.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r).toBe(true);

    // migrations run once, by the migrate command; each serve finds nothing left to do
    const m = await vulnshare(['migrate'], { DATABASE_URL: primaryUrl });
    expect(m.out).toMatch(/applied:/);
    database = await openDatabase({ databaseUrl: primaryUrl });
    const accounts = createAccountService({ db: database.db });
    for (const [name, role] of [
      ['admin', 'admin'],
      ['analyst', 'analyst'],
      ['alice', 'reporter'],
    ] as const) {
      await accounts.createUser(CLI, { email: `${name}@vs.example`, displayName: name, password: PW, role });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@vs.example`, password: PW })).session,
      );
      if (!s) throw new Error('no session');
      people[name] = s.principal;
    }
    await importItems(
      database,
      itemsOf([
        cnvdRecord('CNVD-2024-00001', { titleZh: '某路由器命令注入漏洞' }),
        cnvdRecord('CNVD-2024-00002', { titleZh: '某摄像头认证绕过漏洞' }),
      ]),
      { format: 'test', paths: [] },
    );
    const env = {
      DATABASE_URL: primaryUrl,
      DATABASE_REPLICA_URLS: replicaUrl,
      DATABASE_REPLICA_CHECK_MS: '200',
      // a paused replica stays in rotation (for reads that need nothing newer); lag alone is tested elsewhere
      DATABASE_REPLICA_MAX_LAG_BYTES: String(1024 ** 3),
      VULNSHARE_SWEEP_MS: '300',
      VULNSHARE_RATE_LIMIT: '200',
    };
    for (let i = 0; i < 2; i++) servers.push(await serve(env));
    [A, B] = servers.map((s) => s.base) as [string, string];
    // both see the replica in rotation before the test reads through it
    for (const base of [A, B])
      await until('the replica in rotation', async () => {
        const h = await call(base, '/healthz');
        return (h.body as { replicas?: Array<{ inRotation: boolean }> }).replicas?.[0]?.inRotation;
      });
  }, 240_000);

  afterAll(async () => {
    // what the processes logged (warnings and errors) helps when a test above failed
    for (const s of servers) if (/"level":[56]|Error/.test(s.output())) console.warn(s.output());
    for (const s of servers) await s.stop();
    await replica?.end().catch(() => undefined);
    await database?.close();
    cluster?.close();
  }, 60_000);

  async function signIn(base: string, email: string) {
    const r = await call(base, '/api/v1/auth/login', { method: 'POST', body: { email, password: PW } });
    expect(r.status).toBe(200);
    return { cookie: cookiesOf(r), csrf: (r.body as { csrfToken: string }).csrfToken };
  }
  const tokenNames = (a: Answer) => (a.body as { items: Array<{ name: string }> }).items.map((t) => t.name);

  it('answers a write made through one process when read through the other', async () => {
    const s = await signIn(A, 'admin@vs.example');
    const made = await call(A, '/api/v1/tokens', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: { name: 'through A' },
    });
    expect(made.status).toBe(201);
    expect(made.headers['x-vulnshare-lsn']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const cookie = cookiesOf(made, s.cookie);
    const read = await call(B, '/api/v1/tokens', { headers: { cookie } });
    expect(read.status).toBe(200);
    expect(tokenNames(read)).toContain('through A');
  });

  it('reads a session’s own write from the primary while the replica lags, and public reads from the replica', async () => {
    const s = await signIn(A, 'admin@vs.example');
    await replica?.query('SELECT pg_wal_replay_pause()');
    try {
      const made = await call(A, '/api/v1/tokens', {
        method: 'POST',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
        body: { name: 'while paused' },
      });
      expect(made.status).toBe(201);
      const cookie = cookiesOf(made, s.cookie);
      // the session brings its write position: B reads it from the primary
      const own = await call(B, '/api/v1/tokens', { headers: { cookie } });
      expect(tokenNames(own)).toContain('while paused');
      expect(own.headers['x-vulnshare-read-from']).toBe('primary');
      // without it, the same read is served by the paused replica, which has not seen the token yet
      const sessionOnly = cookie
        .split('; ')
        .filter((c) => !c.startsWith('vs_lsn='))
        .join('; ');
      const stale = await call(B, '/api/v1/tokens', { headers: { cookie: sessionOnly } });
      expect(stale.headers['x-vulnshare-read-from']).toBe('replica-1');
      expect(tokenNames(stale)).not.toContain('while paused');
      const list = await call(B, '/api/v1/vulnerabilities?limit=5');
      expect(list.status).toBe(200);
      expect(list.headers['x-vulnshare-read-from']).toBe('replica-1');
      expect((list.body as { total: number }).total).toBe(2);
    } finally {
      await replica?.query('SELECT pg_wal_replay_resume()');
    }
    const caughtUp = await until('the replica to replay the token', async () => {
      const r = await call(B, '/api/v1/tokens', { headers: { cookie: s.cookie } });
      return r.headers['x-vulnshare-read-from'] === 'replica-1' && tokenNames(r).includes('while paused');
    });
    expect(caughtUp).toBe(true);
  });

  it('keeps an embargoed record off every node, and the sweep of two processes publishes it once', async () => {
    const svc = createSubmissionService({ db: database.db });
    const who = (n: string) => people[n] as Principal;
    const s = await svc.submit(who('alice'), {
      kind: 'general',
      title: 'Zyxor NAS 固件 uploadCfg 参数命令注入禁运测试漏洞',
      vendor: 'Zyxor',
      product: 'NAS',
      version: '2.1',
      description: 'Zyxor NAS 2.1 的 uploadCfg 参数存在命令注入漏洞，攻击者可执行任意命令。',
      reproduction: 'POST /cgi-bin/upload with uploadCfg=;id',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      originality: 'original',
    });
    await svc.transition(who('analyst'), s.trackingNo, { to: 'triaged' });
    await svc.transition(who('analyst'), s.trackingNo, { to: 'verifying' });
    const v = await svc.transition(who('analyst'), s.trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 's', result: 'reproduced', verifier: 'CNVD' },
    });
    const id = v.vulnerabilityId ?? '';
    expect(id).not.toBe('');
    const embargoEnd = new Date(Date.now() + 6000);
    await svc.publish(who('analyst'), s.trackingNo, { embargoUntil: embargoEnd.toISOString() });

    // under embargo: neither process, from neither node, shows it
    const primaryOnly = { 'x-vulnshare-min-lsn': 'FFFFFFFF/FFFFFFFF' };
    for (const base of [A, B])
      for (const headers of [{}, primaryOnly]) {
        const detail = await call(base, `/api/v1/vulnerabilities/${id}`, { headers });
        expect(detail.status).toBe(404);
        const found = await call(base, `/api/v1/vulnerabilities?q=${encodeURIComponent('禁运测试')}`, {
          headers,
        });
        expect((found.body as { total: number }).total).toBe(0);
        expect(found.headers['x-vulnshare-read-from']).toBe(
          Object.keys(headers).length ? 'primary' : 'replica-1',
        );
      }
    // once the embargo ends, the sweep publishes it and every node serves it
    await until(
      'publication at embargo end',
      async () => (await call(A, `/api/v1/vulnerabilities/${id}`)).status === 200,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(embargoEnd.getTime());
    for (const base of [A, B]) expect((await call(base, `/api/v1/vulnerabilities/${id}`)).status).toBe(200);
    await sleep(1000); // more sweeps of both processes: none publishes it again
    const published = await database.db
      .selectFrom('submission_transitions as t')
      .innerJoin('submissions as s', 's.id', 't.submission_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('s.tracking_no', '=', s.trackingNo)
      .where('t.to_state', '=', 'published')
      .executeTakeFirst();
    expect(Number(published?.n)).toBe(1);
    const created = await database.db
      .selectFrom('vuln_history')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('source', '=', 'vulnshare')
      .where('change', '=', 'created')
      .executeTakeFirst();
    expect(Number(created?.n)).toBe(1);
  });

  it('throttles sign-in across the two processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(i % 2 ? B : A, '/api/v1/auth/login', {
        method: 'POST',
        body: { email: 'alice@vs.example', password: 'wrong password, attempt ' + String(i) },
        from: '127.0.0.3',
      });
      statuses.push(r.status);
    }
    // five wrong passwords in a row from one address (three on A, two on B): the sixth waits, wherever it lands
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await call(A, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: 'alice@vs.example', password: PW },
      from: '127.0.0.3',
    });
    expect(right.status).toBe(429);
  });

  it('counts one rate limit for both processes', async () => {
    const second = new Date().getUTCSeconds();
    if (second > 45) await sleep((61 - second) * 1000); // one fixed window for the whole run
    const remaining: number[] = [];
    let refusedAt = -1;
    for (let i = 0; i < 210 && refusedAt < 0; i++) {
      const r = await call(i % 2 ? B : A, '/healthz', { from: '127.0.0.4' });
      if (r.status === 429) refusedAt = i;
      else remaining.push(Number(r.headers['x-ratelimit-remaining']));
    }
    expect(refusedAt).toBe(200);
    expect(remaining).toEqual(Array.from({ length: 200 }, (_, i) => 199 - i));
  });

  it('moves reads to the primary when the replica stops, with no failed request', async () => {
    const paths = [
      '/api/v1/vulnerabilities?limit=5',
      '/api/v1/vulnerabilities/CNVD-2024-00001',
      `/api/v1/vulnerabilities?q=${encodeURIComponent('路由器')}`,
      '/api/v1/stats',
    ];
    const answers: Array<{ status: number; from: unknown }> = [];
    let stop = false;
    const reader = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const r = await call(n % 2 ? B : A, paths[i % paths.length] ?? '/', { from: `127.0.1.${n + 1}` });
        answers.push({ status: r.status, from: r.headers['x-vulnshare-read-from'] });
      }
    };
    const readers = Array.from({ length: 6 }, (_, n) => reader(n));
    await until('reads from the replica', () => answers.some((a) => a.from === 'replica-1'));
    cluster?.stopReplica();
    const stoppedAt = answers.length;
    await until('reads after the stop', () => answers.length > stoppedAt + 60);
    stop = true;
    await Promise.all(readers);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.slice(-20).every((a) => a.from === 'primary')).toBe(true);
    for (const base of [A, B]) {
      const h = await call(base, '/healthz');
      expect(h.body).toMatchObject({ replicas: [{ name: 'replica-1', inRotation: false }] });
    }
    const metrics = await call(A, '/metrics');
    expect(String(metrics.body)).toMatch(/vulnshare_replica_in_rotation\{replica="replica-1"\} 0/);
    expect(String(metrics.body)).toMatch(
      /vulnshare_http_request_duration_seconds_count\{[^}]*route="\/healthz"/,
    );
  });
});
