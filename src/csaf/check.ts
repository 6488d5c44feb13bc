/**
 * `vulnshare csaf check <provider-metadata URL>`: a CSAF 2.0 provider verified the way the requirements of
 * section 7.1 describe, each one pass, fail or not applicable (with why). What is read: the metadata (valid
 * against provider_json_schema.json), its OpenPGP keys, every directory distribution's listing, index.txt and
 * changes.csv, and each document with its hashes and signature. Nothing is sent with credentials, so TLP:AMBER
 * and RED must be refused. TLS (requirement 3) is not applicable to loopback addresses; 8–10 need one of them,
 * 11–14 or 15–17 one distribution kind; 21–23 are an aggregator's.
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
  results: RequirementResult[];
  /** No requirement failed. */
  ok: boolean;
  documents: number;
}

export interface CheckOptions {
  fetch?: typeof fetch;
  /** At most this many documents per directory are read (default 10,000). */
  maxDocuments?: number;
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
    let r: Response;
    try {
      r = await http(url, { redirect: 'manual', headers: { accept: '*/*' } });
    } catch (e) {
      return { url, status: 0, bytes: new Uint8Array(), text: `(${(e as Error).message})` };
    }
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
      fail(20, `${String(k.url)}: ${res ? `HTTP ${res.status}` : 'redirect'}`);
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

  // the distributions
  const dists = Array.isArray(meta.distributions) ? meta.distributions.map(asObject) : [];
  const directories = dists.map((d) => d.directory_url).filter((u): u is string => typeof u === 'string');
  const rolie = dists.filter((d) => d.rolie !== undefined);
  for (const id of [15, 16, 17])
    if (rolie.length === 0)
      na.set(id, directories.length ? 'no ROLIE distribution (the directory distribution is used)' : 'none');
    else fail(id, 'ROLIE feeds are listed but this check does not read them yet');
  if (directories.length === 0) {
    for (const id of [11, 12, 13, 14]) fail(id, 'no directory_url in distributions (nor ROLIE)');
    if (rolie.length) for (const id of [11, 12, 13, 14]) na.set(id, 'ROLIE distribution instead');
  }

  let documents = 0;
  for (const raw of directories) {
    const dir = raw.endsWith('/') ? raw : `${raw}/`;
    const tlpOfDir = /\/(white|green|amber|red|clear)\/$/i.exec(dir)?.[1]?.toUpperCase();
    // 5: the other TLP directories beside this one refuse a caller without credentials
    if (tlpOfDir === 'WHITE' || tlpOfDir === 'CLEAR')
      for (const other of ['amber', 'red']) {
        const probe = await get(`${dir.replace(/[^/]+\/$/, `${other}/`)}index.txt`);
        if (ok(probe)) fail(5, `${probe.url} answers 200 without credentials`);
        else
          note(5, `${other}/index.txt without credentials: ${probe ? `HTTP ${probe.status}` : 'redirect'}`);
      }
    else if (tlpOfDir === 'AMBER' || tlpOfDir === 'RED') {
      const probe = await get(`${dir}index.txt`);
      if (ok(probe)) fail(5, `${probe.url} answers 200 without credentials`);
      continue;
    }

    // 12, 13, 14
    const index = await get(`${dir}index.txt`);
    const indexPaths = ok(index) ? index.text.split(/\r?\n/).filter((l) => l.trim() !== '') : [];
    if (!ok(index)) fail(12, `${dir}index.txt: ${index ? `HTTP ${index.status}` : 'redirect'}`);
    const changes = await get(`${dir}changes.csv`);
    const changed: Array<{ path: string; date: string }> = [];
    if (!ok(changes)) fail(13, `${dir}changes.csv: ${changes ? `HTTP ${changes.status}` : 'redirect'}`);
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
    if (!ok(listing)) fail(14, `${dir}: ${listing ? `HTTP ${listing.status}` : 'redirect'}`);
    const years = [...new Set(indexPaths.map((p) => p.split('/')[0] ?? ''))];
    for (const y of years) {
      if (ok(listing) && !top.has(`${y}/`) && !top.has(`${dir}${y}/`)) fail(14, `${dir} does not list ${y}/`);
      const sub = await get(`${dir}${y}/`);
      if (!ok(sub)) {
        fail(14, `${dir}${y}/: ${sub ? `HTTP ${sub.status}` : 'redirect'}`);
        continue;
      }
      const names = hrefs(sub);
      for (const p of indexPaths.filter((x) => x.startsWith(`${y}/`))) {
        const file = p.slice(y.length + 1);
        if (!names.has(file) && !names.has(`${dir}${p}`)) fail(14, `${dir}${y}/ does not list ${file}`);
      }
    }

    // each document: 1, 2, 4, 11, 18, 19 (and 12/13 consistency)
    for (const path of indexPaths.slice(0, max)) {
      documents++;
      const url = new URL(path, dir).toString();
      const res = await get(url);
      if (!ok(res)) {
        fail(12, `${path} is listed but ${res ? `answers HTTP ${res.status}` : 'redirects'}`);
        continue;
      }
      let doc: Record<string, unknown>;
      try {
        doc = asObject(JSON.parse(res.text));
      } catch (e) {
        fail(1, `${path}: not JSON (${(e as Error).message})`);
        continue;
      }
      const v = await validateCsaf(doc, { strict: false });
      for (const e of v.errors) fail(1, `${path}: ${describeProblem(e)}`);
      const d = asObject(doc.document);
      const tracking = asObject(d.tracking);
      const id = typeof tracking.id === 'string' ? tracking.id : '';
      const name = path.split('/').pop() ?? '';
      if (name !== csafFileName(id))
        fail(2, `${path}: tracking id ${id} gives the file name ${csafFileName(id)}`);
      const year = str(tracking.initial_release_date).slice(0, 4);
      if (!/^\d{4}\/[^/]+$/.test(path) || !path.startsWith(`${year}/`))
        fail(11, `${path}: not in the folder of its initial release year ${year}`);
      const label = str(asObject(asObject(d.distribution).tlp).label).toUpperCase();
      if (tlpOfDir === 'WHITE' || tlpOfDir === 'CLEAR') {
        if (label !== 'WHITE' && label !== 'CLEAR') {
          fail(4, `${path}: TLP:${label || '(none)'} in the ${tlpOfDir} directory`);
          if (label === 'AMBER' || label === 'RED')
            fail(5, `${path}: TLP:${label} served without credentials`);
        }
      }
      const date = inChanges.get(path);
      if (
        date &&
        date !== tracking.current_release_date &&
        Date.parse(date) !== Date.parse(String(tracking.current_release_date))
      )
        fail(
          13,
          `${path}: changes.csv says ${date}, the document's current_release_date is ${String(tracking.current_release_date)}`,
        );

      for (const alg of ['sha256', 'sha512'] as const) {
        const h = await get(`${url}.${alg}`);
        if (!ok(h)) fail(18, `${path}.${alg}: ${h ? `HTTP ${h.status}` : 'redirect'}`);
        else if ((h.text.trim().split(/\s+/)[0] ?? '').toLowerCase() !== sha(alg, res.bytes))
          fail(18, `${path}.${alg} does not match the document`);
      }
      const asc = await get(`${url}.asc`);
      if (!ok(asc)) fail(19, `${path}.asc: ${asc ? `HTTP ${asc.status}` : 'redirect'}`);
      else if (keys.length === 0) fail(19, `${path}.asc: no public key to verify it with`);
      else
        try {
          const r = await openpgp.verify({
            message: await openpgp.createMessage({ binary: res.bytes }),
            signature: await openpgp.readSignature({ armoredSignature: asc.text }),
            verificationKeys: keys,
          });
          const first = r.signatures[0];
          if (!first) fail(19, `${path}.asc holds no signature`);
          else await first.verified;
        } catch (e) {
          fail(19, `${path}.asc does not verify: ${(e as Error).message}`);
        }
    }
    if (indexPaths.length > max)
      note(1, `${indexPaths.length - max} documents of ${dir} not read (--max ${max})`);
  }
  if (documents === 0) for (const id of [1, 2, 11, 18, 19]) if (!problems.has(id)) na.set(id, 'no documents');
  if (!problems.has(4) && !na.has(4)) note(4, `${documents} documents read without credentials`);

  // 3: TLS
  const insecure = [...new Set(urls.map((u) => new URL(u)))].filter((u) => u.protocol !== 'https:');
  if (insecure.length === 0) note(3, 'every URL is https');
  else if (insecure.every((u) => LOOPBACK.test(u.hostname))) na.set(3, 'loopback address: TLS aside');
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
  return { metadataUrl, results, ok: results.every((r) => r.outcome !== 'fail'), documents };
}

/** The check as text: one line a requirement, its details indented. */
export function formatCheck(c: ProviderCheck): string {
  const lines = [`CSAF provider ${c.metadataUrl} (${c.documents} documents read)`];
  for (const r of c.results) {
    lines.push(`${String(r.id).padStart(2)}  ${r.outcome.padEnd(14)} ${r.title}`);
    for (const d of r.details) lines.push(`      ${d}`);
  }
  lines.push(c.ok ? 'every requirement that applies passes' : 'FAILED');
  return `${lines.join('\n')}\n`;
}
