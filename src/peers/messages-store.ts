/**
 * The tables of federation messaging (migration 0023): peer_outbox (messages to peers, leased and delivered in
 * enqueue order per peer) and peer_inbox (messages from peers applied, one row per sender and message id).
 * The only SQL of src/peers/messages.ts.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

type Db = Kysely<DB>;
type Tx = Transaction<DB> | Kysely<DB>;

export interface OutboxMessageRow {
  id: string;
  seq: string;
  peer_name: string;
  kind: string;
  body: unknown;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  last_error_code: string | null;
  result: unknown;
  created_at: string;
  sent_at: string | null;
}

const COLS = sql`id::text, seq::text, peer_name, kind, body, state, attempts, next_attempt_at::text, last_error,
  last_error_code, result, created_at::text, sent_at::text`;

export async function insertOutbox(
  tx: Tx,
  m: { id: string; peer: string; kind: string; body: unknown; at: Date },
): Promise<void> {
  await sql`INSERT INTO peer_outbox (id, peer_name, kind, body, next_attempt_at, created_at)
    VALUES (${m.id}::uuid, ${m.peer}, ${m.kind}, ${JSON.stringify(m.body ?? null)}::jsonb, ${m.at.toISOString()},
      ${m.at.toISOString()})`.execute(tx);
}

export async function outboxExists(db: Db, id: string): Promise<boolean> {
  const r = await sql<{ id: string }>`SELECT id::text FROM peer_outbox WHERE id = ${id}::uuid`.execute(db);
  return r.rows.length > 0;
}

/**
 * Lease the oldest pending message of each peer (of `peer` only, when given) when it is due and not leased:
 * a peer's next message waits until the one before it is sent or failed, so messages arrive in enqueue order.
 * FOR UPDATE SKIP LOCKED: two workers never lease the same row.
 */
export async function leaseHeads(db: Db, now: Date, until: Date, peer?: string): Promise<OutboxMessageRow[]> {
  const at = now.toISOString();
  return db.transaction().execute(async (tx) => {
    const ids = await sql<{ id: string }>`
      WITH heads AS (
        SELECT DISTINCT ON (peer_name) id FROM peer_outbox
        WHERE state = 'pending' ${peer === undefined ? sql`` : sql`AND peer_name = ${peer}`}
        ORDER BY peer_name, seq)
      SELECT o.id::text FROM peer_outbox o JOIN heads h ON h.id = o.id
      WHERE o.state = 'pending' AND o.next_attempt_at <= ${at}
        AND (o.lease_until IS NULL OR o.lease_until < ${at})
      FOR UPDATE OF o SKIP LOCKED`.execute(tx);
    if (ids.rows.length === 0) return [];
    const r = await sql<OutboxMessageRow>`
      UPDATE peer_outbox SET lease_until = ${until.toISOString()}, attempts = attempts + 1
      WHERE id IN (${sql.join(ids.rows.map((x) => sql`${x.id}::uuid`))})
      RETURNING ${COLS}`.execute(tx);
    return r.rows.sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq)));
  });
}

export async function markSent(db: Db, id: string, result: unknown, at: Date): Promise<void> {
  await sql`UPDATE peer_outbox SET state = 'sent', sent_at = ${at.toISOString()}, lease_until = NULL,
    result = ${JSON.stringify(result ?? null)}::jsonb, last_error = NULL, last_error_code = NULL
    WHERE id = ${id}::uuid AND state = 'pending'`.execute(db);
}

/** The peer refused the message with a code of its handler or policy: failed, never retried. */
export async function markFailed(db: Db, id: string, code: string, error: string): Promise<void> {
  await sql`UPDATE peer_outbox SET state = 'failed', lease_until = NULL, last_error = ${error},
    last_error_code = ${code} WHERE id = ${id}::uuid AND state = 'pending'`.execute(db);
}

/** Not delivered (no answer, an unsigned refusal, a bad answer): due again at `next`. */
export async function markRetry(
  db: Db,
  id: string,
  error: string,
  code: string | null,
  next: Date,
): Promise<void> {
  await sql`UPDATE peer_outbox SET lease_until = NULL, last_error = ${error}, last_error_code = ${code},
    next_attempt_at = ${next.toISOString()} WHERE id = ${id}::uuid AND state = 'pending'`.execute(db);
}

/** Make a peer's (or every peer's) pending messages due now: it answered us, so it is up again. */
export async function makeDue(db: Db, now: Date, peer?: string): Promise<number> {
  const r = await sql`UPDATE peer_outbox SET next_attempt_at = ${now.toISOString()}
    WHERE state = 'pending' AND next_attempt_at > ${now.toISOString()}
    ${peer === undefined ? sql`` : sql`AND peer_name = ${peer}`}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function listOutbox(
  db: Db,
  f: { peer?: string; state?: OutboxMessageRow['state']; limit: number },
): Promise<OutboxMessageRow[]> {
  const r = await sql<OutboxMessageRow>`SELECT ${COLS} FROM peer_outbox WHERE true
    ${f.peer === undefined ? sql`` : sql`AND peer_name = ${f.peer}`}
    ${f.state === undefined ? sql`` : sql`AND state = ${f.state}`}
    ORDER BY seq DESC LIMIT ${f.limit}`.execute(db);
  return r.rows;
}

export async function getOutbox(db: Db, id: string): Promise<OutboxMessageRow | undefined> {
  const r = await sql<OutboxMessageRow>`SELECT ${COLS} FROM peer_outbox WHERE id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

/**
 * Record (sender, message id) in the applying transaction; false when it was recorded before (a repeat: the
 * transaction that applied it committed). A concurrent first delivery makes this wait for its commit.
 */
export async function claimInbox(
  tx: Transaction<DB>,
  m: { sender: string; id: string; kind: string; issuedAt: string; at: Date },
): Promise<boolean> {
  const r = await sql<{ id: string }>`
    INSERT INTO peer_inbox (sender, message_id, kind, issued_at, received_at)
    VALUES (${m.sender}, ${m.id}::uuid, ${m.kind}, ${m.issuedAt}, ${m.at.toISOString()})
    ON CONFLICT DO NOTHING RETURNING message_id::text AS id`.execute(tx);
  return r.rows.length === 1;
}

export async function setInboxResult(
  tx: Transaction<DB>,
  sender: string,
  id: string,
  result: unknown,
): Promise<void> {
  await sql`UPDATE peer_inbox SET result = ${JSON.stringify(result ?? null)}::jsonb
    WHERE sender = ${sender} AND message_id = ${id}::uuid`.execute(tx);
}

export async function inboxResult(db: Tx, sender: string, id: string): Promise<unknown> {
  const r = await sql<{ result: unknown }>`SELECT result FROM peer_inbox
    WHERE sender = ${sender} AND message_id = ${id}::uuid`.execute(db);
  return r.rows[0]?.result ?? null;
}

export async function inboxCount(db: Db, sender: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM peer_inbox WHERE sender = ${sender}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** The newest change sequence of a published record (what a push hint announces). */
export async function publishedHead(db: Db): Promise<string> {
  const r = await sql<{ seq: string }>`SELECT coalesce(max(change_seq), 0)::text AS seq FROM vulnerabilities
    WHERE state = 'published'`.execute(db);
  return r.rows[0]?.seq ?? '0';
}

/** A published record's document by one of its ids (what a released notice carries). */
export async function publishedDoc(db: Tx, alias: string): Promise<Record<string, unknown> | null> {
  const r = await sql<{ doc: Record<string, unknown> }>`SELECT v.doc FROM vulnerabilities v
    JOIN vuln_aliases a ON a.vuln_id = v.id WHERE a.alias = ${alias} AND v.state = 'published' LIMIT 1`.execute(
    db,
  );
  return r.rows[0]?.doc ?? null;
}

// advance notices, sender side (peer_notice_shares)

export interface ShareRow {
  tracking_no: string;
  peer_name: string;
  state: 'shared' | 'released' | 'withdrawn';
  version: string;
  updated_at: string;
  /** the submission's updatedAt the last notice.share carried */
  shared_by: string | null;
}

/** Next version of a submission's notices (one sequence per submission, across peers). */
export async function nextShareVersion(tx: Tx, trackingNo: string): Promise<number> {
  const r = await sql<{ v: string }>`SELECT coalesce(max(version), 0)::text AS v FROM peer_notice_shares
    WHERE tracking_no = ${trackingNo}`.execute(tx);
  return Number(r.rows[0]?.v ?? '0') + 1;
}

export async function upsertShare(
  tx: Tx,
  s: { trackingNo: string; peer: string; state: ShareRow['state']; version: number; mark: string | null },
): Promise<void> {
  await sql`INSERT INTO peer_notice_shares (tracking_no, peer_name, state, version, shared_by)
    VALUES (${s.trackingNo}, ${s.peer}, ${s.state}, ${s.version}, ${s.mark})
    ON CONFLICT (tracking_no, peer_name) DO UPDATE SET state = excluded.state, version = excluded.version,
      shared_by = coalesce(excluded.shared_by, peer_notice_shares.shared_by), updated_at = now()`.execute(tx);
}

export async function openShares(db: Db): Promise<ShareRow[]> {
  const r =
    await sql<ShareRow>`SELECT tracking_no, peer_name, state, version::text, updated_at::text, shared_by
    FROM peer_notice_shares WHERE state = 'shared' ORDER BY tracking_no, peer_name`.execute(db);
  return r.rows;
}

// advance notices, receiver side (peer_notices)

export interface NoticeRow {
  sender: string;
  reference: string;
  version: string;
  state: 'embargoed' | 'released' | 'withdrawn';
  record: Record<string, unknown> | null;
  record_id: string | null;
  tlp: string;
  embargo_until: string | null;
  received_at: string;
  updated_at: string;
  released_at: string | null;
}

const NOTICE_COLS = sql`sender, reference, version::text, state, record, record_id, tlp, embargo_until::text,
  received_at::text, updated_at::text, released_at::text`;

export async function notice(tx: Tx, sender: string, reference: string): Promise<NoticeRow | undefined> {
  const r = await sql<NoticeRow>`SELECT ${NOTICE_COLS} FROM peer_notices
    WHERE sender = ${sender} AND reference = ${reference} FOR UPDATE`.execute(tx);
  return r.rows[0];
}

export async function putNotice(
  tx: Tx,
  n: {
    sender: string;
    reference: string;
    version: number;
    state: NoticeRow['state'];
    record: unknown;
    recordId: string | null;
    tlp: string;
    embargoUntil: string | null;
    at: Date;
  },
): Promise<void> {
  const at = n.at.toISOString();
  await sql`INSERT INTO peer_notices (sender, reference, version, state, record, record_id, tlp, embargo_until,
      received_at, updated_at, released_at)
    VALUES (${n.sender}, ${n.reference}, ${n.version}, ${n.state}, ${n.record === null ? null : JSON.stringify(n.record)}::jsonb,
      ${n.recordId}, ${n.tlp}, ${n.embargoUntil}, ${at}, ${at}, ${n.state === 'released' ? at : null})
    ON CONFLICT (sender, reference) DO UPDATE SET version = excluded.version, state = excluded.state,
      record = excluded.record, record_id = coalesce(excluded.record_id, peer_notices.record_id), tlp = excluded.tlp,
      embargo_until = coalesce(excluded.embargo_until, peer_notices.embargo_until), updated_at = excluded.updated_at,
      released_at = coalesce(excluded.released_at, peer_notices.released_at)`.execute(tx);
}

export async function listNotices(db: Db, limit: number): Promise<NoticeRow[]> {
  const r = await sql<NoticeRow>`SELECT ${NOTICE_COLS} FROM peer_notices WHERE state <> 'withdrawn'
    ORDER BY updated_at DESC LIMIT ${limit}`.execute(db);
  return r.rows;
}
