/** Watchlist rules as tables: delivery modes, alert reasons, the flood limit, digest times. */

export const DELIVERIES = ['immediate', 'daily', 'weekly'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export const WATCH_KINDS = ['product', 'cpe', 'keyword'] as const;
export type WatchKind = (typeof WATCH_KINDS)[number];

/**
 * Why an organisation is alerted: a vulnerability new to the store (import), a submission published through
 * the platform, or one that became known exploited (KEV). One alert per (organisation, vulnerability, reason).
 */
export const ALERT_REASONS = ['new', 'published', 'exploited'] as const;
export type AlertReason = (typeof ALERT_REASONS)[number];

export const REASON_LABELS: Record<AlertReason, { zh: string; en: string }> = {
  new: { zh: '新收录', en: 'new' },
  published: { zh: '新发布', en: 'published' },
  exploited: { zh: '已被在野利用', en: 'known exploited' },
};

/** Among an organisation's matching watchlists the fastest delivery wins (one alert per reason). */
export const DELIVERY_RANK: Record<Delivery, number> = { immediate: 0, daily: 1, weekly: 2 };

/**
 * Flood guard for immediate watchlists: once an organisation has been sent this many single alert messages in
 * one import run, the rest of its alerts of each written batch go out as ONE summary message per batch.
 */
export const FLOOD_LIMIT = 50;

/**
 * Alerts listed in one message; the rest are counted ("… and 312 more") and listed by the API. A flood summary
 * is short (one line per vulnerability, no match reason): it is sent at most once per batch, and the reader is
 * better served by the alerts page. A digest is the only message its reader gets, so it lists more, with reasons.
 */
export const SUMMARY_MAX_LINES = 20;
export const DIGEST_MAX_LINES = 200;

/** Digests: daily at this hour in Asia/Shanghai (fixed +08:00, no daylight saving); weekly on Monday. */
export const DEFAULT_DIGEST_HOUR = 8;
export const DIGEST_UTC_OFFSET_HOURS = 8;
export const WEEKLY_DIGEST_WEEKDAY = 1; // Monday (0 = Sunday)

/** Keywords shorter than this (after trimming) are refused: they would match nearly everything. */
export const MIN_KEYWORD_LENGTH = 2;
