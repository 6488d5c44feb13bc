/**
 * Queue one e-mail through the outbox, in the caller's transaction: the outbox worker delivers it (or it waits
 * there while no SMTP server is configured). For messages that belong to no notification, such as telling an
 * account's owner about failed sign-ins.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { insertOutbox } from './store.js';

export async function queueEmail(
  tx: Kysely<DB>,
  m: { to: string; subject: string; text: string; at?: string },
): Promise<void> {
  await insertOutbox(tx, [
    {
      delivery_id: randomUUID(),
      notification_id: null,
      channel: 'email',
      target: m.to,
      subject: m.subject,
      body: JSON.stringify({ text: m.text }),
      ...(m.at ? { next_attempt_at: m.at } : {}),
    },
  ]);
}
