/**
 * The feeds' SQL: the feed rows with their status, the lease a worker takes before a run (an UPDATE that
 * succeeds only when no unexpired lease is held, as the outbox does), and the end of a run — status and
 * history row in one transaction, applied only while the run still holds its lease.
 */
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { DB, FeedRunsTable, FeedsTable } from '../db/schema.js';

type Tx = Kysely<DB> | Transaction<DB>;
export type FeedRow = Selectable<FeedsTable>;
export type FeedRunRow = Selectable<FeedRunsTable>;
export type FeedRunInsert = Omit<Insertable<FeedRunsTable>, 'feed_name'>;
export type FeedStatusPatch = Pick<
  Updateable<FeedsTable>,
  | 'last_success_at'
  | 'last_outcome'
  | 'last_http_status'
  | 'last_error'
  | 'last_error_at'
  | 'etag'
  | 'last_modified'
  | 'last_read'
  | 'last_imported'
  | 'last_updated'
  | 'last_unchanged'
  | 'last_rejected'
  | 'next_run_at'
> & { failed: boolean };

export async function insertFeed(
  db: Tx,
  row: Pick<Insertable<FeedsTable>, 'name' | 'format' | 'url' | 'schedule_ms' | 'next_run_at'>,
): Promise<FeedRow | undefined> {
  return db
    .insertInto('feeds')
    .values(row)
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateFeedDefinition(
  db: Tx,
  name: string,
  patch: Pick<
    Updateable<FeedsTable>,
    'url' | 'format' | 'schedule_ms' | 'next_run_at' | 'etag' | 'last_modified'
  >,
): Promise<FeedRow | undefined> {
  return db.updateTable('feeds').set(patch).where('name', '=', name).returningAll().executeTakeFirst();
}

export async function deleteFeed(db: Tx, name: string): Promise<boolean> {
  const r = await db.deleteFrom('feeds').where('name', '=', name).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function getFeed(db: Tx, name: string): Promise<FeedRow | undefined> {
  return db.selectFrom('feeds').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findFeedByUrl(db: Tx, format: string, url: string): Promise<FeedRow | undefined> {
  return db
    .selectFrom('feeds')
    .selectAll()
    .where('format', '=', format)
    .where('url', '=', url)
    .orderBy('created_at')
    .executeTakeFirst();
}

export async function listFeeds(db: Tx): Promise<FeedRow[]> {
  return db.selectFrom('feeds').selectAll().orderBy('name').execute();
}

/** Scheduled feeds due at `now` and not held by a worker. */
export async function dueFeedNames(db: Tx, now: string): Promise<string[]> {
  const rows = await db
    .selectFrom('feeds')
    .select('name')
    .where('schedule_ms', 'is not', null)
    .where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<=', now)]))
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
    .orderBy('next_run_at')
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

/**
 * Take the feed for one run: succeeds only when no unexpired lease is held (and, with `dueBy`, when the feed
 * is still due — another worker may have just run it). The row returned is the status before this run.
 */
export async function acquireLease(
  db: Tx,
  name: string,
  lease: { token: string; now: string; until: string; dueBy?: string },
): Promise<FeedRow | undefined> {
  let q = db
    .updateTable('feeds')
    .set({ leased_until: lease.until, lease_token: lease.token, last_attempt_at: lease.now })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', lease.now)]));
  if (lease.dueBy) {
    const dueBy = lease.dueBy;
    q = q.where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<=', dueBy)]));
  }
  return q.returningAll().executeTakeFirst();
}

export async function renewLease(db: Tx, name: string, token: string, until: string): Promise<boolean> {
  const r = await db
    .updateTable('feeds')
    .set({ leased_until: until })
    .where('name', '=', name)
    .where('lease_token', '=', token)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * End a run: the status (only while this run still holds the lease — a run whose lease was taken over leaves
 * the status to the run that took it) and the history row, in one transaction. Returns whether the status
 * was applied.
 */
export async function finishRun(
  db: Kysely<DB>,
  name: string,
  token: string,
  patch: FeedStatusPatch,
  run: FeedRunInsert,
  /** More of the run's state, in the same transaction (a CSAF provider's document states); not after a failure. */
  also?: (tx: Transaction<DB>) => Promise<void>,
): Promise<boolean> {
  const { failed, ...status } = patch;
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('feeds')
      .set({
        ...status,
        consecutive_failures: failed ? sql<number>`consecutive_failures + 1` : 0,
        leased_until: null,
        lease_token: null,
      })
      .where('name', '=', name)
      .where('lease_token', '=', token)
      .executeTakeFirst();
    const applied = Number(r.numUpdatedRows) > 0;
    const exists = applied || (await getFeed(tx, name)) !== undefined;
    if (exists) {
      await tx
        .insertInto('feed_runs')
        .values({ ...run, feed_name: name })
        .execute();
      if (also && !failed) await also(tx);
    }
    return applied;
  });
}

export async function listRuns(db: Tx, name: string, limit: number): Promise<FeedRunRow[]> {
  return db
    .selectFrom('feed_runs')
    .selectAll()
    .where('feed_name', '=', name)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
