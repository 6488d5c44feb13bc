/** The audit log: every security-relevant action, written in the caller's transaction; read by admins. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { actorName, type Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import * as store from './store.js';

export interface AuditEntry {
  action: string;
  targetKind?: string;
  targetId?: string | number;
  detail?: Record<string, unknown>;
  ip?: string;
}

export async function audit(
  db: Kysely<DB>,
  who: Principal | { email: string; userId: number | null },
  e: AuditEntry,
) {
  const actor = 'kind' in who ? actorName(who) : who.email;
  const actorId = 'kind' in who ? (who.kind === 'user' ? who.userId : null) : who.userId;
  await store.insertEntry(db, {
    actor_id: actorId,
    actor,
    action: e.action,
    target_kind: e.targetKind ?? null,
    target_id: e.targetId === undefined ? null : String(e.targetId),
    detail: JSON.stringify(e.detail ?? {}),
    ip: e.ip ?? null,
  });
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetKind: string | null;
  targetId: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

export async function listAudit(
  db: Kysely<DB>,
  p: Principal,
  q: { action?: string; limit?: number; before?: number } = {},
): Promise<AuditRow[]> {
  requireAccess(p, 'audit:read');
  const rows = await store.entries(db, {
    limit: Math.min(q.limit ?? 100, 1000),
    ...(q.action ? { action: q.action } : {}),
    ...(q.before ? { before: q.before } : {}),
  });
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    targetKind: r.target_kind,
    targetId: r.target_id,
    detail: r.detail,
    ip: r.ip,
  }));
}
