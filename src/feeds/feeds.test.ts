/**
 * Feeds on both backends against a real HTTP server on 127.0.0.1 serving the real public data: conditional
 * requests (ETag, Last-Modified), retries with backoff, timeouts, truncated bodies that import nothing,
 * recovery after downtime without a missing record, leases between workers, gzip and zip bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import type { Database } from '../db/client.js';
import { isAppError } from '../errors.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import type { RetryPolicy } from './model.js';
import { createFeedService, type FeedService } from './service.js';
import * as store from './store.js';
import {
  cutShort,
  etagOf,
  hang,
  sequence,
  serve,
  startFeedServer,
  status,
  zipOf,
  type FeedServer,
} from '../test-support/feed-server.js';

const kevFile = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');
const cnvdDir = sharedData('cnvd-share-xml', 'xml');
const cveDir = sharedData('cve-json5-vulnrichment');

interface KevDoc {
  vulnerabilities: Array<{ cveID: string }>;
  [k: string]: unknown;
}
const kevFull: KevDoc | null = kevFile ? (JSON.parse(readFileSync(kevFile, 'utf8')) as KevDoc) : null;
/** The real catalogue cut to its first n entries (as the catalogue looked earlier). */
const kevOf = (n: number): Buffer =>
  Buffer.from(JSON.stringify({ ...kevFull, vulnerabilities: kevFull?.vulnerabilities.slice(0, n) }));
const kevIds = (n: number) => (kevFull?.vulnerabilities.slice(0, n) ?? []).map((v) => v.cveID);

const TEST_RETRY: Partial<RetryPolicy> = {
  attempts: 3,
  baseBackoffMs: 1,
  maxBackoffMs: 5,
  maxRetryAfterMs: 2_000,
  // generous enough for a 1 MB body on a loaded 2-core machine (a 300 ms limit made the first sync retry)
  requestTimeoutMs: 3_000,
  idleTimeoutMs: 3_000,
  failureRescheduleMs: 60_000,
  leaseMs: 60_000,
};
const HOUR = 3_600_000;

async function appError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an AppError');
}

describe.runIf(kevFull).each(testBackends())('feeds on %s', (backend) => {
  let d: Database;
  let server: FeedServer;
  let now: Date;
  const clock = () => now;
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  // the feed server listens on 127.0.0.1: internal targets are allowed explicitly
  const service = (): FeedService =>
    createFeedService({ database: d, clock, retry: TEST_RETRY, internalTargets: ANY_INTERNAL_TARGET });
  const sourceKeys = async (source: string) =>
    (await d.db.selectFrom('source_records').select('key').where('source', '=', source).execute()).map(
      (r) => r.key,
    );

  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    d = await freshDatabase(backend);
    now = new Date('2025-03-01T00:00:00Z');
    server.requests.length = 0;
  });
  afterEach(async () => {
    await d.close();
  });

  it('imports the whole KEV catalogue on the first sync, then gets 304 by ETag and imports nothing', async () => {
    const n = kevFull?.vulnerabilities.length ?? 0;
    const body = kevOf(n);
    server.handle(serve(() => ({ body, contentType: 'application/json' })));
    const feeds = service();
    await feeds.addFeed(CLI, { name: 'kev', format: 'kev', url: server.url('/kev.json'), schedule: '6h' });

    const first = await feeds.syncFeed(CLI, 'kev');
    expect(first).toMatchObject({
      outcome: 'imported',
      httpStatus: 200,
      attempts: 1,
      bytes: body.length,
      error: null,
    });
    expect(first.counts).toEqual({ read: n, imported: n, updated: 0, unchanged: 0, rejected: 0 });
    expect((await sourceKeys('kev')).length).toBe(n);
    const st = (await feeds.feedStatus(CLI, 'kev')).status;
    expect(st).toMatchObject({
      etag: etagOf(body),
      lastOutcome: 'imported',
      lastSuccessAt: now.toISOString(),
      consecutiveFailures: 0,
      nextRunAt: new Date(now.getTime() + 6 * HOUR).toISOString(),
      lastCounts: { read: n, imported: n, updated: 0, unchanged: 0, rejected: 0 },
      leasedUntil: null,
    });

    advance(HOUR);
    const second = await feeds.syncFeed(CLI, 'kev');
    expect(second).toMatchObject({ outcome: 'not_modified', httpStatus: 304, bytes: 0, importRunId: null });
    expect(second.counts).toEqual({ read: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0 });
    expect(server.requests[1]?.headers['if-none-match']).toBe(etagOf(body));
    const after = await feeds.feedStatus(CLI, 'kev');
    expect(after.status).toMatchObject({ lastOutcome: 'not_modified', lastSuccessAt: now.toISOString() });
    expect(after.runs.map((r) => r.outcome)).toEqual(['not_modified', 'imported']);
    expect(after.runs[1]?.counts.imported).toBe(n);
  });

  it.runIf(cnvdDir)(
    'uses If-Modified-Since with a server that sends only Last-Modified (CNVD XML)',
    async () => {
      const xml = readFileSync(join(cnvdDir ?? '', '1001.xml'));
      const records = (xml.toString('utf8').match(/<vulnerability>/g) ?? []).length;
      const lastModified = new Date('2025-02-20T08:00:00Z');
      server.handle(serve(() => ({ body: xml, etag: false, lastModified, contentType: 'application/xml' })));
      const feeds = service();
      await feeds.addFeed(CLI, {
        name: 'cnvd',
        format: 'cnvd-xml',
        url: server.url('/share/latest'),
        schedule: '1d',
      });

      const first = await feeds.syncFeed(CLI, 'cnvd');
      expect(first.outcome).toBe('imported');
      expect(first.counts.read).toBe(records);
      expect(first.counts.imported + first.counts.rejected).toBe(records);
      expect((await feeds.feedStatus(CLI, 'cnvd')).status).toMatchObject({
        etag: null,
        lastModified: lastModified.toUTCString(),
      });
      const second = await feeds.syncFeed(CLI, 'cnvd');
      expect(second.outcome).toBe('not_modified');
      expect(server.requests[1]?.headers['if-modified-since']).toBe(lastModified.toUTCString());
      expect(server.requests[1]?.headers['if-none-match']).toBeUndefined();
    },
  );

  it('retries 500 twice and succeeds on the third request', async () => {
    server.handle(
      sequence(
        status(500),
        status(502),
        serve(() => ({ body: kevOf(20) })),
      ),
    );
    const r = await service().syncFeed(CLI, { format: 'kev', url: server.url('/kev.json') });
    expect(r).toMatchObject({ outcome: 'imported', attempts: 3, error: null });
    expect(r.counts.imported).toBe(20);
    expect(server.requests).toHaveLength(3);
  });

  it('honours Retry-After on a 429', async () => {
    server.handle(
      sequence(
        status(429, { 'retry-after': '1' }),
        serve(() => ({ body: kevOf(5) })),
      ),
    );
    const r = await service().syncFeed(CLI, { format: 'kev', url: server.url('/kev.json') });
    expect(r.outcome).toBe('imported');
    const [a, b] = server.requests;
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('does not retry a 404 and says which feed and URL failed', async () => {
    server.handle(status(404));
    const feeds = service();
    const url = server.url('/missing.json');
    const r = await feeds.syncFeed(CLI, { format: 'kev', url, name: 'kev-missing' });
    expect(r).toMatchObject({ outcome: 'failed', httpStatus: 404, attempts: 1 });
    expect(r.error).toBe(`feed "kev-missing" (${url}): HTTP 404 Not Found (not retried)`);
    expect(server.requests).toHaveLength(1);
    expect((await feeds.feedStatus(CLI, 'kev-missing')).status).toMatchObject({
      lastOutcome: 'failed',
      lastError: r.error,
      lastErrorAt: now.toISOString(),
      lastHttpStatus: 404,
      lastSuccessAt: null,
      consecutiveFailures: 1,
    });
  });

  it('records a timeout against a server that hangs, and the next sync works', async () => {
    server.handle(hang);
    const feeds = service();
    const url = server.url('/slow.json');
    await feeds.addFeed(CLI, { name: 'slow', format: 'kev', url });
    const r = await feeds.syncFeed(CLI, 'slow');
    expect(r).toMatchObject({ outcome: 'failed', attempts: 3, httpStatus: null });
    expect(server.requests).toHaveLength(3);
    const st = (await feeds.feedStatus(CLI, 'slow')).status;
    expect(st.lastError).toContain(url);
    expect(st.lastError).toContain('no response within 3000 ms');
    expect(st.leasedUntil).toBeNull();

    server.handle(serve(() => ({ body: kevOf(10) })));
    expect((await feeds.syncFeed(CLI, 'slow')).counts.imported).toBe(10);
  });

  it('imports nothing from a body cut short of its Content-Length and keeps the old ETag', async () => {
    const feeds = service();
    const url = server.url('/kev.json');
    await feeds.addFeed(CLI, { name: 'kev', format: 'kev', url });
    const v1 = kevOf(10);
    server.handle(serve(() => ({ body: v1 })));
    await feeds.syncFeed(CLI, 'kev');

    const v2 = kevOf(40);
    server.handle(cutShort(v2, Math.floor(v2.length / 2)));
    const r = await feeds.syncFeed(CLI, 'kev');
    expect(r).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(r.error).toContain(`feed "kev" (${url})`);
    expect(r.error).toMatch(/broke off|truncated/);
    expect((await sourceKeys('kev')).length).toBe(10);
    expect((await feeds.feedStatus(CLI, 'kev')).status).toMatchObject({
      etag: etagOf(v1),
      lastOutcome: 'failed',
    });

    server.handle(serve(() => ({ body: v2 })));
    const again = await feeds.syncFeed(CLI, 'kev');
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe(etagOf(v1));
    expect(again.counts).toMatchObject({ read: 40, imported: 30, unchanged: 10 });
    expect((await feeds.feedStatus(CLI, 'kev')).status.etag).toBe(etagOf(v2));
  });

  it('refuses half a JSON document whole, without retrying, and imports it once it is complete', async () => {
    const feeds = service();
    const body = kevOf(30);
    const half = body.subarray(0, Math.floor(body.length / 2));
    server.handle(serve(() => ({ body: half })));
    const url = server.url('/kev.json');
    const r = await feeds.syncFeed(CLI, { format: 'kev', url, name: 'kev' });
    expect(r).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(r.error).toMatch(
      new RegExp(`^feed "kev" \\(${url.replace(/[.?]/g, '\\$&')}\\): the JSON body is incomplete`),
    );
    expect(await sourceKeys('kev')).toEqual([]);
    expect((await feeds.feedStatus(CLI, 'kev')).status.etag).toBeNull();

    server.handle(serve(() => ({ body })));
    expect((await feeds.syncFeed(CLI, 'kev')).counts.imported).toBe(30);
  });

  it.runIf(cnvdDir)(
    'refuses a CNVD XML file cut in half: not even its first records are imported',
    async () => {
      const xml = readFileSync(join(cnvdDir ?? '', '1006.xml'));
      server.handle(serve(() => ({ body: xml.subarray(0, Math.floor(xml.length / 2)) })));
      const r = await service().syncFeed(CLI, { format: 'cnvd-xml', url: server.url('/cnvd.xml') });
      expect(r.outcome).toBe('failed');
      expect(r.error).toMatch(/XML body/);
      expect(await sourceKeys('cnvd')).toEqual([]);
    },
  );

  it('misses no record added while the source was down: the next success imports them all', async () => {
    const feeds = service();
    await feeds.addFeed(CLI, { name: 'kev', format: 'kev', url: server.url('/kev.json'), schedule: '6h' });
    let doc = kevOf(100);
    let down = false;
    const good = serve(() => ({ body: doc }));
    server.handle((req, res) => (down ? status(500)(req, res) : good(req, res)));
    expect((await feeds.syncDue(CLI)).map((r) => r.counts.imported)).toEqual([100]);
    expect(await feeds.syncDue(CLI)).toEqual([]); // not due again for six hours

    down = true;
    advance(6 * HOUR);
    doc = kevOf(130);
    const delays: number[] = [];
    for (const wait of [0, 60_000, 120_000]) {
      advance(wait);
      const [r] = await feeds.syncDue(CLI);
      expect(r?.outcome).toBe('failed');
      delays.push(Date.parse((await feeds.feedStatus(CLI, 'kev')).status.nextRunAt ?? '') - now.getTime());
      if (wait === 60_000) doc = kevOf(160); // the catalogue grows again during the outage
    }
    // Failed runs come back sooner than the schedule, backing off: 1, 2, 4 minutes.
    expect(delays).toEqual([60_000, 120_000, 240_000]);
    expect((await feeds.feedStatus(CLI, 'kev')).status.consecutiveFailures).toBe(3);

    down = false;
    advance(240_000);
    const [r] = await feeds.syncDue(CLI);
    expect(r?.counts).toEqual({ read: 160, imported: 60, updated: 0, unchanged: 100, rejected: 0 });
    expect((await sourceKeys('kev')).sort()).toEqual(kevIds(160).sort());
    const st = (await feeds.feedStatus(CLI, 'kev', { runs: 10 })).status;
    expect(st).toMatchObject({
      consecutiveFailures: 0,
      lastOutcome: 'imported',
      lastSuccessAt: now.toISOString(),
    });
    expect(st.nextRunAt).toBe(new Date(now.getTime() + 6 * HOUR).toISOString());
  });

  it('never lets two workers sync the same feed at once', async () => {
    const body = kevOf(10);
    const slow = serve(() => ({ body }));
    server.handle((req, res) => setTimeout(() => slow(req, res), 150));
    const a = service();
    const b = service(); // another worker process, same database
    await a.addFeed(CLI, { name: 'kev', format: 'kev', url: server.url('/kev.json'), schedule: '1h' });
    const running = a.syncFeed(CLI, 'kev');
    await new Promise((r) => setTimeout(r, 30));
    expect(await appError(b.syncFeed(CLI, 'kev'))).toMatchObject({ code: 'feed_busy' });
    expect(await b.syncDue(CLI)).toEqual([]);
    expect((await running).outcome).toBe('imported');
    expect(server.requests).toHaveLength(1);
  });

  it('takes over the lease of a worker that died mid-run and downloads the body again', async () => {
    const feeds = service();
    await feeds.addFeed(CLI, { name: 'kev', format: 'kev', url: server.url('/kev.json'), schedule: '1h' });
    let doc = kevOf(10);
    server.handle(serve(() => ({ body: doc })));
    await feeds.syncDue(CLI);
    const e1 = etagOf(doc);
    doc = kevOf(20);
    advance(HOUR);
    // A worker leases the feed, starts importing, and is killed: its lease is left behind.
    expect(
      await store.acquireLease(d.db, 'kev', {
        token: 'dead-worker',
        now: now.toISOString(),
        until: new Date(now.getTime() + 60_000).toISOString(),
      }),
    ).toBeDefined();
    expect(await feeds.syncDue(CLI)).toEqual([]);
    advance(61_000);
    const [r] = await feeds.syncDue(CLI);
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe(e1);
    expect(r?.counts).toMatchObject({ imported: 10, unchanged: 10 });
    expect((await feeds.feedStatus(CLI, 'kev')).status.etag).toBe(etagOf(doc));
  });

  it('reads a gzip Content-Encoding body', async () => {
    server.handle(serve(() => ({ body: kevOf(25), gzip: true, contentType: 'application/json' })));
    const r = await service().syncFeed(CLI, { format: 'kev', url: server.url('/kev.json') });
    expect(r).toMatchObject({ outcome: 'imported', counts: { imported: 25 } });
  });

  it.runIf(cveDir)('imports a zip of CVE JSON 5 records, and a single record', async () => {
    const files = (readdirSync(cveDir ?? '', { recursive: true }) as string[])
      .filter((f) => /CVE-\d{4}-\d+\.json$/.test(f))
      .sort()
      .slice(0, 25);
    const zip = zipOf(files.map((f) => ({ name: `cves/${f}`, data: readFileSync(join(cveDir ?? '', f)) })));
    server.handle(serve(() => ({ body: zip, contentType: 'application/zip' })));
    const feeds = service();
    const r = await feeds.syncFeed(CLI, { format: 'cve5', url: server.url('/cves.zip') });
    expect(r.outcome).toBe('imported');
    expect(r.counts).toMatchObject({ read: files.length, imported: files.length, rejected: 0 });

    const one = readFileSync(join(cveDir ?? '', files[0] ?? ''));
    server.handle(serve(() => ({ body: one, contentType: 'application/json' })));
    const single = await feeds.syncFeed(CLI, { format: 'cve5', url: server.url('/record') });
    expect(single.counts).toMatchObject({ read: 1, unchanged: 1 });

    server.handle(serve(() => ({ body: zip.subarray(0, zip.length - 30) })));
    const cut = await feeds.syncFeed(CLI, { format: 'cve5', url: server.url('/cut.zip') });
    expect(cut.error).toMatch(/zip body is incomplete/);
  });

  it('refuses bad URLs and formats before fetching, and reports a refused connection', async () => {
    const feeds = service();
    expect(await appError(feeds.syncFeed(CLI, { format: 'kev', url: 'not a url' }))).toEqual({
      code: 'invalid_parameter',
      message: '"not a url" is not a URL',
    });
    expect((await appError(feeds.syncFeed(CLI, { format: 'kev', url: 'ftp://x/kev.json' }))).code).toBe(
      'invalid_parameter',
    );
    expect((await appError(feeds.syncFeed(CLI, { format: 'nvd', url: server.url('/') }))).message).toMatch(
      /unknown feed format/,
    );
    expect((await appError(feeds.syncFeed(CLI, 'nope'))).code).toBe('not_found');
    expect(
      (
        await appError(
          feeds.addFeed(CLI, { name: 'x', format: 'kev', url: server.url('/'), schedule: 'often' }),
        )
      ).code,
    ).toBe('invalid_parameter');
    const closed = await startFeedServer();
    const url = closed.url('/kev.json');
    await closed.close(); // nothing listens on its port any more
    const r = await feeds.syncFeed(CLI, { format: 'kev', url });
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(
      /^feed "kev@127\.0\.0\.1" \(http:.*\): fetch failed: connect ECONNREFUSED .*\(gave up after 3 attempts\)$/,
    );
    expect(await feeds.listFeeds(CLI)).toHaveLength(1);
  });

  it('registers an ad-hoc sync once and reuses its ETag; feeds can be listed and removed', async () => {
    server.handle(serve(() => ({ body: kevOf(5) })));
    const feeds = service();
    const url = server.url('/kev.json');
    expect((await feeds.syncFeed(CLI, { format: 'kev', url })).outcome).toBe('imported');
    expect((await feeds.syncFeed(CLI, { format: 'kev', url })).outcome).toBe('not_modified');
    const [f] = await feeds.listFeeds(CLI);
    expect(f).toMatchObject({ format: 'kev', url, scheduleMs: null, status: { nextRunAt: null } });
    const name = f?.name ?? '';
    expect(await feeds.updateFeed(CLI, name, { schedule: '1d' })).toMatchObject({
      scheduleMs: 86_400_000,
      status: { nextRunAt: now.toISOString(), etag: etagOf(kevOf(5)) },
    });
    expect((await feeds.updateFeed(CLI, name, { url: server.url('/kev-v2.json') })).status.etag).toBeNull();
    await feeds.removeFeed(CLI, name);
    expect(await feeds.listFeeds(CLI)).toEqual([]);
    expect((await appError(feeds.removeFeed(CLI, 'kev'))).code).toBe('not_found');
  });
});
