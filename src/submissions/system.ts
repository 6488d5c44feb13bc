/**
 * The submission workflow's system transitions: disposal (coordination) moves a case on by itself — verified →
 * notified with the first notification, notified → fixed when every vendor or affected organisation fixed.
 * Other capabilities change a submission's state only through `systemTransition`, inside their own
 * transaction: it locks the row, re-checks the state against the system's table, and writes the state, the
 * transition row and the audit row together.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { audit } from '../audit/audit.js';
import { assertTransition } from '../workflow/state-machine.js';
import * as store from './store.js';
import { TABLES, type State } from './workflow.js';

export interface SystemActor {
  /** Who caused it: the analyst's e-mail, the recipient organisation's name, "system". */
  name: string;
  userId: number | null;
}

export async function systemTransition(
  tx: Kysely<DB>,
  submissionId: number,
  to: State,
  opts: { actor: SystemActor; note?: string | null; at: string },
): Promise<void> {
  const row = await store.byId(tx, submissionId, true);
  if (!row) throw new AppError('not_found', `No submission ${submissionId}`);
  const from = row.state;
  assertTransition(TABLES.system, from, to, 'A submission in state');
  await store.setState(tx, row.id, { state: to }, opts.at);
  await store.addTransition(tx, {
    submission_id: row.id,
    actor_id: opts.actor.userId,
    actor: opts.actor.name,
    from_state: from,
    to_state: to,
    note: opts.note ?? null,
    at: opts.at,
  });
  await audit(
    tx,
    { email: opts.actor.name, userId: opts.actor.userId },
    {
      action: `submission.${to}`,
      targetKind: 'submission',
      targetId: row.tracking_no,
      detail: { from, to, by: 'system' },
    },
  );
}

export type SystemTransition = typeof systemTransition;
