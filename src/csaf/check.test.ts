/**
 * `vulnshare csaf check` against vulnshare's own provider, served over HTTP on a loopback port behind a small
 * proxy of the test's own: passing through, the trusted provider's requirements all hold; made to change one
 * byte of a document, drop a signature, answer a redirect or open the AMBER directory, the check fails and
 * names the requirement. Also the vendored schema's digest, and the role rules of section 7.2.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { Database } from '../db/client.js';
import { startTestProvider, type TestProvider } from '../test-support/csaf-provider.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import {
  checkProvider,
  roleRequirements,
  roleSatisfied,
  SCHEMA_DIR,
  type ProviderCheck,
  type RequirementResult,
} from './check.js';

type Tamper = 'none' | 'flip-byte' | 'drop-asc' | 'redirect' | 'open-amber';
const FIRST_DOC = /\/white\/2023\/cnvd-2023-00001\.json$/;

/** A proxy in front of the app that can change what it answers. */
async function tamperingProxy(upstream: () => string) {
  let mode: Tamper = 'none';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      if (mode === 'redirect' && FIRST_DOC.test(path)) {
        res.writeHead(302, { location: `${path}?moved` }).end();
        return;
      }
      if (mode === 'drop-asc' && /\.json\.asc$/.test(path)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
        return;
      }
      if (mode === 'open-amber' && /\/amber\/index\.txt$/.test(path)) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('');
        return;
      }
      const r = await fetch(`${upstream()}${path}`, { redirect: 'manual' });
      const body = Buffer.from(await r.arrayBuffer());
      if (mode === 'flip-byte' && FIRST_DOC.test(path)) body[40] = (body[40] ?? 0) ^ 0x01;
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(body);
    })().catch((e: unknown) => res.writeHead(502).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (m: Tamper) => {
      mode = m;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const outcomeOf = (c: ProviderCheck, id: number) => c.results.find((r) => r.id === id)?.outcome;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        f(chunk.toString());
        done();
      },
    });
  const code = await main(
    ['node', 'vulnshare', ...args],
    sink((s) => (out += s)),
    sink((s) => (err += s)),
  );
  return { code, out, err };
}

describe.each(testBackends())('csaf check against our own provider on %s', (backend) => {
  let d: Database;
  let t: TestProvider;
  let proxy: Awaited<ReturnType<typeof tamperingProxy>>;
  let upstream = '';
  let metadataUrl = '';

  beforeAll(async () => {
    d = await freshDatabase(backend);
    proxy = await tamperingProxy(() => upstream);
    t = await startTestProvider(d, { publicUrl: proxy.origin });
    upstream = await t.app.listen({ host: '127.0.0.1', port: 0 });
    metadataUrl = `${proxy.origin}/.well-known/csaf/provider-metadata.json`;
  });
  afterAll(async () => {
    await proxy.close();
    await t.app.close();
    await d.close();
  });

  it('passes every requirement of the trusted provider role, TLS aside on loopback', async () => {
    proxy.set('none');
    const c = await checkProvider(metadataUrl, { allowHttpLoopback: true });
    const failures = c.results.filter((r) => r.outcome === 'fail');
    expect(failures).toEqual([]);
    expect(c.role).toBe('csaf_trusted_provider');
    expect(c.ok).toBe(true);
    expect(c.documents).toBe(3);
    const byOutcome = (o: RequirementResult['outcome']) =>
      c.results.filter((r) => r.outcome === o).map((r) => r.id);
    expect(byOutcome('pass')).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(byOutcome('not-applicable')).toEqual([3, 10, 21, 22, 23]);
  }, 180_000);

  it('fails requirement 3 over http unless loopback is allowed', async () => {
    proxy.set('none');
    const c = await checkProvider(metadataUrl);
    expect(c.failed).toEqual([3]);
    expect(c.ok).toBe(false);
  });

  it('names requirements 18 and 19 when one byte of a document changes on the way', async () => {
    proxy.set('flip-byte');
    const c = await checkProvider(metadataUrl, { allowHttpLoopback: true });
    expect(c.ok).toBe(false);
    expect(c.failed).toContain(18);
    expect(c.failed).toContain(19);
    const detail = c.results.find((r) => r.id === 18)?.details.join('\n') ?? '';
    expect(detail).toMatch(/cnvd-2023-00001\.json\.sha256 does not match the document/);
    expect(outcomeOf(c, 20)).toBe('pass');
  });

  it('names requirement 19 when the signatures are gone', async () => {
    proxy.set('drop-asc');
    const c = await checkProvider(metadataUrl, { allowHttpLoopback: true });
    expect(c.failed).toEqual([19]);
    expect(c.ok).toBe(false);
  });

  it('names requirement 6 when a document answers with a redirect', async () => {
    proxy.set('redirect');
    const c = await checkProvider(metadataUrl, { allowHttpLoopback: true });
    expect(c.failed).toContain(6);
    expect(c.results.find((r) => r.id === 6)?.details.join('\n')).toMatch(
      /cnvd-2023-00001\.json redirects \(302/,
    );
    expect(c.ok).toBe(false);
  });

  it('names requirement 5 when the TLP:AMBER directory opens to anyone', async () => {
    proxy.set('open-amber');
    const c = await checkProvider(metadataUrl, { allowHttpLoopback: true });
    expect(c.failed).toEqual([5]);
  });

  it('runs as vulnshare csaf check: a table, exit 0; exit 1 naming the requirement when tampered with', async () => {
    proxy.set('none');
    const good = await cli(['csaf', 'check', metadataUrl, '--allow-http-loopback']);
    expect(good.err).toBe('');
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^requirement\s+result\s+detail$/m);
    expect(good.out).toMatch(/^19 Signatures\s+pass\b/m);
    expect(good.out).toMatch(/every requirement of the role csaf_trusted_provider is met/);
    proxy.set('drop-asc');
    const bad = await cli(['csaf', 'check', metadataUrl, '--allow-http-loopback', '--json']);
    expect(bad.code).toBe(1);
    const j = JSON.parse(bad.out) as ProviderCheck;
    expect(j.failed).toEqual([19]);
    proxy.set('none');
    expect((await cli(['csaf', 'check', 'not a url'])).code).toBe(2);
  });
});

describe('csaf check rules', () => {
  it('keeps the vendored provider schema byte-for-byte (SHA256SUMS)', () => {
    const sums = readFileSync(`${SCHEMA_DIR}SHA256SUMS`, 'utf8');
    const digest = createHash('sha256')
      .update(readFileSync(`${SCHEMA_DIR}provider_json_schema.json`))
      .digest('hex');
    expect(sums).toContain(`${digest}  provider_json_schema.json`);
  });

  const results = (outcomes: Record<number, RequirementResult['outcome']>): RequirementResult[] =>
    Array.from({ length: 23 }, (_, i) => ({
      id: i + 1,
      title: '',
      outcome: outcomes[i + 1] ?? 'pass',
      details: [],
    }));

  it('asks of a trusted provider 1-7, one of 8-10, one whole distribution kind, and 18-20', () => {
    expect(roleRequirements('csaf_trusted_provider')).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ]);
    expect(roleSatisfied('csaf_trusted_provider', results({}))).toBe(true);
    expect(roleSatisfied('csaf_trusted_provider', results({ 19: 'fail' }))).toBe(false);
    // a provider need not sign: 19 is not its requirement
    expect(roleSatisfied('csaf_provider', results({ 19: 'fail' }))).toBe(true);
    // one of 8-10 must pass
    expect(
      roleSatisfied('csaf_provider', results({ 8: 'not-applicable', 9: 'not-applicable', 10: 'fail' })),
    ).toBe(false);
    expect(roleSatisfied('csaf_provider', results({ 8: 'fail', 10: 'fail' }))).toBe(true);
    // the directory may fail when the ROLIE feeds hold, and the other way round; not both
    expect(roleSatisfied('csaf_provider', results({ 12: 'fail' }))).toBe(true);
    expect(roleSatisfied('csaf_provider', results({ 12: 'fail', 15: 'fail' }))).toBe(false);
    expect(roleSatisfied('csaf_aggregator_of_nothing', results({}))).toBe(false);
  });
});
