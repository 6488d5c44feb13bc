/** SQL of submissions: rows, transitions, verifications, attachments, gap-free id counters, dedup pools. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, SubmissionsTable } from '../db/schema.js';

type Db = Kysely<DB>;
export type SubmissionRow = Selectable<SubmissionsTable>;

export const insertSubmission = (
  db: Db,
  row: Omit<
    DB['submissions'],
    'id' | 'state' | 'created_at' | 'updated_at' | 'embargo_until' | 'published_at' | 'origin'
  > & {
    created_at: string;
    updated_at: string;
    /** 'incident' for a case the coordinator opens itself (default 'report') */
    origin?: 'report' | 'incident';
  },
) => db.insertInto('submissions').values(row).returningAll().executeTakeFirstOrThrow();

export async function byTracking(
  db: Db,
  trackingNo: string,
  forUpdate = false,
): Promise<SubmissionRow | undefined> {
  let q = db.selectFrom('submissions').selectAll().where('tracking_no', '=', trackingNo);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function list(
  db: Db,
  f: { reporterId?: number; state?: string; assigneeId?: number; limit: number; before?: number },
): Promise<SubmissionRow[]> {
  let q = db.selectFrom('submissions').selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.reporterId !== undefined) q = q.where('reporter_id', '=', f.reporterId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.assigneeId !== undefined) q = q.where('assignee_id', '=', f.assigneeId);
  if (f.before) q = q.where('id', '<', f.before);
  return q.execute();
}

export async function setState(
  db: Db,
  id: number,
  patch: Partial<
    Pick<SubmissionRow, 'state' | 'state_reason' | 'duplicate_of' | 'vuln_public_id' | 'assignee_id'>
  >,
  at: string,
): Promise<void> {
  await db
    .updateTable('submissions')
    .set({ ...patch, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function addTransition(
  db: Db,
  t: {
    submission_id: number;
    actor_id: number | null;
    actor: string;
    from_state: string | null;
    to_state: string;
    note: string | null;
    at: string;
  },
): Promise<void> {
  await db.insertInto('submission_transitions').values(t).execute();
}

export const transitions = (db: Db, submissionId: number) =>
  db
    .selectFrom('submission_transitions')
    .select(['at', 'actor', 'from_state', 'to_state', 'note'])
    .where('submission_id', '=', submissionId)
    .orderBy('id')
    .execute();

export const verificationsOf = (db: Db, submissionId: number) =>
  db
    .selectFrom('verifications')
    .select(['environment', 'steps', 'result', 'poc_url', 'verifier', 'at'])
    .where('submission_id', '=', submissionId)
    .orderBy('id')
    .execute();

export async function addVerification(
  db: Db,
  v: {
    submission_id: number;
    environment: string;
    steps: string;
    result: string;
    poc_url: string | null;
    verifier: string;
    verified_by: number | null;
  },
): Promise<void> {
  await db.insertInto('verifications').values(v).execute();
}

/**
 * The next number of (prefix, year), gap-free: the counter row is locked by the UPDATE until the caller's
 * transaction ends, so concurrent allocations queue; a rolled-back transaction returns its number.
 */
export async function nextNumber(tx: Db, prefix: string, year: number): Promise<number> {
  await tx
    .insertInto('id_counters')
    .values({ prefix, year })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const r = await tx
    .updateTable('id_counters')
    .set((eb) => ({ last: eb('last', '+', 1) }))
    .where('prefix', '=', prefix)
    .where('year', '=', year)
    .returning('last')
    .executeTakeFirstOrThrow();
  return r.last;
}

export async function putBlob(
  db: Db,
  b: { sha256: string; size: number; content_type: string; content: Buffer },
) {
  await db
    .insertInto('blobs')
    .values(b)
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}
export async function linkAttachment(db: Db, a: { submission_id: number; sha256: string; filename: string }) {
  await db
    .insertInto('submission_attachments')
    .values(a)
    .onConflict((oc) => oc.columns(['submission_id', 'sha256']).doNothing())
    .execute();
}
export const attachmentsOf = (db: Db, submissionId: number) =>
  db
    .selectFrom('submission_attachments as a')
    .innerJoin('blobs as b', 'b.sha256', 'a.sha256')
    .select(['a.sha256', 'a.filename', 'b.size', 'b.content_type'])
    .where('a.submission_id', '=', submissionId)
    .orderBy('a.filename')
    .execute();
export async function blobOf(db: Db, submissionId: number, sha: string) {
  const r = await db
    .selectFrom('submission_attachments as a')
    .innerJoin('blobs as b', 'b.sha256', 'a.sha256')
    .select(['a.filename', 'b.content_type', 'b.content'])
    .where('a.submission_id', '=', submissionId)
    .where('a.sha256', '=', sha)
    .executeTakeFirst();
  return r
    ? { filename: r.filename, contentType: r.content_type, content: Buffer.from(r.content) }
    : undefined;
}

/** Submissions and published records that could be the same vulnerability: same CVE, or same vendor. */
export async function dedupPool(
  db: Db,
  s: { id: number; vendorKey: string | null; cveId: string | null },
): Promise<{
  submissions: SubmissionRow[];
  vulns: Array<{
    public_id: string;
    title: string | null;
    description: string | null;
    vendors: string[];
    products: string[];
    cwes: string[];
    aliases: string[];
  }>;
}> {
  const subs = await db
    .selectFrom('submissions')
    .selectAll()
    .where('id', '<>', s.id)
    .where((eb) =>
      eb.or([
        ...(s.vendorKey ? [eb('vendor_key', '=', s.vendorKey)] : []),
        ...(s.cveId ? [eb('cve_id', '=', s.cveId)] : []),
        sql<boolean>`false`,
      ]),
    )
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  const vulns = await db
    .selectFrom('vulnerabilities')
    .select([
      'public_id',
      sql<string | null>`coalesce(doc #>> '{title,zh}', doc #>> '{title,en}')`.as('title'),
      sql<string | null>`coalesce(doc #>> '{description,zh}', doc #>> '{description,en}')`.as('description'),
      'vendors',
      'products',
      'cwes',
      'aliases',
    ])
    .where('state', '=', 'published')
    .where((eb) =>
      eb.or([
        ...(s.vendorKey ? [eb(sql.val(s.vendorKey), '=', eb.fn.any('vendors'))] : []),
        ...(s.cveId ? [eb(sql.val(s.cveId), '=', eb.fn.any('aliases'))] : []),
        sql<boolean>`false`,
      ]),
    )
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return { submissions: subs, vulns };
}
