/**
 * The platform as a CSAF 2.0 trusted provider (section 7): `provider-metadata.json`, a directory distribution
 * per TLP (`<tlp>/<year>/<file>.json`, `index.txt`, `changes.csv`, directory listings), and beside every
 * document its `.sha256`, `.sha512` and detached OpenPGP signature `.asc`, all over exactly the bytes served
 * (`csafBytes`). Documents are built on request from the records (`csafDocuments`); the directory's index is
 * cached per record by when the row last changed, signatures by the hash of the bytes they sign.
 *
 * Role: `csaf_trusted_provider` — requirements 1–7 (valid documents, file names, TLS where the public URL is
 * https, TLP:WHITE public, AMBER/RED behind sign-in, no redirects, the metadata), 8 and 9 (security.txt and the
 * well-known URL), 11–14 (the directory distribution), 15–17 (a ROLIE feed per TLP
 * `<tlp>/csaf-feed-tlp-<tlp>.json`, the service document `service.json` beside the metadata, a category
 * document `<tlp>/category-<tlp>.json` per feed — the paths the reference provider csaf_distribution uses) and
 * 18–20 (hashes, signatures, the public key). TLS is the deployment's: the role holds when
 * VULNSHARE_PUBLIC_URL is https.
 *
 * What the provider lists is one function, `providerDocuments(tlp)`: the directory, index.txt, changes.csv and
 * the ROLIE feeds all read it.
 *
 * Who reads which TLP directory, as data: {@link TLP_ACCESS}.
 */
import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { Kysely } from 'kysely';
import type { Principal } from '../accounts/model.js';
import { can, requireAccess, type Action } from '../accounts/policy.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { exportRowById, exportRowsByPublicId } from '../exports/store.js';
import { findVulnId } from '../vulns/store.js';
import { CSAF_TLP_LABELS, csafBytes, csafDirectoryPath, type CsafTlp } from './names.js';
import {
  publishedRowsAfter,
  readSigningKey,
  storeSigningKey,
  type StoredSigningKey,
} from './provider-store.js';
import { csafDocuments } from './service.js';
import { listerDocument } from './aggregator.js';
import { followedProviders } from './aggregator-store.js';
import type { CsafDocument, CsafPublisher } from './write.js';

/**
 * Who may read a TLP directory: anyone, any signed-in account, the roles a policy action names, or the alliance
 * members' audience — the staff (`staff`), and the accounts allowed `member` whose organisation holds an active
 * alliance membership at the moment of the request (a suspended or expired member is refused at once).
 */
export type TlpRule = 'anyone' | 'signed-in' | Action | { staff: Action; member: Action };
export const TLP_ACCESS: Readonly<Record<CsafTlp, TlpRule>> = {
  WHITE: 'anyone',
  GREEN: 'signed-in',
  AMBER: { staff: 'csaf:read_red', member: 'csaf:read_amber' },
  RED: 'csaf:read_red',
};

/** Whether an organisation is an active alliance member now (alliance/service.ts `isActiveMember`). */
export type MemberCheck = (organisationId: number) => Promise<boolean>;

export const WELL_KNOWN = '/.well-known/csaf';

const TLP_SUMMARY: Readonly<Record<CsafTlp, string>> = {
  WHITE: 'The published advisories, public',
  GREEN: 'Advisories for signed-in members',
  AMBER: 'Advisories for the alliance members (early warnings) and the CERT staff',
  RED: 'Advisories for the CERT staff only',
};

export interface ProviderDeps {
  db: Kysely<DB>;
  publisher: CsafPublisher;
  /** A configured key (VULNSHARE_CSAF_KEY_FILE); absent = the stored key, created at first use. */
  key?: { armored: string; passphrase: string | undefined } | undefined;
  clock?: () => Date;
  /** Documents distributed beside the records' own, per TLP (the platform's published advisories). */
  extraDocuments?: (tlp: CsafTlp) => Promise<CsafDocument[]>;
  /** The platform's GCVE-BCP-03 pull API base, named in security.txt's `GCVE` field when it is a GNA. */
  gcvePullApi?: string;
  /** Who holds an active alliance membership (TLP:AMBER's audience); absent = AMBER for the staff only. */
  isAllianceMember?: MemberCheck;
}

/** One document the provider lists: where it lives in its TLP directory and what a feed says of it. */
export interface DirectoryEntry {
  tlp: CsafTlp;
  /** Relative to the TLP directory: `2023/cnvd-2023-00001.json`. */
  path: string;
  trackingId: string;
  title: string;
  /** `csaf_security_advisory` or `csaf_vex`. */
  category: string;
  lang: string;
  initialReleaseDate: string;
  currentReleaseDate: string;
  /** The vendors of the product tree (its `vendor` branches): the terms of the ROLIE category document. */
  vendors: string[];
}

/** ROLIE (RFC 8322) as CSAF 2.0 section 7.1.15–17 uses it. */
export const ROLIE_INFORMATION_TYPE = 'urn:ietf:params:rolie:category:information-type';
export const CSAF_SCHEMA_URL = 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json';
export const rolieFeedName = (tlp: CsafTlp) => `csaf-feed-tlp-${tlp.toLowerCase()}.json`;
export const rolieCategoryName = (tlp: CsafTlp) => `category-${tlp.toLowerCase()}.json`;

export interface ServedFile {
  contentType: string;
  body: string | Buffer;
}

export function tlpOfDirectory(dir: string): CsafTlp {
  const tlp = dir.toUpperCase();
  if (!(CSAF_TLP_LABELS as readonly string[]).includes(tlp))
    throw new AppError('not_found', `No CSAF directory "${dir}"`, { tlp: dir });
  return tlp as CsafTlp;
}

/**
 * TLP_ACCESS applied to a principal: returns, or throws unauthorized (anonymous) / forbidden. The alliance rule
 * asks `isMember` about the principal's organisation on every call (no cache): without it, only the staff pass.
 */
export async function requireTlpAccess(p: Principal, tlp: CsafTlp, isMember?: MemberCheck): Promise<void> {
  const rule = TLP_ACCESS[tlp];
  if (rule === 'anyone') return;
  if (rule === 'signed-in') {
    if (p.kind === 'anonymous') throw new AppError('unauthorized', `Sign in first (TLP:${tlp})`, { tlp });
    return;
  }
  if (typeof rule === 'string') return requireAccess(p, rule);
  if (can(p, rule.staff)) return;
  requireAccess(p, rule.member);
  const org = p.kind === 'user' ? p.organisationId : null;
  if (org !== null && isMember && (await isMember(org))) return;
  throw new AppError('forbidden', `TLP:${tlp} is for active alliance members`, {
    tlp,
    reason: 'not_a_member',
  });
}

/** Whether TLP_ACCESS lets a principal read a TLP (requireTlpAccess without the error). */
export async function mayReadTlp(p: Principal, tlp: CsafTlp, isMember?: MemberCheck): Promise<boolean> {
  try {
    await requireTlpAccess(p, tlp, isMember);
    return true;
  } catch (e) {
    if (e instanceof AppError && (e.code === 'unauthorized' || e.code === 'forbidden')) return false;
    throw e;
  }
}

const sha = (alg: 'sha256' | 'sha512', b: Buffer) => createHash(alg).update(b).digest('hex');
const htmlEscape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const SIGNATURE_CACHE = 20_000;

/** A document's directory entry. */
function entryOf(doc: CsafDocument): DirectoryEntry {
  const [tlp, ...rest] = csafDirectoryPath(doc).split('/');
  const { tracking } = doc.document;
  return {
    tlp: (tlp ?? 'white').toUpperCase() as CsafTlp,
    path: rest.join('/'),
    trackingId: tracking.id,
    title: typeof doc.document.title === 'string' ? doc.document.title : tracking.id,
    category: doc.document.category,
    lang: typeof doc.document.lang === 'string' ? doc.document.lang : '',
    initialReleaseDate: tracking.initial_release_date,
    currentReleaseDate: tracking.current_release_date,
    vendors: vendorsOf(doc.product_tree),
  };
}

/** The names of the `vendor` branches of a product tree, in order, each once. */
function vendorsOf(tree: unknown): string[] {
  const branches = (tree as { branches?: unknown } | null)?.branches;
  if (!Array.isArray(branches)) return [];
  const names = branches
    .map((b) => b as { category?: unknown; name?: unknown })
    .filter((b) => b.category === 'vendor' && typeof b.name === 'string')
    .map((b) => b.name as string);
  return [...new Set(names)];
}

export function createCsafProvider(deps: ProviderDeps) {
  const { db, publisher } = deps;
  const clock = deps.clock ?? (() => new Date());
  const base = `${publisher.namespace}${WELL_KNOWN}`;

  let keyPromise: Promise<{ key: openpgp.PrivateKey; fingerprint: string; publicArmored: string }> | null =
    null;
  async function loadKey(stored: { privateKey: string; passphrase?: string | undefined }) {
    let key = await openpgp.readPrivateKey({ armoredKey: stored.privateKey });
    if (!key.isDecrypted()) {
      if (!stored.passphrase)
        throw new AppError(
          'invalid_input',
          'The CSAF signing key is encrypted: set VULNSHARE_CSAF_KEY_PASSPHRASE',
        );
      key = await openpgp.decryptKey({ privateKey: key, passphrase: stored.passphrase });
    }
    return { key, fingerprint: key.getFingerprint().toUpperCase(), publicArmored: key.toPublic().armor() };
  }
  async function createKey(): Promise<StoredSigningKey> {
    const k = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: `${publisher.name} CSAF signing key`, comment: publisher.namespace }],
      format: 'armored',
    });
    const key = await openpgp.readPrivateKey({ armoredKey: k.privateKey });
    return {
      fingerprint: key.getFingerprint().toUpperCase(),
      privateKey: k.privateKey,
      publicKey: k.publicKey,
    };
  }
  /** The signing key: configured, else stored, else created now and stored (the first process wins). */
  function signingKey() {
    keyPromise ??= (async () => {
      if (deps.key) return loadKey({ privateKey: deps.key.armored, passphrase: deps.key.passphrase });
      const stored = (await readSigningKey(db)) ?? (await storeSigningKey(db, await createKey()));
      return loadKey(stored);
    })();
    keyPromise.catch(() => {
      keyPromise = null;
    });
    return keyPromise;
  }

  const signatures = new Map<string, string>();
  async function signatureOf(bytes: Buffer): Promise<string> {
    const h = sha('sha256', bytes);
    const cached = signatures.get(h);
    if (cached) return cached;
    const { key } = await signingKey();
    const message = await openpgp.createMessage({ binary: new Uint8Array(bytes) });
    // (the return type, conditional on Node's web-stream types, is one type-aware lint cannot resolve)
    const sig = (await openpgp.sign({
      message,
      signingKeys: key,
      detached: true,
      format: 'armored',
    })) as string;
    if (signatures.size >= SIGNATURE_CACHE) signatures.delete(signatures.keys().next().value as string);
    signatures.set(h, sig);
    return sig;
  }

  // the directory: one entry per published record, rebuilt only for rows changed since they were read
  const entries = new Map<number, DirectoryEntry & { modifiedAt: string }>();
  let refreshing: Promise<void> | null = null;
  async function refresh(): Promise<void> {
    const seen = new Set<number>();
    let after = 0;
    for (;;) {
      const page = await publishedRowsAfter(db, after, 5000);
      if (page.length === 0) break;
      after = page[page.length - 1]?.rowId ?? after;
      const stale = page.filter((r) => entries.get(r.rowId)?.modifiedAt !== r.modifiedAt);
      for (const r of page) seen.add(r.rowId);
      for (let i = 0; i < stale.length; i += 200) {
        const rows = await exportRowsByPublicId(
          db,
          stale.slice(i, i + 200).map((r) => r.publicId),
        );
        const docs = await csafDocuments(db, rows, { publisher });
        rows.forEach((row, j) => {
          const doc = docs[j];
          if (!doc) return;
          entries.set(row.rowId, { ...entryOf(doc), modifiedAt: row.modifiedAt });
        });
      }
    }
    for (const id of entries.keys()) if (!seen.has(id)) entries.delete(id);
  }
  /**
   * Every document the provider lists under one TLP, newest current release first: the published records
   * (never a rejected one, never a report still under embargo — it has no published record yet). The
   * directory listings, index.txt, changes.csv and the ROLIE feed all come from here.
   */
  async function providerDocuments(tlp: CsafTlp): Promise<DirectoryEntry[]> {
    refreshing ??= refresh().finally(() => {
      refreshing = null;
    });
    await refreshing;
    const extra = ((await deps.extraDocuments?.(tlp)) ?? []).map(entryOf).filter((e) => e.tlp === tlp);
    return [...entries.values()]
      .filter((e) => e.tlp === tlp)
      .map((e): DirectoryEntry => {
        const { modifiedAt, ...entry } = e;
        void modifiedAt; // the cache's key, not the caller's business
        return entry;
      })
      .concat(extra)
      .sort(
        (a, b) => b.currentReleaseDate.localeCompare(a.currentReleaseDate) || a.path.localeCompare(b.path),
      );
  }

  /** The document a directory path names, or not_found. */
  async function documentAt(tlp: CsafTlp, year: string, name: string): Promise<CsafDocument> {
    const wanted = `${tlp.toLowerCase()}/${year}/${name}`;
    const missing = () =>
      new AppError('not_found', `No CSAF document ${WELL_KNOWN}/${wanted}`, { path: wanted });
    if (!/^[+\-a-z0-9_]+\.json$/.test(name)) throw missing();
    const found = await findVulnId(db, name.replace(/\.json$/, '').toUpperCase());
    const row = found ? await exportRowById(db, found.id) : null;
    const [doc] = row ? await csafDocuments(db, [row], { publisher }) : [null];
    if (doc && csafDirectoryPath(doc) === wanted) return doc;
    const extra = (await deps.extraDocuments?.(tlp))?.find((d) => csafDirectoryPath(d) === wanted);
    if (!extra) throw missing();
    return extra;
  }

  const feedUrl = (t: CsafTlp) => `${base}/${t.toLowerCase()}/${rolieFeedName(t)}`;
  const feedTitle = (t: CsafTlp) => `${publisher.name} CSAF feed (TLP:${t})`;
  const informationType = { scheme: ROLIE_INFORMATION_TYPE, term: 'csaf' };
  const tlpCategory = (t: CsafTlp) => ({ scheme: 'https://www.first.org/tlp/', term: t });

  return {
    providerDocuments,

    /**
     * The platform's aggregator.json (CSAF 2.0 7.1.22) as a lister of the providers its csaf feeds follow,
     * at /.well-known/csaf-aggregator/aggregator.json; not_found while it follows none (the schema wants one).
     */
    async aggregatorJson() {
      const lister = listerDocument(
        {
          name: publisher.name,
          namespace: publisher.namespace,
          canonicalUrl: `${publisher.namespace}/.well-known/csaf-aggregator/aggregator.json`,
        },
        await followedProviders(db),
        clock().toISOString(),
      );
      if (!lister)
        throw new AppError('not_found', 'This platform follows no CSAF provider yet: it lists none', {
          reason: 'no_provider_followed',
        });
      return lister;
    },

    /** The provider metadata (CSAF 2.0 section 7.1.7), valid against provider_json_schema.json. */
    async metadata() {
      const { fingerprint } = await signingKey();
      return {
        canonical_url: `${base}/provider-metadata.json`,
        distributions: [
          {
            // the directory of the public documents; the other TLPs are reached through their ROLIE feeds
            directory_url: `${base}/white/`,
            rolie: {
              feeds: CSAF_TLP_LABELS.map((t) => ({
                summary: `${TLP_SUMMARY[t]} (TLP:${t})`,
                tlp_label: t,
                url: feedUrl(t),
              })),
              services: [`${base}/service.json`],
              categories: CSAF_TLP_LABELS.map((t) => `${base}/${t.toLowerCase()}/${rolieCategoryName(t)}`),
            },
          },
        ],
        last_updated: clock().toISOString(),
        list_on_CSAF_aggregators: true,
        metadata_version: '2.0',
        mirror_on_CSAF_aggregators: true,
        public_openpgp_keys: [{ fingerprint, url: `${base}/openpgp/${fingerprint}.asc` }],
        publisher: { category: 'coordinator', name: publisher.name, namespace: publisher.namespace },
        role: 'csaf_trusted_provider',
      };
    },

    /** The armored public key of a fingerprint (the one listed in the metadata); never the private key. */
    async publicKey(fingerprint: string): Promise<string> {
      const k = await signingKey();
      if (fingerprint.toUpperCase() !== k.fingerprint)
        throw new AppError('not_found', `No OpenPGP key ${fingerprint}`, { fingerprint });
      return k.publicArmored;
    },

    /** security.txt (RFC 9116) naming the provider metadata (CSAF requirement 8). */
    securityTxt(): string {
      const expires = new Date(clock().getTime() + 365 * 86_400_000).toISOString();
      const gcve = deps.gcvePullApi ? `GCVE: ${deps.gcvePullApi}\n` : '';
      return `CSAF: ${base}/provider-metadata.json\n${gcve}Expires: ${expires}\n`;
    },

    /** index.txt (7.1.12): every document's path relative to the directory, one a line. */
    async indexTxt(p: Principal, dir: string): Promise<string> {
      const tlp = tlpOfDirectory(dir);
      await requireTlpAccess(p, tlp, deps.isAllianceMember);
      return (await providerDocuments(tlp)).map((e) => `${e.path}\n`).join('');
    },

    /** changes.csv (7.1.13): `"<path>","<current release date>"`, newest first. */
    async changesCsv(p: Principal, dir: string): Promise<string> {
      const tlp = tlpOfDirectory(dir);
      await requireTlpAccess(p, tlp, deps.isAllianceMember);
      return (await providerDocuments(tlp)).map((e) => `"${e.path}","${e.currentReleaseDate}"\n`).join('');
    },

    /** A directory listing (7.1.14): the years of a TLP directory, or the files of one year. */
    async listing(p: Principal, dir: string, year?: string): Promise<string> {
      const tlp = tlpOfDirectory(dir);
      await requireTlpAccess(p, tlp, deps.isAllianceMember);
      const all = await providerDocuments(tlp);
      let names: string[];
      if (year === undefined)
        names = [
          ...new Set(all.map((e) => `${e.path.split('/')[0] ?? ''}/`)),
          'index.txt',
          'changes.csv',
        ].sort();
      else {
        const files = all
          .filter((e) => e.path.startsWith(`${year}/`))
          .map((e) => e.path.slice(year.length + 1));
        if (files.length === 0) throw new AppError('not_found', `No CSAF folder ${dir}/${year}/`, { year });
        names = files.flatMap((f) => [f, `${f}.asc`, `${f}.sha256`, `${f}.sha512`]).sort();
      }
      const title = `Index of ${WELL_KNOWN}/${dir}/${year === undefined ? '' : `${year}/`}`;
      const items = names.map((n) => `<li><a href="${htmlEscape(n)}">${htmlEscape(n)}</a></li>`).join('\n');
      return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${htmlEscape(title)}</title></head>\n<body><h1>${htmlEscape(title)}</h1>\n<ul>\n${items}\n</ul></body></html>\n`;
    },

    /**
     * The ROLIE feed of a TLP (7.1.15): one entry per document, newest first, linking the document, its
     * hashes and its signature. Who may read it: {@link TLP_ACCESS}, as for the directory.
     */
    async rolieFeed(p: Principal, dir: string) {
      const tlp = tlpOfDirectory(dir);
      await requireTlpAccess(p, tlp, deps.isAllianceMember);
      const docs = await providerDocuments(tlp);
      const folder = `${base}/${tlp.toLowerCase()}/`;
      return {
        feed: {
          id: `${new URL(base).hostname}-csaf-feed-tlp-${tlp.toLowerCase()}`,
          title: feedTitle(tlp),
          link: [
            { rel: 'self', href: feedUrl(tlp) },
            { rel: 'service', href: `${base}/service.json` },
          ],
          category: [informationType, tlpCategory(tlp)],
          updated: clock().toISOString(),
          entry: docs.map((e) => {
            const url = `${folder}${e.path}`;
            return {
              id: e.trackingId,
              title: e.title,
              link: [
                { rel: 'self', href: url },
                { rel: 'hash', href: `${url}.sha256` },
                { rel: 'hash', href: `${url}.sha512` },
                { rel: 'signature', href: `${url}.asc` },
              ],
              published: e.initialReleaseDate,
              updated: e.currentReleaseDate,
              summary: { content: e.title },
              content: { type: 'application/json', src: url },
              format: { schema: CSAF_SCHEMA_URL, version: '2.0' },
              ...(e.vendors.length ? { category: e.vendors.map((term) => ({ term })) } : {}),
            };
          }),
        },
      };
    },

    /** The ROLIE service document (7.1.16): every feed of the metadata, public ones and protected ones. */
    rolieService() {
      const collection = (t: CsafTlp) => ({
        title: feedTitle(t),
        href: feedUrl(t),
        categories: { category: [informationType, tlpCategory(t)] },
      });
      return {
        service: {
          workspace: [
            { title: 'Public CSAF feed', collection: [collection('WHITE')] },
            {
              title: 'CSAF feeds for signed-in members',
              collection: CSAF_TLP_LABELS.filter((t) => t !== 'WHITE').map(collection),
            },
          ],
        },
      };
    },

    /**
     * The ROLIE category document of a TLP (7.1.17): the terms its documents can be told apart by — the
     * document categories and languages, and the vendors of their product trees.
     */
    async rolieCategories(p: Principal, dir: string) {
      const tlp = tlpOfDirectory(dir);
      await requireTlpAccess(p, tlp, deps.isAllianceMember);
      const docs = await providerDocuments(tlp);
      const terms = [
        ...new Set(docs.map((d) => d.category)),
        ...new Set(docs.map((d) => d.lang).filter((l) => l !== '')),
        ...new Set(docs.flatMap((d) => d.vendors)),
      ];
      return { categories: { category: [...new Set(terms)].map((term) => ({ term })) } };
    },

    /** A ROLIE file of a TLP directory by its name: its feed or its category document. */
    async rolieFile(p: Principal, dir: string, file: string) {
      const tlp = tlpOfDirectory(dir);
      if (file === rolieFeedName(tlp)) return this.rolieFeed(p, dir);
      if (file === rolieCategoryName(tlp)) return this.rolieCategories(p, dir);
      throw new AppError('not_found', `No CSAF file ${dir}/${file}`, { file });
    },

    /** A file of a year folder: the document, or its `.sha256`, `.sha512` or `.asc`. */
    async file(p: Principal, dir: string, year: string, file: string): Promise<ServedFile> {
      const tlp = tlpOfDirectory(dir);
      await requireTlpAccess(p, tlp, deps.isAllianceMember);
      const m = /^(.+\.json)(\.sha256|\.sha512|\.asc)?$/.exec(file);
      if (!m?.[1] || !/^\d{4}$/.test(year))
        throw new AppError('not_found', `No CSAF file ${dir}/${year}/${file}`, { file });
      const name = m[1];
      const bytes = csafBytes(await documentAt(tlp, year, name));
      switch (m[2]) {
        case undefined:
          return { contentType: 'application/json; charset=utf-8', body: bytes };
        case '.sha256':
          return { contentType: 'text/plain; charset=utf-8', body: `${sha('sha256', bytes)}  ${name}\n` };
        case '.sha512':
          return { contentType: 'text/plain; charset=utf-8', body: `${sha('sha512', bytes)}  ${name}\n` };
        default:
          return { contentType: 'application/pgp-signature', body: await signatureOf(bytes) };
      }
    },
  };
}

export type CsafProvider = ReturnType<typeof createCsafProvider>;
