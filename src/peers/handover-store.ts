/**
 * SQL of case hand-over (migration 0025): the per-peer case policy, the sender's hand-over rows with the board
 * mirrored back, the receiver's received cases (with their change counters, bumped by triggers) and the sender's
 * messages already applied. The submission rows themselves are written through submissions/store.ts.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { CasePolicy, CaseUpdateBody, HandoverReport } from './handover-model.js';

type Db = Kysely<DB>;

// ---- per-peer case policy

export async function casePolicy(db: Db, peer: string): Promise<CasePolicy | null> {
  const r = await sql<{ messages: CasePolicy['messages']; reporter_contact: boolean }>`
    SELECT messages, reporter_contact FROM peer_case_policies WHERE peer_name = ${peer}`.execute(db);
  const row = r.rows[0];
  return row ? { messages: row.messages, reporterContact: row.reporter_contact } : null;
}

export async function setCasePolicy(db: Db, peer: string, p: CasePolicy, at: string): Promise<void> {
  await sql`INSERT INTO peer_case_policies (peer_name, messages, reporter_contact, updated_at)
    VALUES (${peer}, ${p.messages}, ${p.reporterContact}, ${at})
    ON CONFLICT (peer_name) DO UPDATE SET messages = EXCLUDED.messages,
      reporter_contact = EXCLUDED.reporter_contact, updated_at = EXCLUDED.updated_at`.execute(db);
}

// ---- the sender's side

export interface HandoverRow {
  submission_id: number;
  peer_name: string;
  version: number;
  handed_over_by: string;
  handed_over_at: string;
  last_sent_at: string;
  message_id: string;
  remote_tracking_no: string | null;
  remote_version: number;
  remote_state: string | null;
  remote_case: CaseUpdateBody | null;
  remote_updated_at: string | null;
}

const HANDOVER_COLS = sql`h.submission_id::int AS submission_id, h.peer_name, h.version::int AS version,
  h.handed_over_by, h.handed_over_at::text, h.last_sent_at::text, h.message_id, h.remote_tracking_no,
  h.remote_version::int AS remote_version, h.remote_state, h.remote_case, h.remote_updated_at::text`;

export async function handoverOf(db: Db, submissionId: number, forUpdate = false) {
  const r = await sql<HandoverRow>`SELECT ${HANDOVER_COLS} FROM case_handovers h
    WHERE h.submission_id = ${submissionId} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0];
}

/** The hand-over of our tracking number to `peer` (what a case.update from it refers to), locked. */
export async function handoverByReference(tx: Db, peer: string, trackingNo: string) {
  const r = await sql<HandoverRow & { state: string }>`
    SELECT ${HANDOVER_COLS}, s.state FROM case_handovers h JOIN submissions s ON s.id = h.submission_id
    WHERE h.peer_name = ${peer} AND s.tracking_no = ${trackingNo} FOR UPDATE OF h`.execute(tx);
  return r.rows[0];
}

/** A first hand-over or a re-send, at the version the message carries (the caller holds the submission lock). */
export async function recordSend(
  tx: Db,
  h: { submissionId: number; peer: string; version: number; by: string; at: string; messageId: string },
): Promise<void> {
  await sql`
    INSERT INTO case_handovers (submission_id, peer_name, version, handed_over_by, handed_over_at, last_sent_at, message_id)
    VALUES (${h.submissionId}, ${h.peer}, ${h.version}, ${h.by}, ${h.at}, ${h.at}, ${h.messageId})
    ON CONFLICT (submission_id) DO UPDATE SET version = EXCLUDED.version,
      last_sent_at = EXCLUDED.last_sent_at, message_id = EXCLUDED.message_id`.execute(tx);
}

/** Keep the peer's board of the case: only a newer version than the one held (the caller checked it). */
export async function storeRemote(
  tx: Db,
  submissionId: number,
  u: CaseUpdateBody,
  at: string,
): Promise<void> {
  await sql`UPDATE case_handovers SET remote_tracking_no = ${u.trackingNo}, remote_version = ${u.version},
      remote_state = ${u.state}, remote_case = ${JSON.stringify(u)}::jsonb, remote_updated_at = ${at}
    WHERE submission_id = ${submissionId} AND remote_version < ${u.version}`.execute(tx);
}

// ---- the receiver's side

export interface ReceivedRow {
  submission_id: number;
  peer_name: string;
  reference: string;
  handover_version: number;
  report: HandoverReport;
  received_at: string;
  updated_at: string;
  change_version: number;
  sent_version: number;
}

const RECEIVED_COLS = sql`submission_id::int AS submission_id, peer_name, reference,
  handover_version::int AS handover_version, report, received_at::text, updated_at::text,
  change_version::int AS change_version, sent_version::int AS sent_version`;

export async function receivedByReference(tx: Db, peer: string, reference: string) {
  const r = await sql<ReceivedRow>`SELECT ${RECEIVED_COLS} FROM received_cases
    WHERE peer_name = ${peer} AND reference = ${reference} FOR UPDATE`.execute(tx);
  return r.rows[0];
}

export async function receivedOf(db: Db, submissionId: number, forUpdate = false) {
  const r = await sql<ReceivedRow>`SELECT ${RECEIVED_COLS} FROM received_cases
    WHERE submission_id = ${submissionId} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0];
}

export async function insertReceived(
  tx: Db,
  c: {
    submissionId: number;
    peer: string;
    reference: string;
    version: number;
    report: HandoverReport;
    at: string;
  },
): Promise<void> {
  await sql`INSERT INTO received_cases (submission_id, peer_name, reference, handover_version, report, received_at, updated_at)
    VALUES (${c.submissionId}, ${c.peer}, ${c.reference}, ${c.version}, ${JSON.stringify(c.report)}::jsonb, ${c.at}, ${c.at})`.execute(
    tx,
  );
}

/** A re-send: the newer report as sent, and news for the sender (the board goes back with the current state). */
export async function updateReceived(
  tx: Db,
  submissionId: number,
  c: { version: number; report: HandoverReport; at: string },
): Promise<void> {
  await sql`UPDATE received_cases SET handover_version = ${c.version}, report = ${JSON.stringify(c.report)}::jsonb,
      updated_at = ${c.at}, change_version = change_version + 1
    WHERE submission_id = ${submissionId}`.execute(tx);
}

export async function appliedMessageIds(tx: Db, submissionId: number): Promise<Set<number>> {
  const r = await sql<{ remote_id: number }>`SELECT remote_id::int AS remote_id FROM received_case_messages
    WHERE submission_id = ${submissionId}`.execute(tx);
  return new Set(r.rows.map((x) => x.remote_id));
}

export async function recordAppliedMessage(
  tx: Db,
  submissionId: number,
  remoteId: number,
  messageId: number,
): Promise<void> {
  await sql`INSERT INTO received_case_messages (submission_id, remote_id, message_id)
    VALUES (${submissionId}, ${remoteId}, ${messageId})`.execute(tx);
}

/** Received cases with a change not yet sent back, oldest first. */
export async function casesWithNews(db: Db, limit: number): Promise<number[]> {
  const r = await sql<{ id: number }>`SELECT submission_id::int AS id FROM received_cases
    WHERE change_version > sent_version ORDER BY updated_at, submission_id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function markSent(tx: Db, submissionId: number, version: number): Promise<void> {
  await sql`UPDATE received_cases SET sent_version = ${version} WHERE submission_id = ${submissionId}`.execute(
    tx,
  );
}
