/**
 * The platform as a CSAF trusted provider, over the real app on both backends: the metadata, the directory
 * distribution, the ROLIE feeds, the hashes and signatures over the served bytes, and who reads which TLP.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import {
  PROVIDER_ROLES,
  startTestProvider,
  type ProviderRole,
  type TestProvider,
} from '../test-support/csaf-provider.js';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { checkProvider, validateProviderMetadata } from './check.js';
import { describeProblem, validateCsaf } from './validate.js';
import { csafFileName } from './names.js';
import { createCsafProvider } from './provider.js';
import { readSigningKey } from './provider-store.js';

const sha = (alg: 'sha256' | 'sha512', b: Uint8Array) => createHash(alg).update(b).digest('hex');

interface Metadata {
  canonical_url: string;
  role: string;
  distributions: Array<{
    directory_url: string;
    rolie: { feeds: Array<{ tlp_label: string; url: string }>; services: string[]; categories: string[] };
  }>;
  public_openpgp_keys: Array<{ fingerprint: string; url: string }>;
}
interface Feed {
  feed: {
    link: Array<{ rel: string; href: string }>;
    entry: Array<{
      id: string;
      published: string;
      updated: string;
      link: Array<{ rel: string; href: string }>;
      content: { src: string };
    }>;
  };
}

/** Who may read each TLP directory — the expectation, written out (the provider's rule is TLP_ACCESS). */
const EXPECTED_STATUS: Record<string, Record<ProviderRole | 'anonymous', number>> = {
  white: { anonymous: 200, reporter: 200, recipient: 200, analyst: 200, admin: 200 },
  green: { anonymous: 401, reporter: 200, recipient: 200, analyst: 200, admin: 200 },
  // the recipient's organisation (D-Link) is no alliance member here: TLP:AMBER is refused to it
  amber: { anonymous: 401, reporter: 403, recipient: 403, analyst: 200, admin: 200 },
  red: { anonymous: 401, reporter: 403, recipient: 403, analyst: 200, admin: 200 },
};

async function verifies(bytes: Uint8Array, armoredSignature: string, key: openpgp.PublicKey) {
  try {
    const r = await openpgp.verify({
      message: await openpgp.createMessage({ binary: bytes }),
      signature: await openpgp.readSignature({ armoredSignature }),
      verificationKeys: key,
    });
    await r.signatures[0]?.verified;
    return r.signatures.length === 1;
  } catch {
    return false;
  }
}

describe.each(testBackends())('the CSAF provider on %s', (backend) => {
  let d: Database;
  let t: TestProvider;
  let meta: Metadata;
  let key: openpgp.PublicKey;
  const json = async <T>(url: string, who?: ProviderRole | 'anonymous') => {
    const r = await t.get(url, who);
    expect(r.status, `${url}: ${r.text.slice(0, 200)}`).toBe(200);
    return JSON.parse(r.text) as T;
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    t = await startTestProvider(d);
    meta = await json<Metadata>('/.well-known/csaf/provider-metadata.json');
    const k = meta.public_openpgp_keys[0];
    key = await openpgp.readKey({ armoredKey: (await t.get(k?.url ?? '')).text });
  });
  afterAll(async () => {
    await t.app.close();
    await d.close();
  });

  it('serves provider metadata valid against provider_json_schema.json, listing the signing key it uses', async () => {
    expect(validateProviderMetadata(meta)).toEqual([]);
    expect(meta.role).toBe('csaf_trusted_provider');
    expect(meta.canonical_url).toMatch(/\/\.well-known\/csaf\/provider-metadata\.json$/);
    expect(meta.public_openpgp_keys).toHaveLength(1);
    const listed = meta.public_openpgp_keys[0];
    // the key served at the listed URL is the one listed, and the one stored at first use
    expect(key.getFingerprint().toUpperCase()).toBe(listed?.fingerprint);
    expect((await readSigningKey(d.db))?.fingerprint).toBe(listed?.fingerprint);
    expect(key.isPrivate()).toBe(false);
    expect((await t.get(listed?.url ?? '')).type).toMatch(/^application\/pgp-keys/);
    // a schema that would accept anything could not fail this
    expect(validateProviderMetadata({ ...meta, role: 'csaf_vendor' })).not.toEqual([]);
    // security.txt names the metadata (requirement 8)
    expect((await t.get('/.well-known/security.txt')).text).toContain(`CSAF: ${meta.canonical_url}\n`);
  });

  it('lists exactly the published records in index.txt, changes.csv (newest first) and the listings', async () => {
    const index = (await t.get('/.well-known/csaf/white/index.txt')).text.split('\n').filter(Boolean);
    expect(index.sort()).toEqual(
      ['2022/cnvd-2022-00003.json', '2023/cnvd-2023-00001.json', '2023/cnvd-2023-00002.json'].sort(),
    );
    const changes = (await t.get('/.well-known/csaf/white/changes.csv')).text.split('\n').filter(Boolean);
    const rows = changes.map((l) => /^"([^"]+)","([^"]+)"$/.exec(l)?.slice(1) ?? []);
    expect(rows.map((r) => r[0]).sort()).toEqual(index.sort());
    const dates = rows.map((r) => Date.parse(r[1] ?? ''));
    expect(dates.every((x, i) => i === 0 || x <= (dates[i - 1] ?? 0))).toBe(true);
    // each date is the document's current release date
    for (const [path, date] of rows) {
      const doc = await json<{ document: { tracking: { current_release_date: string } } }>(
        `/.well-known/csaf/white/${path ?? ''}`,
      );
      expect(doc.document.tracking.current_release_date).toBe(date);
    }
    const top = (await t.get('/.well-known/csaf/white/')).text;
    expect([...top.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '2022/',
      '2023/',
      'changes.csv',
      'index.txt',
    ]);
    const y2023 = (await t.get('/.well-known/csaf/white/2023/')).text;
    expect([...y2023.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual(
      ['cnvd-2023-00001.json', 'cnvd-2023-00002.json'].flatMap((f) => [
        f,
        `${f}.asc`,
        `${f}.sha256`,
        `${f}.sha512`,
      ]),
    );
    expect((await t.get('/.well-known/csaf/white/2021/')).status).toBe(404);
  });

  it('puts a revised record first in changes.csv and in the feed', async () => {
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2022-00003', {
          titleZh: 'Tenda AC18缓冲区溢出漏洞（修订）',
          dates: { submitted: '2022-03-01', collected: '2022-03-02', published: '2022-03-02' },
        }),
      ]),
      { format: 'test', paths: [] },
    );
    const first = (await t.get('/.well-known/csaf/white/changes.csv')).text.split('\n')[0];
    expect(first).toMatch(/^"2022\/cnvd-2022-00003\.json",/);
    const feed = await json<Feed>('/.well-known/csaf/white/csaf-feed-tlp-white.json');
    expect(feed.feed.entry[0]?.id).toBe('CNVD-2022-00003');
  });

  it('never lists a rejected record or a report under embargo, until the report is published', async () => {
    const index = (await t.get('/.well-known/csaf/white/index.txt')).text;
    const feed = (await t.get('/.well-known/csaf/white/csaf-feed-tlp-white.json')).text;
    const { vulnerabilityId, trackingNo } = t.embargoed;
    expect(vulnerabilityId).toMatch(/^VS-/);
    for (const id of [t.rejected, vulnerabilityId]) {
      expect(index).not.toContain(csafFileName(id));
      expect(feed).not.toContain(id);
    }
    const year = new Date().getUTCFullYear();
    expect((await t.get(`/.well-known/csaf/white/${year}/${csafFileName(vulnerabilityId)}`)).status).toBe(
      404,
    );
    expect((await t.get(`/.well-known/csaf/white/2023/${csafFileName(t.rejected)}`)).status).toBe(404);

    // published now: it appears (so the absence above was not an accident of the test)
    const r = await t.call('POST', `/api/v1/submissions/${trackingNo}/publish`, 'analyst', {});
    expect(r.status, r.text).toBe(200);
    const after = (await t.get('/.well-known/csaf/white/index.txt')).text;
    expect(after).toContain(`${year}/${csafFileName(vulnerabilityId)}`);
    const doc = await t.get(`/.well-known/csaf/white/${year}/${csafFileName(vulnerabilityId)}`);
    expect(doc.status).toBe(200);
  });

  it('serves beside each document hashes and a signature over exactly its bytes', async () => {
    const index = (await t.get('/.well-known/csaf/white/index.txt')).text.split('\n').filter(Boolean);
    expect(index.length).toBeGreaterThanOrEqual(3);
    for (const path of index) {
      const url = `/.well-known/csaf/white/${path}`;
      const doc = await t.get(url);
      expect(doc.status).toBe(200);
      expect(doc.type).toMatch(/^application\/json/);
      const name = path.split('/')[1] ?? '';
      expect((await t.get(`${url}.sha256`)).text).toBe(`${sha('sha256', doc.bytes)}  ${name}\n`);
      expect((await t.get(`${url}.sha512`)).text).toBe(`${sha('sha512', doc.bytes)}  ${name}\n`);
      const asc = await t.get(`${url}.asc`);
      expect(asc.type).toMatch(/^application\/pgp-signature/);
      expect(await verifies(doc.bytes, asc.text, key)).toBe(true);
      // one byte changed, and the signature no longer holds
      const flipped = Buffer.from(doc.bytes);
      flipped[10] = (flipped[10] ?? 0) ^ 0x01;
      expect(await verifies(flipped, asc.text, key)).toBe(false);
      expect(sha('sha256', flipped)).not.toBe(sha('sha256', doc.bytes));
    }
    // a signature by another key does not verify with the listed one
    const other = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'someone else' }],
    });
    const first = await t.get(`/.well-known/csaf/white/${index[0] ?? ''}`);
    const forged = (await openpgp.sign({
      message: await openpgp.createMessage({ binary: new Uint8Array(first.bytes) }),
      signingKeys: await openpgp.readPrivateKey({ armoredKey: other.privateKey }),
      detached: true,
    })) as string;
    expect(await verifies(first.bytes, forged, key)).toBe(false);
  });

  it('lists a ROLIE feed per TLP in the metadata; the public feed names every document, its hashes and signature', async () => {
    const rolie = meta.distributions[0]?.rolie;
    expect(rolie?.feeds.map((f) => [f.tlp_label, new URL(f.url).pathname])).toEqual([
      ['WHITE', '/.well-known/csaf/white/csaf-feed-tlp-white.json'],
      ['GREEN', '/.well-known/csaf/green/csaf-feed-tlp-green.json'],
      ['AMBER', '/.well-known/csaf/amber/csaf-feed-tlp-amber.json'],
      ['RED', '/.well-known/csaf/red/csaf-feed-tlp-red.json'],
    ]);
    const whiteUrl = rolie?.feeds[0]?.url ?? '';
    const feed = await json<Feed>(whiteUrl);
    expect(feed.feed.link).toContainEqual({ rel: 'self', href: whiteUrl });
    const index = (await t.get('/.well-known/csaf/white/index.txt')).text.split('\n').filter(Boolean);
    const dir = meta.distributions[0]?.directory_url ?? '';
    expect(feed.feed.entry.map((e) => e.content.src).sort()).toEqual(index.map((p) => `${dir}${p}`).sort());
    for (const e of feed.feed.entry) {
      const doc = await t.get(e.content.src);
      expect(doc.status).toBe(200);
      const parsed = JSON.parse(doc.text) as {
        document: { tracking: { id: string; initial_release_date: string; current_release_date: string } };
      };
      expect(e.id).toBe(parsed.document.tracking.id);
      expect(e.published).toBe(parsed.document.tracking.initial_release_date);
      expect(e.updated).toBe(parsed.document.tracking.current_release_date);
      const hashes = e.link.filter((l) => l.rel === 'hash').map((l) => l.href);
      expect(hashes.map((h) => h.replace(/^.*\./, ''))).toEqual(['sha256', 'sha512']);
      for (const h of hashes) {
        const alg = h.endsWith('.sha256') ? 'sha256' : 'sha512';
        expect((await t.get(h)).text.split(' ')[0]).toBe(sha(alg, doc.bytes));
      }
      const sig = e.link.find((l) => l.rel === 'signature')?.href ?? '';
      expect(await verifies(doc.bytes, (await t.get(sig)).text, key)).toBe(true);
    }
    // the service document lists the feeds; each feed's category document resolves for who may read it
    const service = await json<{ service: { workspace: Array<{ collection: Array<{ href: string }> }> } }>(
      rolie?.services[0] ?? '',
    );
    expect(service.service.workspace.flatMap((w) => w.collection.map((c) => c.href)).sort()).toEqual(
      rolie?.feeds.map((f) => f.url).sort(),
    );
    const cats = await json<{ categories: { category: Array<{ term: string }> } }>(
      rolie?.categories[0] ?? '',
    );
    expect(cats.categories.category.map((c) => c.term)).toContain('csaf_security_advisory');
    expect((await t.get('/.well-known/csaf/white/csaf-feed-tlp-red.json')).status).toBe(404);
  });

  it('lets each TLP directory be read as TLP_ACCESS says: 401 anonymous, 403 a role not allowed, 200 allowed', async () => {
    for (const [tlp, byRole] of Object.entries(EXPECTED_STATUS))
      for (const who of ['anonymous', ...PROVIDER_ROLES] as const)
        for (const file of [
          'index.txt',
          'changes.csv',
          '',
          `csaf-feed-tlp-${tlp}.json`,
          `category-${tlp}.json`,
        ]) {
          const r = await t.get(`/.well-known/csaf/${tlp}/${file}`, who);
          expect(r.status, `${who} GET ${tlp}/${file}`).toBe(byRole[who]);
        }
    // the metadata, the key and the service document are public
    for (const url of [
      meta.canonical_url,
      meta.public_openpgp_keys[0]?.url ?? '',
      `${meta.canonical_url.replace(/provider-metadata\.json$/, '')}service.json`,
    ])
      expect((await t.get(url)).status).toBe(200);
  });
});

describe('the CSAF signing key', () => {
  const publisher = { name: 'vulnshare', namespace: 'https://vulnshare.example.org' };
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase('pglite');
  });
  afterAll(async () => {
    await d.close();
  });

  it('is the configured one when given, decrypted with its passphrase; without the passphrase it is refused', async () => {
    const k = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'configured' }],
      passphrase: 'sesame',
    });
    const fp = (await openpgp.readKey({ armoredKey: k.publicKey })).getFingerprint().toUpperCase();
    const configured = createCsafProvider({
      db: d.db,
      publisher,
      key: { armored: k.privateKey, passphrase: 'sesame' },
    });
    expect((await configured.metadata()).public_openpgp_keys[0]?.fingerprint).toBe(fp);
    expect(await configured.publicKey(fp)).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(await readSigningKey(d.db)).toBeNull(); // nothing created
    const locked = createCsafProvider({
      db: d.db,
      publisher,
      key: { armored: k.privateKey, passphrase: undefined },
    });
    await expect(locked.metadata()).rejects.toThrow(/VULNSHARE_CSAF_KEY_PASSPHRASE/);
  });

  it('is created once and stored when none is configured: a second provider signs with the same key', async () => {
    expect(await readSigningKey(d.db)).toBeNull();
    const a = await createCsafProvider({ db: d.db, publisher }).metadata();
    const b = await createCsafProvider({ db: d.db, publisher }).metadata();
    expect(a.public_openpgp_keys[0]?.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(b.public_openpgp_keys).toEqual(a.public_openpgp_keys);
    expect((await readSigningKey(d.db))?.fingerprint).toBe(a.public_openpgp_keys[0]?.fingerprint);
  });
});

/**
 * The TLP:AMBER tier: an advisory for the alliance members (an early warning before it is public), served
 * under amber/ like white/ is, only to accounts of an active member organisation and to the staff; when it is
 * published to everyone it moves to white/. Membership is looked up on every request.
 */
describe.each(testBackends())('the TLP:AMBER tier for alliance members on %s', (backend) => {
  let d: Database;
  let t: TestProvider;
  let platform: Platform;
  let key: openpgp.PublicKey;
  let origin = '';
  let advisoryId = 0;
  let publicId = '';
  const sessions = new Map<string, string>();
  const year = String(new Date().getUTCFullYear());
  const PW = 'correct horse battery staple';
  type Who = ProviderRole | 'anonymous' | 'outsider';
  const get = async (path: string, who: Who = 'anonymous') => {
    if (who !== 'outsider') return t.get(path, who);
    const r = await t.app.inject({ method: 'GET', url: path, headers: { cookie: sessions.get(who) ?? '' } });
    return { status: r.statusCode, text: r.payload, bytes: r.rawPayload };
  };
  const path = () => `/.well-known/csaf/amber/${year}/${publicId.toLowerCase()}.json`;

  beforeAll(async () => {
    // a free port first: the provider's URLs (its public URL) must name where it listens, for the check
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    origin = `http://127.0.0.1:${port}`;
    d = await freshDatabase(backend);
    t = await startTestProvider(d, { publicUrl: origin });
    await t.app.listen({ host: '127.0.0.1', port });
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', publicUrl: origin }));
    // D-Link (the recipient's organisation) joins the alliance; another vendor's recipient does not
    await platform.alliance.importMembers(CLI, 'D-Link CCTGA-000777', { joinedOn: `${year}-01-01` });
    const other = await platform.accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Outsider Ltd' });
    await platform.accounts.createUser(CLI, {
      email: 'outsider@x.example',
      displayName: 'outsider',
      password: PW,
      role: 'recipient',
      organisationId: other.id,
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'outsider@x.example', password: PW },
    });
    const cookie = login.headers['set-cookie'];
    sessions.set('outsider', ((Array.isArray(cookie) ? cookie[0] : cookie) ?? '').split(';')[0] ?? '');
    const meta = JSON.parse((await t.get('/.well-known/csaf/provider-metadata.json')).text) as Metadata;
    key = await openpgp.readKey({
      armoredKey: (await t.get(meta.public_openpgp_keys[0]?.url ?? '')).text,
    });
    const a = await platform.advisories.create(CLI, {
      titleEn: 'Early warning: D-Link routers',
      tlp: 'AMBER',
      vulnerabilityIds: ['CNVD-2023-00001', 'CNVD-2023-00002'],
    });
    advisoryId = a.id;
    publicId = (await platform.advisories.publish(CLI, a.id)).publicId ?? '';
  }, 120_000);
  afterAll(async () => {
    await t.app.close();
    await platform.close();
    await d.close();
  });

  it('serves the amber advisory to a member as white/ serves: index, changes.csv, feed, valid document, hashes, signature', async () => {
    expect(publicId).toMatch(/^VS-SA-\d{4}-\d{4}$/);
    const file = `${year}/${publicId.toLowerCase()}.json`;
    const index = (await get('/.well-known/csaf/amber/index.txt', 'recipient')).text;
    expect(index.split('\n').filter(Boolean)).toEqual([file]);
    const changes = (await get('/.well-known/csaf/amber/changes.csv', 'recipient')).text;
    expect(changes).toMatch(new RegExp(`^"${file}","[^"]+"\\n$`));
    const feed = JSON.parse(
      (await get('/.well-known/csaf/amber/csaf-feed-tlp-amber.json', 'recipient')).text,
    ) as Feed;
    expect(feed.feed.entry.map((e) => [e.id, new URL(e.content.src).pathname])).toEqual([
      [publicId, `/.well-known/csaf/amber/${file}`],
    ]);
    const doc = await get(path(), 'recipient');
    expect(doc.status).toBe(200);
    const parsed = JSON.parse(doc.text) as {
      document: { distribution: { tlp: { label: string } }; tracking: { id: string } };
    };
    expect(parsed.document.distribution.tlp.label).toBe('AMBER');
    expect(parsed.document.tracking.id).toBe(publicId);
    // csaf-validator-lib: the strict schema and every mandatory test
    expect((await validateCsaf(parsed, { strict: true })).errors.map(describeProblem)).toEqual([]);
    const name = `${publicId.toLowerCase()}.json`;
    expect((await get(`${path()}.sha256`, 'recipient')).text).toBe(`${sha('sha256', doc.bytes)}  ${name}\n`);
    expect((await get(`${path()}.sha512`, 'recipient')).text).toBe(`${sha('sha512', doc.bytes)}  ${name}\n`);
    expect(await verifies(doc.bytes, (await get(`${path()}.asc`, 'recipient')).text, key)).toBe(true);
    const listing = (await get(`/.well-known/csaf/amber/${year}/`, 'recipient')).text;
    expect([...listing.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      name,
      `${name}.asc`,
      `${name}.sha256`,
      `${name}.sha512`,
    ]);
    // not in the public directory, not in the public feed
    expect((await get('/.well-known/csaf/white/index.txt')).text).not.toContain(name);
    expect((await get('/.well-known/csaf/white/csaf-feed-tlp-white.json')).text).not.toContain(publicId);
  }, 240_000);

  it('refuses it to anyone but a member account and the staff: 401 anonymous, 403 others', async () => {
    const expected: Record<Who, number> = {
      anonymous: 401,
      reporter: 403,
      outsider: 403,
      recipient: 200,
      analyst: 200,
      admin: 200,
    };
    for (const [who, status] of Object.entries(expected) as Array<[Who, number]>)
      for (const url of [
        path(),
        `${path()}.sha256`,
        `${path()}.asc`,
        '/.well-known/csaf/amber/index.txt',
        '/.well-known/csaf/amber/changes.csv',
        '/.well-known/csaf/amber/csaf-feed-tlp-amber.json',
      ])
        expect((await get(url, who)).status, `${who} GET ${url}`).toBe(status);
    // the advisory API answers as the provider does
    const api = await t.call('GET', `/api/v1/advisories/${publicId}`, 'recipient');
    expect(api.status).toBe(200);
    expect((await t.call('GET', `/api/v1/advisories/${publicId}`, 'reporter')).status).toBe(403);
    expect((await t.get(`/api/v1/advisories/${publicId}`)).status).toBe(401);
  });

  it('takes the access away the moment the membership is suspended or expires, and gives it back on renewal', async () => {
    await platform.alliance.update(CLI, 'CCTGA-000777', { status: 'suspended' });
    expect((await get(path(), 'recipient')).status).toBe(403);
    expect((await get('/.well-known/csaf/amber/index.txt', 'recipient')).status).toBe(403);
    await platform.alliance.update(CLI, 'CCTGA-000777', { status: 'active' });
    expect((await get(path(), 'recipient')).status).toBe(200);
    // a year and a day after joining the renewal date has passed: the sweep (a later clock) expires it
    const later = createPlatform(d, completeConfig({ logLevel: 'silent', publicUrl: origin }), {
      clock: () => new Date(`${Number(year) + 1}-01-03T00:00:00Z`),
    });
    try {
      expect(await later.alliance.expireDue()).toEqual({ expired: ['CCTGA-000777'] });
      expect((await get(path(), 'recipient')).status).toBe(403);
      await later.alliance.renew(CLI, 'CCTGA-000777', `${Number(year) + 2}-01-02`);
      expect((await get(path(), 'recipient')).status).toBe(200);
    } finally {
      await later.close();
    }
  });

  it('passes the provider check without credentials (amber refused); a member session opens amber to it', async () => {
    const metadataUrl = `${origin}/.well-known/csaf/provider-metadata.json`;
    const anonymous = await checkProvider(metadataUrl, { allowHttpLoopback: true });
    expect(anonymous.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    expect(anonymous.ok).toBe(true);
    expect(anonymous.results.find((r) => r.id === 5)?.outcome).toBe('pass');
    // check.ts sends no credentials by design and never reads an AMBER feed's documents (the amber documents
    // are checked above); given a member's session, the one thing it reports is that AMBER answered 200
    const cookie = await sessionCookie(t, 'recipient');
    const withCredentials: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } });
    const member = await checkProvider(metadataUrl, { allowHttpLoopback: true, fetch: withCredentials });
    expect(member.failed).toEqual([5]);
    expect(member.results.find((r) => r.id === 5)?.details.join('\n')).toMatch(
      /csaf-feed-tlp-amber\.json \(TLP:AMBER\) answers 200/,
    );
  }, 180_000);

  it('moves to white/ when published to everyone: gone from amber/ and its changes.csv, first in white/', async () => {
    const name = `${publicId.toLowerCase()}.json`;
    const before = (await get('/.well-known/csaf/amber/changes.csv', 'recipient')).text;
    await platform.advisories.update(CLI, advisoryId, { tlp: 'WHITE' });
    // the working copy says WHITE, but until the revision is published the public sees nothing
    expect((await get(`/.well-known/csaf/white/${year}/${name}`)).status).toBe(404);
    expect((await t.get(`/api/v1/advisories/${publicId}`)).status).toBe(401);
    expect((await get('/.well-known/csaf/amber/index.txt', 'recipient')).text).toContain(name);
    await platform.advisories.publish(CLI, advisoryId, { summary: 'Published to everyone' });
    expect((await get('/.well-known/csaf/amber/index.txt', 'recipient')).text).toBe('');
    expect((await get('/.well-known/csaf/amber/changes.csv', 'recipient')).text).toBe('');
    expect(before).toContain(name);
    expect((await get(path(), 'recipient')).status).toBe(404);
    const white = (await get('/.well-known/csaf/white/changes.csv')).text.split('\n')[0] ?? '';
    const [, listed, date] = /^"([^"]+)","([^"]+)"$/.exec(white) ?? [];
    expect(listed).toBe(`${year}/${name}`);
    const doc = JSON.parse((await get(`/.well-known/csaf/white/${year}/${name}`)).text) as {
      document: {
        distribution: { tlp: { label: string } };
        tracking: { current_release_date: string; version: string };
      };
    };
    expect(doc.document.distribution.tlp.label).toBe('WHITE');
    expect(doc.document.tracking.current_release_date).toBe(date);
    expect(doc.document.tracking.version).toBe('2');
    expect((await t.get(`/api/v1/advisories/${publicId}`)).status).toBe(200);
  });
});

async function sessionCookie(t: TestProvider, role: ProviderRole): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: `${role}@x.example`, password: 'correct horse battery staple' },
  });
  const c = r.headers['set-cookie'];
  return ((Array.isArray(c) ? c[0] : c) ?? '').split(';')[0] ?? '';
}
