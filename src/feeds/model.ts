/**
 * Feeds: a remote catalogue (CISA KEV, a CVE JSON 5 record or zip snapshot, CNVD share XML, a CSAF document, or
 * a CSAF provider followed through its provider-metadata.json) fetched over HTTP on a schedule or on demand and
 * run through the ordinary import pipeline. The retry policy and the
 * meaning of each HTTP status are tables here, not branches in the downloader.
 */
import { AppError } from '../errors.js';

export const FEED_FORMATS = ['kev', 'cve5', 'cnvd-xml', 'csaf', 'csaf-provider', 'gcve'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const isFeedFormat = (v: string): v is FeedFormat => (FEED_FORMATS as readonly string[]).includes(v);

/** Body kinds each format's importer accepts, by file extension; the temp file is named with one of them. */
export const FORMAT_BODY_KINDS: Record<FeedFormat, readonly BodyKind[]> = {
  kev: ['json', 'csv'],
  cve5: ['json', 'zip'],
  'cnvd-xml': ['xml'],
  csaf: ['json'],
  // the provider metadata; its documents are fetched one by one (csaf-provider.ts)
  'csaf-provider': ['json'],
  // a GNA's GCVE-BCP-03 dump, /dumps/gna-<id>.ndjson
  gcve: ['ndjson'],
};

/**
 * A `csaf` feed pointed at a provider's metadata follows the provider: `feeds add csaf csaf
 * https://…/.well-known/csaf/provider-metadata.json` registers a `csaf-provider` feed.
 */
export function feedFormatFor(format: FeedFormat, url: URL): FeedFormat {
  return format === 'csaf' && /\/provider-metadata\.json$/i.test(url.pathname) ? 'csaf-provider' : format;
}
export type BodyKind = 'json' | 'ndjson' | 'csv' | 'xml' | 'zip';

export type FeedOutcome = 'imported' | 'not_modified' | 'failed';

export interface FeedCounts {
  read: number;
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export const NO_COUNTS: FeedCounts = { read: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0 };

export interface FeedStatus {
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastOutcome: FeedOutcome | null;
  lastHttpStatus: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  etag: string | null;
  lastModified: string | null;
  /** Records of the last run (all zero after "not modified" or a failure). */
  lastCounts: FeedCounts;
  consecutiveFailures: number;
  nextRunAt: string | null;
  /** A worker holds the feed until then (null when idle). */
  leasedUntil: string | null;
}

export interface Feed {
  name: string;
  format: FeedFormat;
  url: string;
  /** Interval between scheduled runs in ms; null = on demand only. */
  scheduleMs: number | null;
  /** The same as text ('6h', '1h30m'); null = on demand only. */
  schedule: string | null;
  createdAt: string;
  status: FeedStatus;
}

export interface FeedRun {
  id: number;
  feed: string;
  url: string;
  startedAt: string;
  finishedAt: string;
  outcome: FeedOutcome;
  httpStatus: number | null;
  attempts: number;
  bytes: number;
  counts: FeedCounts;
  importRunId: number | null;
  error: string | null;
}

/** How hard one run tries before it records a failure; `syncDue` tries again at the next scheduled time. */
export interface RetryPolicy {
  /** HTTP requests per run, the first included. */
  attempts: number;
  /** Backoff before retry n is min(max, base · 2^(n-1)), with "equal jitter" (half fixed, half random). */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is cut to it. */
  maxRetryAfterMs: number;
  /** Until the response headers arrive. */
  requestTimeoutMs: number;
  /** The body may stall this long between chunks (a large zip may take minutes in all; a stall may not). */
  idleTimeoutMs: number;
  /** Bodies larger than this are refused (disk guard). */
  maxBytes: number;
  /** After a failed scheduled run the next is due after min(schedule, base · 2^(failures-1)). */
  failureRescheduleMs: number;
  /** How long a worker holds a feed; renewed while the run lasts. */
  leaseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseBackoffMs: 2_000,
  maxBackoffMs: 60_000,
  maxRetryAfterMs: 300_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  maxBytes: 2 * 1024 ** 3,
  failureRescheduleMs: 5 * 60_000,
  leaseMs: 10 * 60_000,
};

/** What a response status means for the run: the first matching row wins. */
export type StatusAction = 'body' | 'not_modified' | 'retry' | 'fail';
export const STATUS_RULES: ReadonlyArray<{ from: number; to: number; action: StatusAction; why: string }> = [
  { from: 200, to: 200, action: 'body', why: 'the catalogue' },
  { from: 304, to: 304, action: 'not_modified', why: 'unchanged since the stored ETag / Last-Modified' },
  { from: 408, to: 408, action: 'retry', why: 'request timeout' },
  { from: 429, to: 429, action: 'retry', why: 'rate limited (Retry-After honoured)' },
  { from: 500, to: 599, action: 'retry', why: 'server error (Retry-After honoured)' },
  { from: 100, to: 599, action: 'fail', why: 'any other status: retrying would get the same answer' },
];

export function statusAction(status: number): StatusAction {
  return STATUS_RULES.find((r) => status >= r.from && status <= r.to)?.action ?? 'fail';
}

/** Backoff before retry `n` (1-based), jittered by `random` ∈ [0, 1). */
export function backoffMs(policy: RetryPolicy, n: number, random: number): number {
  const cap = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (n - 1));
  return Math.round(cap / 2 + (cap / 2) * random);
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The longest schedule: a year (a timer further out is a mistake, and must fit the bigint column). */
export const MAX_SCHEDULE_MS = 366 * 86_400_000;

/** '6h', '1d', '1h30m', '90s' → milliseconds. */
export function parseInterval(text: string): number {
  const t = text.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(t))
    throw new AppError(
      'invalid_parameter',
      `"${text}" is not an interval: use a number and a unit, like 30m, 6h, 1d or 1h30m`,
      { schedule: text },
    );
  let ms = 0;
  for (const m of t.matchAll(/(\d+)([smhdw])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  if (ms < 60_000)
    throw new AppError('invalid_parameter', `schedule "${text}" is shorter than one minute`, {
      schedule: text,
    });
  if (!Number.isSafeInteger(ms) || ms > MAX_SCHEDULE_MS)
    throw new AppError('invalid_parameter', `schedule "${text}" is longer than a year`, { schedule: text });
  return ms;
}

/** 21600000 → '6h'; 5400000 → '1h30m'. */
export function formatInterval(ms: number): string {
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || '0s';
}

/** http(s) URLs only; anything else is refused before a feed is stored or fetched. */
export function checkFeedUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('invalid_parameter', `"${url}" is not a URL`, { url });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new AppError('invalid_parameter', `feed URL must be http:// or https:// (got "${url}")`, { url });
  return u;
}

const NAME_RE = /^[a-z0-9][a-z0-9._@-]{0,79}$/i;
export function checkFeedName(name: string): string {
  if (!NAME_RE.test(name))
    throw new AppError(
      'invalid_parameter',
      `feed name "${name}" must be 1–80 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`,
      { name },
    );
  return name;
}
