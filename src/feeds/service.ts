/**
 * Feeds as a service: register remote catalogues with a schedule, sync one now (`vulnshare sync kev --url …`),
 * or run whatever is due (`syncDue`, called by the worker). Each run first takes the feed's lease, so two
 * workers never sync the same feed at once; a worker that dies leaves a lease that simply expires.
 *
 * Every public function takes the principal first and checks it before anything else: 'feeds:read' to look
 * (admins, analysts), 'feeds:manage' to add, change, remove or sync (admins). The API passes the signed-in
 * user, the CLI and the worker pass CLI.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import type { Database } from '../db/client.js';
import { AppError } from '../errors.js';
import { createGuardedFetch } from '../outbound/fetch.js';
import { checkTargetUrl, NO_INTERNAL_TARGETS, type InternalAllowance } from '../outbound/targets.js';
import {
  checkFeedName,
  checkFeedUrl,
  DEFAULT_RETRY,
  FEED_FORMATS,
  feedFormatFor,
  isFeedFormat,
  parseInterval,
  type Feed,
  type FeedFormat,
  type FeedRun,
  type RetryPolicy,
} from './model.js';
import { runFeed, type SyncResult } from './run.js';
import * as store from './store.js';
import { feedView, runView } from './views.js';

export type { SyncResult } from './run.js';

export interface FeedServiceDeps {
  database: Database;
  clock?: () => Date;
  /** Default: a fetch that refuses internal addresses at connection time, redirects re-checked per hop. */
  fetchImpl?: typeof fetch;
  /** Internal addresses feed URLs may reach (VULNSHARE_ALLOW_INTERNAL_TARGETS); default none. */
  internalTargets?: InternalAllowance;
  /** Overrides of DEFAULT_RETRY (tests keep the backoff tiny). */
  retry?: Partial<RetryPolicy>;
  /** Records per import transaction (VULNSHARE_IMPORT_BATCH). */
  batchSize?: number;
  /** Where bodies are downloaded (default the OS temp folder). */
  tmpDir?: string;
  /** The CVE JSON schema cve5 feeds are validated against (Config.cveSchemaFile); unset = bundled. */
  cveSchemaFile?: string | undefined;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface AddFeedInput {
  name: string;
  format: string;
  url: string;
  /** '6h', '1d', '1h30m'; absent or null = on demand only. */
  schedule?: string | null;
}

/** A feed by name, or an ad-hoc source (registered on first use as an on-demand feed, to keep its ETag). */
export type SyncTarget = string | { format: string; url: string; name?: string };

export type FeedService = ReturnType<typeof createFeedService>;

export function createFeedService(deps: FeedServiceDeps) {
  const { database } = deps;
  const db = database.db;
  const clock = deps.clock ?? (() => new Date());
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const internal = deps.internalTargets ?? NO_INTERNAL_TARGETS;
  const runDeps = {
    ...deps,
    clock,
    policy,
    fetchImpl: deps.fetchImpl ?? createGuardedFetch({ allowance: internal }),
  };
  /** http(s), and not at an internal host unless allowed: checked when saved, and again when connecting. */
  const checkUrl = (url: string): URL => checkTargetUrl(checkFeedUrl(url).href, 'url', internal);

  function checkFormat(format: string): FeedFormat {
    if (!isFeedFormat(format))
      throw new AppError(
        'invalid_parameter',
        `unknown feed format "${format}"; use one of ${FEED_FORMATS.join(', ')}`,
        {
          format,
        },
      );
    return format;
  }

  async function requireFeed(name: string): Promise<store.FeedRow> {
    const row = await store.getFeed(db, name);
    if (!row) throw new AppError('not_found', `no feed named "${name}"`, { name });
    return row;
  }

  /** Register a feed; a scheduled one is due at once. */
  async function addFeed(principal: Principal, input: AddFeedInput): Promise<Feed> {
    requireAccess(principal, 'feeds:manage');
    const name = checkFeedName(input.name);
    const checked = checkUrl(input.url);
    const format = feedFormatFor(checkFormat(input.format), checked);
    const url = checked.href;
    const scheduleMs = input.schedule ? parseInterval(input.schedule) : null;
    const row = await store.insertFeed(db, {
      name,
      format,
      url,
      schedule_ms: scheduleMs,
      next_run_at: scheduleMs === null ? null : clock().toISOString(),
    });
    if (!row) throw new AppError('feed_exists', `a feed named "${name}" exists already`, { name });
    return feedView(row);
  }

  /** Change a feed's URL, format or schedule; its ETag / Last-Modified are kept only while the source is the same. */
  async function updateFeed(
    principal: Principal,
    name: string,
    patch: Partial<Omit<AddFeedInput, 'name'>>,
  ): Promise<Feed> {
    requireAccess(principal, 'feeds:manage');
    const cur = await requireFeed(name);
    const url = patch.url === undefined ? cur.url : checkUrl(patch.url).href;
    const format = feedFormatFor(checkFormat(patch.format ?? cur.format), new URL(url));
    const scheduleMs =
      patch.schedule === undefined ? cur.schedule_ms : patch.schedule ? parseInterval(patch.schedule) : null;
    const row = await store.updateFeedDefinition(db, name, {
      format,
      url,
      schedule_ms: scheduleMs,
      next_run_at: scheduleMs === null ? null : (cur.next_run_at ?? clock().toISOString()),
      // Another source: its validators would be meaningless (a false 304), so the next run downloads in full.
      ...(url !== cur.url || format !== cur.format ? { etag: null, last_modified: null } : {}),
    });
    if (!row) throw new AppError('not_found', `no feed named "${name}"`, { name });
    return feedView(row);
  }

  async function removeFeed(principal: Principal, name: string): Promise<void> {
    requireAccess(principal, 'feeds:manage');
    if (!(await store.deleteFeed(db, name)))
      throw new AppError('not_found', `no feed named "${name}"`, { name });
  }

  async function listFeeds(principal: Principal): Promise<Feed[]> {
    requireAccess(principal, 'feeds:read');
    return (await store.listFeeds(db)).map(feedView);
  }

  async function feedStatus(
    principal: Principal,
    name: string,
    opts: { runs?: number } = {},
  ): Promise<Feed & { runs: FeedRun[] }> {
    requireAccess(principal, 'feeds:read');
    const row = await requireFeed(name);
    const runs = await store.listRuns(db, name, Math.min(Math.max(opts.runs ?? 10, 0), 500));
    return { ...feedView(row), runs: runs.map(runView) };
  }

  async function resolve(target: SyncTarget): Promise<store.FeedRow> {
    if (typeof target === 'string') return requireFeed(target);
    const url = checkUrl(target.url);
    const format = feedFormatFor(checkFormat(target.format), url);
    if (target.name) {
      const named = await store.getFeed(db, target.name);
      if (named && (named.url !== url.href || named.format !== format))
        throw new AppError(
          'feed_exists',
          `feed "${target.name}" exists with another source (${named.format} ${named.url})`,
          {
            name: target.name,
          },
        );
      if (named) return named;
    } else {
      const known = await store.findFeedByUrl(db, format, url.href);
      if (known) return known;
    }
    let name = checkFeedName(target.name ?? `${format}@${url.hostname}`);
    if (!target.name && (await store.getFeed(db, name)))
      name = `${name}-${createHash('sha256').update(url.href).digest('hex').slice(0, 8)}`;
    const row = await store.insertFeed(db, {
      name,
      format,
      url: url.href,
      schedule_ms: null,
      next_run_at: null,
    });
    return row ?? requireFeed(name);
  }

  function lease(dueBy?: string) {
    const now = clock();
    return {
      token: randomUUID(),
      now: now.toISOString(),
      until: new Date(now.getTime() + policy.leaseMs).toISOString(),
      ...(dueBy ? { dueBy } : {}),
    };
  }

  /**
   * Sync one feed now. Download and import failures are recorded in the feed's status and returned as
   * outcome 'failed' with an error naming the feed and URL; a feed another worker is syncing is feed_busy.
   */
  async function syncFeed(
    principal: Principal,
    target: SyncTarget,
    opts: { force?: boolean } = {},
  ): Promise<SyncResult> {
    requireAccess(principal, 'feeds:manage');
    const feed = await resolve(target);
    const l = lease();
    const leased = await store.acquireLease(db, feed.name, l);
    if (!leased)
      throw new AppError(
        'feed_busy',
        `feed "${feed.name}" is being synced by another worker; try again later`,
        {
          name: feed.name,
        },
      );
    return runFeed(leased, l.token, runDeps, opts);
  }

  /** Run every scheduled feed whose next run is due, one after another; feeds other workers hold are skipped. */
  async function syncDue(principal: Principal): Promise<SyncResult[]> {
    requireAccess(principal, 'feeds:manage');
    const now = clock().toISOString();
    const results: SyncResult[] = [];
    for (const name of await store.dueFeedNames(db, now)) {
      const l = lease(now);
      const leased = await store.acquireLease(db, name, l);
      if (leased) results.push(await runFeed(leased, l.token, runDeps));
    }
    return results;
  }

  return { addFeed, updateFeed, removeFeed, listFeeds, feedStatus, syncFeed, syncDue, policy };
}
