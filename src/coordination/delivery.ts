/** Delivery states the coordinator sets on a notification itself (the outbox sets `delivered`). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { moveNotification } from './store.js';

/**
 * Nothing could be sent: the organisation has no contact channel (no e-mail, webhook or portal inbox) and no
 * member who reads its inbox when signed in. The
 * notification says so — `undeliverable`, with a history entry — instead of waiting as `sent` or claiming
 * `delivered`; the analyst sees it on the case's disposal panel and on the board.
 */
export async function markUndeliverable(tx: Kysely<DB>, notificationId: number, at: string): Promise<void> {
  await moveNotification(tx, {
    id: notificationId,
    from: 'sent',
    to: 'undeliverable',
    at,
    actor: 'system',
    note: 'no contact channel: nothing was sent',
    onlyFrom: true,
  });
}
