/**
 * SQL of tip-offs: the only writer of `tipoffs` (receipt hash, kind, contact). The tip-off's case is a
 * submission, written through submissions/store.ts by case.ts; this file reads the submission's public side.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { State as SubmissionState } from '../submissions/workflow.js';
import type { TipoffKind } from './model.js';

type Db = Kysely<DB>;

export const insertTipoff = (
  db: Db,
  t: {
    receipt_hash: string;
    submission_id: number;
    kind: TipoffKind;
    contact: string | null;
    created_at: string;
  },
) => db.insertInto('tipoffs').values(t).returning(['id', 'created_at']).executeTakeFirstOrThrow();

/** The tip-off of a receipt with its case's state and what its tipster may see of it. */
export function byReceiptHash(db: Db, hash: string, forUpdate = false) {
  let q = db
    .selectFrom('tipoffs as t')
    .innerJoin('submissions as s', 's.id', 't.submission_id')
    .select([
      't.id',
      't.kind',
      't.submission_id',
      't.created_at',
      's.tracking_no',
      's.title',
      's.state',
      's.state_reason',
      's.updated_at',
    ])
    .where('t.receipt_hash', '=', hash);
  if (forUpdate) q = q.forUpdate('s');
  return q.executeTakeFirst();
}

/** Staff: the tip-off behind a submission (kind and the contact the tipster left), if it is one. */
export const bySubmission = (db: Db, submissionId: number) =>
  db
    .selectFrom('tipoffs')
    .select(['kind', 'contact', 'created_at'])
    .where('submission_id', '=', submissionId)
    .executeTakeFirst();

/** Staff: tip-offs newest first (by their submission), with their case's state; optionally of one state. */
export function listTipoffs(db: Db, f: { state?: SubmissionState; limit: number; before?: number }) {
  let q = db
    .selectFrom('tipoffs as t')
    .innerJoin('submissions as s', 's.id', 't.submission_id')
    .select(['s.id', 's.tracking_no', 's.title', 's.state', 't.kind', 't.created_at'])
    .orderBy('s.id', 'desc')
    .limit(f.limit);
  if (f.state) q = q.where('s.state', '=', f.state);
  if (f.before) q = q.where('s.id', '<', f.before);
  return q.execute();
}
