/**
 * Case messages: threaded, each with its audience. The coordinator (analysts) writes to anyone and reads
 * everything; a reporter writes to and reads the coordinator ↔ reporter thread of their own case; a recipient
 * writes to and reads its organisation's thread and what was addressed to all recipients — only on cases it
 * was notified about. Nobody else learns the case exists.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import { authorize } from '../accounts/resource-policy.js';
import { audit } from '../audit/audit.js';
import { isNotified } from '../coordination/store.js';
import * as store from './store.js';

export const AUDIENCES = ['internal', 'reporter', 'recipients', 'organisation'] as const;
export type Audience = (typeof AUDIENCES)[number];

export interface CaseMessage {
  id: number;
  author: string;
  side: 'coordinator' | 'reporter' | 'recipient';
  audience: Audience;
  organisationId: number | null;
  replyTo: number | null;
  body: string;
  createdAt: string;
}

export function createMessageService(deps: { db: Kysely<DB>; clock?: () => Date }) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  /** Which side p is on for this case (the case rule of accounts/resource-policy.ts), or not_found. */
  async function sideOf(tx: Kysely<DB>, p: Principal, trackingNo: string) {
    const s = await store.byTracking(tx, trackingNo);
    if (!s) throw new AppError('not_found', `No submission ${trackingNo}`, { trackingNo });
    // the rule needs to know whether the asker's organisation was notified, not the whole list
    const org = p.kind === 'user' ? p.organisationId : null;
    const notified = org !== null && (await isNotified(tx, s.id, org)) ? [org] : [];
    const side = authorize(p, 'message', {
      type: 'case',
      trackingNo,
      reporterId: s.reporter_id,
      notifiedOrganisationIds: notified,
    });
    return { id: s.id, side, org: side === 'recipient' ? org : null };
  }

  async function list(p: Principal, trackingNo: string): Promise<CaseMessage[]> {
    requireAccess(p, 'messages:read');
    const who = await sideOf(db, p, trackingNo);
    const rows = await store.messagesOf(
      db,
      who.id,
      who.side === 'reporter'
        ? { audience: 'reporter' }
        : who.side === 'recipient'
          ? { recipientsAnd: who.org }
          : null,
    );
    return rows.map((m) => ({
      id: m.id,
      // the reporter and recipients see "coordinator", not which analyst
      author: who.side === 'coordinator' || m.author_side !== 'coordinator' ? m.author : 'coordinator',
      side: m.author_side as CaseMessage['side'],
      audience: m.audience as Audience,
      organisationId: m.organisation_id,
      replyTo: m.reply_to,
      body: m.body,
      createdAt: m.created_at,
    }));
  }

  async function post(
    p: Principal,
    trackingNo: string,
    input: { body: string; audience?: Audience; organisationId?: number; replyTo?: number },
  ): Promise<CaseMessage> {
    requireAccess(p, 'messages:write');
    const body = input.body.trim();
    if (!body || body.length > 20_000)
      throw new AppError('invalid_parameter', 'body must be 1–20,000 characters', { parameter: 'body' });
    return db.transaction().execute(async (tx) => {
      const who = await sideOf(tx, p, trackingNo);
      // the reporter and recipients write to their own thread; only the coordinator chooses the audience
      const audience: Audience =
        who.side === 'reporter'
          ? 'reporter'
          : who.side === 'recipient'
            ? 'organisation'
            : (input.audience ?? 'reporter');
      const organisationId =
        who.side === 'recipient'
          ? who.org
          : audience === 'organisation'
            ? (input.organisationId ?? null)
            : null;
      if (who.side === 'coordinator' && audience === 'organisation') {
        if (!organisationId || !(await isNotified(tx, who.id, organisationId)))
          throw new AppError(
            'invalid_parameter',
            'organisationId must be an organisation notified about this case',
            {
              parameter: 'organisationId',
            },
          );
      }
      if (input.replyTo !== undefined) {
        if ((await store.messageCase(tx, input.replyTo)) !== who.id)
          throw new AppError('invalid_parameter', `replyTo ${input.replyTo} is not a message of this case`, {
            parameter: 'replyTo',
          });
      }
      const m = await store.insertMessage(tx, {
        submission_id: who.id,
        author_id: p.kind === 'user' ? p.userId : null,
        author: p.kind === 'user' ? p.email : p.kind,
        author_side: who.side,
        audience,
        organisation_id: organisationId,
        reply_to: input.replyTo ?? null,
        body,
        created_at: clock().toISOString(),
      });
      await audit(tx, p, {
        action: 'case.message',
        targetKind: 'submission',
        targetId: trackingNo,
        detail: { audience, message: m.id },
      });
      return {
        id: m.id,
        author: m.author,
        side: who.side,
        audience,
        organisationId: m.organisation_id,
        replyTo: m.reply_to,
        body: m.body,
        createdAt: m.created_at,
      };
    });
  }

  return { list, post };
}
