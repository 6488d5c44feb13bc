/**
 * SQL of submissions: rows, transitions, verifications, attachments, gap-free id counters, dedup pools, case
 * messages, and the counts other capabilities read (the bulletin's event-type reports and Table 1). Only the
 * submissions capability writes these tables; others change a state through system.ts.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { CaseMessagesTable, DB, SubmissionsTable } from '../db/schema.js';
import type { State } from './workflow.js';

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
    /** 'incident' for a case the coordinator opens itself, 'public' for a tip-off (default 'report') */
    origin?: 'report' | 'incident' | 'public';
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

export async function byId(db: Db, id: number, forUpdate = false): Promise<SubmissionRow | undefined> {
  let q = db.selectFrom('submissions').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export const trackingNoOf = async (db: Db, id: number): Promise<string | null> =>
  (await db.selectFrom('submissions').select('tracking_no').where('id', '=', id).executeTakeFirst())
    ?.tracking_no ?? null;

export async function list(
  db: Db,
  f: { reporterId?: number; state?: State; assigneeId?: number; limit: number; before?: number },
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
    from_state: State | null;
    to_state: State;
    note: string | null;
    at: string;
  },
): Promise<void> {
  await db.insertInto('submission_transitions').values(t).execute();
}

/** Publication: the state, the moment, and the transition's timestamp. */
export async function markPublished(db: Db, id: number, at: string): Promise<void> {
  await db
    .updateTable('submissions')
    .set({ state: 'published', published_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function setEmbargo(db: Db, id: number, until: string, at: string): Promise<void> {
  await db
    .updateTable('submissions')
    .set({ embargo_until: until, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Tracking numbers of unpublished submissions whose embargo ended by `now`. */
export const embargoEnded = async (db: Db, now: string): Promise<string[]> =>
  (
    await db
      .selectFrom('submissions')
      .select('tracking_no')
      .where('embargo_until', '<=', now)
      .where('published_at', 'is', null)
      .execute()
  ).map((r) => r.tracking_no);

/** A reporter's submissions since `from`: what their weekly counts need. */
export const reporterSince = (db: Db, reporterId: number, from: string) =>
  db
    .selectFrom('submissions')
    .select(['created_at', 'originality', 'state', 'vuln_public_id'])
    .where('reporter_id', '=', reporterId)
    .where('created_at', '>=', from)
    .execute();

// ---- case messages

/** A case's messages in order; `audience` narrows to one thread, `organisationId` adds that organisation's. */
export function messagesOf(
  db: Db,
  submissionId: number,
  f: { audience: 'reporter' } | { recipientsAnd: number | null } | null,
) {
  let q = db.selectFrom('case_messages').selectAll().where('submission_id', '=', submissionId).orderBy('id');
  if (f && 'audience' in f) q = q.where('audience', '=', f.audience);
  if (f && 'recipientsAnd' in f) {
    const org = f.recipientsAnd;
    q = q.where((eb) =>
      eb.or([
        eb('audience', '=', 'recipients'),
        eb.and([eb('audience', '=', 'organisation'), eb('organisation_id', '=', org)]),
      ]),
    );
  }
  return q.execute();
}

export const messageCase = async (db: Db, messageId: number): Promise<number | null> =>
  (
    await db
      .selectFrom('case_messages')
      .select('submission_id')
      .where('id', '=', messageId)
      .executeTakeFirst()
  )?.submission_id ?? null;

export const insertMessage = (db: Db, m: Insertable<CaseMessagesTable>) =>
  db.insertInto('case_messages').values(m).returningAll().executeTakeFirstOrThrow();

// ---- what the bulletin counts (reports/ reads these, not the tables)

/** Submission states reached only through verification (the workflow table: verifying → verified → …). */
export const VERIFIED_STATES = [
  'verified',
  'notified',
  'fixed',
  'published',
] as const satisfies readonly State[];

/** Event-type reports that arrived between two moments, neither duplicate nor rejected. */
export async function eventReportsBetween(db: Db, from: string, to: string): Promise<number> {
  const s = await db
    .selectFrom('submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'event')
    .where('state', 'not in', ['duplicate', 'rejected'])
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .executeTakeFirstOrThrow();
  return Number(s.n);
}

/**
 * Reports verified between two moments, per reporting organisation (or the individual researcher's display
 * name): reported and original counts. Cases the coordinator opened from an incident (origin 'incident') are
 * nobody's report.
 */
export async function verifiedReportsBetween(db: Db, from: string, to: string) {
  const r = await sql<{ name: string; kind: string; reported: number; original: number }>`
    SELECT coalesce(o.name, u.display_name) AS name, coalesce(o.kind, 'individual') AS kind,
           count(*)::int AS reported, count(*) FILTER (WHERE s.originality = 'original')::int AS original
    FROM submissions s JOIN users u ON u.id = s.reporter_id LEFT JOIN organisations o ON o.id = s.reporter_org_id
    WHERE s.origin = 'report' AND s.state IN (${sql.join(VERIFIED_STATES.map((x) => sql.lit(x)))})
      AND s.id IN (SELECT t.submission_id FROM submission_transitions t
                   WHERE t.to_state = 'verified' AND t.at BETWEEN ${from}::timestamptz AND ${to}::timestamptz)
    GROUP BY 1, 2`.execute(db);
  return r.rows;
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
  return (await reserveNumbers(tx, prefix, year, 1)).last;
}

/**
 * `count` consecutive numbers of (prefix, year) at once, under the same row lock as nextNumber: the counter
 * moves past them, so the series' own next number comes after (a block delegated to a peer, peers/delegation.ts).
 */
export async function reserveNumbers(
  tx: Db,
  prefix: string,
  year: number,
  count: number,
): Promise<{ first: number; last: number }> {
  await tx
    .insertInto('id_counters')
    .values({ prefix, year })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const r = await tx
    .updateTable('id_counters')
    .set((eb) => ({ last: eb('last', '+', count) }))
    .where('prefix', '=', prefix)
    .where('year', '=', year)
    .returning('last')
    .executeTakeFirstOrThrow();
  return { first: r.last - count + 1, last: r.last };
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
