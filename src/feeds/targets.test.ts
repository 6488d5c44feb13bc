/**
 * Where a feed may download from, on both backends with real local HTTP servers: internal addresses are
 * refused when the URL is saved (naming the field) and again when connecting (a feed saved earlier, a name
 * that resolves to 127.0.0.1); a redirect is followed only to a target that passes the same check, hop by hop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import type { Database } from '../db/client.js';
import { parseInternalAllowance, type InternalAllowance } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import type { RetryPolicy } from './model.js';
import { createFeedService } from './service.js';
import * as store from './store.js';
import { kevCatalogue } from '../test-support/kev.js';
import { serve, startFeedServer, status, type FeedServer } from '../test-support/feed-server.js';

const RETRY: Partial<RetryPolicy> = {
  attempts: 3,
  baseBackoffMs: 1,
  maxBackoffMs: 5,
  requestTimeoutMs: 2000,
  idleTimeoutMs: 2000,
};
const allow = (text: string): InternalAllowance => parseInternalAllowance(text).allowance;

/** A second server on another loopback address, counting what reaches it. */
async function otherServer(host: string) {
  const requests: string[] = [];
  const body = kevCatalogue(2);
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
      .end(body);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    requests,
    url: (path: string) => `http://${host}:${(server.address() as AddressInfo).port}${path}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe.each(testBackends())('feed targets on %s', (backend) => {
  let d: Database;
  let server: FeedServer;
  let other: Awaited<ReturnType<typeof otherServer>>;
  const service = (internalTargets?: InternalAllowance) =>
    createFeedService({ database: d, retry: RETRY, ...(internalTargets ? { internalTargets } : {}) });

  beforeAll(async () => {
    d = await freshDatabase(backend);
    server = await startFeedServer();
    other = await otherServer('127.0.0.2');
  });
  afterAll(async () => {
    await server.close();
    await other.close();
    await d.close();
  });
  beforeEach(async () => {
    await d.db.deleteFrom('feed_runs').execute();
    await d.db.deleteFrom('feeds').execute();
    server.requests.length = 0;
    other.requests.length = 0;
    server.handle(serve(() => ({ body: kevCatalogue(3), contentType: 'application/json' })));
  });

  it.each([
    'http://127.0.0.1:8080/kev.json',
    'http://10.0.0.1/kev.json',
    'http://[::1]/kev.json',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost/kev.json',
    'http://0.0.0.0/kev.json',
  ])('refuses to add, update or sync ad hoc a feed at %s without the allowance, naming url', async (url) => {
    const feeds = service();
    const refused = async (p: Promise<unknown>) => {
      await expect(p).rejects.toMatchObject({ code: 'invalid_parameter', details: { parameter: 'url' } });
      await expect(p).rejects.toThrow(/^url points at an internal host/);
    };
    await refused(feeds.addFeed(CLI, { name: 'kev', format: 'kev', url }));
    await feeds.addFeed(CLI, { name: 'kev', format: 'kev', url: 'https://feeds.example.org/kev.json' });
    await refused(feeds.updateFeed(CLI, 'kev', { url }));
    await refused(feeds.syncFeed(CLI, { format: 'kev', url }));
    expect((await feeds.listFeeds(CLI)).map((f) => f.url)).toEqual(['https://feeds.example.org/kev.json']);
  });

  it('refuses at connection time a feed saved before the check, or at a name resolving to 127.0.0.1, without retrying', async () => {
    for (const [name, url] of [
      ['saved-earlier', server.url('/kev.json')],
      ['by-name', server.url('/kev.json').replace('127.0.0.1', 'localhost')],
    ] as const) {
      await store.insertFeed(d.db, { name, format: 'kev', url, schedule_ms: null, next_run_at: null });
      const r = await service().syncFeed(CLI, name);
      expect(r).toMatchObject({ outcome: 'failed', attempts: 1, httpStatus: null });
      expect(r.error).toMatch(/refused to connect: .*127\.0\.0\.1, a loopback address/);
    }
    expect(server.requests).toEqual([]);
  });

  it('syncs from 127.0.0.1 when the allowance admits it', async () => {
    const r = await service(allow('127.0.0.1')).syncFeed(CLI, {
      format: 'kev',
      url: server.url('/kev.json'),
    });
    expect(r).toMatchObject({ outcome: 'imported', error: null, counts: { read: 3 } });
  });

  it('does not follow a redirect to a target the allowance does not admit: that server sees no request', async () => {
    server.handle(status(302, { location: other.url('/moved.json') }));
    const r = await service(allow('127.0.0.1')).syncFeed(CLI, {
      format: 'kev',
      url: server.url('/kev.json'),
    });
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/refused to connect: 127\.0\.0\.2, a loopback address/);
    expect(other.requests).toEqual([]);
  });

  it('follows a redirect to a target that passes the check', async () => {
    server.handle(status(302, { location: other.url('/moved.json') }));
    const r = await service(allow('127.0.0.1, 127.0.0.2')).syncFeed(CLI, {
      format: 'kev',
      url: server.url('/kev.json'),
    });
    expect(r).toMatchObject({ outcome: 'imported', counts: { read: 2 } });
    expect(other.requests).toEqual(['/moved.json']);
  });
});
