/**
 * One run of a `csaf-provider` feed: vulnshare as a CSAF aggregator following a provider's
 * provider-metadata.json (the feed's URL).
 *
 *   1. the metadata (conditional GET with the feed's ETag / Last-Modified; a 304 reuses the stored copy)
 *   2. the provider's OpenPGP keys from the URLs it lists, each accepted only with the listed fingerprint
 *   3. the public distributions: ROLIE feeds if it lists any, else directories through changes.csv
 *   4. only the documents new or changed since the last look (csaf/aggregator.ts documentsToFetch): each
 *      downloaded with its hash files and signature, checked (TLP, hash, signature), then handed to the CSAF
 *      importer (validation, records). A document that fails a check is refused and named in the run's issues;
 *      the others land.
 *   5. `commit(tx)`: the listings and document states, written by run.ts in the transaction that ends the run,
 *      so an interrupted run leaves everything to look at again.
 *
 * Every file goes through the same download as any feed (guarded fetch, retries with backoff, size caps).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import type { Transaction } from 'kysely';
import type { Database } from '../db/client.js';
import type { DB } from '../db/schema.js';
import { importItems, type ImportSummary } from '../imports/pipeline.js';
import { ZIP_LIMITS } from '../imports/zip.js';
import type { ImportIssue, ParseItem } from '../vulns/model.js';
import {
  documentsToFetch,
  hashMismatch,
  INTEGRITY_BY_ROLE,
  parseChangesCsv,
  parseRolieFeed,
  ProviderError,
  readProviderKey,
  readProviderMetadata,
  sha,
  signatureProblem,
  tlpProblem,
  trackingOf,
  type ListedDocument,
  type ProviderMetadata,
} from '../csaf/aggregator.js';
import { parseCsafText } from '../csaf/parse.js';
import * as aggregatorStore from '../csaf/aggregator-store.js';
import { download, DownloadError } from './download.js';
import type { RetryPolicy } from './model.js';
import type { Progress } from './run.js';
import type { FeedRow } from './store.js';

export interface ProviderRunDeps {
  database: Database;
  clock: () => Date;
  policy: RetryPolicy;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  batchSize?: number;
  /** The run's temporary folder (run.ts removes it). */
  dir: string;
  /** Updated as files are fetched: the metadata's HTTP status, requests (retries included) and bytes. */
  progress: Progress;
}

/** Documents of one run: listed by the distributions, fetched (new or changed), and what came of them. */
export interface ProviderDocumentCounts {
  listed: number;
  fetched: number;
  imported: number;
  invalid: number;
  refused: number;
}

export interface ProviderRunResult {
  outcome: 'imported' | 'not_modified';
  /** The metadata's validators, kept as the feed's. */
  validators: { etag: string | null; lastModified: string | null };
  summary: ImportSummary | null;
  documents: ProviderDocumentCounts;
  /** Problems that refused no document: listing lines that could not be read, keys not accepted. */
  notes: ImportIssue[];
  commit: (tx: Transaction<DB>) => Promise<void>;
}

type Fetched =
  | {
      kind: 'body';
      status: number;
      text: string;
      bytes: Buffer;
      etag: string | null;
      lastModified: string | null;
    }
  | { kind: 'not_modified' }
  | { kind: 'missing'; status: number };

export async function runProviderFeed(
  feed: FeedRow,
  deps: ProviderRunDeps,
  opts: { force?: boolean } = {},
): Promise<ProviderRunResult> {
  const { database, policy } = deps;
  const db = database.db;
  const progress = deps.progress;
  let fileNo = 0;
  const docMax = Math.min(policy.maxBytes, ZIP_LIMITS.maxEntryBytes);

  /** One file over the feed's download; 404 / 410 are `missing` (the caller decides what that means). */
  async function fetchFile(
    url: string,
    validators: { etag: string | null; lastModified: string | null } | null,
    maxBytes = policy.maxBytes,
  ): Promise<Fetched> {
    const file = join(deps.dir, `file-${++fileNo}.download`);
    try {
      const dl = await download(
        {
          url,
          file,
          etag: opts.force ? null : (validators?.etag ?? null),
          lastModified: opts.force ? null : (validators?.lastModified ?? null),
        },
        {
          policy: { ...policy, maxBytes },
          now: () => deps.clock().getTime(),
          ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          ...(deps.random ? { random: deps.random } : {}),
        },
      );
      progress.attempts += dl.attempts;
      if (dl.kind === 'not_modified') return { kind: 'not_modified' };
      progress.bytes += dl.bytes;
      const body = await readFile(dl.file);
      return {
        kind: 'body',
        status: dl.status,
        bytes: body,
        text: body.toString('utf8'),
        etag: dl.etag,
        lastModified: dl.lastModified,
      };
    } catch (e) {
      if (e instanceof DownloadError) {
        progress.attempts += e.attempts;
        if (e.httpStatus === 404 || e.httpStatus === 410) return { kind: 'missing', status: e.httpStatus };
      }
      throw e;
    } finally {
      await rm(file, { force: true });
    }
  }

  const cache = await aggregatorStore.listingsOf(db, feed.name);
  const seenListings: aggregatorStore.CachedListing[] = [];
  /** A listing (metadata, changes.csv, ROLIE feed, key): conditional on its stored copy; the run fails without it. */
  async function listing(
    url: string,
    validators: { etag: string | null; lastModified: string | null } | null = cache.get(url) ?? null,
  ): Promise<{ text: string; status: number }> {
    const cached = cache.get(url);
    let got = await fetchFile(url, cached ? validators : null);
    if (got.kind === 'not_modified' && !cached) got = await fetchFile(url, null);
    if (got.kind === 'missing') throw new ProviderError(`${url} answered HTTP ${got.status}`);
    if (got.kind === 'not_modified') {
      if (!cached) throw new ProviderError(`${url} answered 304 to an unconditional request`);
      return { text: cached.body, status: 304 };
    }
    seenListings.push({ url, etag: got.etag, lastModified: got.lastModified, body: got.text });
    return { text: got.text, status: got.status };
  }

  // 1. the metadata, with the feed's own validators
  const metaValidators = { etag: feed.etag, lastModified: feed.last_modified };
  const metaAnswer = await listing(feed.url, metaValidators);
  progress.httpStatus = metaAnswer.status;
  const meta: ProviderMetadata = readProviderMetadata(metaAnswer.text, feed.url);
  const metaSeen = seenListings.find((l) => l.url === feed.url);
  const validators = metaSeen ? { etag: metaSeen.etag, lastModified: metaSeen.lastModified } : metaValidators;
  const integrity = INTEGRITY_BY_ROLE[meta.role];
  const notes: ImportIssue[] = meta.skipped.map((s) => ({ file: feed.url, message: `not followed: ${s}` }));

  // 2. the keys
  const keys: openpgp.PublicKey[] = [];
  for (const ref of meta.keys) {
    try {
      keys.push(await readProviderKey((await listing(ref.url)).text, ref));
    } catch (e) {
      if (!(e instanceof ProviderError || e instanceof DownloadError)) throw e;
      notes.push({ file: ref.url, message: `OpenPGP key not used: ${e.message}` });
    }
  }
  if (integrity.signature === 'required' && keys.length === 0)
    throw new ProviderError(
      `the provider is a ${meta.role} but none of its ${meta.keys.length} OpenPGP key(s) could be used, so no signature can be checked${
        notes.length ? ` (${notes.map((n) => n.message).join('; ')})` : ''
      }`,
    );

  // 3. the distributions
  const listed: ListedDocument[] = [];
  const sources = meta.rolieFeeds.length
    ? meta.rolieFeeds.map((u) => ({ url: u, read: (t: string) => parseRolieFeed(t, u) }))
    : meta.directories.map((d) => ({ url: `${d}changes.csv`, read: (t: string) => parseChangesCsv(t, d) }));
  if (sources.length === 0)
    throw new ProviderError(
      `the provider lists no public distribution (ROLIE feed or directory)${meta.skipped.length ? `; not followed: ${meta.skipped.join(', ')}` : ''}`,
    );
  const seenUrls = new Set<string>();
  for (const src of sources) {
    const l = src.read((await listing(src.url)).text);
    for (const p of l.problems) notes.push({ file: src.url, message: p });
    for (const d of l.documents) {
      if (seenUrls.has(d.url)) continue;
      seenUrls.add(d.url);
      listed.push(d);
    }
  }

  // 4. the documents that changed
  const known = await aggregatorStore.knownDocuments(db, feed.name);
  const toFetch = documentsToFetch(listed, known, { all: !!opts.force });
  const states: aggregatorStore.DocumentState[] = [];
  const counts: ProviderDocumentCounts = {
    listed: listed.length,
    fetched: 0,
    imported: 0,
    invalid: 0,
    refused: 0,
  };

  const commit = async (tx: Transaction<DB>) =>
    aggregatorStore.saveProviderState(tx, feed.name, deps.clock().toISOString(), seenListings, states);

  if (toFetch.length === 0)
    return {
      outcome: 'not_modified',
      validators,
      summary: null,
      documents: counts,
      notes,
      commit,
    };

  async function* items(): AsyncGenerator<ParseItem> {
    let index = 0;
    for (const d of toFetch) {
      index++;
      const state: aggregatorStore.DocumentState = {
        url: d.url,
        listedAt: d.listedAt,
        outcome: 'refused',
        reason: null,
        sha256: null,
        trackingId: null,
        version: null,
      };
      states.push(state);
      const refuse = (reason: string, record?: string): ParseItem => {
        state.outcome = 'refused';
        state.reason = reason;
        counts.refused++;
        return {
          ok: false,
          file: d.url,
          index,
          issue: { file: d.url, ...(record ? { record } : {}), message: `refused: ${reason}` },
        };
      };
      const checked = await checkDocument(d, state);
      if (!checked.ok) {
        yield refuse(checked.reason, state.trackingId ?? undefined);
        continue;
      }
      const parsed = await parseCsafText(checked.text, d.url, index);
      const failed = parsed.find((p) => !p.ok);
      if (failed && !failed.ok) {
        state.outcome = 'invalid';
        state.reason = failed.issue.message;
        counts.invalid++;
      } else {
        state.outcome = 'imported';
        counts.imported++;
      }
      yield* parsed;
    }
  }

  /** Download and check one document: its text, or why it is refused. */
  async function checkDocument(
    d: ListedDocument,
    state: aggregatorStore.DocumentState,
  ): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
    const no = (reason: string) => ({ ok: false as const, reason });
    let doc: Fetched;
    try {
      doc = await fetchFile(d.url, null, docMax);
    } catch (e) {
      return no(`download failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (doc.kind !== 'body')
      return no(
        `the document is listed but answered ${doc.kind === 'missing' ? `HTTP ${doc.status}` : '304'}`,
      );
    counts.fetched++;
    state.sha256 = sha('sha256', doc.bytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(doc.text);
    } catch {
      parsed = null; // the importer names the JSON problem; integrity is still checked first
    }
    const t = trackingOf(parsed);
    state.trackingId = t.id;
    state.version = t.version;
    const tlp = tlpProblem(parsed);
    if (tlp) return no(tlp);
    try {
      let hashed = false;
      for (const h of d.hashes) {
        const f = await fetchFile(h.url, null, 64 * 1024);
        if (f.kind !== 'body') {
          if (h.listed)
            return no(
              `its listed hash file ${h.url} answered ${f.kind === 'missing' ? `HTTP ${f.status}` : '304'}`,
            );
          continue;
        }
        const bad = hashMismatch(h.alg, doc.bytes, f.text);
        if (bad) return no(bad);
        hashed = true;
        if (!h.listed) break; // one of the usual hash files is enough
      }
      if (!hashed && integrity.hash === 'required')
        return no(`no hash file (${d.hashes.map((h) => h.url).join(', ')})`);
      const sig = await fetchFile(d.signature.url, null, 64 * 1024);
      if (sig.kind === 'body') {
        const bad = await signatureProblem(doc.bytes, sig.text, keys);
        if (bad) return no(bad);
      } else if (integrity.signature === 'required' || d.signature.listed)
        return no(
          `no signature (${d.signature.url} answered ${sig.kind === 'missing' ? `HTTP ${sig.status}` : '304'})`,
        );
    } catch (e) {
      return no(`hash or signature download failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { ok: true, text: doc.text };
  }

  const summary = await importItems(database, items(), {
    format: 'csaf',
    paths: [feed.url],
    ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
  });
  return {
    outcome: 'imported',
    validators,
    summary,
    documents: counts,
    notes,
    commit,
  };
}
