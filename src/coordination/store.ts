/**
 * SQL of disposal: notifications and their history, the outbox and the in-portal inbox. Only the coordination
 * capability writes these tables; other capabilities read what they need here (is an organisation notified about
 * a case, the fixes recipients gave). A notification's state changes through `moveNotification`, which writes
 * the history row with it.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB, NotificationsTable, OutboxTable } from '../db/schema.js';
import type { NotificationState } from './rules.js';

type Db = Kysely<DB>;
export type OutboxRow = Selectable<OutboxTable>;

// ---- notifications

/** A new notification; undefined when the organisation was notified about the submission already. */
export const insertNotification = (db: Db, n: Insertable<NotificationsTable>) =>
  db
    .insertInto('notifications')
    .values(n)
    .onConflict((oc) => oc.columns(['submission_id', 'organisation_id']).doNothing())
    .returning('id')
    .executeTakeFirst();

export async function addEvent(
  db: Db,
  e: {
    notification_id: number;
    actor: string;
    actor_side?: 'coordinator' | 'recipient';
    from_state: NotificationState | null;
    to_state: NotificationState;
    note: string | null;
    at: string;
  },
): Promise<void> {
  await db.insertInto('notification_events').values(e).execute();
}

/**
 * Move a notification from → to with its history row. `onlyFrom`: a conditional move (the UPDATE's WHERE re-checks
 * the state, so a racing change wins); resolves to whether it moved.
 */
export async function moveNotification(
  db: Db,
  m: {
    id: number;
    from: NotificationState;
    to: NotificationState;
    at: string;
    actor: string;
    actorSide?: 'coordinator' | 'recipient';
    note: string | null;
    set?: { fix_url?: string; answer?: string; escalated_at?: string };
    onlyFrom?: boolean;
  },
): Promise<boolean> {
  let q = db
    .updateTable('notifications')
    .set({ state: m.to, updated_at: m.at, ...m.set })
    .where('id', '=', m.id);
  if (m.onlyFrom) q = q.where('state', '=', m.from);
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return false;
  await addEvent(db, {
    notification_id: m.id,
    actor: m.actor,
    ...(m.actorSide ? { actor_side: m.actorSide } : {}),
    from_state: m.from,
    to_state: m.to,
    note: m.note,
    at: m.at,
  });
  return true;
}

export async function markReminded(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('notifications').set({ reminded_at: at }).where('id', '=', id).execute();
}

/** A submission's notifications (optionally one organisation's), with the organisation's name, in order. */
export function notificationsOf(db: Db, submissionId: number, organisationId?: number) {
  let q = db
    .selectFrom('notifications as n')
    .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
    .select([
      'n.id',
      'n.organisation_id',
      'o.name',
      'n.category',
      'n.state',
      'n.deadline',
      'n.fix_url',
      'n.answer',
    ])
    .where('n.submission_id', '=', submissionId)
    .orderBy('n.id');
  if (organisationId !== undefined) q = q.where('n.organisation_id', '=', organisationId);
  return q.execute();
}

/** The history of the notifications, in order, in one query. */
export const eventsOf = async (db: Db, notificationIds: number[]) =>
  notificationIds.length
    ? db
        .selectFrom('notification_events')
        .select(['notification_id', 'at', 'actor', 'actor_side', 'from_state', 'to_state', 'note'])
        .where('notification_id', 'in', notificationIds)
        .orderBy('id')
        .execute()
    : [];

/** One notification, locked for its change. */
export const notificationForUpdate = (db: Db, id: number) =>
  db
    .selectFrom('notifications')
    .select(['id', 'state', 'submission_id', 'organisation_id'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();

/** The notification a link was sent for, with its organisation's name, locked for its change. */
export const notificationByLinkForUpdate = (db: Db, linkHash: string) =>
  db
    .selectFrom('notifications as n')
    .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
    .select(['n.id', 'n.state', 'n.submission_id', 'n.organisation_id', 'n.link_expires_at', 'o.name'])
    .where('n.link_hash', '=', linkHash)
    .forUpdate()
    .executeTakeFirst();

/** A notification by id or by its link's hash. */
export function notificationWhere(db: Db, where: { linkHash: string } | { id: number }) {
  const q = db
    .selectFrom('notifications')
    .select(['id', 'submission_id', 'organisation_id', 'link_expires_at']);
  return (
    'id' in where ? q.where('id', '=', where.id) : q.where('link_hash', '=', where.linkHash)
  ).executeTakeFirst();
}

/** Is the organisation notified about the submission? */
export async function isNotified(db: Db, submissionId: number, organisationId: number): Promise<boolean> {
  const n = await db
    .selectFrom('notifications')
    .select('id')
    .where('submission_id', '=', submissionId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return n !== undefined;
}

/** The fixes (patch or advisory URLs) recipients gave for the submission. */
export const fixUrlsOf = async (db: Db, submissionId: number): Promise<string[]> =>
  (
    await db
      .selectFrom('notifications')
      .select('fix_url')
      .where('submission_id', '=', submissionId)
      .where('fix_url', 'is not', null)
      .execute()
  ).flatMap((f) => (f.fix_url ? [f.fix_url] : []));

/** How many of the submission's notifications of these categories are not fixed. */
export async function unfixedCount(db: Db, submissionId: number, categories: string[]): Promise<number> {
  const open = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('submission_id', '=', submissionId)
    .where('category', 'in', categories)
    .where('state', '<>', 'fixed')
    .executeTakeFirstOrThrow();
  return Number(open.n);
}

/** Open notifications whose deadline is before `before`, with their case's title, locked for the sweep. */
export const dueForSweep = (db: Db, states: NotificationState[], before: string) =>
  db
    .selectFrom('notifications as n')
    .innerJoin('submissions as s', 's.id', 'n.submission_id')
    .select([
      'n.id',
      'n.organisation_id',
      'n.state',
      'n.deadline',
      'n.reminded_at',
      'n.escalated_at',
      's.title',
      's.tracking_no',
    ])
    .where('n.state', 'in', states)
    .where('n.deadline', '<', before)
    .forUpdate()
    .execute();

/** Notifications sent between two moments: their category and organisation (the bulletin's disposal figures). */
export const notifiedBetween = (db: Db, from: string, to: string) =>
  db
    .selectFrom('notifications as n')
    .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
    .select(['n.category', 'o.name'])
    .where('n.created_at', '>=', from)
    .where('n.created_at', '<=', to)
    .execute();

// ---- outbox and inbox

export async function insertOutbox(db: Db, rows: Array<Insertable<OutboxTable>>): Promise<void> {
  if (rows.length) await db.insertInto('outbox').values(rows).execute();
}

/** Lease up to `batch` due messages until `until` (FOR UPDATE SKIP LOCKED: workers never take the same row). */
export async function leaseDue(tx: Db, batch: number, now: string, until: string): Promise<OutboxRow[]> {
  const due = await tx
    .selectFrom('outbox')
    .select('id')
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
    .orderBy('id')
    .limit(batch)
    .forUpdate()
    .skipLocked()
    .execute();
  if (!due.length) return [];
  return tx
    .updateTable('outbox')
    .set({ leased_until: until })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .returningAll()
    .execute();
}

export async function markOutboxSent(db: Db, id: number, at: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ sent_at: at, leased_until: null, attempts: sql<number>`attempts + 1`, last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markOutboxFailed(
  db: Db,
  id: number,
  f: { attempts: number; lastError: string } & ({ failedAt: string } | { nextAttemptAt: string }),
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      attempts: f.attempts,
      leased_until: null,
      last_error: f.lastError,
      ...('failedAt' in f ? { failed_at: f.failedAt } : { next_attempt_at: f.nextAttemptAt }),
    })
    .where('id', '=', id)
    .execute();
}

/** An in-portal message, once per delivery id. */
export async function insertInboxMessage(
  db: Db,
  m: {
    delivery_id: string;
    organisation_id: number;
    notification_id: number | null;
    subject: string;
    body: string;
  },
): Promise<void> {
  await db
    .insertInto('inbox_messages')
    .values(m)
    .onConflict((oc) => oc.column('delivery_id').doNothing())
    .execute();
}

export const inboxOf = (db: Db, organisationId: number, limit: number) =>
  db
    .selectFrom('inbox_messages')
    .select(['id', 'notification_id', 'subject', 'body', 'created_at', 'read_at'])
    .where('organisation_id', '=', organisationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
