/**
 * The feed settings, read once from an environment (process.env at the edge) with every problem reported at
 * once, naming the variable — the same rules as src/config/config.ts, into which this may later be folded.
 *
 *   VULNSHARE_FEEDS_INTERVAL   how often the worker looks for due feeds (default 60s; 1s–1d)
 *   VULNSHARE_FEED_TIMEOUT     wait for the response headers, and for each chunk of the body (default 60s; 1s–1h)
 *   VULNSHARE_FEED_ATTEMPTS    HTTP requests per run, the first included (default 4; 1–20)
 *   VULNSHARE_FEED_MAX_BYTES   bodies larger than this are refused (default 2G; 1K–1T; K, M, G, T = 1024ⁿ)
 *   VULNSHARE_FEEDS_TMP        an existing folder for downloads (default the OS temp folder)
 *
 * Durations are a number and a unit (90s, 5m, 1h30m) or a bare number of seconds.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from './model.js';

export interface FeedConfig {
  /** How often the worker runs `syncDue`, in ms. */
  intervalMs: number;
  /** Overrides of DEFAULT_RETRY from the environment (only what was set). */
  retry: Partial<RetryPolicy>;
  /** Where bodies are downloaded; undefined = the OS temp folder. */
  tmpDir: string | undefined;
}

export const DEFAULT_FEEDS_INTERVAL_MS = 60_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** '90s', '5m', '1h30m', '500ms' or a bare number of seconds → ms; null when unreadable. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(ms|s|m|h|d))+$/.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return ms;
}

/** '2G', '512M', '1048576' → bytes; null when unreadable. */
export function parseSize(text: string): number | null {
  const m = /^(\d+)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m?.[1]) return null;
  return Number(m[1]) * (SIZE[(m[2] ?? '').toLowerCase()] ?? 1);
}

function durationSetting(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = parseDuration(raw);
  if (ms === null || ms < min || ms > max) {
    problems.push(
      `${name} must be a duration between ${label(min)} and ${label(max)}, like 90s, 5m or 1h30m (got "${raw}")`,
    );
    return undefined;
  }
  return ms;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const label = (ms: number) =>
  ms % 86_400_000 === 0
    ? `${ms / 86_400_000}d`
    : ms % 3_600_000 === 0
      ? `${ms / 3_600_000}h`
      : ms % 60_000 === 0
        ? `${ms / 60_000}m`
        : `${ms / 1000}s`;

/** Read the feed settings; throws one AppError ('invalid_input') listing every problem. */
export function feedConfigFromEnv(env: Record<string, string | undefined>): FeedConfig {
  const problems: string[] = [];
  const retry: Partial<RetryPolicy> = {};

  const intervalMs =
    durationSetting('VULNSHARE_FEEDS_INTERVAL', env.VULNSHARE_FEEDS_INTERVAL, 1000, 86_400_000, problems) ??
    DEFAULT_FEEDS_INTERVAL_MS;

  const timeout = durationSetting(
    'VULNSHARE_FEED_TIMEOUT',
    env.VULNSHARE_FEED_TIMEOUT,
    1000,
    3_600_000,
    problems,
  );
  if (timeout !== undefined) {
    retry.requestTimeoutMs = timeout;
    retry.idleTimeoutMs = timeout;
  }

  const attemptsRaw = env.VULNSHARE_FEED_ATTEMPTS;
  if (attemptsRaw !== undefined && attemptsRaw.trim() !== '') {
    const n = Number(attemptsRaw.trim());
    if (!/^\d+$/.test(attemptsRaw.trim()) || n < 1 || n > 20)
      problems.push(`VULNSHARE_FEED_ATTEMPTS must be an integer between 1 and 20 (got "${attemptsRaw}")`);
    else retry.attempts = n;
  }

  const maxRaw = env.VULNSHARE_FEED_MAX_BYTES;
  if (maxRaw !== undefined && maxRaw.trim() !== '') {
    const n = parseSize(maxRaw);
    if (n === null || n < 1024 || n > 1024 ** 4)
      problems.push(
        `VULNSHARE_FEED_MAX_BYTES must be a size between 1K and 1T, like 500M or 2G (got "${maxRaw}")`,
      );
    else retry.maxBytes = n;
  }

  let tmpDir: string | undefined;
  const tmpRaw = env.VULNSHARE_FEEDS_TMP;
  if (tmpRaw !== undefined && tmpRaw.trim() !== '') {
    tmpDir = resolve(tmpRaw);
    if (!isFolder(tmpDir)) problems.push(`VULNSHARE_FEEDS_TMP must be an existing folder (got "${tmpRaw}")`);
  }

  if (problems.length > 0)
    throw new AppError('invalid_input', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  return { intervalMs, retry, tmpDir };
}

/** The retry policy a feed config gives (DEFAULT_RETRY with the overrides), for display. */
export const effectiveRetry = (config: FeedConfig): RetryPolicy => ({ ...DEFAULT_RETRY, ...config.retry });
