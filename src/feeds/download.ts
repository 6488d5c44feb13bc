/**
 * One feed download: a conditional GET (If-None-Match / If-Modified-Since from the stored status) streamed to
 * a file on disk, never held whole in memory. Network errors, timeouts, 408, 429 and 5xx are retried with
 * exponential backoff and jitter (Retry-After honoured); other statuses fail at once. A body shorter than its
 * Content-Length is an error (retried), so a cut connection never reaches the importer.
 * gzip / deflate Content-Encoding is undone by fetch itself.
 *
 * Redirects are followed (up to 5 hops; a feed's snapshot often sits behind one, as GitHub release downloads
 * do), each hop a new request through the guarded fetch (src/outbound/fetch.ts): a hop to an internal address
 * is refused like the first request, at once and without retrying.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { createGuardedFetch, TargetRefused } from '../outbound/fetch.js';
import { backoffMs, statusAction, type RetryPolicy } from './model.js';

export interface DownloadRequest {
  url: string;
  /** Where the body goes (the caller owns the folder and removes it). */
  file: string;
  etag: string | null;
  lastModified: string | null;
}

export type DownloadResult =
  | { kind: 'not_modified'; status: 304; attempts: number; etag: string | null; lastModified: string | null }
  | {
      kind: 'body';
      status: number;
      attempts: number;
      file: string;
      bytes: number;
      etag: string | null;
      lastModified: string | null;
      contentType: string | null;
    };

export interface DownloadDeps {
  fetchImpl?: typeof fetch;
  policy: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** A download that gave up: the message says why, `status` is the last HTTP status seen (if any). */
export class DownloadError extends AppError {
  constructor(
    message: string,
    readonly httpStatus: number | null,
    readonly attempts: number,
  ) {
    super('unavailable', message, { httpStatus, attempts });
  }
}

type Attempt =
  | { kind: 'done'; result: DownloadResult }
  | { kind: 'retry'; reason: string; status: number | null; retryAfterMs?: number }
  | { kind: 'fail'; reason: string; status: number | null };

/** Public targets only; the feed service passes one with the configured internal-target allowance. */
const defaultFetch = createGuardedFetch();

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function download(req: DownloadRequest, deps: DownloadDeps): Promise<DownloadResult> {
  const { policy } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  let last: Attempt | undefined;
  for (let n = 1; n <= policy.attempts; n++) {
    if (n > 1 && last?.kind === 'retry') {
      const backoff = backoffMs(policy, n - 1, random());
      const wait =
        last.retryAfterMs === undefined
          ? backoff
          : Math.max(backoff, Math.min(last.retryAfterMs, policy.maxRetryAfterMs));
      await sleep(wait);
    }
    last = await attemptOnce(req, deps, n, now);
    if (last.kind === 'done') return last.result;
    if (last.kind === 'fail') throw new DownloadError(`${last.reason} (not retried)`, last.status, n);
  }
  const reason = last && last.kind === 'retry' ? last.reason : 'no attempt made';
  const status = last && last.kind !== 'done' ? last.status : null;
  throw new DownloadError(
    `${reason} (gave up after ${policy.attempts} attempt${policy.attempts === 1 ? '' : 's'})`,
    status,
    policy.attempts,
  );
}

async function attemptOnce(
  req: DownloadRequest,
  deps: DownloadDeps,
  attempt: number,
  now: () => number,
): Promise<Attempt> {
  const { policy } = deps;
  const doFetch = deps.fetchImpl ?? defaultFetch;
  const ctl = new AbortController();
  const headerTimer = setTimeout(
    () => ctl.abort(new Error(`no response within ${policy.requestTimeoutMs} ms`)),
    policy.requestTimeoutMs,
  );
  const headers: Record<string, string> = { 'user-agent': 'vulnshare-feeds/1', accept: '*/*' };
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  let res: Response;
  try {
    res = await doFetch(req.url, { headers, signal: ctl.signal, redirect: 'follow' });
  } catch (e) {
    // an internal address or a redirect the platform may not follow: asking again would not change that
    if (e instanceof TargetRefused) return { kind: 'fail', reason: e.message, status: null };
    return { kind: 'retry', reason: describe(e, ctl.signal), status: null };
  } finally {
    clearTimeout(headerTimer);
  }
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  const action = statusAction(res.status);
  const statusText = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (action !== 'body') {
    await res.body?.cancel().catch(() => undefined);
    switch (action) {
      case 'not_modified':
        if (!req.etag && !req.lastModified)
          return { kind: 'fail', reason: `${statusText} to an unconditional request`, status: res.status };
        return {
          kind: 'done',
          result: { kind: 'not_modified', status: 304, attempts: attempt, etag, lastModified },
        };
      case 'retry': {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
        return {
          kind: 'retry',
          reason: statusText,
          status: res.status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      }
      case 'fail':
        return { kind: 'fail', reason: statusText, status: res.status };
    }
  }
  const declared = declaredLength(res.headers);
  if (declared !== null && declared > policy.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return {
      kind: 'fail',
      reason: `body of ${declared} bytes exceeds the ${policy.maxBytes}-byte limit`,
      status: 200,
    };
  }
  if (!res.body) return { kind: 'retry', reason: `${statusText} without a body`, status: res.status };
  let bytes = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () => ctl.abort(new Error(`the body stalled: no data for ${policy.idleTimeoutMs} ms`)),
      policy.idleTimeoutMs,
    );
  };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      arm();
      if (bytes > policy.maxBytes) return done(new TooLarge(policy.maxBytes));
      done(null, chunk);
    },
  });
  arm();
  try {
    await pipeline(Readable.fromWeb(res.body), counter, createWriteStream(req.file));
  } catch (e) {
    await rm(req.file, { force: true });
    if (e instanceof TooLarge) return { kind: 'fail', reason: e.message, status: res.status };
    return {
      kind: 'retry',
      reason: `the body broke off after ${bytes} bytes: ${describe(e, ctl.signal)}`,
      status: res.status,
    };
  } finally {
    clearTimeout(idleTimer);
  }
  if (declared !== null && bytes !== declared) {
    await rm(req.file, { force: true });
    return {
      kind: 'retry',
      reason: `truncated body: ${bytes} of the ${declared} bytes announced by Content-Length`,
      status: res.status,
    };
  }
  return {
    kind: 'done',
    result: {
      kind: 'body',
      status: res.status,
      attempts: attempt,
      file: req.file,
      bytes,
      etag,
      lastModified,
      contentType: res.headers.get('content-type'),
    },
  };
}

class TooLarge extends Error {
  constructor(limit: number) {
    super(`body exceeds the ${limit}-byte limit`);
  }
}

/** Content-Length of the body fetch hands over: only meaningful when no Content-Encoding was undone. */
function declaredLength(h: Headers): number | null {
  const enc = (h.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const len = h.get('content-length');
  if (enc !== 'identity' || len === null || !/^\d+$/.test(len.trim())) return null;
  return Number(len);
}

/** Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(v: string | null, nowMs: number): number | undefined {
  if (!v) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** fetch's errors say "fetch failed" / "terminated"; the reason is in `cause` (ECONNREFUSED, other side closed …). */
function describe(e: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(
        typeof code === 'string' && !cur.message.includes(code) ? `${cur.message} (${code})` : cur.message,
      );
      cur = cur.cause;
    } else {
      parts.push(typeof cur === 'string' ? cur : JSON.stringify(cur));
      break;
    }
  }
  return parts.join(': ') || 'unknown error';
}
