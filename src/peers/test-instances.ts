/**
 * Test support for the federation walks (federation.test.ts, handover.test.ts, delegation.test.ts): real
 * instances (the composition root and the real app on loopback HTTP) and a small HTTP relay between them that
 * can tamper with an answer or cut the connection, as a network would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform, type PlatformOverrides } from '../app/platform.js';
import type { Config } from '../config/config.js';
import { DEFAULT_PLATFORM_ORG_ID } from '../config/config.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase } from '../test-support/db.js';
import type { SourceRecord, Vulnerability } from '../vulns/model.js';
import { SIGNATURE_HEADER } from './envelope.js';

export interface Instance {
  name: string;
  d: Database;
  platform: Platform;
  app: FastifyInstance;
  base: string;
}

export interface StartOptions {
  /** the platform's clock (a test drives embargo ends with it) */
  clock?: () => Date;
  /** more settings */
  config?: Partial<Config>;
  overrides?: PlatformOverrides;
}

/** A real instance named `name` on a fresh database, listening on a loopback port. */
export async function start(
  name: string,
  backend: 'pglite' | 'postgres',
  idPrefix: string,
  opts: StartOptions = {},
): Promise<Instance> {
  const d = await freshDatabase(backend);
  const config = completeConfig({
    platformOrg: { orgId: DEFAULT_PLATFORM_ORG_ID, shortName: name },
    idPrefix,
    allowInternalTargets: ANY_INTERNAL_TARGET,
    logLevel: 'silent',
    rateLimitPerMinute: 1_000_000,
    worker: false,
    ...opts.config,
  });
  const platform = createPlatform(d, config, {
    mailer: null,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...opts.overrides,
  });
  const app = await buildApp({ database: d, config, platform });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { name, d, platform, app, base };
}

/** Close what `start` opened. */
export async function stop(...instances: Instance[]): Promise<void> {
  for (const i of instances) {
    await i.platform.peers.messages.close();
    await i.app.close();
    await i.platform.close();
    await i.d.close();
  }
}

export interface RelayMode {
  /** tamper with the next answer's body (a 2xx one) */
  tamper: boolean;
  /** tamper with the next request's body (a POST) */
  tamperRequest: boolean;
  /** cut connections once `served` reaches this */
  cutAfter: number;
  /** requests passed so far */
  served: number;
  /** refuse every connection (the peer is down) */
  down: boolean;
}

/**
 * A relay to `upstream`: passes requests (method, body and the signature header) and answers, tampers with the
 * next answer's or request's body, cuts answers after `cutAfter` requests, or is down.
 */
export function relay(upstream: () => string) {
  const mode: RelayMode = { tamper: false, tamperRequest: false, cutAfter: Infinity, served: 0, down: false };
  const tamper = (body: string) =>
    body.replace(/"titleEn"|Siemens/g, (m) => (m === 'Siemens' ? 'Siemenz' : m));
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (mode.down || mode.served >= mode.cutAfter) {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      let reqBody: string | undefined = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
      if (mode.tamperRequest && reqBody !== undefined) {
        reqBody = tamper(reqBody);
        mode.tamperRequest = false;
      }
      const r = await fetch(upstream() + (req.url ?? ''), {
        method: req.method ?? 'GET',
        headers: {
          [SIGNATURE_HEADER]: String(req.headers[SIGNATURE_HEADER] ?? ''),
          ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
        },
        ...(reqBody !== undefined ? { body: reqBody } : {}),
      });
      let body = await r.text();
      if (mode.tamper && r.ok) {
        body = tamper(body);
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
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A platform record of a sector instance, in its own id namespace. */
export function sectorRecord(key: string, vendor: string, over: Partial<SourceRecord> = {}): SourceRecord {
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

export const count = async (d: Database, q: ReturnType<typeof sql<{ n: number }>>) =>
  (await q.execute(d.db)).rows[0]?.n ?? -1;
export const vulnsWithAlias = (d: Database, alias: string) =>
  count(d, sql<{ n: number }>`SELECT count(*)::int AS n FROM vuln_aliases WHERE alias = ${alias}`);
export const peerSourceRows = (d: Database, peer: string) =>
  count(
    d,
    sql<{ n: number }>`SELECT count(*)::int AS n FROM source_records WHERE source = ${`peer:${peer}`}`,
  );
export const vulnCount = (d: Database) =>
  count(d, sql<{ n: number }>`SELECT count(*)::int AS n FROM vulnerabilities`);

/** GET /api/v1/vulnerabilities/{alias} of an instance, expected to answer 200. */
export async function vulnByAlias(i: Instance, alias: string): Promise<Vulnerability> {
  const r = await fetch(`${i.base}/api/v1/vulnerabilities/${alias}?raw=false`);
  expect(r.status, alias).toBe(200);
  return ((await r.json()) as { vulnerability: Vulnerability }).vulnerability;
}

/**
 * A reporter's case on `platform`, verified and published under an embargo ending at `until`: what an advance
 * notice is shared from. Returns its tracking number and the record id it will publish.
 */
export async function embargoedCase(
  platform: Platform,
  report: { title: string; vendor: string; product: string; version: string; description: string },
  until: string,
): Promise<{ trackingNo: string; id: string }> {
  const u = await platform.accounts.createUser(CLI, {
    email: `reporter-${Math.random().toString(36).slice(2, 8)}@lab.example`,
    displayName: 'lab',
    password: 'correct horse battery staple 42',
    role: 'reporter',
    organisationId: null,
  });
  const reporter = {
    kind: 'user' as const,
    userId: u.id,
    email: u.email,
    role: 'reporter' as const,
    organisationId: null,
    via: 'session' as const,
    scopes: null,
  };
  const subs = platform.submissions;
  const s = await subs.submit(reporter, { kind: 'general', ...report, originality: 'original' });
  for (const to of ['triaged', 'verifying'] as const) await subs.transition(CLI, s.trackingNo, { to });
  await subs.transition(CLI, s.trackingNo, {
    to: 'verified',
    verification: { environment: 'lab', steps: 'sent the request', result: 'reproduced', verifier: 'lab' },
  });
  const scheduled = await subs.publish(CLI, s.trackingNo, { embargoUntil: until });
  const id = scheduled.vulnerabilityId ?? '';
  expect(id).not.toBe('');
  return { trackingNo: s.trackingNo, id };
}
