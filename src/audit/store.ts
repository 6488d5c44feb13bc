/** SQL of the audit log: one row per security-relevant action, in the caller's transaction; admins read it. */
import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, DB } from '../db/schema.js';

export async function insertEntry(db: Kysely<DB>, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

/** Newest first; `action` matches as a prefix (LIKE metacharacters escaped); `before` pages by id. */
export async function entries(db: Kysely<DB>, q: { action?: string; limit: number; before?: number }) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor', 'action', 'target_kind', 'target_id', 'detail', 'ip'])
    .orderBy('id', 'desc')
    .limit(q.limit);
  if (q.action) query = query.where('action', 'like', `${q.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (q.before) query = query.where('id', '<', q.before);
  return query.execute();
}
