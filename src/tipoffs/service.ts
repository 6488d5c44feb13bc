/**
 * Public tip-offs as a service. `submit` is open to anyone by design (a tip-off needs no account; the routes
 * bound it by size and by a rate per client address): it opens the case (case.ts) and answers the receipt
 * once. `follow` and `reply` take the receipt in place of a principal — whoever holds it is the tipster; a
 * wrong receipt is not_found, whether or not such a case exists. Every write is one transaction with its
 * audit row.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { audit } from '../audit/audit.js';
import type { Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import * as submissions from '../submissions/store.js';
import { STATES, type State as SubmissionState } from '../submissions/workflow.js';
import { isState } from '../workflow/state-machine.js';
import { openPublicCase, publicAnswer } from './case.js';
import {
  canonicalReceipt,
  newReceipt,
  PUBLIC_INTAKE,
  PUBLIC_STATUS,
  receiptHash,
  TIPOFF_LIMITS,
  tipoffProblems,
  type PublicStatus,
  type TipoffInput,
  type TipoffKind,
} from './model.js';
import * as store from './store.js';

export interface TipoffCase {
  trackingNo: string;
  kind: TipoffKind;
  title: string;
  status: PublicStatus;
  /** Why it was closed (a rejection's reason), when it was. */
  closedReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** The coordinator ↔ tipster thread: the coordinator's questions (need_info notes, messages) and answers. */
  messages: Array<{ from: 'coordinator' | 'you'; body: string; at: string }>;
}

const INTAKE = { email: PUBLIC_INTAKE.actor, userId: null };

export function createTipoffService(deps: { db: Kysely<DB>; clock?: () => Date; receipt?: () => string }) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const receipts = deps.receipt ?? (() => newReceipt());

  async function submit(
    input: TipoffInput,
    meta: { ip?: string } = {},
  ): Promise<{ receipt: string; trackingNo: string; createdAt: string }> {
    const problems = tipoffProblems(input);
    if (problems.length)
      throw new AppError('invalid_parameter', problems.join('; '), { parameter: 'tipoff', problems });
    const receipt = receipts();
    const at = clock().toISOString();
    const contact = input.contact?.trim() || null;
    return db.transaction().execute(async (tx) => {
      const opened = await openPublicCase(tx, input, at);
      const t = await store.insertTipoff(tx, {
        receipt_hash: receiptHash(receipt),
        submission_id: opened.submissionId,
        kind: input.kind,
        contact,
        created_at: at,
      });
      await audit(tx, INTAKE, {
        action: 'tipoff.received',
        targetKind: 'submission',
        targetId: opened.trackingNo,
        detail: { kind: input.kind, tipoff: t.id, contact: contact !== null },
        ...(meta.ip ? { ip: meta.ip } : {}),
      });
      return { receipt, trackingNo: opened.trackingNo, createdAt: t.created_at };
    });
  }

  async function found(tx: Kysely<DB>, receipt: string, forUpdate = false) {
    const canonical = canonicalReceipt(receipt);
    const row = canonical ? await store.byReceiptHash(tx, receiptHash(canonical), forUpdate) : undefined;
    if (!row) throw new AppError('not_found', 'No tip-off has this receipt');
    return row;
  }

  async function caseOf(tx: Kysely<DB>, row: Awaited<ReturnType<typeof found>>): Promise<TipoffCase> {
    const asked = (await submissions.transitions(tx, row.submission_id))
      .filter((t) => t.to_state === 'need_info' && t.note)
      .map((t) => ({ from: 'coordinator' as const, body: t.note ?? '', at: t.at }));
    const thread = (await submissions.messagesOf(tx, row.submission_id, { audience: 'reporter' })).map(
      (m) => ({
        from: m.author_side === 'coordinator' ? ('coordinator' as const) : ('you' as const),
        body: m.body,
        at: m.created_at,
      }),
    );
    return {
      trackingNo: row.tracking_no,
      kind: row.kind,
      title: row.title,
      status: PUBLIC_STATUS[row.state],
      closedReason: row.state === 'rejected' ? row.state_reason : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      messages: [...asked, ...thread].sort((a, b) => a.at.localeCompare(b.at)),
    };
  }

  async function follow(receipt: string): Promise<TipoffCase> {
    return caseOf(db, await found(db, receipt));
  }

  /** The tipster answers the coordinator (or adds what they forgot); an answer to a question re-opens triage. */
  async function reply(receipt: string, body: string, meta: { ip?: string } = {}): Promise<TipoffCase> {
    const text = body.trim();
    if (!text || text.length > TIPOFF_LIMITS.messageChars)
      throw new AppError('invalid_parameter', `body must be 1–${TIPOFF_LIMITS.messageChars} characters`, {
        parameter: 'body',
      });
    return db.transaction().execute(async (tx) => {
      const row = await found(tx, receipt, true);
      if (row.state === 'duplicate' || row.state === 'rejected' || row.state === 'published')
        throw new AppError('invalid_transition', `Tip-off ${row.tracking_no} is closed`, {
          from: row.state,
          to: 'message',
          allowed: [],
        });
      const answer = await publicAnswer(
        tx,
        { submissionId: row.submission_id, state: row.state },
        text,
        clock().toISOString(),
      );
      await audit(tx, INTAKE, {
        action: 'case.message',
        targetKind: 'submission',
        targetId: row.tracking_no,
        detail: { audience: 'reporter', message: answer.id, tipoff: true, movedTo: answer.movedTo },
        ...(meta.ip ? { ip: meta.ip } : {}),
      });
      return caseOf(tx, await found(tx, receipt));
    });
  }

  /** Staff: whether a submission is a tip-off, of what kind, and the contact its tipster left. */
  async function ofSubmission(
    p: Principal,
    trackingNo: string,
  ): Promise<{ trackingNo: string; kind: TipoffKind; contact: string | null; receivedAt: string }> {
    requireAccess(p, 'submissions:read_all');
    const s = await submissions.byTracking(db, trackingNo);
    const t = s ? await store.bySubmission(db, s.id) : undefined;
    if (!t) throw new AppError('not_found', `${trackingNo} is not a tip-off`, { trackingNo });
    return { trackingNo, kind: t.kind, contact: t.contact, receivedAt: t.created_at };
  }

  /**
   * Staff: the tip-offs among the submissions, newest first — what the console marks 公众举报 / public tip-off
   * in its queue and offers as a filter. The same order and state filter as the submission list, so the
   * tip-offs among its newest rows are among these.
   */
  async function list(
    p: Principal,
    f: { state?: string; limit?: number; before?: number } = {},
  ): Promise<
    Array<{ trackingNo: string; kind: TipoffKind; state: SubmissionState; title: string; receivedAt: string }>
  > {
    requireAccess(p, 'submissions:read_all');
    const state = f.state || undefined;
    if (state !== undefined && !isState(STATES, state))
      throw new AppError('invalid_parameter', `state must be one of ${STATES.join(', ')}`, {
        parameter: 'state',
      });
    const rows = await store.listTipoffs(db, {
      ...(state ? { state } : {}),
      limit: Math.min(Math.max(f.limit ?? 100, 1), 500),
      ...(f.before ? { before: f.before } : {}),
    });
    return rows.map((r) => ({
      trackingNo: r.tracking_no,
      kind: r.kind,
      state: r.state,
      title: r.title,
      receivedAt: r.created_at,
    }));
  }

  return { submit, follow, reply, ofSubmission, list };
}

export type TipoffService = ReturnType<typeof createTipoffService>;
