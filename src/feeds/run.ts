/**
 * One run of a leased feed: download (conditional) → settle and check the body → import → status.
 *
 * The status (ETag, Last-Modified, lastSuccessAt) moves only after the import has returned, in the same
 * transaction as the run's history row. A body that is refused, an import that stops part-way, or a process
 * that dies mid-run leaves them where they were, so the next run downloads the body again; records already
 * written by the interrupted run are then "unchanged" (the importer compares hashes), nothing is doubled.
 *
 * Why resuming after downtime misses nothing: every format is fetched as a full snapshot (the whole KEV
 * catalogue, a CNVD share file, a CVE record or a zip of a cvelistV5 tree), so the first run that succeeds
 * after any number of failed ones imports every record added meanwhile. A feed URL must therefore point at a
 * snapshot, not at a delta (cvelistV5's hourly "delta" zips would skip what an outage missed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transaction } from 'kysely';
import type { Database } from '../db/client.js';
import type { DB } from '../db/schema.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems, type ImportSummary } from '../imports/pipeline.js';
import type { ImportIssue, ParseItem } from '../vulns/model.js';
import { BodyError, settleBody } from './body.js';
import { runProviderFeed, type ProviderDocumentCounts } from './csaf-provider.js';
import { download, DownloadError } from './download.js';
import { NO_COUNTS, type FeedCounts, type FeedFormat, type FeedOutcome, type RetryPolicy } from './model.js';
import * as store from './store.js';

export interface SyncResult {
  feed: string;
  format: FeedFormat;
  url: string;
  outcome: FeedOutcome;
  httpStatus: number | null;
  /** HTTP requests made (retries included). */
  attempts: number;
  bytes: number;
  counts: FeedCounts;
  importRunId: number | null;
  /** Why the run failed: names the feed and its URL. */
  error: string | null;
  /** The importer's record-level issues (first 200); for a CSAF provider also each refused document, by URL. */
  issues: ImportIssue[];
  /** A CSAF provider's documents: listed, fetched (new or changed), imported, invalid, refused. */
  documents?: ProviderDocumentCounts;
  /** False when another worker took the lease over meanwhile (the run's status was then left to it). */
  statusApplied: boolean;
  durationMs: number;
}

export interface RunDeps {
  database: Database;
  clock: () => Date;
  policy: RetryPolicy;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  batchSize?: number;
  tmpDir?: string;
  cveSchemaFile?: string | undefined;
}

const ISSUE_CAP = 200;

/** What a run has done so far (the last HTTP status, requests, bytes), kept when it fails part-way. */
export interface Progress {
  httpStatus: number | null;
  attempts: number;
  bytes: number;
}
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runFeed(
  feed: store.FeedRow,
  token: string,
  deps: RunDeps,
  opts: { force?: boolean } = {},
): Promise<SyncResult> {
  const { database, clock, policy } = deps;
  // The column only holds formats addFeed checked (isFeedFormat); IMPORT_FORMATS below refuses anything else.
  const format = feed.format as FeedFormat;
  const startedAt = clock();
  const started = performance.now();
  const heartbeat = setInterval(
    () =>
      void store
        .renewLease(database.db, feed.name, token, new Date(clock().getTime() + policy.leaseMs).toISOString())
        .catch(() => undefined),
    Math.max(1000, Math.floor(policy.leaseMs / 3)),
  );
  heartbeat.unref();
  const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'vulnshare-feed-'));
  // what the run has done so far: known even when it fails part-way
  const progress: Progress = { httpStatus: null, attempts: 0, bytes: 0 };
  let summary: ImportSummary | null = null;
  let outcome: FeedOutcome = 'failed';
  let error: string | null = null;
  let validators: { etag: string | null; lastModified: string | null } = {
    etag: feed.etag,
    lastModified: feed.last_modified,
  };
  const where = `feed "${feed.name}" (${feed.url})`;
  let documents: ProviderDocumentCounts | undefined;
  let notes: ImportIssue[] = [];
  let commit: ((tx: Transaction<DB>) => Promise<void>) | undefined;
  try {
    if (format === 'csaf-provider') {
      const r = await runProviderFeed(feed, { ...deps, dir, progress }, opts);
      ({ summary, outcome, validators, documents, notes, commit } = r);
    } else {
      const r = await runSnapshot(feed, format, { ...deps, dir, progress }, opts);
      ({ summary, outcome, validators } = r);
    }
  } catch (e) {
    if (e instanceof DownloadError) {
      progress.httpStatus = e.httpStatus;
      // a provider's run counts the requests of every file it fetched; a snapshot's is this download's
      if (format !== 'csaf-provider') progress.attempts = e.attempts;
    }
    error = `${where}: ${msg(e)}`;
  } finally {
    clearInterval(heartbeat);
    await rm(dir, { recursive: true, force: true });
  }

  const { httpStatus, attempts, bytes } = progress;
  const finishedAt = clock();
  const counts: FeedCounts = summary
    ? {
        read: summary.read,
        imported: summary.imported,
        updated: summary.updated,
        unchanged: summary.unchanged,
        rejected: summary.rejected,
      }
    : NO_COUNTS;
  const failed = outcome === 'failed';
  const statusApplied = await store.finishRun(
    database.db,
    feed.name,
    token,
    {
      failed,
      last_outcome: outcome,
      last_http_status: httpStatus,
      last_read: counts.read,
      last_imported: counts.imported,
      last_updated: counts.updated,
      last_unchanged: counts.unchanged,
      last_rejected: counts.rejected,
      next_run_at: nextRunAt(feed, finishedAt, failed, policy),
      ...(failed
        ? { last_error: error, last_error_at: finishedAt.toISOString() }
        : {
            last_success_at: finishedAt.toISOString(),
            etag: validators.etag,
            last_modified: validators.lastModified,
          }),
    },
    {
      url: feed.url,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      outcome,
      http_status: httpStatus,
      attempts,
      bytes,
      ...counts,
      import_run_id: summary?.runId ?? null,
      error,
    },
    commit,
  );
  return {
    feed: feed.name,
    format,
    url: feed.url,
    outcome,
    httpStatus,
    attempts,
    bytes,
    counts,
    importRunId: summary?.runId ?? null,
    error,
    issues: [...(summary?.issues ?? []), ...notes].slice(0, ISSUE_CAP),
    ...(documents ? { documents } : {}),
    statusApplied,
    durationMs: Math.round(performance.now() - started),
  };
}

/** A feed whose URL serves the whole catalogue: one conditional download, settled, imported. */
async function runSnapshot(
  feed: store.FeedRow,
  format: FeedFormat,
  deps: RunDeps & { dir: string; progress: Progress },
  opts: { force?: boolean },
): Promise<{
  summary: ImportSummary | null;
  outcome: FeedOutcome;
  validators: { etag: string | null; lastModified: string | null };
}> {
  const dl = await download(
    {
      url: feed.url,
      file: join(deps.dir, 'body.download'),
      etag: opts.force ? null : feed.etag,
      lastModified: opts.force ? null : feed.last_modified,
    },
    {
      policy: deps.policy,
      now: () => deps.clock().getTime(),
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.random ? { random: deps.random } : {}),
    },
  );
  deps.progress.httpStatus = dl.status;
  deps.progress.attempts = dl.attempts;
  if (dl.kind === 'not_modified')
    return {
      summary: null,
      outcome: 'not_modified',
      validators: { etag: dl.etag ?? feed.etag, lastModified: dl.lastModified ?? feed.last_modified },
    };
  deps.progress.bytes = dl.bytes;
  const body = await settleBody(dl.file, format, deps.policy.maxBytes);
  const fmt = IMPORT_FORMATS[format];
  if (!fmt) throw new Error(`no importer for format "${format}"`);
  const summary = await importItems(
    deps.database,
    relabel(fmt.parse([body.path], { cveSchemaFile: deps.cveSchemaFile }), body.path, feed.url),
    {
      format,
      paths: [feed.url],
      ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
    },
  );
  const fatal = summary.issues.find((i) => i.record === undefined);
  if (fatal) throw new BodyError(`the import stopped: ${fatal.message}`);
  return {
    summary,
    outcome: 'imported',
    validators: { etag: dl.etag, lastModified: dl.lastModified },
  };
}

/** After success: one schedule on. After a failure: sooner, backing off — never later than the schedule. */
function nextRunAt(feed: store.FeedRow, at: Date, failed: boolean, policy: RetryPolicy): string | null {
  if (feed.schedule_ms === null) return null;
  const failures = feed.consecutive_failures + 1;
  const delay = failed
    ? Math.min(feed.schedule_ms, policy.failureRescheduleMs * 2 ** Math.min(failures - 1, 20))
    : feed.schedule_ms;
  return new Date(at.getTime() + delay).toISOString();
}

/** Records and issues name the feed's URL, not the temporary file they were read from. */
async function* relabel(
  items: AsyncIterable<ParseItem>,
  path: string,
  url: string,
): AsyncGenerator<ParseItem> {
  const fix = (f: string) => (f.startsWith(path) ? `${url}${f.slice(path.length)}` : f);
  for await (const it of items) {
    yield it.ok
      ? { ...it, file: fix(it.file) }
      : { ...it, file: fix(it.file), issue: { ...it.issue, file: fix(it.issue.file) } };
  }
}
