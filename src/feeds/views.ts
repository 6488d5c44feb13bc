/** Feed and run rows as callers see them (the lease token stays inside). */
import type { Feed, FeedOutcome, FeedRun } from './model.js';
import { formatInterval, isFeedFormat } from './model.js';
import type { FeedRow, FeedRunRow } from './store.js';

const outcome = (v: string | null): FeedOutcome | null =>
  v === 'imported' || v === 'not_modified' || v === 'failed' ? v : null;

export function feedView(r: FeedRow): Feed {
  return {
    name: r.name,
    // The column only ever holds what addFeed checked; an unknown value would be a hand edit.
    format: isFeedFormat(r.format) ? r.format : 'kev',
    url: r.url,
    scheduleMs: r.schedule_ms,
    schedule: r.schedule_ms === null ? null : formatInterval(r.schedule_ms),
    createdAt: r.created_at,
    status: {
      lastAttemptAt: r.last_attempt_at,
      lastSuccessAt: r.last_success_at,
      lastOutcome: outcome(r.last_outcome),
      lastHttpStatus: r.last_http_status,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at,
      etag: r.etag,
      lastModified: r.last_modified,
      lastCounts: {
        read: r.last_read,
        imported: r.last_imported,
        updated: r.last_updated,
        unchanged: r.last_unchanged,
        rejected: r.last_rejected,
      },
      consecutiveFailures: r.consecutive_failures,
      nextRunAt: r.next_run_at,
      leasedUntil: r.leased_until,
    },
  };
}

export function runView(r: FeedRunRow): FeedRun {
  return {
    id: r.id,
    feed: r.feed_name,
    url: r.url,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: outcome(r.outcome) ?? 'failed',
    httpStatus: r.http_status,
    attempts: r.attempts,
    bytes: r.bytes,
    counts: {
      read: r.read,
      imported: r.imported,
      updated: r.updated,
      unchanged: r.unchanged,
      rejected: r.rejected,
    },
    importRunId: r.import_run_id,
    error: r.error,
  };
}
