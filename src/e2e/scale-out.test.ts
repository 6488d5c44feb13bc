/**
 * Two `vulnshare serve` processes (bin/vulnshare.js over dist/, built by `npm test`) on one PostgreSQL database of
 * the test server, each with its worker, behave as one: a session made through one works through the other and
 * ends for both; facet counts cached by both follow a change written by a third process; a watchlist made
 * through one process is matched by an import running in another from its next batch on; a due feed is run once,
 * by whichever worker leased it. The replica side (read-your-writes, throttling, rate limits, the embargo sweep)
 * is in replicas.test.ts. Skipped, saying why, when the test PostgreSQL server does not answer or dist/ is absent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createPlatform } from '../app/platform.js';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import type { ParseItem } from '../vulns/model.js';
import { freshDatabase } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { kevCatalogue } from '../test-support/kev.js';
import {
  call,
  cookiesOf,
  serve,
  sleep,
  until,
  type Answer,
  type ServeProcess,
  servePgUnavailable,
} from '../test-support/serve-process.js';

const why = await servePgUnavailable();
if (why) console.warn(`scale-out.test.ts skipped: ${why}`);

const PW = 'Tea kettle orbit 7 lantern';

const severities = (a: Answer) =>
  Object.fromEntries(
    (
      (a.body as { facets?: { severity?: Array<{ value: string; count: number }> } }).facets?.severity ?? []
    ).map((f) => [f.value, f.count]),
  );

describe.skipIf(why !== null)('two serve processes on one PostgreSQL database', () => {
  let database: Database & { url?: string };
  const servers: ServeProcess[] = [];
  let A = '';
  let B = '';
  let orgId = 0;
  let feedRequests = 0;
  let releaseFeed: () => void = () => undefined;
  let receiver: Server | null = null;

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    const url = database.url ?? '';
    const accounts = createAccountService({ db: database.db });
    orgId = (
      await accounts.createOrganisation(CLI, { kind: 'member_unit', name: 'Example Bank', sector: 'banking' })
    ).id;
    await accounts.addContact(CLI, orgId, { name: 'SOC', email: 'soc@bank.example', portal: false });
    await accounts.createUser(CLI, {
      email: 'analyst@so.example',
      displayName: 'analyst',
      password: PW,
      role: 'analyst',
    });
    await importItems(
      database,
      itemsOf([
        cnvdRecord('CNVD-2024-00001', { severity: 'high' }),
        cnvdRecord('CNVD-2024-00002', { severity: 'high' }),
        cnvdRecord('CNVD-2024-00003', { severity: 'medium' }),
      ]),
      { format: 'test', paths: [] },
    );
    // a scheduled feed whose server answers only when the test lets it: due at once for both workers
    let held: Array<() => void> = [];
    const catalogue = kevCatalogue(5);
    receiver = createServer((req, res) => {
      req.resume();
      feedRequests++;
      held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end(catalogue));
    });
    await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    releaseFeed = () => {
      for (const h of held) h();
      held = [];
    };
    const platform = createPlatform(
      database,
      loadConfig({ VULNSHARE_ALLOW_INTERNAL_TARGETS: '127.0.0.1' }, { databaseUrl: url }),
    );
    await platform.feeds.addFeed(CLI, {
      name: 'kev-held',
      format: 'kev',
      url: `http://127.0.0.1:${port}/kev.json`,
      schedule: '1h',
    });
    await platform.close();
    const env = {
      DATABASE_URL: url,
      VULNSHARE_ALLOW_INTERNAL_TARGETS: '127.0.0.1',
      VULNSHARE_SWEEP_MS: '300',
      VULNSHARE_FEEDS_INTERVAL: '1s',
    };
    for (let i = 0; i < 2; i++) servers.push(await serve(env));
    [A, B] = servers.map((s) => s.base) as [string, string];
  }, 240_000);

  afterAll(async () => {
    releaseFeed();
    for (const s of servers) if (/"level":[56]/.test(s.output())) console.warn(s.output());
    for (const s of servers) await s.stop();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await database?.close();
  }, 60_000);

  async function signIn(base: string) {
    const r = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: 'analyst@so.example', password: PW },
    });
    expect(r.status).toBe(200);
    return { cookie: cookiesOf(r), csrf: (r.body as { csrfToken: string }).csrfToken };
  }

  it('keeps one session for both processes: made through A, used through B, ended through B for A too', async () => {
    const s = await signIn(A);
    const me = await call(B, '/api/v1/auth/me', { headers: { cookie: s.cookie } });
    expect(me.status).toBe(200);
    expect(JSON.stringify(me.body)).toContain('analyst@so.example');
    const out = await call(B, '/api/v1/auth/logout', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.status).toBeLessThan(300);
    const after = await call(A, '/api/v1/auth/me', { headers: { cookie: s.cookie } });
    expect(after.body).toMatchObject({ user: null });
    // and a write with it is refused by either
    const refused = await call(A, '/api/v1/watchlists', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: { organisationId: orgId, name: 'after sign-out' },
    });
    expect(refused.status).toBe(401);
  });

  it('answers facet counts that follow a change written by another process, in both processes', async () => {
    const path = '/api/v1/vulnerabilities?facets=severity&limit=1';
    for (const base of [A, B, A, B])
      expect(severities(await call(base, path))).toMatchObject({ high: 2, medium: 1 });
    // another process (this test) re-imports a record with a new severity: nobody tells A or B
    const s = await importItems(database, itemsOf([cnvdRecord('CNVD-2024-00001', { severity: 'low' })]), {
      format: 'test',
      paths: [],
    });
    expect(s.updated).toBe(1);
    for (const base of [B, A])
      expect(severities(await call(base, path))).toMatchObject({ high: 1, medium: 1, low: 1 });
  });

  it('matches a watchlist made through A in an import another process is running, from its next batch', async () => {
    let gate: () => void = () => undefined;
    const opened = new Promise<void>((r) => (gate = r));
    async function* twoBatches(): AsyncGenerator<ParseItem> {
      for await (const item of itemsOf([cveRecord('CVE-2025-0001')])) yield item;
      await opened; // the import holds here, between its batches
      for await (const item of itemsOf([cveRecord('CVE-2025-0002')])) yield item;
    }
    const running = importItems(database, twoBatches(), { format: 'test', paths: [], batchSize: 1 });
    await until(
      'the first batch written',
      async () =>
        (
          await database.db
            .selectFrom('vulnerabilities')
            .select('id')
            .where('public_id', '=', 'CVE-2025-0001')
            .executeTakeFirst()
        )?.id,
    );
    const s = await signIn(A);
    const made = await call(A, '/api/v1/watchlists', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: {
        organisationId: orgId,
        name: 'routers',
        items: [{ kind: 'product', vendor: 'Tenda', product: 'AC18' }],
      },
    });
    expect(made.status).toBe(201);
    gate();
    const summary = await running;
    expect(summary.imported).toBe(2);
    const alerts = await database.db
      .selectFrom('watch_alerts as a')
      .innerJoin('vulnerabilities as v', 'v.id', 'a.vuln_id')
      .select(['v.public_id'])
      .where('a.organisation_id', '=', orgId)
      .execute();
    // the first batch was written before the watchlist existed: only the second is alerted
    expect(alerts.map((a) => a.public_id)).toEqual(['CVE-2025-0002']);
  });

  it('runs a due feed once: one worker holds its lease, the other leaves it alone', async () => {
    await until('the feed requested', () => feedRequests >= 1);
    await sleep(2500); // both workers' feed schedulers tick every second meanwhile
    expect(feedRequests).toBe(1);
    releaseFeed();
    await until('the feed run recorded', async () =>
      (
        await database.db
          .selectFrom('feeds')
          .select('leased_until')
          .where('name', '=', 'kev-held')
          .executeTakeFirstOrThrow()
      ).leased_until === null
        ? true
        : null,
    );
    await sleep(1000);
    const runs = await database.db
      .selectFrom('feed_runs')
      .select(['id', 'outcome'])
      .where('feed_name', '=', 'kev-held')
      .execute();
    expect(runs).toMatchObject([{ outcome: 'imported' }]);
    expect(feedRequests).toBe(1);
  });
});
