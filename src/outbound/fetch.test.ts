import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, TargetRefused } from './fetch.js';
import { ANY_INTERNAL_TARGET, parseInternalAllowance } from './targets.js';

async function listen(host: string) {
  const hits: string[] = [];
  let handler: (url: string) => { status: number; headers?: Record<string, string>; body?: string } = () => ({
    status: 200,
    body: 'ok',
  });
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const r = handler(req.url ?? '/');
    res.writeHead(r.status, r.headers).end(r.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    hits,
    port,
    url: (path: string) => `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    handle: (h: typeof handler) => (handler = h),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('the guarded fetch', () => {
  let a: Awaited<ReturnType<typeof listen>>;
  let b: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    a = await listen('127.0.0.1');
    b = await listen('127.0.0.2');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('refuses loopback, private, link-local and metadata addresses before sending anything', async () => {
    const f = createGuardedFetch();
    for (const url of [
      a.url('/x'),
      `http://localhost:${a.port}/x`,
      'http://10.0.0.1:9/x',
      'http://[::1]:9/x',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:127.0.0.1]:9/',
    ])
      await expect(f(url), url).rejects.toThrow(/refused to connect: .*(loopback|private|link-local)/);
    expect(a.hits).toEqual([]);
  });

  it('checks the address a name resolves to at connection time (DNS rebinding)', async () => {
    const rebinding = createGuardedFetch({
      resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    });
    await expect(rebinding(`http://feeds.example.org:${a.port}/x`)).rejects.toThrow(
      /feeds\.example\.org resolves to 127\.0\.0\.1, a loopback address/,
    );
    const mixed = createGuardedFetch({
      resolve: () =>
        Promise.resolve([
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]),
    });
    await expect(mixed(`http://feeds.example.org:${a.port}/x`)).rejects.toBeInstanceOf(TargetRefused);
    expect(a.hits).toEqual([]);
  });

  it('connects to an internal address the allowance admits, through the checked address', async () => {
    const f = createGuardedFetch({
      allowance: ANY_INTERNAL_TARGET,
      resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    });
    const res = await f(`http://feeds.example.org:${a.port}/named`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect(a.hits).toEqual(['GET /named']);
    a.hits.length = 0;
  });

  it('re-checks every redirect hop, and returns a 3xx untouched under redirect: manual', async () => {
    a.handle(() => ({ status: 302, headers: { location: b.url('/elsewhere') } }));
    const onlyA = createGuardedFetch({ allowance: parseInternalAllowance('127.0.0.1').allowance });
    await expect(onlyA(a.url('/start'))).rejects.toThrow(/127\.0\.0\.2, a loopback address/);
    expect(b.hits).toEqual([]);
    const manual = await onlyA(a.url('/start'), { method: 'POST', body: '{}', redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(b.hits).toEqual([]);
    const both = createGuardedFetch({ allowance: parseInternalAllowance('127.0.0.0/8').allowance });
    const followed = await both(a.url('/start'));
    expect([followed.status, await followed.text()]).toEqual([200, 'ok']);
    expect(b.hits).toEqual(['GET /elsewhere']);
    a.handle(() => ({ status: 200, body: 'ok' }));
    a.hits.length = 0;
    b.hits.length = 0;
  });
});
