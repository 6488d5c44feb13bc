/**
 * The federation walk on three real instances (the composition root and the real app on loopback HTTP): a
 * national one on PostgreSQL (PGlite when PostgreSQL is not among the test backends), two sector ones on
 * PGlite. Between national and its peers sits a small HTTP relay that can tamper with an answer or cut the
 * connection, as a network would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { startWorker } from '../app/worker.js';
import { DEFAULT_PLATFORM_ORG_ID } from '../config/config.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import type { SourceRecord, Vulnerability } from '../vulns/model.js';
import { SIGNATURE_HEADER, signEnvelope } from './envelope.js';
import { CHANGES_PATH } from './service.js';
import * as store from './store.js';

interface Instance {
  name: string;
  d: Database;
  platform: Platform;
  app: FastifyInstance;
  base: string;
}

async function start(name: string, backend: 'pglite' | 'postgres', idPrefix: string): Promise<Instance> {
  const d = await freshDatabase(backend);
  const config = completeConfig({
    platformOrg: { orgId: DEFAULT_PLATFORM_ORG_ID, shortName: name },
    idPrefix,
    allowInternalTargets: ANY_INTERNAL_TARGET,
    logLevel: 'silent',
    rateLimitPerMinute: 1_000_000,
    worker: false,
  });
  const platform = createPlatform(d, config, { mailer: null });
  const app = await buildApp({ database: d, config, platform });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { name, d, platform, app, base };
}

/** A relay to `upstream`: passes, tampers with the next answer's body, or cuts answers after `pages` more. */
function relay(upstream: () => string) {
  const mode = { tamper: false, cutAfter: Infinity, served: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (mode.served >= mode.cutAfter) {
        req.socket.destroy();
        return;
      }
      const r = await fetch(upstream() + (req.url ?? ''), {
        headers: { [SIGNATURE_HEADER]: String(req.headers[SIGNATURE_HEADER] ?? '') },
      });
      let body = await r.text();
      if (mode.tamper && r.ok) {
        body = body.replace(/"titleEn"|Siemens/g, (m) => (m === 'Siemens' ? 'Siemenz' : m));
        mode.tamper = false;
      }
      mode.served++;
      res.writeHead(r.status, {
        'content-type': r.headers.get('content-type') ?? 'application/json',
        ...(r.headers.get(SIGNATURE_HEADER)
          ? { [SIGNATURE_HEADER]: r.headers.get(SIGNATURE_HEADER) ?? '' }
          : {}),
      });
      res.end(body);
    })();
  });
  return {
    mode,
    async listen(): Promise<string> {
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** A platform record of sector A, in its own id namespace. */
function sectorRecord(key: string, vendor: string, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    source: 'vulnshare',
    key,
    aliases: [key],
    state: 'published',
    titleZh: `${vendor} 控制器缓冲区溢出漏洞（${key}）`,
    titleEn: `${vendor} controller buffer overflow (${key})`,
    descriptionZh: `${vendor} 控制器存在缓冲区溢出漏洞。`,
    products: [{ vendor, product: 'Controller X', versions: ['1.0'] }],
    weaknesses: [{ cwe: 'CWE-120' }],
    cvss: [{ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    industries: ['ics'],
    kind: 'general',
    dates: { published: '2026-11-20' },
    references: [],
    credits: ['sector A lab'],
    raw: JSON.stringify({ key }),
    ...over,
    ...(over.aliases ? { aliases: [key, ...over.aliases] } : {}),
  };
}

const count = async (d: Database, q: ReturnType<typeof sql<{ n: number }>>) =>
  (await q.execute(d.db)).rows[0]?.n ?? -1;
const vulnsWithAlias = (d: Database, alias: string) =>
  count(d, sql<{ n: number }>`SELECT count(*)::int AS n FROM vuln_aliases WHERE alias = ${alias}`);
const peerSourceRows = (d: Database, peer: string) =>
  count(
    d,
    sql<{ n: number }>`SELECT count(*)::int AS n FROM source_records WHERE source = ${`peer:${peer}`}`,
  );
const vulnCount = (d: Database) =>
  count(d, sql<{ n: number }>`SELECT count(*)::int AS n FROM vulnerabilities`);

async function vulnByAlias(i: Instance, alias: string): Promise<Vulnerability> {
  const r = await fetch(`${i.base}/api/v1/vulnerabilities/${alias}?raw=false`);
  expect(r.status, alias).toBe(200);
  return ((await r.json()) as { vulnerability: Vulnerability }).vulnerability;
}

describe('federation: a national and two sector instances', () => {
  const nationalBackend = testBackends().includes('postgres') ? 'postgres' : 'pglite';
  let national: Instance;
  let a: Instance;
  let b: Instance;
  const toA = relay(() => a.base);
  const toNational = relay(() => national.base);

  beforeAll(async () => {
    [national, a, b] = await Promise.all([
      start('national', nationalBackend, 'CN'),
      start('sector-a', 'pglite', 'ICS'),
      start('sector-b', 'pglite', 'TEL'),
    ]);
    const viaA = await toA.listen();
    const viaNational = await toNational.listen();
    const id = {
      national: await national.platform.peers.identity(CLI),
      a: await a.platform.peers.identity(CLI),
      b: await b.platform.peers.identity(CLI),
    };
    // each side adds the other from what its `peer init` prints (PEM here, base64 DER for B's)
    await national.platform.peers.addPeer(CLI, { name: 'sector-a', url: viaA, key: id.a.publicKey });
    await national.platform.peers.addPeer(CLI, {
      name: 'sector-b',
      url: b.base,
      key: id.b.publicKeyBase64,
      // B's members do not run Acme products: nothing about Acme goes to B
      policy: { receive: { excludeVendors: ['Acme'] } },
    });
    await a.platform.peers.addPeer(CLI, { name: 'national', url: national.base, key: id.national.publicKey });
    await b.platform.peers.addPeer(CLI, { name: 'national', url: viaNational, key: id.national.publicKey });
    // the national platform holds its own CNVD record of the CVE sector A's first record cites
    const siemens = { products: [{ vendor: 'Siemens', product: 'Controller X', versions: ['1.0'] }] };
    await importItems(
      national.d,
      itemsOf([cnvdRecord('CNVD-2026-00001', { aliases: ['CVE-2026-10001'], ...siemens })]),
      {
        format: 'cnvd-xml',
        paths: [],
      },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([toA.close(), toNational.close()]);
    for (const i of [national, a, b]) {
      await i.app.close();
      await i.platform.close();
      await i.d.close();
    }
  });

  it('a record published on sector A is seen nationally with provenance peer:sector-a and A’s id as an alias', async () => {
    await importItems(
      a.d,
      itemsOf([
        sectorRecord('ICS-2026-00012', 'Siemens', { aliases: ['CVE-2026-10001'] }),
        sectorRecord('ICS-2026-00013', 'Acme'),
      ]),
      { format: 'test', paths: [] },
    );
    const [r] = await national.platform.peers.sync(CLI, 'sector-a');
    expect(r).toMatchObject({ peer: 'sector-a', outcome: 'synced', applied: 2, refused: 0, error: null });

    const v = await vulnByAlias(national, 'ICS-2026-00012');
    // merged by alias with the national CNVD record (CVE-2026-10001), not a second vulnerability
    expect(v.id).toBe('CNVD-2026-00001');
    expect(v.aliases).toEqual(
      expect.arrayContaining(['CNVD-2026-00001', 'CVE-2026-10001', 'ICS-2026-00012']),
    );
    expect(v.sources.map((s) => s.source).sort()).toEqual(['cnvd', 'peer:sector-a']);
    expect(v.cvss[0]?.baseScore).toBe(9.8);
    expect(v.vendors).toEqual(['Siemens']);
    // the national CNVD record's words come first (merge priority); A's English title fills what CNVD lacks
    expect(v.title.en).toBe('Siemens controller buffer overflow (ICS-2026-00012)');
    expect(await vulnsWithAlias(national.d, 'CVE-2026-10001')).toBe(1);
    // a record of A with no other id stands on its own under A's id
    const acme = await vulnByAlias(national, 'ICS-2026-00013');
    expect(acme.id).toBe('ICS-2026-00013');
    expect(acme.sources).toEqual([{ source: 'peer:sector-a', key: 'ICS-2026-00013', state: 'published' }]);

    const [st] = await national.platform.peers.listPeers(CLI);
    expect(st).toMatchObject({ name: 'sector-a', received: 2, lag: 0, lastError: null });
    expect(st?.lastSuccessAt).not.toBeNull();
  });

  it('sector B receives the national record but nothing about the vendor its policy excludes', async () => {
    const [r] = await b.platform.peers.sync(CLI, 'national');
    expect(r).toMatchObject({ outcome: 'synced', applied: 1 });
    const v = await vulnByAlias(b, 'ICS-2026-00012');
    expect(v.aliases).toEqual(expect.arrayContaining(['CNVD-2026-00001', 'CVE-2026-10001']));
    expect(v.sources.map((s) => s.source)).toEqual(['peer:national']);
    expect(await vulnsWithAlias(b.d, 'ICS-2026-00013')).toBe(0);
    expect(await peerSourceRows(b.d, 'national')).toBe(1);
    // a relayed record is an ordinary record at B: its detail with the verbatim source, its CVE JSON 5 export
    const detail = await fetch(`${b.base}/api/v1/vulnerabilities/ICS-2026-00012`);
    const body = (await detail.json()) as { sources: Array<{ source: string; raw: string }> };
    expect(body.sources.map((x) => x.source)).toEqual(['peer:national']);
    expect((JSON.parse(body.sources[0]?.raw ?? '{}') as Vulnerability).id).toBe('CNVD-2026-00001');
    const cve5 = await fetch(`${b.base}/api/v1/vulnerabilities/CVE-2026-10001/cve5`);
    expect(cve5.status).toBe(200);
  });

  it('refuses a tampered answer: nothing stored, the cursor stays, the error is kept', async () => {
    await importItems(
      national.d,
      itemsOf([
        cnvdRecord('CNVD-2026-00002', { products: [{ vendor: 'Siemens', product: 'S7', versions: [] }] }),
      ]),
      {
        format: 'cnvd-xml',
        paths: [],
      },
    );
    const before = (await b.platform.peers.getPeer(CLI, 'national')).cursor;
    toNational.mode.tamper = true;
    const [r] = await b.platform.peers.sync(CLI, 'national');
    expect(r).toMatchObject({ outcome: 'failed', errorCode: 'peer_signature_invalid' });
    expect(await vulnsWithAlias(b.d, 'CNVD-2026-00002')).toBe(0);
    const after = await b.platform.peers.getPeer(CLI, 'national');
    expect(after.cursor).toBe(before);
    expect(after.lastError).toMatch(/tampered/);
    // the next sync, untampered, gets it
    const [again] = await b.platform.peers.sync(CLI, 'national');
    expect(again).toMatchObject({ outcome: 'synced', applied: 1 });
    expect(await vulnsWithAlias(b.d, 'CNVD-2026-00002')).toBe(1);
  });

  it('refuses a replayed request, a request signed for another query, and an unknown instance', async () => {
    const [key] = (await store.identityKeys(a.d.db)).filter((k) => k.state === 'active');
    if (!key) throw new Error('sector A has no key');
    const target = `${CHANGES_PATH}?after=0&limit=10`;
    const signed = () =>
      signEnvelope({
        kind: 'changes.request',
        from: 'sector-a',
        to: 'national',
        keyId: key.key_id,
        privateKey: key.private_key,
        body: '',
        now: new Date(),
        target: `GET ${target}`,
      }).token;
    const get = async (path: string, token: string) => {
      const r = await fetch(national.base + path, { headers: { [SIGNATURE_HEADER]: token } });
      const body = (await r.json()) as { error?: { code: string } };
      return { status: r.status, code: body.error?.code ?? 'ok' };
    };
    const token = signed();
    expect(await get(target, token)).toEqual({ status: 200, code: 'ok' });
    expect(await get(target, token)).toEqual({ status: 401, code: 'peer_replay' });
    expect(await get(`${CHANGES_PATH}?after=0&limit=1000`, signed())).toEqual({
      status: 401,
      code: 'peer_signature_invalid',
    });
    expect(await get(target, '')).toEqual({ status: 401, code: 'peer_signature_invalid' });
    const stranger = signEnvelope({
      kind: 'changes.request',
      from: 'stranger',
      to: 'national',
      keyId: key.key_id,
      privateKey: key.private_key,
      body: '',
      now: new Date(),
      target: `GET ${target}`,
    }).token;
    expect(await get(target, stranger)).toEqual({ status: 401, code: 'peer_unknown' });
  });

  it('a sync cut off mid-way loses nothing and doubles nothing: the next one catches up from the cursor', async () => {
    await importItems(
      a.d,
      itemsOf(
        Array.from({ length: 23 }, (_, i) =>
          sectorRecord(`ICS-2026-${String(100 + i).padStart(5, '0')}`, 'Siemens'),
        ),
      ),
      { format: 'test', paths: [] },
    );
    const rowsBefore = await peerSourceRows(national.d, 'sector-a');
    const vulnsBefore = await vulnCount(national.d);
    // the connection to A drops after two pages of five
    toA.mode.served = 0;
    toA.mode.cutAfter = 2;
    const [cut] = await national.platform.peers.sync(CLI, 'sector-a', { pageSize: 5 });
    expect(cut).toMatchObject({ outcome: 'failed', pages: 2, applied: 10 });
    expect(await peerSourceRows(national.d, 'sector-a')).toBe(rowsBefore + 10);
    const mid = await national.platform.peers.getPeer(CLI, 'sector-a');
    expect(mid.cursor).toBe(cut?.cursor);
    expect(mid.lastError).not.toBeNull();

    toA.mode.cutAfter = Infinity;
    const [rest] = await national.platform.peers.sync(CLI, 'sector-a', { pageSize: 5 });
    expect(rest).toMatchObject({ outcome: 'synced', applied: 13 });
    expect(await peerSourceRows(national.d, 'sector-a')).toBe(rowsBefore + 23);
    expect(await vulnCount(national.d)).toBe(vulnsBefore + 23);
    // again: nothing new, nothing doubled
    const [idle] = await national.platform.peers.sync(CLI, 'sector-a');
    expect(idle).toMatchObject({ outcome: 'synced', applied: 0 });
    expect(await vulnCount(national.d)).toBe(vulnsBefore + 23);
    expect((await national.platform.peers.getPeer(CLI, 'sector-a')).received).toBe(2 + 23);
  });

  it('a rotated key is refused until the peer adds it, the old one then kept as retired', async () => {
    await a.platform.peers.rotateKey(CLI);
    const [r] = await national.platform.peers.sync(CLI, 'sector-a');
    // national knows only A's old key: the request is A's answer, signed with the new key, which it does not know
    expect(r).toMatchObject({ outcome: 'failed', errorCode: 'peer_key_unknown' });
    const id = await a.platform.peers.identity(CLI);
    await national.platform.peers.updateKey(CLI, 'sector-a', id.publicKey);
    const [ok] = await national.platform.peers.sync(CLI, 'sector-a');
    expect(ok).toMatchObject({ outcome: 'synced' });
    expect((await national.platform.peers.getPeer(CLI, 'sector-a')).keys.map((k) => k.state)).toEqual([
      'active',
      'retired',
    ]);
  });

  it('the worker pulls its peers: a new record on A reaches national without a command', async () => {
    await importItems(a.d, itemsOf([sectorRecord('ICS-2026-00500', 'Siemens')]), {
      format: 'test',
      paths: [],
    });
    const lines: string[] = [];
    const w = startWorker(national.platform, (l) => lines.push(l));
    await w.stop(); // waits for the round the worker started at once
    expect(await vulnsWithAlias(national.d, 'ICS-2026-00500')).toBe(1);
    expect(
      lines.some((l) => /^peer sector-a: 1 page\(s\), 1 applied/.test(l)),
      lines.join('\n'),
    ).toBe(true);
  });
});
