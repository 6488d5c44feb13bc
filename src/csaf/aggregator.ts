/**
 * vulnshare as a CSAF 2.0 aggregator / lister following a provider (section 7): what it reads of a provider and
 * how it judges what it downloads — pure functions, no HTTP, no SQL (the feed run in src/feeds/csaf-provider.ts
 * does the fetching, src/csaf/aggregator-store.ts remembers what was seen).
 *
 * - The provider metadata (7.1.7) names the role, the OpenPGP keys and the distributions: ROLIE feeds (7.1.15)
 *   when it lists any, else directories (7.1.11) read through their `changes.csv` (7.1.13).
 * - Only what may be read without credentials is followed: ROLIE feeds labelled TLP:WHITE (CLEAR), directories
 *   that are not a GREEN / AMBER / RED folder, documents whose own label is WHITE / CLEAR (or absent: the
 *   document was served publicly). {@link PUBLIC_TLP}.
 * - A document is fetched again when its listed timestamp changed since it was last looked at, or when it was
 *   refused for a reason that may pass next time. {@link documentsToFetch}.
 * - Integrity (7.1.18 hashes, 7.1.19 signatures, 7.1.20 keys): what the role promises is required, anything
 *   else is checked when present; a hash or signature that does not match refuses the document.
 *   {@link INTEGRITY_BY_ROLE}.
 */
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import * as openpgp from 'openpgp';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A provider's file that cannot be followed: the run fails with this message. */
export class ProviderError extends Error {}

export const PROVIDER_ROLES = ['csaf_publisher', 'csaf_provider', 'csaf_trusted_provider'] as const;
export type ProviderRole = (typeof PROVIDER_ROLES)[number];

/** What each role promises (7.2.1–7.2.3): a promised hash or signature that is missing refuses the document. */
export const INTEGRITY_BY_ROLE: Readonly<
  Record<ProviderRole, { hash: 'required' | 'if-present'; signature: 'required' | 'if-present' }>
> = {
  csaf_publisher: { hash: 'if-present', signature: 'if-present' },
  csaf_provider: { hash: 'if-present', signature: 'if-present' },
  csaf_trusted_provider: { hash: 'required', signature: 'required' },
};

/** TLP labels readable without credentials (TLP 1.0 WHITE = TLP 2.0 CLEAR); the aggregator holds no others. */
export const PUBLIC_TLP: readonly string[] = ['WHITE', 'CLEAR'];
/** Directory folders that need credentials (7.1.11 names a directory after its TLP). */
export const PRIVATE_TLP_FOLDERS: readonly string[] = ['green', 'amber', 'red'];

/** Refusals a later run may see pass (a signature uploaded late, a server that answered 500) are retried. */
export const RETRIED_OUTCOMES: readonly DocumentOutcome[] = ['refused'];
/** imported: its records were handed to the importer; invalid: it failed validation (same bytes, same answer). */
export type DocumentOutcome = 'imported' | 'invalid' | 'refused';

export interface ProviderKeyRef {
  fingerprint: string;
  url: string;
}

export interface ProviderMetadata {
  canonicalUrl: string;
  role: ProviderRole;
  publisher: { name: string; namespace: string; category: string };
  keys: ProviderKeyRef[];
  /** Public ROLIE feeds (tlp_label WHITE / CLEAR). */
  rolieFeeds: string[];
  /** Public directory URLs, each ending in '/'. */
  directories: string[];
  /** Distributions left alone, and why (they need credentials). */
  skipped: string[];
}

const normFingerprint = (f: string) => f.replace(/\s+/g, '').toUpperCase();

/** The parts of provider-metadata.json the aggregator follows; URLs resolved against the metadata's own URL. */
export function readProviderMetadata(text: string, url: string): ProviderMetadata {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProviderError(
      `the provider metadata is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const m = obj(doc);
  const role = str(m.role);
  if (!role || !(PROVIDER_ROLES as readonly string[]).includes(role))
    throw new ProviderError(
      `the provider metadata has no CSAF role (role: ${JSON.stringify(m.role)}); is ${url} a provider-metadata.json?`,
    );
  const publisher = obj(m.publisher);
  const resolve = (u: unknown): string | undefined => {
    const s = str(u);
    if (!s) return undefined;
    try {
      const r = new URL(s, url);
      return r.protocol === 'http:' || r.protocol === 'https:' ? r.href : undefined;
    } catch {
      return undefined;
    }
  };
  const keys = arr(m.public_openpgp_keys)
    .map(obj)
    .flatMap((k) => {
      const keyUrl = resolve(k.url);
      const fp = str(k.fingerprint);
      return keyUrl && fp ? [{ fingerprint: normFingerprint(fp), url: keyUrl }] : [];
    });
  const rolieFeeds: string[] = [];
  const directories: string[] = [];
  const skipped: string[] = [];
  for (const d of arr(m.distributions).map(obj)) {
    for (const f of arr(obj(d.rolie).feeds).map(obj)) {
      const feedUrl = resolve(f.url);
      const tlp = (str(f.tlp_label) ?? '').toUpperCase();
      if (!feedUrl) continue;
      if (PUBLIC_TLP.includes(tlp)) rolieFeeds.push(feedUrl);
      else skipped.push(`ROLIE feed ${feedUrl} (TLP:${tlp || 'unlabelled'} needs credentials)`);
    }
    const dir = resolve(d.directory_url);
    if (dir) {
      const withSlash = dir.endsWith('/') ? dir : `${dir}/`;
      const folder = withSlash.split('/').slice(-2, -1)[0]?.toLowerCase() ?? '';
      if (PRIVATE_TLP_FOLDERS.includes(folder))
        skipped.push(`directory ${withSlash} (TLP:${folder.toUpperCase()} needs credentials)`);
      else directories.push(withSlash);
    }
  }
  return {
    canonicalUrl: str(m.canonical_url) ?? url,
    role: role as ProviderRole,
    publisher: {
      name: str(publisher.name) ?? '',
      namespace: str(publisher.namespace) ?? '',
      category: str(publisher.category) ?? '',
    },
    keys,
    rolieFeeds: [...new Set(rolieFeeds)],
    directories: [...new Set(directories)],
    skipped,
  };
}

/** One document a distribution lists, with where its hashes and signature are. */
export interface ListedDocument {
  url: string;
  /** The listing's timestamp for it (changes.csv time, ROLIE `updated`), verbatim. */
  listedAt: string;
  /** Hash files to check; `listed` = named by the distribution (then it must exist), else the usual names. */
  hashes: Array<{ alg: 'sha256' | 'sha512'; url: string; listed: boolean }>;
  signature: { url: string; listed: boolean };
}

/** What a listing said that could not be followed (one line each, reported with the run). */
export interface Listing {
  documents: ListedDocument[];
  problems: string[];
}

const guessedIntegrity = (url: string): Pick<ListedDocument, 'hashes' | 'signature'> => ({
  hashes: [
    { alg: 'sha256', url: `${url}.sha256`, listed: false },
    { alg: 'sha512', url: `${url}.sha512`, listed: false },
  ],
  signature: { url: `${url}.asc`, listed: false },
});

/** changes.csv (7.1.13): `"<path relative to the directory>","<timestamp>"`; paths outside the directory refused. */
export function parseChangesCsv(text: string, directoryUrl: string): Listing {
  const problems: string[] = [];
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: true });
  } catch (e) {
    throw new ProviderError(
      `${directoryUrl}changes.csv is not CSV: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const seen = new Set<string>();
  const documents: ListedDocument[] = [];
  rows.forEach((row, i) => {
    const [path, time] = row;
    if (!path || !time || Number.isNaN(Date.parse(time))) {
      problems.push(`changes.csv line ${i + 1}: expected "path","timestamp" (got ${JSON.stringify(row)})`);
      return;
    }
    let url: string;
    try {
      url = new URL(path, directoryUrl).href;
    } catch {
      problems.push(`changes.csv line ${i + 1}: "${path}" is not a path`);
      return;
    }
    if (!url.startsWith(directoryUrl) || !url.endsWith('.json')) {
      problems.push(`changes.csv line ${i + 1}: "${path}" is not a .json file inside ${directoryUrl}`);
      return;
    }
    if (seen.has(url)) return; // newest first: the first line of a path is its latest change
    seen.add(url);
    documents.push({ url, listedAt: time, ...guessedIntegrity(url) });
  });
  return { documents, problems };
}

/** A ROLIE feed (7.1.15, RFC 8322 in JSON): each entry's document (content.src, else the self link). */
export function parseRolieFeed(text: string, feedUrl: string): Listing {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProviderError(
      `ROLIE feed ${feedUrl} is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const feed = obj(obj(doc).feed);
  if (!Array.isArray(feed.entry) && !str(feed.id))
    throw new ProviderError(`ROLIE feed ${feedUrl} has no "feed" object with entries`);
  const problems: string[] = [];
  const documents: ListedDocument[] = [];
  const seen = new Set<string>();
  const abs = (u: string | undefined) => {
    if (!u) return undefined;
    try {
      const r = new URL(u, feedUrl);
      return r.protocol === 'http:' || r.protocol === 'https:' ? r.href : undefined;
    } catch {
      return undefined;
    }
  };
  arr(feed.entry)
    .map(obj)
    .forEach((e, i) => {
      const links = arr(e.link).map(obj);
      const linked = (rel: string) =>
        links
          .filter((l) => l.rel === rel)
          .map((l) => abs(str(l.href)))
          .filter((u): u is string => !!u);
      const url = abs(str(obj(e.content).src)) ?? linked('self')[0];
      const updated = str(e.updated) ?? str(e.published);
      if (!url || !updated || Number.isNaN(Date.parse(updated))) {
        problems.push(
          `ROLIE entry ${i + 1} (${str(e.id) ?? 'no id'}): no document link or no valid updated time`,
        );
        return;
      }
      if (seen.has(url)) return;
      seen.add(url);
      const hashLinks = linked('hash').flatMap((h) => {
        const alg = /\.sha(256|512)$/i.exec(h)?.[1];
        return alg ? [{ alg: `sha${alg}` as 'sha256' | 'sha512', url: h, listed: true }] : [];
      });
      const sig = linked('signature')[0];
      const guessed = guessedIntegrity(url);
      documents.push({
        url,
        listedAt: updated,
        hashes: hashLinks.length ? hashLinks : guessed.hashes,
        signature: sig ? { url: sig, listed: true } : guessed.signature,
      });
    });
  return { documents, problems };
}

/** What the aggregator remembers of a document from an earlier run. */
export interface KnownDocument {
  listedAt: string;
  outcome: DocumentOutcome;
}

/**
 * The documents to download this run: new ones, those whose listed timestamp changed (compared as instants,
 * so `2024-01-01T00:00:00Z` and `…00.000Z` are the same), and earlier refusals that may pass now.
 */
export function documentsToFetch(
  listed: ListedDocument[],
  known: ReadonlyMap<string, KnownDocument>,
  opts: { all?: boolean } = {},
): ListedDocument[] {
  return listed.filter((d) => {
    const k = known.get(d.url);
    if (opts.all || !k) return true;
    if (RETRIED_OUTCOMES.includes(k.outcome)) return true;
    return Date.parse(k.listedAt) !== Date.parse(d.listedAt);
  });
}

export const sha = (alg: 'sha256' | 'sha512', bytes: Uint8Array): string =>
  createHash(alg).update(bytes).digest('hex');

/** A hash file (`<hex>  <file name>`, 7.1.18) against the bytes: null when it matches, else why not. */
export function hashMismatch(alg: 'sha256' | 'sha512', bytes: Uint8Array, hashFile: string): string | null {
  const given = hashFile.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const length = alg === 'sha256' ? 64 : 128;
  if (!new RegExp(`^[0-9a-f]{${length}}$`).test(given))
    return `its .${alg} file holds no ${alg} hash (${JSON.stringify(hashFile.slice(0, 40))})`;
  const actual = sha(alg, bytes);
  return given === actual
    ? null
    : `${alg} mismatch: the .${alg} file says ${given}, the document is ${actual}`;
}

/** A public key from the URL the metadata gives, accepted only with the fingerprint the metadata lists. */
export async function readProviderKey(armored: string, ref: ProviderKeyRef): Promise<openpgp.PublicKey> {
  let key: openpgp.PublicKey;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch (e) {
    throw new ProviderError(
      `OpenPGP key ${ref.url} is not an armored key: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const fingerprint = key.getFingerprint().toUpperCase();
  if (fingerprint !== ref.fingerprint)
    throw new ProviderError(
      `OpenPGP key ${ref.url} has fingerprint ${fingerprint}, not ${ref.fingerprint} as the provider metadata says`,
    );
  return key.toPublic();
}

/** A detached signature (7.1.19) over the bytes by one of the keys: null when valid, else why not. */
export async function signatureProblem(
  bytes: Uint8Array,
  armoredSignature: string,
  keys: openpgp.PublicKey[],
): Promise<string | null> {
  if (keys.length === 0) return 'no OpenPGP key of the provider could be read to check it';
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    return `the .asc file is not an OpenPGP signature: ${e instanceof Error ? e.message : String(e)}`;
  }
  const message = await openpgp.createMessage({ binary: bytes });
  const result = await openpgp.verify({ message, signature, verificationKeys: keys });
  const reasons: string[] = [];
  for (const s of result.signatures) {
    try {
      await s.verified;
      return null;
    } catch (e) {
      reasons.push(e instanceof Error ? e.message : String(e));
    }
  }
  return `bad signature: ${reasons.join('; ') || 'no signature in the .asc file'}`;
}

/** A document's own TLP label may only be a public one (absent: it was served publicly, so it is). */
export function tlpProblem(doc: unknown): string | null {
  const label = str(obj(obj(obj(obj(doc).document).distribution).tlp).label)?.toUpperCase();
  if (label === undefined || PUBLIC_TLP.includes(label)) return null;
  return `labelled TLP:${label}: the aggregator keeps only ${PUBLIC_TLP.map((t) => `TLP:${t}`).join(' / ')} documents`;
}

/** tracking id and version of a document (for the state row), when it has them. */
export function trackingOf(doc: unknown): { id: string | null; version: string | null } {
  const t = obj(obj(obj(doc).document).tracking);
  return { id: str(t.id) ?? null, version: str(t.version) ?? null };
}

/** A provider the platform follows: its metadata URL and the metadata text of the last successful run. */
export interface FollowedProvider {
  url: string;
  metadata: string;
}

export interface ListerIdentity {
  name: string;
  namespace: string;
  /** Where aggregator.json is served: `<namespace>/.well-known/csaf-aggregator/aggregator.json`. */
  canonicalUrl: string;
  contactDetails?: string;
}

/**
 * The platform's own `aggregator.json` (7.1.22) as a `lister`: every followed provider with the metadata fields
 * the aggregator schema asks for (url, publisher, role, last_updated). Null when no provider is followed yet
 * (the schema wants at least one); a provider whose stored metadata cannot be read is left out.
 */
export function listerDocument(
  me: ListerIdentity,
  providers: FollowedProvider[],
  lastUpdated: string,
): Record<string, unknown> | null {
  const entries = providers.flatMap((p) => {
    let m: J;
    try {
      m = obj(JSON.parse(p.metadata));
    } catch {
      return [];
    }
    const publisher = obj(m.publisher);
    const role = str(m.role);
    const updated = str(m.last_updated);
    if (!str(publisher.name) || !str(publisher.namespace) || !str(publisher.category) || !updated) return [];
    return [
      {
        metadata: {
          last_updated: updated,
          publisher: {
            category: str(publisher.category),
            name: str(publisher.name),
            namespace: str(publisher.namespace),
          },
          ...(role && (PROVIDER_ROLES as readonly string[]).includes(role) ? { role } : {}),
          url: p.url,
        },
      },
    ];
  });
  if (entries.length === 0) return null;
  return {
    aggregator: {
      category: 'lister',
      ...(me.contactDetails ? { contact_details: me.contactDetails } : {}),
      name: me.name,
      namespace: me.namespace,
    },
    aggregator_version: '2.0',
    canonical_url: me.canonicalUrl,
    csaf_providers: entries,
    last_updated: lastUpdated,
  };
}
