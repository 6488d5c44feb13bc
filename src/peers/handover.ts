/**
 * Case hand-over (issue 14; docs/FEDERATION.md "Case hand-over"): a coordinator hands a submission to a peer
 * (the national instance) for coordination. The report, its attachments and the case messages the peer's case
 * policy allows go as one signed `case.handover` message through the messaging outbox (at-least-once); our
 * submission keeps its state, records the hand-over (audit) and is no longer notified from here. The peer
 * coordinates it as a submission of its own (origin 'peer', our tracking number kept as its reference) and sends
 * `case.update` — the case's whole board with a version that only grows — whenever it changes; we keep the
 * newest board and follow it through the system's transition table (notified, fixed).
 *
 * Every public function checks the role first; the two message handlers run in the messaging transaction.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { individualDisplayName, type Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import * as accounts from '../accounts/store.js';
import { audit } from '../audit/audit.js';
import { vendorKey } from '../classify/index.js';
import { scoreCvss } from '../cvss/cvss.js';
import { severityFromScore } from '../cvss/bands.js';
import type { CoordinationService } from '../coordination/service.js';
import * as disposal from '../coordination/store.js';
import { trackingNumber } from '../submissions/ids.js';
import * as submissions from '../submissions/store.js';
import { systemTransition } from '../submissions/system.js';
import type { State } from '../submissions/workflow.js';
import { calendarDay } from '../vulns/calendar.js';
import { normaliseId } from '../vulns/ids.js';
import { productKey } from '../vulns/row.js';
import type { MessageKind } from './envelope.js';
import {
  attachmentBytes,
  AUDIENCES_SENT,
  CASE_MESSAGE_LEVELS,
  caseItem,
  DEFAULT_CASE_POLICY,
  followSteps,
  HANDOVER_MAX_ATTACHMENT_BYTES,
  HANDOVER_STATES,
  isNewer,
  mirroredBoard,
  parseHandover,
  parseUpdate,
  type CasePolicy,
  type CaseUpdateBody,
  type HandoverBody,
  type HandoverReport,
} from './handover-model.js';
import * as store from './handover-store.js';
import { mayAccept, mayReceive } from './policy.js';
import { getPeer } from './store.js';

export const HANDOVER_KIND = 'case.handover';
export const UPDATE_KIND = 'case.update';

/** What a message handler is given by the messaging API (src/peers/messages.ts). */
export interface MessageContext {
  tx: Kysely<DB>;
  peer: string;
  messageId: string;
  issuedAt: string;
}

/** The part of the messaging API hand-over uses: a message to a peer, written in the caller's transaction. */
export interface Outbox {
  enqueue(tx: Kysely<DB>, peer: string, kind: MessageKind, body: unknown): Promise<string>;
  /** how a message we sent fared */
  message(id: string): Promise<{
    state: 'pending' | 'sent' | 'failed';
    lastError: string | null;
    lastErrorCode: string | null;
  } | null>;
}

export interface HandoverDeps {
  db: Kysely<DB>;
  messages: Outbox;
  clock?: () => Date;
}

/** The reporter account a peer's cases are filed under (nobody signs in as it: its hash is no PHC string). */
async function peerIntakeUser(tx: Kysely<DB>, peer: string): Promise<number> {
  const email = `peer+${peer.toLowerCase()}@peers.vulnshare.invalid`;
  const found = await accounts.userByEmail(tx, email);
  if (found) return found.id;
  await accounts.insertUser(
    tx,
    {
      email,
      display_name: `${peer} (peer instance)`,
      password_hash: '!peer intake: no password',
      role: 'reporter',
      organisation_id: null,
    },
    true,
  );
  const made = await accounts.userByEmail(tx, email);
  if (!made) throw new AppError('internal', `the intake account of peer ${peer} could not be created`);
  return made.id;
}

/** submissions/store.ts's insertSubmission lists the origins before 'peer' (0025's CHECK adds it). */
const PEER_ORIGIN = 'peer' as unknown as 'report';

/** A vector we cannot score is kept in the report as sent (received_cases.report), not on the case. */
function scoredOrNull(vector: string | undefined): ReturnType<typeof scoreCvss> | null {
  if (!vector) return null;
  try {
    return scoreCvss({ vector: vector.trim() });
  } catch {
    return null;
  }
}

const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());

export function createHandoverService(deps: HandoverDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  // ---- the sender's side

  async function policyOf(tx: Kysely<DB>, peer: string): Promise<CasePolicy> {
    return (await store.casePolicy(tx, peer)) ?? DEFAULT_CASE_POLICY;
  }

  /** The report as our console shows it, with the credit as a published record would carry it. */
  async function reportOf(
    tx: Kysely<DB>,
    s: submissions.SubmissionRow,
    policy: CasePolicy,
  ): Promise<HandoverReport> {
    const org = s.reporter_org_id ? await accounts.organisationById(tx, s.reporter_org_id) : undefined;
    const reporter = policy.reporterContact ? await accounts.userById(tx, s.reporter_id) : undefined;
    return {
      kind: s.kind === 'event' ? 'event' : 'general',
      title: s.title,
      vendor: s.vendor,
      product: s.product,
      version: s.version,
      affectedOrganisation: s.affected_org,
      affectedSystem: s.affected_system,
      description: s.description,
      reproduction: s.reproduction,
      poc: s.poc,
      cveId: s.cve_id,
      cvss: s.cvss_vector
        ? {
            vector: s.cvss_vector,
            version: s.cvss_version,
            score: s.cvss_score === null ? null : Number(s.cvss_score),
            severity: s.severity,
          }
        : null,
      weakness: s.weakness_cwe || s.weakness_zh ? { cwe: s.weakness_cwe, nameZh: s.weakness_zh } : null,
      originality: s.originality === 'collected' ? 'collected' : 'original',
      sourceUrl: s.source_url,
      credit: org ? (org.kind === 'individual' ? individualDisplayName(org.name) : org.name) : null,
      ...(reporter ? { reporterEmail: reporter.email } : {}),
      submittedAt: new Date(s.created_at).toISOString(),
    };
  }

  async function handoverBody(
    tx: Kysely<DB>,
    s: submissions.SubmissionRow,
    policy: CasePolicy,
    version: number,
    at: string,
  ): Promise<HandoverBody> {
    const attachments = [];
    let total = 0;
    for (const a of await submissions.attachmentsOf(tx, s.id)) {
      const blob = await submissions.blobOf(tx, s.id, a.sha256);
      if (!blob) continue;
      total += blob.content.length;
      if (total > HANDOVER_MAX_ATTACHMENT_BYTES)
        throw new AppError(
          'invalid_parameter',
          `the attachments of ${s.tracking_no} exceed ${HANDOVER_MAX_ATTACHMENT_BYTES / 1_048_576} MiB, the most a hand-over carries`,
          { parameter: 'attachments', trackingNo: s.tracking_no },
        );
      attachments.push({
        filename: a.filename,
        contentType: a.content_type,
        size: blob.content.length,
        sha256: a.sha256,
        content: blob.content.toString('base64'),
      });
    }
    const audiences = AUDIENCES_SENT[policy.messages];
    const messages = (await submissions.messagesOf(tx, s.id, null))
      .filter((m) => audiences.includes(m.audience))
      .map((m) => ({
        id: Number(m.id),
        side: m.author_side as 'coordinator' | 'reporter' | 'recipient',
        audience: m.audience,
        body: m.body,
        createdAt: new Date(m.created_at).toISOString(),
      }));
    return {
      reference: s.tracking_no,
      version,
      sentAt: at,
      report: await reportOf(tx, s, policy),
      attachments,
      messages,
    };
  }

  /**
   * Hand a submission over to `peer` for coordination (again: a re-send with what it holds now). Refused:
   * handover_not_allowed (a closed or public case), case_handed_over (to another peer already), not_found (no
   * such peer), peer_policy_refused (the peer's receive policy does not take cases — nothing is sent).
   */
  async function handOver(p: Principal, trackingNo: string, input: { peer: string }) {
    requireAccess(p, 'disposal:notify');
    const at = clock().toISOString();
    await db.transaction().execute(async (tx) => {
      const s = await submissions.byTracking(tx, trackingNo, true);
      if (!s) throw new AppError('not_found', `No submission ${trackingNo}`, { trackingNo });
      if (!HANDOVER_STATES.includes(s.state))
        throw new AppError(
          'handover_not_allowed',
          `A submission in state ${s.state} is not handed over (open cases only: ${HANDOVER_STATES.join(', ')})`,
          { trackingNo, state: s.state },
        );
      const held = await store.handoverOf(tx, s.id, true);
      if (held && held.peer_name !== input.peer)
        throw new AppError('case_handed_over', `${trackingNo} was handed over to ${held.peer_name}`, {
          trackingNo,
          peer: held.peer_name,
        });
      const peer = await getPeer(tx, input.peer);
      if (!peer) throw new AppError('not_found', `no peer named "${input.peer}"`, { name: input.peer });
      const d =
        peer.state !== 'active'
          ? { ok: false as const, reason: 'the peer is suspended' }
          : mayReceive(peer.receive, caseItem(s));
      if (!d.ok)
        throw new AppError('peer_policy_refused', `${input.peer} is not sent cases: ${d.reason}`, {
          peer: input.peer,
          reason: d.reason,
          trackingNo,
        });
      const policy = await policyOf(tx, input.peer);
      const version = (held?.version ?? 0) + 1;
      const body = await handoverBody(tx, s, policy, version, at);
      const messageId = await deps.messages.enqueue(tx, input.peer, HANDOVER_KIND, body);
      await store.recordSend(tx, {
        submissionId: s.id,
        peer: input.peer,
        version,
        by: p.kind === 'user' ? p.email : p.kind,
        at,
        messageId,
      });
      await audit(tx, p, {
        action: 'submission.handed_over',
        targetKind: 'submission',
        targetId: trackingNo,
        detail: {
          peer: input.peer,
          version,
          messageId,
          attachments: body.attachments.length,
          messages: body.messages.length,
        },
      });
    });
    return view(p, trackingNo);
  }

  /** A case.update from the peer we handed the case to: the newest board is kept and followed. */
  async function receiveUpdate(ctx: MessageContext, raw: unknown) {
    const u = parseUpdate(raw);
    const tx = ctx.tx;
    const h = await store.handoverByReference(tx, ctx.peer, u.reference);
    if (!h)
      throw new AppError('not_found', `no case ${u.reference} was handed over to ${ctx.peer}`, {
        reference: u.reference,
        peer: ctx.peer,
      });
    if (!isNewer(u.version, h.remote_version))
      return { reference: u.reference, applied: false, version: h.remote_version };
    const at = clock().toISOString();
    await store.storeRemote(tx, h.submission_id, u, at);
    const steps = followSteps(h.state as State, u);
    for (const to of steps)
      await systemTransition(tx, h.submission_id, to, {
        actor: { name: `${ctx.peer} (peer)`, userId: null },
        note: `coordinated by ${ctx.peer} (${u.trackingNo}): ${to === 'fixed' ? 'fixed there' : 'notified there'}`,
        at,
      });
    return { reference: u.reference, applied: true, version: u.version, moved: steps };
  }

  // ---- the receiver's side

  async function applyAttachments(tx: Kysely<DB>, submissionId: number, b: HandoverBody): Promise<void> {
    for (const a of b.attachments) {
      const content = attachmentBytes(a);
      await submissions.putBlob(tx, {
        sha256: a.sha256,
        size: content.length,
        content_type: a.contentType,
        content,
      });
      await submissions.linkAttachment(tx, {
        submission_id: submissionId,
        sha256: a.sha256,
        filename: a.filename.replace(/[/\\\0]/g, '_').slice(0, 200) || 'attachment',
      });
    }
  }

  /** The sender's messages not applied yet, as internal notes of the case (our coordinators read them). */
  async function applyMessages(
    tx: Kysely<DB>,
    c: { submissionId: number; peer: string; intake: number },
    b: HandoverBody,
  ): Promise<number> {
    const done = await store.appliedMessageIds(tx, c.submissionId);
    let n = 0;
    for (const m of b.messages) {
      if (done.has(m.id)) continue;
      const row = await submissions.insertMessage(tx, {
        submission_id: c.submissionId,
        author_id: c.intake,
        author: `${c.peer} · ${m.side} (${m.audience})`,
        author_side: m.side,
        audience: 'internal',
        organisation_id: null,
        reply_to: null,
        body: m.body,
        created_at: m.createdAt,
      });
      await store.recordAppliedMessage(tx, c.submissionId, m.id, Number(row.id));
      n++;
    }
    return n;
  }

  async function openReceived(tx: Kysely<DB>, peer: string, b: HandoverBody, at: string) {
    const r = b.report;
    const intake = await peerIntakeUser(tx, peer);
    const cvss = scoredOrNull(r.cvss?.vector);
    const row = await submissions.insertSubmission(tx, {
      tracking_no: trackingNumber(calendarDay(at)),
      reporter_id: intake,
      reporter_org_id: null,
      kind: r.kind,
      title: r.title.trim(),
      vendor: r.vendor,
      product: r.product,
      version: r.version,
      affected_org: r.affectedOrganisation,
      affected_system: r.affectedSystem,
      description: r.description,
      reproduction: r.reproduction,
      poc: r.poc,
      cve_id: r.cveId ? normaliseId(r.cveId) : null,
      cvss_vector: cvss?.vector ?? null,
      cvss_version: cvss?.version ?? null,
      cvss_score: cvss?.baseScore ?? null,
      severity: cvss ? severityFromScore(cvss.baseScore) : null,
      weakness_cwe: r.weakness?.cwe ?? null,
      weakness_zh: r.weakness?.nameZh ?? null,
      originality: r.originality,
      source_url: r.sourceUrl,
      state_reason: null,
      assignee_id: null,
      duplicate_of: null,
      vuln_public_id: null,
      vendor_key: r.vendor ? vendorKey(r.vendor) : null,
      product_key: r.product ? productKey(r.product) : null,
      created_at: at,
      updated_at: at,
      origin: PEER_ORIGIN,
    });
    await submissions.addTransition(tx, {
      submission_id: row.id,
      actor_id: intake,
      actor: `${peer} (peer)`,
      from_state: null,
      to_state: 'submitted',
      note: `handed over by ${peer} (its ${b.reference})${r.credit ? `; reported by ${r.credit}` : ''}`,
      at,
    });
    await store.insertReceived(tx, {
      submissionId: row.id,
      peer,
      reference: b.reference,
      version: b.version,
      report: r,
      at,
    });
    return { id: row.id, trackingNo: row.tracking_no, intake };
  }

  /**
   * A case.handover from a peer: a new submission of ours (origin 'peer'), or — the same (peer, reference) again —
   * the newer report as sent with the attachments and messages not there yet. A repeat or an older send changes
   * nothing. Refused with peer_policy_refused when our accept policy does not take cases from this peer.
   */
  async function receiveHandover(ctx: MessageContext, raw: unknown) {
    const b = parseHandover(raw);
    const tx = ctx.tx;
    const peer = await getPeer(tx, ctx.peer);
    const d = peer
      ? mayAccept(peer.accept, caseItem(b.report))
      : { ok: false as const, reason: 'no such peer' };
    if (!d.ok)
      throw new AppError('peer_policy_refused', `cases from ${ctx.peer} are not accepted: ${d.reason}`, {
        peer: ctx.peer,
        reason: d.reason,
        trackingNo: b.reference,
      });
    for (const a of b.attachments) attachmentBytes(a); // every attachment checked before anything is stored
    const at = clock().toISOString();
    const who = { email: `${ctx.peer} (peer)`, userId: null };
    const held = await store.receivedByReference(tx, ctx.peer, b.reference);
    if (held && !isNewer(b.version, held.handover_version)) {
      const s = await submissions.byId(tx, held.submission_id);
      return { trackingNo: s?.tracking_no ?? null, reference: b.reference, applied: false };
    }
    let c: { id: number; trackingNo: string; intake: number };
    if (held) {
      const s = await submissions.byId(tx, held.submission_id);
      if (!s) throw new AppError('internal', `received case ${held.submission_id} without its submission`);
      c = { id: s.id, trackingNo: s.tracking_no, intake: s.reporter_id };
      await store.updateReceived(tx, s.id, { version: b.version, report: b.report, at });
    } else c = await openReceived(tx, ctx.peer, b, at);
    await applyAttachments(tx, c.id, b);
    const messages = await applyMessages(tx, { submissionId: c.id, peer: ctx.peer, intake: c.intake }, b);
    await audit(tx, who, {
      action: held ? 'submission.handover_updated' : 'submission.received_from_peer',
      targetKind: 'submission',
      targetId: c.trackingNo,
      detail: {
        peer: ctx.peer,
        reference: b.reference,
        version: b.version,
        attachments: b.attachments.length,
        messages,
      },
    });
    return { trackingNo: c.trackingNo, reference: b.reference, applied: true };
  }

  /** The case.update of a received case: its state, timeline and whole board, at its change version. */
  async function updateBody(
    tx: Kysely<DB>,
    c: store.ReceivedRow,
    s: submissions.SubmissionRow,
  ): Promise<CaseUpdateBody> {
    const board = (await disposal.notificationsOf(tx, s.id)).map((n) => ({
      organisation: n.name,
      category: n.category,
      state: n.state,
      deadline: iso(n.deadline) ?? '',
      fixUrl: n.fix_url,
    }));
    return {
      reference: c.reference,
      trackingNo: s.tracking_no,
      version: c.change_version,
      state: s.state,
      stateReason: s.state_reason,
      vulnerabilityId: s.vuln_public_id,
      publishedAt: iso(s.published_at),
      timeline: (await submissions.transitions(tx, s.id)).map((t) => ({
        to: t.to_state,
        at: iso(t.at) ?? '',
      })),
      board,
      at: clock().toISOString(),
    };
  }

  /**
   * Send back every received case that changed since its last case.update (run by the worker, and by tests
   * when they want it now). Each in its own transaction, under the case's row lock, so the board and its
   * version belong together; the message goes through the messaging outbox.
   */
  async function sendUpdates(limit = 100): Promise<{ sent: number }> {
    let sent = 0;
    for (const id of await store.casesWithNews(db, limit))
      await db.transaction().execute(async (tx) => {
        const c = await store.receivedOf(tx, id, true);
        if (!c || c.change_version <= c.sent_version) return;
        const s = await submissions.byId(tx, id);
        if (!s) return;
        await deps.messages.enqueue(tx, c.peer_name, UPDATE_KIND, await updateBody(tx, c, s));
        await store.markSent(tx, id, c.change_version);
        sent++;
      });
    return { sent };
  }

  // ---- views, policy

  /** What the console shows beside a submission: handed over to a peer (and its board), or received from one. */
  async function view(p: Principal, trackingNo: string) {
    requireAccess(p, 'submissions:read_all');
    const s = await submissions.byTracking(db, trackingNo);
    if (!s) throw new AppError('not_found', `No submission ${trackingNo}`, { trackingNo });
    const h = await store.handoverOf(db, s.id);
    const r = await store.receivedOf(db, s.id);
    const remote = h?.remote_case ?? null;
    const sent = h ? await deps.messages.message(h.message_id) : null;
    return {
      trackingNo,
      handedOver: h
        ? {
            peer: h.peer_name,
            version: h.version,
            by: h.handed_over_by,
            at: iso(h.handed_over_at) ?? '',
            lastSentAt: iso(h.last_sent_at) ?? '',
            messageId: h.message_id,
            delivery: sent?.state ?? 'pending',
            deliveryError: sent?.lastErrorCode
              ? `${sent.lastErrorCode}: ${sent.lastError ?? ''}`
              : (sent?.lastError ?? null),
            coordination: remote
              ? {
                  trackingNo: remote.trackingNo,
                  version: remote.version,
                  state: remote.state,
                  stateReason: remote.stateReason,
                  vulnerabilityId: remote.vulnerabilityId,
                  publishedAt: remote.publishedAt,
                  updatedAt: iso(h.remote_updated_at) ?? '',
                  board: mirroredBoard(remote.board, clock()),
                }
              : null,
          }
        : null,
      received: r
        ? {
            peer: r.peer_name,
            reference: r.reference,
            version: r.handover_version,
            credit: r.report.credit,
            reporterEmail: r.report.reporterEmail ?? null,
            receivedAt: iso(r.received_at) ?? '',
            updatedAt: iso(r.updated_at) ?? '',
            changes: r.change_version,
            sentBack: r.sent_version,
          }
        : null,
    };
  }

  async function casePolicy(p: Principal, peer: string): Promise<CasePolicy> {
    requireAccess(p, 'peers:manage');
    if (!(await getPeer(db, peer)))
      throw new AppError('not_found', `no peer named "${peer}"`, { name: peer });
    return policyOf(db, peer);
  }

  async function setCasePolicy(p: Principal, peer: string, input: Partial<CasePolicy>): Promise<CasePolicy> {
    requireAccess(p, 'peers:manage');
    if (input.messages !== undefined && !CASE_MESSAGE_LEVELS.includes(input.messages))
      throw new AppError('invalid_parameter', `messages is one of ${CASE_MESSAGE_LEVELS.join(', ')}`, {
        parameter: 'messages',
      });
    return db.transaction().execute(async (tx) => {
      if (!(await getPeer(tx, peer)))
        throw new AppError('not_found', `no peer named "${peer}"`, { name: peer });
      const next = { ...(await policyOf(tx, peer)), ...input };
      await store.setCasePolicy(tx, peer, next, clock().toISOString());
      await audit(tx, p, { action: 'peer.case_policy', targetKind: 'peer', targetId: peer, detail: next });
      return next;
    });
  }

  return { handOver, view, receiveHandover, receiveUpdate, sendUpdates, casePolicy, setCasePolicy };
}

export type HandoverService = ReturnType<typeof createHandoverService>;

/**
 * Disposal of a case handed over happens at the peer: notifying from here is refused (case_handed_over), and an
 * event-type finding verified here does not notify its organisation by itself. The composition root wraps the
 * coordination service with this, so the API, the CLI and the verifying transaction all get it.
 */
export function guardHandedOverCases(db: Kysely<DB>, coordination: CoordinationService): CoordinationService {
  const peerOf = async (tx: Kysely<DB>, trackingNo: string): Promise<string | null> => {
    const s = await submissions.byTracking(tx, trackingNo);
    return s ? ((await store.handoverOf(tx, s.id))?.peer_name ?? null) : null;
  };
  const notify: CoordinationService['notify'] = async (p, trackingNo, recipients, opts = {}) => {
    const peer = await peerOf(opts.tx ?? db, trackingNo);
    if (peer)
      throw new AppError(
        'case_handed_over',
        `${trackingNo} was handed over to ${peer}: coordination happens there`,
        {
          trackingNo,
          peer,
        },
      );
    return coordination.notify(p, trackingNo, recipients, opts);
  };
  const notifyAffectedOrganisation: CoordinationService['notifyAffectedOrganisation'] = async (tx, p, s) =>
    (await peerOf(tx, s.tracking_no)) ? null : coordination.notifyAffectedOrganisation(tx, p, s);
  return { ...coordination, notify, notifyAffectedOrganisation };
}

/** The worker's loop: every `everyMs`, the received cases that changed go back as case.update (never two rounds at once). */
export function startCaseUpdates(
  h: Pick<HandoverService, 'sendUpdates'>,
  opts: { everyMs: number; log?: (line: string) => void },
): { stop(): Promise<void> } {
  let round: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (round || stopped) return;
    round = h
      .sendUpdates()
      .then(
        (r) => {
          if (r.sent) opts.log?.(`case updates: ${r.sent} sent back`);
        },
        (e: unknown) => opts.log?.(`case updates: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        round = null;
      });
  };
  tick();
  const timer = setInterval(tick, opts.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
