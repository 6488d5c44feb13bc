/**
 * vulnshare as a CSAF aggregator (feed format csaf-provider), on both backends over real HTTP on loopback:
 * (1) a local provider serving the 19 OASIS examples (metadata, a directory with changes.csv, .sha256 /
 * .sha512, detached signatures made here with a fresh OpenPGP key): the first run imports them, a second with
 * nothing changed downloads no document, a changed document is the only one fetched, a bad signature or hash
 * or a TLP:AMBER document is refused and named while the others land; (2) vulnshare's own provider (the real
 * app on one database) followed by the aggregator on another: the records arrive under the same ids.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform } from '../app/platform.js';
import addFormats from 'ajv-formats';
import { Ajv2020 } from 'ajv/dist/2020.js';
import csafSchema from '@secvisogram/csaf-validator-lib/lib/schemaTests/csaf_2_0/schema.js';
import cvss20 from '@secvisogram/csaf-validator-lib/schemas/cvss-v2.0.js';
import cvss30 from '@secvisogram/csaf-validator-lib/schemas/cvss-v3.0.js';
import cvss31 from '@secvisogram/csaf-validator-lib/schemas/cvss-v3.1.js';
import { listerDocument } from '../csaf/aggregator.js';
import { documentStates, followedProviders } from '../csaf/aggregator-store.js';
import { csafFileName } from '../csaf/names.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { serve, startFeedServer, type FeedServer } from '../test-support/feed-server.js';
import { sharedData } from '../test-support/shared-data.js';
import type { RetryPolicy } from './model.js';
import { createFeedService, type FeedService } from './service.js';

const examplesDir = sharedData('csaf-2.0', 'csaf_2.0', 'examples', 'csaf');
const schemaDir = sharedData('csaf-2.0', 'csaf_2.0', 'json_schema');

/** The OASIS aggregator schema (with the provider and CSAF schemas it refers to), compiled. */
function aggregatorValidator(dir: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(cvss20, 'https://www.first.org/cvss/cvss-v2.0.json');
  ajv.addSchema(cvss30, 'https://www.first.org/cvss/cvss-v3.0.json');
  ajv.addSchema(cvss31, 'https://www.first.org/cvss/cvss-v3.1.json');
  ajv.addSchema(csafSchema);
  ajv.addSchema(JSON.parse(readFileSync(join(dir, 'provider_json_schema.json'), 'utf8')) as object);
  return ajv.compile(JSON.parse(readFileSync(join(dir, 'aggregator_json_schema.json'), 'utf8')) as object);
}

const TEST_RETRY: Partial<RetryPolicy> = {
  attempts: 2,
  baseBackoffMs: 1,
  maxBackoffMs: 5,
  requestTimeoutMs: 5_000,
  idleTimeoutMs: 5_000,
  leaseMs: 60_000,
};

type Doc = {
  document: {
    title: string;
    tracking: {
      id: string;
      version: string;
      initial_release_date: string;
      current_release_date: string;
      revision_history: Array<{ date: string; number: string; summary: string }>;
    };
    distribution?: { tlp?: { label?: string } };
  };
};

function exampleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? exampleFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}

const hex = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');
const WK = '/.well-known/csaf';

/** A CSAF trusted provider in memory, served by a feed server: files by path, changes.csv rebuilt per publish. */
class TestProvider {
  files = new Map<string, Buffer>();
  private changes = new Map<string, string>();
  constructor(
    private server: FeedServer,
    private key: openpgp.PrivateKey,
  ) {}

  static async create(server: FeedServer): Promise<TestProvider> {
    const k = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'Test provider CSAF key' }],
      format: 'armored',
    });
    const key = await openpgp.readPrivateKey({ armoredKey: k.privateKey });
    const p = new TestProvider(server, key);
    const fp = key.getFingerprint().toUpperCase();
    p.put(`${WK}/openpgp/${fp}.asc`, Buffer.from(k.publicKey));
    p.put(
      `${WK}/provider-metadata.json`,
      Buffer.from(
        JSON.stringify({
          canonical_url: server.url(`${WK}/provider-metadata.json`),
          distributions: [{ directory_url: server.url(`${WK}/white/`) }],
          last_updated: '2024-01-01T00:00:00.000Z',
          list_on_CSAF_aggregators: true,
          metadata_version: '2.0',
          mirror_on_CSAF_aggregators: true,
          public_openpgp_keys: [{ fingerprint: fp, url: server.url(`${WK}/openpgp/${fp}.asc`) }],
          publisher: { category: 'coordinator', name: 'Test provider', namespace: server.url('') },
          role: 'csaf_trusted_provider',
        }),
      ),
    );
    server.handle((req, res) => {
      const body = p.files.get((req.url ?? '/').split('?')[0] ?? '/');
      if (!body) return void res.writeHead(404).end('not found');
      serve(() => ({ body, contentType: 'application/octet-stream' }))(req, res);
    });
    return p;
  }

  put(path: string, body: Buffer) {
    this.files.set(path, body);
  }

  async sign(bytes: Buffer): Promise<Buffer> {
    const message = await openpgp.createMessage({ binary: new Uint8Array(bytes) });
    const sig = (await openpgp.sign({
      message,
      signingKeys: this.key,
      detached: true,
      format: 'armored',
    })) as string;
    return Buffer.from(sig);
  }

  /** The document's directory path (`2022/bsi-2022-0001.json`). */
  static pathOf(doc: Doc): string {
    return `${doc.document.tracking.initial_release_date.slice(0, 4)}/${csafFileName(doc.document.tracking.id)}`;
  }

  /** Serve a document with its hashes and signature (over `integrityOf`, default the bytes served). */
  async publish(doc: Doc, o: { signOver?: Buffer; hashOver?: Buffer } = {}): Promise<string> {
    const bytes = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
    const rel = TestProvider.pathOf(doc);
    const at = `${WK}/white/${rel}`;
    const name = rel.split('/')[1] ?? rel;
    this.put(at, bytes);
    this.put(`${at}.sha256`, Buffer.from(`${hex('sha256', o.hashOver ?? bytes)}  ${name}\n`));
    this.put(`${at}.sha512`, Buffer.from(`${hex('sha512', o.hashOver ?? bytes)}  ${name}\n`));
    this.put(`${at}.asc`, await this.sign(o.signOver ?? bytes));
    this.changes.set(rel, doc.document.tracking.current_release_date);
    const lines = [...this.changes.entries()]
      .sort((a, b) => b[1].localeCompare(a[1]) || a[0].localeCompare(b[0]))
      .map(([p, t]) => `"${p}","${t}"\n`);
    this.put(`${WK}/white/changes.csv`, Buffer.from(lines.join('')));
    this.put(`${WK}/white/index.txt`, Buffer.from([...this.changes.keys()].map((p) => `${p}\n`).join('')));
    return this.server.url(at);
  }

  /** Paths of documents (not their hash or signature files) requested since `from`. */
  documentRequests(from: number): string[] {
    return this.server.requests
      .slice(from)
      .map((r) => r.path)
      .filter((p) => /\/white\/\d{4}\/[^/]+\.json$/.test(p));
  }
}

/** A new revision of a document: version + 1, a revision entry, a new current release date and title. */
function revise(doc: Doc, date: string, title: string): Doc {
  const d = structuredClone(doc);
  const t = d.document.tracking;
  const next = String(Number(t.version) + 1);
  t.version = next;
  t.current_release_date = date;
  t.revision_history.push({ date, number: next, summary: title });
  d.document.title = title;
  return d;
}

describe.runIf(examplesDir).each(testBackends())('a CSAF provider followed on %s', (backend) => {
  let d: Database;
  let server: FeedServer;
  let provider: TestProvider;
  let feeds: FeedService;
  const docs = new Map<string, Doc>();
  const byId = (id: string): Doc => {
    const doc = docs.get(id);
    if (!doc) throw new Error(`no example ${id}`);
    return doc;
  };
  const rawOf = async (trackingId: string) =>
    (
      await d.db
        .selectFrom('source_records')
        .select(['key', 'raw'])
        .where('source', '=', 'csaf')
        .where('key', 'like', `%/${trackingId}#%`)
        .execute()
    ).map((r) => JSON.parse(r.raw) as Doc);

  beforeAll(async () => {
    d = await freshDatabase(backend);
    server = await startFeedServer();
    provider = await TestProvider.create(server);
    for (const f of exampleFiles(examplesDir ?? '')) {
      const doc = JSON.parse(readFileSync(f, 'utf8')) as Doc;
      docs.set(doc.document.tracking.id, doc);
      await provider.publish(doc);
    }
    feeds = createFeedService({ database: d, retry: TEST_RETRY, internalTargets: ANY_INTERNAL_TARGET });
  }, 180_000);
  afterAll(async () => {
    await server.close();
    await d.close();
  });

  it('registers a csaf feed at a provider-metadata.json as a provider to follow', async () => {
    const f = await feeds.addFeed(CLI, {
      name: 'examples',
      format: 'csaf',
      url: server.url(`${WK}/provider-metadata.json`),
    });
    expect(f.format).toBe('csaf-provider');
  });

  it('imports every listed document on the first run, each with its hash and signature checked', async () => {
    expect(docs.size).toBe(19);
    const r = await feeds.syncFeed(CLI, 'examples');
    expect(r.error).toBeNull();
    expect(r.outcome).toBe('imported');
    expect(r.issues).toEqual([]);
    expect(r.documents).toEqual({ listed: 19, fetched: 19, imported: 19, invalid: 0, refused: 0 });
    expect(r.counts).toMatchObject({ imported: 59, rejected: 0 });
    const states = await documentStates(d.db, 'examples');
    expect(states.map((s) => s.outcome)).toEqual(Array(19).fill('imported'));
    expect(states.every((s) => /^[0-9a-f]{64}$/.test(s.sha256 ?? ''))).toBe(true);
    // each document came with one hash file and its signature
    const paths = server.requests.map((q) => q.path);
    expect(paths.filter((p) => p.endsWith('.json.sha256'))).toHaveLength(19);
    expect(paths.filter((p) => p.endsWith('.json.asc'))).toHaveLength(19);
  });

  it('downloads no document when nothing changed (metadata, key and changes.csv answer 304)', async () => {
    const from = server.requests.length;
    const r = await feeds.syncFeed(CLI, 'examples');
    expect(r.error).toBeNull();
    expect(r.outcome).toBe('not_modified');
    expect(provider.documentRequests(from)).toEqual([]);
    const later = server.requests.slice(from);
    expect(later.map((q) => q.path.replace(/[0-9A-F]{40}/, 'FINGERPRINT')).sort()).toEqual([
      `${WK}/openpgp/FINGERPRINT.asc`,
      `${WK}/provider-metadata.json`,
      `${WK}/white/changes.csv`,
    ]);
    expect(later.every((q) => q.headers['if-none-match'] !== undefined)).toBe(true);
    expect(r.documents?.fetched).toBe(0);
  });

  it('fetches and updates only the document that changed', async () => {
    const bsi = byId('BSI-2022-0001');
    const url = await provider.publish(
      revise(bsi, '2024-02-01T10:00:00.000Z', 'Second revision of BSI-2022-0001'),
    );
    const from = server.requests.length;
    const r = await feeds.syncFeed(CLI, 'examples');
    expect(r.error).toBeNull();
    expect(r.outcome).toBe('imported');
    expect(provider.documentRequests(from)).toEqual([new URL(url).pathname]);
    expect(r.documents).toMatchObject({ listed: 19, fetched: 1, imported: 1, refused: 0 });
    expect(r.counts.updated).toBeGreaterThan(0);
    expect(r.counts.imported).toBe(0);
    const raws = await rawOf('BSI-2022-0001');
    expect(raws.length).toBeGreaterThan(0);
    expect(raws.every((x) => x.document.tracking.version === '2')).toBe(true);
  });

  it('refuses a document whose signature or hash does not match, or that is TLP:AMBER, and names it; the others land', async () => {
    const rh = byId('RHSA-2022:0011');
    const revisedRh = revise(rh, '2024-03-01T10:00:00.000Z', 'Second revision of RHSA-2022:0011');
    const oldBytes = Buffer.from(`${JSON.stringify(rh, null, 2)}\n`);
    // a signature over the old bytes, beside the new ones
    const badSig = await provider.publish(revisedRh, { signOver: oldBytes });
    const vex = byId('SEC-VEX-2022-0001');
    const badHash = await provider.publish(
      revise(vex, '2024-03-01T11:00:00.000Z', 'Second revision of SEC-VEX-2022-0001'),
      { hashOver: oldBytes },
    );
    const amberDoc = structuredClone(byId('RHSA-2021:5217'));
    amberDoc.document.tracking.id = 'RHSA-2021:9999';
    amberDoc.document.distribution = { tlp: { label: 'AMBER' } };
    const amber = await provider.publish(amberDoc);
    const good = await provider.publish(
      revise(byId('RHSA-2021:5186'), '2024-03-01T12:00:00.000Z', 'Second revision of RHSA-2021:5186'),
    );

    const r = await feeds.syncFeed(CLI, 'examples');
    expect(r.error).toBeNull();
    expect(r.outcome).toBe('imported');
    expect(r.documents).toMatchObject({ listed: 20, fetched: 4, imported: 1, refused: 3 });
    expect(r.counts.rejected).toBe(3);
    const issue = (u: string) => r.issues.find((i) => i.file === u)?.message ?? '';
    expect(issue(badSig)).toMatch(/^refused: bad signature/);
    expect(issue(badHash)).toMatch(/^refused: sha256 mismatch/);
    expect(issue(amber)).toMatch(/^refused: labelled TLP:AMBER/);
    expect(issue(good)).toBe('');
    expect((await rawOf('RHSA-2021:5186')).every((x) => x.document.tracking.version === '2')).toBe(true);
    // the refused revisions did not replace what was there, the AMBER document is not stored at all
    expect((await rawOf('RHSA-2022:0011')).every((x) => x.document.tracking.version === '1')).toBe(true);
    expect((await rawOf('SEC-VEX-2022-0001')).every((x) => x.document.tracking.version === '1')).toBe(true);
    expect(await rawOf('RHSA-2021:9999')).toEqual([]);
    const states = new Map((await documentStates(d.db, 'examples')).map((s) => [s.url, s]));
    expect(states.get(badSig)).toMatchObject({
      outcome: 'refused',
      trackingId: 'RHSA-2022:0011',
      version: '2',
    });
    expect(states.get(good)?.outcome).toBe('imported');
  });

  it('tries a refused document again on the next run, and takes it once its signature is right', async () => {
    const revisedRh = revise(
      byId('RHSA-2022:0011'),
      '2024-03-01T10:00:00.000Z',
      'Second revision of RHSA-2022:0011',
    );
    const fixed = await provider.publish(revisedRh);
    const from = server.requests.length;
    const r = await feeds.syncFeed(CLI, 'examples');
    expect(r.error).toBeNull();
    // the three refused ones are looked at again; nothing else is
    expect(provider.documentRequests(from).sort()).toHaveLength(3);
    expect(provider.documentRequests(from)).toContain(new URL(fixed).pathname);
    expect(r.documents).toMatchObject({ fetched: 3, imported: 1, refused: 2 });
    expect((await rawOf('RHSA-2022:0011')).every((x) => x.document.tracking.version === '2')).toBe(true);
  });

  it('fails the run, importing nothing, when the listed key has another fingerprint', async () => {
    const meta = JSON.parse(provider.files.get(`${WK}/provider-metadata.json`)?.toString() ?? '{}') as {
      public_openpgp_keys: Array<{ fingerprint: string; url: string }>;
    };
    const wrong = structuredClone(meta);
    const first = wrong.public_openpgp_keys[0];
    if (first) first.fingerprint = 'A'.repeat(40);
    provider.put(`${WK}/wrong-metadata.json`, Buffer.from(JSON.stringify(wrong)));
    const r = await feeds.syncFeed(CLI, {
      format: 'csaf-provider',
      url: server.url(`${WK}/wrong-metadata.json`),
    });
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/none of its 1 OpenPGP key\(s\) could be used.*not A{40}/);
    expect(r.counts.read).toBe(0);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe.each(testBackends())('vulnshare following its own provider on %s', (backend) => {
  let providerDb: Database;
  let aggregatorDb: Database;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    providerDb = await freshDatabase(backend);
    aggregatorDb = await freshDatabase(backend);
    await importItems(
      providerDb,
      itemsOf([
        cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] }),
        cnvdRecord('CNVD-2023-00002'),
        cveRecord('CVE-2023-0003'),
        cveRecord('CVE-2023-0009', { state: 'rejected' }),
      ]),
      { format: 'cnvd-xml', paths: [] },
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp({
      database: providerDb,
      config: { publicUrl: base, rateLimitPerMinute: 100_000, logLevel: 'silent' },
    });
    await app.listen({ port, host: '127.0.0.1' });
  }, 180_000);
  afterAll(async () => {
    await app.close();
    await providerDb.close();
    await aggregatorDb.close();
  });

  it('imports the published records over HTTP with their signatures checked, under the same ids', async () => {
    const platform = createPlatform(
      aggregatorDb,
      completeConfig({ allowInternalTargets: ANY_INTERNAL_TARGET, logLevel: 'silent' }),
      { feeds: { retry: TEST_RETRY } },
    );
    try {
      const r = await platform.feeds.syncFeed(CLI, {
        format: 'csaf',
        url: `${base}${WK}/provider-metadata.json`,
        name: 'ourselves',
      });
      expect(r.error).toBeNull();
      expect(r.format).toBe('csaf-provider');
      expect(r.outcome).toBe('imported');
      expect(r.documents).toMatchObject({ listed: 3, fetched: 3, imported: 3, refused: 0 });
      const ids = async (db: Database) =>
        (
          await db.db
            .selectFrom('vulnerabilities')
            .select('public_id')
            .where('state', '=', 'published')
            .orderBy('public_id')
            .execute()
        ).map((x) => x.public_id);
      expect(await ids(aggregatorDb)).toEqual(await ids(providerDb));
      expect(await ids(aggregatorDb)).toEqual(['CNVD-2023-00001', 'CNVD-2023-00002', 'CVE-2023-0003']);

      // nothing changed on the provider: the next run fetches no document
      const again = await platform.feeds.syncFeed(CLI, 'ourselves');
      expect(again.error).toBeNull();
      expect(again.documents?.fetched).toBe(0);

      // the aggregator's own aggregator.json (role lister) names the provider it follows
      const lister = listerDocument(
        {
          name: 'Aggregator under test',
          namespace: 'https://aggregator.example',
          canonicalUrl: 'https://aggregator.example/.well-known/csaf-aggregator/aggregator.json',
        },
        await followedProviders(aggregatorDb.db),
        '2024-05-01T00:00:00.000Z',
      );
      expect(lister).toMatchObject({
        aggregator: { category: 'lister' },
        csaf_providers: [
          {
            metadata: {
              url: `${base}${WK}/provider-metadata.json`,
              role: 'csaf_trusted_provider',
              publisher: { namespace: base, category: 'coordinator' },
            },
          },
        ],
      });
      if (schemaDir) {
        const validate = aggregatorValidator(schemaDir);
        expect(validate(lister), JSON.stringify(validate.errors)).toBe(true);
      }

      // …and serves it: the aggregator's own app lists the provider; the provider, which follows none, has none
      const aggregatorApp = await buildApp({
        database: aggregatorDb,
        config: { publicUrl: 'https://aggregator.example', logLevel: 'silent' },
      });
      try {
        const served = await aggregatorApp.inject({ url: '/.well-known/csaf-aggregator/aggregator.json' });
        expect(served.statusCode).toBe(200);
        const doc = served.json<{
          canonical_url: string;
          csaf_providers: Array<{ metadata: { url: string } }>;
        }>();
        expect(doc.canonical_url).toBe(
          'https://aggregator.example/.well-known/csaf-aggregator/aggregator.json',
        );
        expect(doc.csaf_providers.map((x) => x.metadata.url)).toEqual([
          `${base}${WK}/provider-metadata.json`,
        ]);
        if (schemaDir) {
          const validate = aggregatorValidator(schemaDir);
          expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
        }
      } finally {
        await aggregatorApp.close();
      }
      const none = await fetch(`${base}/.well-known/csaf-aggregator/aggregator.json`);
      expect(none.status).toBe(404);
    } finally {
      await platform.close();
    }
  });
});
