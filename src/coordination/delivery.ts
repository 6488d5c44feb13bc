/** Delivery states the coordinator sets on a notification itself (the outbox sets `delivered`). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** Does the organisation have someone who reads its signed-in inbox (an enabled recipient account)? */
export async function hasInboxReader(tx: Kysely<DB>, organisationId: number): Promise<boolean> {
  const row = await tx
    .selectFrom('users')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('role', '=', 'recipient')
    .where('disabled', '=', false)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Nothing could be sent: the organisation has no contact channel (no e-mail, webhook or portal inbox) and no
 * member who reads its inbox when signed in. The
 * notification says so — `undeliverable`, with a history entry — instead of waiting as `sent` or claiming
 * `delivered`; the analyst sees it on the case's disposal panel and on the board.
 */
export async function markUndeliverable(tx: Kysely<DB>, notificationId: number, at: string): Promise<void> {
  const r = await tx
    .updateTable('notifications')
    .set({ state: 'undeliverable', updated_at: at })
    .where('id', '=', notificationId)
    .where('state', '=', 'sent')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0)
    await tx
      .insertInto('notification_events')
      .values({
        notification_id: notificationId,
        actor: 'system',
        from_state: 'sent',
        to_state: 'undeliverable',
        note: 'no contact channel: nothing was sent',
        at,
      })
      .execute();
}
