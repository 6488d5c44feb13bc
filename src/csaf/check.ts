/**
 * `vulnshare csaf check <provider-metadata URL>`: a CSAF 2.0 provider verified the way the requirements of
 * section 7.1 describe, each one pass, fail or not applicable (with why). What is read: the metadata (valid
 * against provider_json_schema.json), its OpenPGP keys, every directory distribution's listing, index.txt and
 * changes.csv, and each document with its hashes and signature. Nothing is sent with credentials, so TLP:AMBER
 * and RED must be refused. TLS (requirement 3) is not applicable to loopback addresses when asked
 * (`allowHttpLoopback`); 8–10 need one of them, 11–14 or 15–17 one distribution kind (both are checked when
 * both are offered; ROLIE's service and category documents are optional, checked when present); 21–23 are an
 * aggregator's. Each document is read once, whichever directory or feed lists it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import addFormats from 'ajv-formats';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as openpgp from 'openpgp';
import csafSchema from '@secvisogram/csaf-validator-lib/lib/schemaTests/csaf_2_0/schema.js';
import cvss20 from '@secvisogram/csaf-validator-lib/schemas/cvss-v2.0.js';
import cvss30 from '@secvisogram/csaf-validator-lib/schemas/cvss-v3.0.js';
import cvss31 from '@secvisogram/csaf-validator-lib/schemas/cvss-v3.1.js';
import { csafFileName } from './names.js';
import { describeProblem, validateCsaf } from './validate.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../../src/csaf/schemas/', import.meta.url));

export const REQUIREMENTS: Readonly<Record<number, string>> = {
  1: 'Valid CSAF document',
  2: 'Filename',
  3: 'TLS',
  4: 'TLP:WHITE',
  5: 'TLP:AMBER and TLP:RED',
  6: 'No redirects',
  7: 'provider-metadata.json',
  8: 'security.txt',
  9: 'Well-known URL for provider-metadata.json',
  10: 'DNS path',
  11: 'One folder per year',
  12: 'index.txt',
  13: 'changes.csv',
  14: 'Directory listings',
  15: 'ROLIE feed',
  16: 'ROLIE service document',
  17: 'ROLIE category document',
  18: 'Integrity',
  19: 'Signatures',
  20: 'Public OpenPGP Key',
  21: 'List of CSAF providers',
  22: 'Two disjoint issuing parties',
  23: 'Mirror',
};

export type Outcome = 'pass' | 'fail' | 'not-applicable';
export interface RequirementResult {
  id: number;
  title: string;
  outcome: Outcome;
  /** Why it failed (each problem), or why it does not apply, or what was checked. */
  details: string[];
}
export interface ProviderCheck {
  metadataUrl: string;
  /** The role the metadata claims (csaf_provider when it cannot be read). */
  role: string;
  results: RequirementResult[];
  /** Every requirement of the role holds ({@link roleSatisfied}). */
  ok: boolean;
  /** The requirements that failed, whether the role needs them or not. */
  failed: number[];
  documents: number;
}

export interface CheckOptions {
  fetch?: typeof fetch;
  /** At most this many documents per directory or feed are read (default 10,000). */
  maxDocuments?: number;
  /** http:// on a loopback address makes requirement 3 not applicable instead of failed (tests, local runs). */
  allowHttpLoopback?: boolean;
}

let providerValidator: ReturnType<Ajv2020['compile']> | null = null;
/** The provider metadata schema (vendored, see schemas/PROVENANCE.md), compiled once. */
export function validateProviderMetadata(doc: unknown): string[] {
  if (!providerValidator) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(cvss20, 'https://www.first.org/cvss/cvss-v2.0.json');
    ajv.addSchema(cvss30, 'https://www.first.org/cvss/cvss-v3.0.json');
    ajv.addSchema(cvss31, 'https://www.first.org/cvss/cvss-v3.1.json');
    ajv.addSchema(csafSchema);
    providerValidator = ajv.compile(
      JSON.parse(readFileSync(`${SCHEMA_DIR}provider_json_schema.json`, 'utf8')) as object,
    );
  }
  if (providerValidator(doc)) return [];
  return (providerValidator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const sha = (alg: 'sha256' | 'sha512', b: Uint8Array) => createHash(alg).update(b).digest('hex');
const asObject = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const MAX_DETAILS = 20;
const NETWORK_ATTEMPTS = 3;
/** How a failed GET reads in a report: the status, or the network error when there was no answer. */
const answerOf = (f: Fetched | null): string =>
  f === null ? 'redirect' : f.status === 0 ? `no answer ${f.text}` : `HTTP ${f.status}`;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

interface Fetched {
  url: string;
  status: number;
  bytes: Uint8Array;
  text: string;
}

export async function checkProvider(metadataUrl: string, o: CheckOptions = {}): Promise<ProviderCheck> {
  const http = o.fetch ?? fetch;
  const max = o.maxDocuments ?? 10_000;
  const problems = new Map<number, string[]>();
  const notes = new Map<number, string[]>();
  const na = new Map<number, string>();
  const fail = (id: number, msg: string) => {
    const list = problems.get(id) ?? [];
    if (list.length < MAX_DETAILS) list.push(msg);
    else if (list.length === MAX_DETAILS) list.push('… (more)');
    problems.set(id, list);
  };
  const note = (id: number, msg: string) => notes.set(id, [...(notes.get(id) ?? []), msg]);
  const urls: string[] = [];

  /** GET without credentials and without following redirects (requirement 6). */
  async function get(url: string): Promise<Fetched | null> {
    urls.push(url);
    // A GET is idempotent: a connection the peer closed under us (a keep-alive race, a reset) is tried
    // again twice before it counts against the provider; the last error is what the report names.
    let r: Response | undefined;
    let lastError = '';
    for (let attempt = 0; attempt < NETWORK_ATTEMPTS && r === undefined; attempt++) {
      try {
        r = await http(url, { redirect: 'manual', headers: { accept: '*/*' } });
      } catch (e) {
        const cause = (e as Error & { cause?: Error }).cause;
        lastError = cause?.message ? `${(e as Error).message}: ${cause.message}` : (e as Error).message;
        if (attempt + 1 < NETWORK_ATTEMPTS)
          await new Promise((done) => setTimeout(done, 100 * (attempt + 1)));
      }
    }
    if (r === undefined) return { url, status: 0, bytes: new Uint8Array(), text: `(${lastError})` };
    if (r.status >= 300 && r.status < 400) {
      fail(6, `${url} redirects (${r.status} → ${r.headers.get('location') ?? '?'})`);
      return null;
    }
    const bytes = new Uint8Array(await r.arrayBuffer());
    return { url, status: r.status, bytes, text: new TextDecoder().decode(bytes) };
  }
  const ok = (f: Fetched | null): f is Fetched & { status: 200 } => f !== null && f.status === 200;

  // 7: the metadata
  const metaRes = await get(metadataUrl);
  let meta: Record<string, unknown> = {};
  if (!ok(metaRes))
    fail(
      7,
      `${metadataUrl}: ${metaRes ? `HTTP ${metaRes.status} ${metaRes.text.slice(0, 80)}` : 'redirect'}`,
    );
  else {
    try {
      meta = asObject(JSON.parse(metaRes.text));
      for (const e of validateProviderMetadata(meta)) fail(7, `schema: ${e}`);
      if (meta.canonical_url !== metadataUrl) note(7, `canonical_url is ${String(meta.canonical_url)}`);
    } catch (e) {
      fail(7, `not JSON (${(e as Error).message})`);
    }
  }
  const role = typeof meta.role === 'string' ? meta.role : 'csaf_provider';
  note(7, `role ${role}`);

  // 8–10: where the metadata is found (one of them suffices)
  const origin = new URL(metadataUrl).origin;
  const atWellKnown = new URL(metadataUrl).pathname === '/.well-known/csaf/provider-metadata.json';
  const found810 = new Map<number, string | true>();
  const sec = await get(`${origin}/.well-known/security.txt`);
  const csafLines = ok(sec)
    ? sec.text
        .split(/\r?\n/)
        .filter((l) => /^CSAF:/i.test(l))
        .map((l) => l.replace(/^CSAF:\s*/i, '').trim())
    : [];
  found810.set(
    8,
    csafLines.length === 0
      ? `${origin}/.well-known/security.txt has no CSAF field${sec ? ` (HTTP ${sec.status})` : ''}`
      : csafLines.includes(metadataUrl)
        ? true
        : `security.txt names ${csafLines.join(', ')}, not ${metadataUrl}`,
  );
  found810.set(9, atWellKnown ? true : `${metadataUrl} is not at /.well-known/csaf/provider-metadata.json`);
  const host = new URL(metadataUrl).hostname;
  if (host.startsWith('csaf.data.security.')) {
    const dns = await get(`https://${host}`);
    found810.set(10, ok(dns) ? true : `https://${host} does not serve the metadata`);
  } else found810.set(10, `${host} is not csaf.data.security.<domain>`);
  const anyOf810 = [...found810.values()].some((v) => v === true);
  for (const [id, v] of found810)
    if (v === true) continue;
    else if (anyOf810) na.set(id, `not used (${v}); one of 8–10 suffices`);
    else fail(id, v);

  // 20: the public keys
  const keys: openpgp.PublicKey[] = [];
  const listed = Array.isArray(meta.public_openpgp_keys) ? meta.public_openpgp_keys.map(asObject) : [];
  if (listed.length === 0) {
    if (role === 'csaf_trusted_provider') fail(20, 'no public_openpgp_keys listed');
    else na.set(20, 'no public_openpgp_keys listed');
  }
  for (const k of listed) {
    const res = await get(String(k.url));
    if (!ok(res)) {
      fail(20, `${String(k.url)}: ${answerOf(res)}`);
      continue;
    }
    try {
      const key = await openpgp.readKey({ armoredKey: res.text });
      const fp = key.getFingerprint().toUpperCase();
      if (typeof k.fingerprint === 'string' && k.fingerprint.toUpperCase() !== fp)
        fail(20, `${String(k.url)} holds key ${fp}, listed as ${k.fingerprint}`);
      else {
        keys.push(key);
        note(20, `key ${fp}`);
      }
    } catch (e) {
      fail(20, `${String(k.url)}: not an OpenPGP public key (${(e as Error).message})`);
    }
  }

  // the distributions: directories (11–14) and ROLIE feeds (15–17)
  const dists = Array.isArray(meta.distributions) ? meta.distributions.map(asObject) : [];
  const directories = dists.map((d) => d.directory_url).filter((u): u is string => typeof u === 'string');
  const rolies = dists
    .map((d) => d.rolie)
    .filter((r) => r !== undefined)
    .map(asObject);
  const feeds = rolies.flatMap((r) => (Array.isArray(r.feeds) ? r.feeds.map(asObject) : []));
  if (directories.length === 0)
    for (const id of [11, 12, 13, 14])
      if (feeds.length) na.set(id, 'no directory_url: the ROLIE distribution is used');
      else fail(id, 'no directory_url in distributions (nor ROLIE feeds)');
  if (feeds.length === 0)
    for (const id of [15, 16, 17])
      if (directories.length) na.set(id, 'no ROLIE feed: the directory distribution is used');
      else fail(id, 'no ROLIE feed in distributions (nor a directory_url)');

  // each document once, whichever distribution names it: 1, 2, 4, 5, 18, 19 (and 11 in a directory)
  let documents = 0;
  const seenDocs = new Map<string, DocSummary | null>();
  interface DocSummary {
    label: string;
    initial: string;
    current: string;
  }
  async function checkDocument(
    url: string,
    where: string,
    o: {
      /** The TLP of the directory or feed that lists it. */
      listedAs: string;
      /** `<year>/<file>` in a directory distribution (requirement 11). */
      yearPath?: string;
      hashes: string[];
      signature: string | undefined;
      /** The requirement a missing document fails: 12 (index.txt) or 15 (a feed entry). */
      listedBy: number;
    },
  ): Promise<DocSummary | null> {
    if (seenDocs.has(url)) return seenDocs.get(url) ?? null;
    seenDocs.set(url, null);
    documents++;
    const res = await get(url);
    if (!ok(res)) {
      fail(o.listedBy, `${where} is listed but ${res ? `answers HTTP ${res.status}` : 'redirects'}`);
      if (res && (res.status === 401 || res.status === 403) && isPublic(o.listedAs))
        fail(4, `${where}: TLP:${o.listedAs} document refused without credentials (HTTP ${res.status})`);
      return null;
    }
    let doc: Record<string, unknown>;
    try {
      doc = asObject(JSON.parse(res.text));
    } catch (e) {
      fail(1, `${where}: not JSON (${(e as Error).message})`);
      return null;
    }
    const v = await validateCsaf(doc, { strict: false });
    for (const e of v.errors) fail(1, `${where}: ${describeProblem(e)}`);
    const d = asObject(doc.document);
    const tracking = asObject(d.tracking);
    const id = str(tracking.id);
    const name = new URL(url).pathname.split('/').pop() ?? '';
    if (name !== csafFileName(id))
      fail(2, `${where}: tracking id ${id} gives the file name ${csafFileName(id)}`);
    const year = str(tracking.initial_release_date).slice(0, 4);
    if (
      o.yearPath !== undefined &&
      (!/^\d{4}\/[^/]+$/.test(o.yearPath) || !o.yearPath.startsWith(`${year}/`))
    )
      fail(11, `${where}: not in the folder of its initial release year ${year}`);
    const label = str(asObject(asObject(d.distribution).tlp).label).toUpperCase() || 'UNLABELED';
    if (isPublic(o.listedAs) && !isPublic(label)) {
      fail(4, `${where}: TLP:${label} listed as TLP:${o.listedAs}`);
      if (label === 'AMBER' || label === 'RED') fail(5, `${where}: TLP:${label} served without credentials`);
    }

    const hashUrl = (alg: string) => o.hashes.find((h) => h.toLowerCase().endsWith(`.${alg}`));
    for (const alg of ['sha256', 'sha512'] as const) {
      const at = hashUrl(alg);
      if (at === undefined) {
        fail(18, `${where}: no .${alg} listed`);
        continue;
      }
      const h = await get(at);
      if (!ok(h)) fail(18, `${where}.${alg}: ${answerOf(h)}`);
      else if ((h.text.trim().split(/\s+/)[0] ?? '').toLowerCase() !== sha(alg, res.bytes))
        fail(18, `${where}.${alg} does not match the document`);
    }
    const asc = o.signature === undefined ? null : await get(o.signature);
    if (o.signature === undefined) fail(19, `${where}: no signature (.asc) listed`);
    else if (!ok(asc)) fail(19, `${where}.asc: ${answerOf(asc)}`);
    else if (keys.length === 0) fail(19, `${where}.asc: no public key to verify it with`);
    else
      try {
        const r = await openpgp.verify({
          message: await openpgp.createMessage({ binary: res.bytes }),
          signature: await openpgp.readSignature({ armoredSignature: asc.text }),
          verificationKeys: keys,
        });
        const first = r.signatures[0];
        if (!first) fail(19, `${where}.asc holds no signature`);
        else await first.verified;
      } catch (e) {
        fail(19, `${where}.asc does not verify: ${(e as Error).message}`);
      }
    const summary = {
      label,
      initial: str(tracking.initial_release_date),
      current: str(tracking.current_release_date),
    };
    seenDocs.set(url, summary);
    return summary;
  }

  /** The documents of the public directories, to find each in its TLP's feed. */
  const publicDirectoryDocs = new Set<string>();
  for (const raw of directories) {
    const dir = raw.endsWith('/') ? raw : `${raw}/`;
    const tlpOfDir = /\/(white|green|amber|red|clear)\/$/i.exec(dir)?.[1]?.toUpperCase() ?? 'UNLABELED';
    // 5: the other TLP directories beside a public one refuse a caller without credentials
    if (isPublic(tlpOfDir))
      for (const other of ['amber', 'red']) {
        const probe = await get(`${dir.replace(/[^/]+\/$/, `${other}/`)}index.txt`);
        if (ok(probe)) fail(5, `${probe.url} answers 200 without credentials`);
        else note(5, `${other}/index.txt without credentials: ${answerOf(probe)}`);
      }
    else if (tlpOfDir === 'AMBER' || tlpOfDir === 'RED') {
      const probe = await get(`${dir}index.txt`);
      if (ok(probe)) fail(5, `${probe.url} answers 200 without credentials`);
      else note(5, `${dir}index.txt without credentials: ${answerOf(probe)}`);
      continue;
    }

    // 12, 13, 14
    const index = await get(`${dir}index.txt`);
    const indexPaths = ok(index) ? index.text.split(/\r?\n/).filter((l) => l.trim() !== '') : [];
    if (!ok(index)) {
      fail(12, `${dir}index.txt: ${answerOf(index)}`);
      if (index && (index.status === 401 || index.status === 403) && isPublic(tlpOfDir))
        fail(4, `${dir} (TLP:${tlpOfDir}) refuses a caller without credentials`);
    }
    const changes = await get(`${dir}changes.csv`);
    const changed: Array<{ path: string; date: string }> = [];
    if (!ok(changes)) fail(13, `${dir}changes.csv: ${answerOf(changes)}`);
    else
      for (const line of changes.text.split(/\r?\n/).filter((l) => l.trim() !== '')) {
        const m = /^"([^"]+)","([^"]+)"$/.exec(line);
        if (!m?.[1] || !m[2] || Number.isNaN(Date.parse(m[2])))
          fail(13, `changes.csv: "${line}" is not "<path>","<date>"`);
        else changed.push({ path: m[1], date: m[2] });
      }
    for (let i = 1; i < changed.length; i++) {
      const [a, b] = [changed[i - 1], changed[i]];
      if (a && b && Date.parse(a.date) < Date.parse(b.date))
        fail(13, `changes.csv is not newest first: ${a.path} (${a.date}) before ${b.path} (${b.date})`);
    }
    const inChanges = new Map(changed.map((c) => [c.path, c.date]));
    for (const p of indexPaths)
      if (!inChanges.has(p)) fail(13, `${p} is in index.txt but not in changes.csv`);
    for (const c of changed)
      if (!indexPaths.includes(c.path)) fail(12, `${c.path} is in changes.csv but not in index.txt`);

    const listing = await get(dir);
    const hrefs = (f: Fetched | null) =>
      ok(f) ? new Set([...f.text.matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? '')) : new Set<string>();
    const top = hrefs(listing);
    if (!ok(listing)) fail(14, `${dir}: ${answerOf(listing)}`);
    const years = [...new Set(indexPaths.map((p) => p.split('/')[0] ?? ''))];
    for (const y of years) {
      if (ok(listing) && !top.has(`${y}/`) && !top.has(`${dir}${y}/`)) fail(14, `${dir} does not list ${y}/`);
      const sub = await get(`${dir}${y}/`);
      if (!ok(sub)) {
        fail(14, `${dir}${y}/: ${answerOf(sub)}`);
        continue;
      }
      const names = hrefs(sub);
      for (const p of indexPaths.filter((x) => x.startsWith(`${y}/`))) {
        const file = p.slice(y.length + 1);
        if (!names.has(file) && !names.has(`${dir}${p}`)) fail(14, `${dir}${y}/ does not list ${file}`);
      }
    }

    for (const path of indexPaths.slice(0, max)) {
      const url = new URL(path, dir).toString();
      if (isPublic(tlpOfDir)) publicDirectoryDocs.add(url);
      const s = await checkDocument(url, path, {
        listedAs: tlpOfDir,
        yearPath: path,
        hashes: [`${url}.sha256`, `${url}.sha512`],
        signature: `${url}.asc`,
        listedBy: 12,
      });
      const date = inChanges.get(path);
      if (s && date && date !== s.current && Date.parse(date) !== Date.parse(s.current))
        fail(13, `${path}: changes.csv says ${date}, the document's current_release_date is ${s.current}`);
    }
    if (indexPaths.length > max)
      note(1, `${indexPaths.length - max} documents of ${dir} not read (at most ${max})`);
  }

  // 15: each feed of the metadata; TLP:WHITE (and unlabeled) ones readable by anyone, AMBER/RED refused
  const feedUrls: string[] = [];
  const publicFeedDocs = new Set<string>();
  let readableFeeds = 0;
  for (const f of feeds) {
    const url = str(f.url);
    const tlp = str(f.tlp_label).toUpperCase() || 'UNLABELED';
    if (!url) {
      fail(15, 'a feed without url');
      continue;
    }
    feedUrls.push(url);
    const res = await get(url);
    if (!res) continue; // the redirect failed 6
    if (tlp === 'AMBER' || tlp === 'RED') {
      if (res.status === 200) fail(5, `${url} (TLP:${tlp}) answers 200 without credentials`);
      else note(5, `${url} (TLP:${tlp}) without credentials: HTTP ${res.status}`);
      continue;
    }
    if (res.status !== 200) {
      if (isPublic(tlp)) {
        fail(15, `${url} (TLP:${tlp}): HTTP ${res.status}`);
        if (res.status === 401 || res.status === 403)
          fail(4, `${url} (TLP:${tlp}) refuses a caller without credentials`);
      } else note(15, `${url} (TLP:${tlp}) not read without credentials: HTTP ${res.status}`);
      continue;
    }
    let feed: Record<string, unknown>;
    try {
      feed = asObject(asObject(JSON.parse(res.text)).feed);
    } catch (e) {
      fail(15, `${url}: not JSON (${(e as Error).message})`);
      continue;
    }
    readableFeeds++;
    for (const problem of feedProblems(feed, url)) fail(15, `${url}: ${problem}`);
    const entries = Array.isArray(feed.entry) ? feed.entry.map(asObject) : [];
    for (const e of entries.slice(0, max)) {
      const links = Array.isArray(e.link) ? e.link.map(asObject) : [];
      const hrefOf = (rel: string) => links.filter((l) => l.rel === rel).map((l) => str(l.href));
      const src = str(asObject(e.content).src) || hrefOf('self')[0] || '';
      const where = `${url} entry ${str(e.id) || '(no id)'}`;
      if (!src) {
        fail(15, `${where}: no content.src nor self link`);
        continue;
      }
      const abs = new URL(src, url).toString();
      if (isPublic(tlp)) publicFeedDocs.add(abs);
      const s = await checkDocument(abs, new URL(abs).pathname, {
        listedAs: tlp,
        hashes: hrefOf('hash').map((h) => new URL(h, url).toString()),
        signature: hrefOf('signature').map((h) => new URL(h, url).toString())[0],
        listedBy: 15,
      });
      if (!s) continue;
      if (tlpRank(s.label) > tlpRank(tlp))
        fail(15, `${where}: a TLP:${s.label} document in a TLP:${tlp} feed`);
      for (const [field, want] of [
        ['published', s.initial],
        ['updated', s.current],
      ] as const)
        if (Date.parse(str(e[field])) !== Date.parse(want))
          fail(15, `${where}: ${field} ${str(e[field]) || '(none)'}, the document says ${want}`);
    }
    if (entries.length > max) note(1, `${entries.length - max} entries of ${url} not read (at most ${max})`);
    note(15, `${url}: ${entries.length} entries`);
  }
  if (feeds.length) {
    if (readableFeeds === 0 && !problems.has(15))
      fail(15, 'no feed is readable without credentials (one of TLP:WHITE, GREEN or unlabeled must be)');
    if (readableFeeds > 0)
      for (const d of publicDirectoryDocs)
        if (!publicFeedDocs.has(d)) fail(15, `${d} is in the directory but in no public ROLIE feed`);
  }

  // 16: the service document, if any (optional): it lists exactly the feeds of the metadata
  if (feeds.length) {
    const listedServices = rolies.flatMap((r) => (Array.isArray(r.services) ? r.services.map(str) : []));
    const services = listedServices.length
      ? listedServices
      : [new URL('service.json', metadataUrl).toString()];
    let found = 0;
    for (const s of services) {
      const res = await get(s);
      if (!res) continue;
      if (res.status !== 200) {
        if (listedServices.length) fail(16, `${s} (listed in the metadata): HTTP ${res.status}`);
        continue;
      }
      found++;
      let hrefs: string[];
      try {
        const workspaces = asObject(asObject(JSON.parse(res.text)).service).workspace;
        hrefs = (Array.isArray(workspaces) ? workspaces.map(asObject) : []).flatMap((w) =>
          (Array.isArray(w.collection) ? w.collection.map(asObject) : []).map((c) => str(c.href)),
        );
      } catch (e) {
        fail(16, `${s}: not JSON (${(e as Error).message})`);
        continue;
      }
      for (const h of hrefs)
        if (!feedUrls.includes(h)) fail(16, `${s} lists ${h}, a feed the metadata does not`);
      for (const u of feedUrls) if (!hrefs.includes(u)) fail(16, `${s} does not list the feed ${u}`);
      note(16, `${s}: ${hrefs.length} feeds`);
    }
    if (found === 0 && !problems.has(16)) na.set(16, 'no ROLIE service document (it is optional)');
  }

  // 17: the category document of each feed, if any (optional)
  if (feeds.length) {
    const listedCategories = rolies.flatMap((r) =>
      Array.isArray(r.categories) ? r.categories.map(str) : [],
    );
    let found = 0;
    for (const f of feeds) {
      const url = str(f.url);
      const tlp = str(f.tlp_label).toLowerCase();
      if (!url || !tlp) continue;
      const at = new URL(`category-${tlp}.json`, url).toString();
      const listed = listedCategories.includes(at);
      const res = await get(at);
      if (!res) continue;
      if (res.status !== 200) {
        if (res.status === 401 || res.status === 403)
          note(17, `${at}: HTTP ${res.status} without credentials`);
        else if (listed) fail(17, `${at} (listed in the metadata): HTTP ${res.status}`);
        continue;
      }
      found++;
      try {
        const cats = asObject(asObject(JSON.parse(res.text)).categories).category;
        if (!Array.isArray(cats)) fail(17, `${at}: no categories.category array`);
        else if (cats.map(asObject).some((c) => !str(c.term))) fail(17, `${at}: a category without term`);
        else note(17, `${at}: ${cats.length} categories`);
      } catch (e) {
        fail(17, `${at}: not JSON (${(e as Error).message})`);
      }
    }
    if (found === 0 && !problems.has(17)) na.set(17, 'no ROLIE category document (it is optional)');
  }

  if (documents === 0) for (const id of [1, 2, 11, 18, 19]) if (!problems.has(id)) na.set(id, 'no documents');
  if (!problems.has(4) && !na.has(4)) note(4, `${documents} documents read without credentials`);

  // 3: TLS
  const insecure = [...new Set(urls.map((u) => new URL(u)))].filter((u) => u.protocol !== 'https:');
  if (insecure.length === 0) note(3, 'every URL is https');
  else if (o.allowHttpLoopback && insecure.every((u) => LOOPBACK.test(u.hostname)))
    na.set(3, 'loopback address: TLS aside (--allow-http-loopback)');
  else for (const u of new Set(insecure.map((x) => x.origin))) fail(3, `${u} is not https`);
  for (const id of [21, 22, 23]) na.set(id, 'an aggregator requirement');
  if (!problems.has(6)) note(6, `${urls.length} requests, none redirected`);

  const results: RequirementResult[] = Object.entries(REQUIREMENTS).map(([k, title]) => {
    const id = Number(k);
    const p = problems.get(id);
    if (p?.length) return { id, title, outcome: 'fail', details: p };
    const reason = na.get(id);
    if (reason !== undefined) return { id, title, outcome: 'not-applicable', details: [reason] };
    return { id, title, outcome: 'pass', details: notes.get(id) ?? [] };
  });
  return {
    metadataUrl,
    role,
    results,
    ok: roleSatisfied(role, results),
    failed: results.filter((r) => r.outcome === 'fail').map((r) => r.id),
    documents,
  };
}

const isPublic = (tlp: string) => tlp === 'WHITE' || tlp === 'CLEAR' || tlp === 'UNLABELED';
const TLP_RANK: Readonly<Record<string, number>> = {
  UNLABELED: 0,
  WHITE: 1,
  CLEAR: 1,
  GREEN: 2,
  AMBER: 3,
  RED: 4,
};
const tlpRank = (tlp: string) => TLP_RANK[tlp] ?? 5;
const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** What a ROLIE feed (RFC 8322 in JSON, as CSAF 7.1.15 shows it) lacks. */
function feedProblems(feed: Record<string, unknown>, url: string): string[] {
  const out: string[] = [];
  if (!str(feed.id)) out.push('feed.id missing');
  if (!str(feed.title)) out.push('feed.title missing');
  if (!isDate(feed.updated)) out.push('feed.updated is not a date-time');
  const links = Array.isArray(feed.link) ? feed.link.map(asObject) : [];
  if (!links.some((l) => l.rel === 'self' && l.href === url)) out.push(`no link rel=self to ${url}`);
  const cats = Array.isArray(feed.category) ? feed.category.map(asObject) : [];
  if (!cats.some((c) => c.scheme === 'urn:ietf:params:rolie:category:information-type' && c.term === 'csaf'))
    out.push('no category urn:ietf:params:rolie:category:information-type = csaf');
  if (!Array.isArray(feed.entry)) out.push('feed.entry is not an array');
  else
    for (const e of feed.entry.map(asObject)) {
      const id = str(e.id) || '(no id)';
      const missing = [
        !str(e.id) && 'id',
        !str(e.title) && 'title',
        !isDate(e.published) && 'published',
        !isDate(e.updated) && 'updated',
        !str(asObject(e.content).src) && 'content.src',
        asObject(e.format).version !== '2.0' && 'format.version 2.0',
        !str(asObject(e.format).schema) && 'format.schema',
      ].filter((m): m is string => typeof m === 'string');
      if (missing.length) out.push(`entry ${id}: ${missing.join(', ')} missing`);
    }
  return out;
}

/**
 * Which requirements a role needs (CSAF 2.0 section 7.2): a publisher 1–4; a provider also 5–7, one of 8–10
 * and either all of 11–14 or all of 15–17; a trusted provider also 18–20. A requirement holds unless it
 * failed; "one of" needs one that passed.
 */
interface RoleRule {
  /** Each must hold. */
  all: readonly number[];
  /** One must pass. */
  oneOf?: readonly number[];
  /** One group must hold whole, with one of its requirements passed (a distribution kind). */
  eitherGroup?: ReadonlyArray<readonly number[]>;
}
const DISTRIBUTION_KINDS = [
  [11, 12, 13, 14],
  [15, 16, 17],
] as const;
export const ROLE_RULES: Readonly<Record<string, RoleRule>> = {
  csaf_publisher: { all: [1, 2, 3, 4] },
  csaf_provider: { all: [1, 2, 3, 4, 5, 6, 7], oneOf: [8, 9, 10], eitherGroup: DISTRIBUTION_KINDS },
  csaf_trusted_provider: {
    all: [1, 2, 3, 4, 5, 6, 7, 18, 19, 20],
    oneOf: [8, 9, 10],
    eitherGroup: DISTRIBUTION_KINDS,
  },
};

export function roleSatisfied(role: string, results: readonly RequirementResult[]): boolean {
  const rule = ROLE_RULES[role];
  if (!rule) return false;
  const outcome = (id: number) => results.find((r) => r.id === id)?.outcome ?? 'fail';
  if (rule.all.some((id) => outcome(id) === 'fail')) return false;
  if (rule.oneOf && !rule.oneOf.some((id) => outcome(id) === 'pass')) return false;
  return (
    !rule.eitherGroup ||
    rule.eitherGroup.some(
      (g) => g.every((id) => outcome(id) !== 'fail') && g.some((id) => outcome(id) === 'pass'),
    )
  );
}

/** The requirements a role needs, in order. */
export function roleRequirements(role: string): number[] {
  const r = ROLE_RULES[role];
  if (!r) return [];
  return [...new Set([...r.all, ...(r.oneOf ?? []), ...(r.eitherGroup ?? []).flat()])].sort((a, b) => a - b);
}
