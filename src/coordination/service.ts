/**
 * Disposal (处置/通报): an analyst notifies the vendor (general type) or the affected organisation (event type),
 * and as needed its sector unit, branch, operator, education CERT or an authority. Each notification gets a
 * deadline from the SLA table and a signed, expiring link; its messages (e-mail, webhook, inbox) are outbox
 * rows written in the same transaction. Recipients acknowledge, give a fix, or dispute — by link or account.
 * `sweep` sends reminders before deadlines and escalates overdue ones. Weekly figures feed the bulletin.
 * Every function checks the role first, then the notification / organisation rule of
 * accounts/resource-policy.ts once the row is loaded.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { DB, OutboxTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import { ANONYMOUS, type Principal } from '../accounts/model.js';
import { can, requireAccess, requireAnyAccess, type Action } from '../accounts/policy.js';
import { authorize, decide, type OrganisationFacts } from '../accounts/resource-policy.js';
import { randomSecret, sha256 } from '../accounts/secrets.js';
import * as accounts from '../accounts/store.js';
import { audit } from '../audit/audit.js';
import * as submissions from '../submissions/store.js';
import { systemTransition, type SystemTransition } from '../submissions/system.js';
import { NOTIFIABLE_STATES } from '../submissions/workflow.js';
import { canTransition } from '../workflow/state-machine.js';
import { weekMoments, type IsoWeek } from '../vulns/calendar.js';
import type { DisposalFigures } from '../reports/figures.js';
import { DISPOSAL_CATEGORIES } from '../reports/rules.js';
import type { Severity } from '../vulns/model.js';
import type { BoardPage, NotificationView } from './views.js';
export type { BoardItem, BoardPage, BoardSummary, NotificationView } from './views.js';
import { boardPage, boardSummary, type BoardFilter } from './board.js';
import { markUndeliverable } from './delivery.js';
import type { RobotFacts } from './robots.js';
import { findOrganisationByName } from './affected-org.js';
import * as store from './store.js';
import {
  ESCALATE_AFTER_DAYS,
  isOverdue,
  LINK_DAYS,
  RECIPIENT_ACTIONS,
  RECIPIENT_CATEGORIES,
  NOTIFICATION_TRANSITIONS,
  REMIND_BEFORE_DAYS,
  SLA_DAYS,
  INITIAL_NOTIFICATION_STATE,
  type NotificationState,
  type RecipientAction,
  type RecipientCategory,
} from './rules.js';

const DAY = 86_400_000;

/** Bulletin categories (本周漏洞事件处置情况) of recipient categories; vendors and affected organisations are the named list. */
const BULLETIN_CATEGORY: Partial<Record<RecipientCategory, (typeof DISPOSAL_CATEGORIES)[number]>> = {
  critical_sector: 'critical_sector',
  telecom_operator: 'telecom_operator',
  regional_branch: 'regional_branch',
  education_cert: 'education_cert',
  authority: 'authority',
};

export function createCoordinationService(deps: {
  db: Kysely<DB>;
  publicUrl: string;
  clock?: () => Date;
  /** Days to fix per severity (default SLA_DAYS; VULNSHARE_SLA_DAYS overrides). */
  sla?: Record<Severity | 'unrated', number>;
  /** How a case moves on (verified → notified, notified → fixed): the submissions capability's road. */
  submissionStates?: { systemTransition: SystemTransition };
}) {
  const { db } = deps;
  const moveSubmission = deps.submissionStates?.systemTransition ?? systemTransition;
  /** Run fn in the caller's transaction when it gives one, else in a new one. */
  const within = <T>(tx: Kysely<DB> | undefined, fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> =>
    tx ? fn(tx) : db.transaction().execute(fn);
  const sla = deps.sla ?? SLA_DAYS;
  const clock = deps.clock ?? (() => new Date());
  const base = deps.publicUrl.replace(/\/+$/, '');

  /** What the rules need to know of an organisation (kind, verification), or null when there is none. */
  async function organisationFacts(
    tx: Kysely<DB>,
    organisationId: number,
  ): Promise<OrganisationFacts | null> {
    const o = await accounts.organisationById(tx, organisationId);
    return o ? { id: o.id, name: o.name, kind: o.kind, verifiedAt: o.verified_at } : null;
  }

  /** The notification's organisation, for its rules (a notification always has one: a foreign key). */
  async function notifiedOrganisation(tx: Kysely<DB>, organisationId: number): Promise<OrganisationFacts> {
    const o = await organisationFacts(tx, organisationId);
    if (!o) throw new AppError('internal', `notification of a missing organisation ${organisationId}`);
    return o;
  }

  /**
   * A recipient acting for its organisation (its inbox, its board): `action` in its role and scopes, a member
   * of an organisation, that organisation in standing — or not_organisation_member / unverified_organisation /
   * not_receiving_organisation.
   */
  async function actingFor(
    p: Principal,
    action: Extract<Action, 'inbox:read' | 'disposal:respond'>,
  ): Promise<number> {
    requireAccess(p, action);
    const org =
      p.kind === 'user' && p.organisationId !== null ? await organisationFacts(db, p.organisationId) : null;
    authorize(p, 'act_for', { type: 'organisation', organisation: org });
    return org?.id ?? -1;
  }

  /**
   * A recipient acting on one notification: `action` in its role and scopes and a member of an organisation;
   * the notification rule then decides (its organisation, in standing — else the notification is not found).
   */
  function recipient(p: Principal, action: Extract<Action, 'inbox:read' | 'disposal:respond'>): void {
    requireAccess(p, action);
    if (p.kind !== 'user' || p.organisationId === null)
      throw new AppError('not_organisation_member', 'Sign in as a member of a notified organisation');
  }

  async function submissionRow(tx: Kysely<DB>, trackingNo: string) {
    const s = await submissions.byTracking(tx, trackingNo, true);
    if (!s) throw new AppError('not_found', `No submission ${trackingNo}`);
    return s;
  }

  /** Write the messages of one notification to the outbox: one per contact channel; none without a contact. */
  async function enqueue(
    tx: Kysely<DB>,
    n: { id: number; organisationId: number },
    subject: string,
    text: string,
    link: string | null,
    /** what a chat robot's message says (robots.ts); without it, the subject */
    robot?: RobotFacts,
  ): Promise<number> {
    const contacts = await accounts.contactsOf(tx, n.organisationId);
    const body = JSON.stringify({
      text: link ? `${text}\n\n${link}` : text,
      notificationId: n.id,
      ...(link ? { link } : {}),
    });
    const rows: Array<Insertable<OutboxTable>> = [];
    const due = clock().toISOString();
    let portal = false;
    for (const c of contacts) {
      if (c.email)
        rows.push({
          delivery_id: randomUUID(),
          notification_id: n.id,
          channel: 'email',
          target: c.email,
          subject,
          body,
          next_attempt_at: due,
        });
      if (c.webhook_url)
        rows.push({
          delivery_id: randomUUID(),
          notification_id: n.id,
          channel: 'webhook',
          target: c.webhook_url,
          secret: c.webhook_secret,
          subject,
          body,
          next_attempt_at: due,
        });
      if (c.robot_kind && c.robot_url)
        rows.push({
          delivery_id: randomUUID(),
          notification_id: n.id,
          channel: c.robot_kind,
          target: c.robot_url,
          secret: c.robot_secret,
          subject,
          body: JSON.stringify({ notificationId: n.id, robot: { ...(robot ?? { title: subject }), link } }),
          next_attempt_at: due,
        });
      portal ||= c.portal;
    }
    if (portal)
      rows.push({
        delivery_id: randomUUID(),
        notification_id: n.id,
        channel: 'inbox',
        target: String(n.organisationId),
        subject,
        body,
        next_attempt_at: due,
      });
    await store.insertOutbox(tx, rows);
    return rows.length;
  }

  /**
   * Notify recipients of a verified submission; the submission moves to notified in the same transaction (the
   * caller's, when it gives one in `opts.tx`: a verification, an incident handed to disposal).
   */
  async function notify(
    p: Principal,
    trackingNo: string,
    recipients: Array<{ organisationId: number; category: RecipientCategory }>,
    opts: { tx?: Kysely<DB> } = {},
  ): Promise<{ notifications: NotificationView[]; links: Record<number, string>; messages: number }> {
    requireAccess(p, 'disposal:notify');
    if (!recipients.length)
      throw new AppError('invalid_parameter', 'recipients must not be empty', { parameter: 'recipients' });
    for (const r of recipients)
      if (!(RECIPIENT_CATEGORIES as readonly string[]).includes(r.category))
        throw new AppError(
          'invalid_parameter',
          `category must be one of ${RECIPIENT_CATEGORIES.join(', ')}`,
          { parameter: 'category' },
        );
    const now = clock();
    return within(opts.tx, async (tx) => {
      // only organisations of a receiving kind that an analyst verified receive embargoed reports
      const refusals = [];
      for (const r of recipients) {
        const organisation = await organisationFacts(tx, r.organisationId);
        const d = decide(p, 'receive', { type: 'organisation', organisation });
        if (!d.allowed)
          refusals.push(organisation ? d : { ...d, reason: `No organisation ${r.organisationId}` });
      }
      if (refusals.length)
        throw new AppError('invalid_parameter', refusals.map((d) => d.reason).join('; '), {
          parameter: 'organisationId',
          problems: refusals.map((d) => d.reason),
          reasons: refusals.map((d) => ({ code: d.code, ...d.details })),
        });
      const s = await submissionRow(tx, trackingNo);
      if (!NOTIFIABLE_STATES.includes(s.state))
        throw new AppError(
          'not_notifiable',
          `Only a verified, unpublished submission is notified (this one is ${s.state})`,
          { state: s.state, trackingNo },
        );
      const severity = (s.severity ?? 'unrated') as Severity | 'unrated';
      const deadline = new Date(now.getTime() + sla[severity] * DAY).toISOString();
      const links: Record<number, string> = {};
      let messages = 0;
      for (const r of recipients) {
        const org = await accounts.organisationById(tx, r.organisationId);
        if (!org)
          throw new AppError('invalid_parameter', `No organisation ${r.organisationId}`, {
            parameter: 'organisationId',
          });
        const token = randomSecret();
        const n = await store.insertNotification(tx, {
          submission_id: s.id,
          organisation_id: org.id,
          category: r.category,
          state: INITIAL_NOTIFICATION_STATE,
          deadline,
          link_hash: sha256(token),
          link_expires_at: new Date(now.getTime() + LINK_DAYS * DAY).toISOString(),
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        });
        if (!n)
          throw new AppError('already_notified', `${org.name} was notified about ${trackingNo} already`, {
            organisationId: org.id,
            organisation: org.name,
            trackingNo,
          });
        await store.addEvent(tx, {
          notification_id: n.id,
          actor: p.kind === 'user' ? p.email : p.kind,
          from_state: null,
          to_state: INITIAL_NOTIFICATION_STATE,
          note: r.category,
          at: now.toISOString(),
        });
        const link = `${base}/respond/${token}`;
        links[n.id] = link;
        const subject = `[vulnshare] ${s.vuln_public_id ?? s.tracking_no}: ${s.title}`;
        const text = [
          `${org.name}:`,
          '',
          `vulnshare 通报 / notifies you of: ${s.title}`,
          s.vendor || s.product
            ? `产品 / Product: ${[s.vendor, s.product, s.version].filter(Boolean).join(' ')}`
            : `系统 / System: ${s.affected_system ?? ''}`,
          `评级 / Severity: ${s.severity ?? 'unrated'}${s.cvss_vector ? ` (${s.cvss_vector})` : ''}`,
          `请于 ${deadline.slice(0, 10)} 前修复 / Please fix by ${deadline.slice(0, 10)}.`,
          '确认、提交修复或提出异议 / Acknowledge, report the fix or dispute:',
        ].join('\n');
        const queued = await enqueue(tx, { id: n.id, organisationId: org.id }, subject, text, link, {
          trackingNo: s.tracking_no,
          vulnId: s.vuln_public_id,
          title: s.title,
          severity: s.severity,
          deadline,
        });
        if (queued === 0 && !(await accounts.hasInboxReader(tx, org.id)))
          await markUndeliverable(tx, n.id, now.toISOString());
        messages += queued;
      }
      if (s.state === 'verified')
        await moveSubmission(tx, s.id, 'notified', {
          actor: { name: p.kind === 'user' ? p.email : p.kind, userId: p.kind === 'user' ? p.userId : null },
          at: now.toISOString(),
        });
      await audit(tx, p, {
        action: 'disposal.notified',
        targetKind: 'submission',
        targetId: trackingNo,
        detail: { recipients },
      });
      return { notifications: await listIn(tx, s.id, undefined, 'coordinator'), links, messages };
    });
  }

  /**
   * Notifications of a submission (optionally one organisation's), with their history. Outsiders (recipients,
   * link holders) see "coordinator" where the coordinator's side acted, never an analyst's e-mail.
   */
  async function listIn(
    tx: Kysely<DB>,
    submissionId: number,
    organisationId: number | undefined,
    viewer: 'coordinator' | 'outsider',
  ): Promise<NotificationView[]> {
    const rows = await store.notificationsOf(tx, submissionId, organisationId);
    const now = clock();
    // every notification's history in one query
    const events = await store.eventsOf(
      tx,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      organisation: r.name,
      category: r.category,
      state: r.state,
      deadline: r.deadline,
      fixUrl: r.fix_url,
      answer: r.answer,
      overdue: isOverdue(r.state, r.deadline, now),
      events: events
        .filter((e) => e.notification_id === r.id)
        .map((e) => ({
          at: e.at,
          actor:
            viewer === 'coordinator' || e.actor_side === 'recipient' || e.actor === 'system'
              ? e.actor
              : 'coordinator',
          from: e.from_state,
          to: e.to_state,
          note: e.note,
        })),
    }));
  }

  /**
   * A submission's notifications that p may read (the notification rule): analysts all of them; a recipient its
   * organisation's while the organisation is in standing; none readable is not_found.
   */
  async function list(p: Principal, trackingNo: string): Promise<NotificationView[]> {
    const staff = can(p, 'disposal:read');
    if (!staff) recipient(p, 'inbox:read');
    const s = await submissions.byTracking(db, trackingNo);
    if (!s) throw new AppError('not_found', `No submission ${trackingNo}`, { trackingNo });
    if (staff) return listIn(db, s.id, undefined, 'coordinator');
    const org =
      p.kind === 'user' && p.organisationId !== null ? await organisationFacts(db, p.organisationId) : null;
    const readable = org
      ? (await listIn(db, s.id, org.id, 'outsider')).filter(
          (n) => decide(p, 'read', { type: 'notification', id: n.id, organisation: org }).allowed,
        )
      : [];
    if (!readable.length) throw new AppError('not_found', `No submission ${trackingNo}`, { trackingNo });
    return readable;
  }

  async function applyAction(
    tx: Kysely<DB>,
    n: { id: number; state: NotificationState; submission_id: number },
    actor: { name: string; side: 'coordinator' | 'recipient' },
    action: RecipientAction,
    input: { fixUrl?: string; note?: string },
  ) {
    const rule = RECIPIENT_ACTIONS[action];
    if (!canTransition(NOTIFICATION_TRANSITIONS.recipient, n.state, rule.to))
      throw new AppError('invalid_transition', `Cannot ${action} a notification that is ${n.state}`, {
        state: n.state,
        action,
        from: n.state,
        to: rule.to,
        allowed: NOTIFICATION_TRANSITIONS.recipient[n.state],
      });
    if (action === 'fix' && !(input.fixUrl && /^https?:\/\//.test(input.fixUrl)))
      throw new AppError('invalid_parameter', 'fix needs fixUrl: the patch or advisory (http/https)', {
        parameter: 'fixUrl',
      });
    if (action === 'dispute' && !input.note?.trim())
      throw new AppError('invalid_parameter', 'dispute needs note: the reason', { parameter: 'note' });
    const at = clock().toISOString();
    await store.moveNotification(tx, {
      id: n.id,
      from: n.state,
      to: rule.to,
      at,
      actor: actor.name,
      actorSide: actor.side,
      note: input.note ?? input.fixUrl ?? null,
      set: {
        ...(input.fixUrl ? { fix_url: input.fixUrl } : {}),
        ...(input.note ? { answer: input.note } : {}),
      },
    });
    // every notified party fixed: the submission is fixed
    if (rule.to === 'fixed') {
      const open = await store.unfixedCount(tx, n.submission_id, ['vendor', 'affected_org']);
      const s = await submissions.byId(tx, n.submission_id);
      if (open === 0 && s?.state === 'notified')
        await moveSubmission(tx, n.submission_id, 'fixed', {
          actor: { name: actor.name, userId: null },
          note: input.fixUrl ?? null,
          at,
        });
    }
  }

  /**
   * A recipient acts through its account (role recipient with disposal:respond, member of the notified
   * organisation, the organisation in standing); an analyst may record an answer on its behalf.
   */
  async function act(
    p: Principal,
    notificationId: number,
    action: RecipientAction,
    input: { fixUrl?: string; note?: string },
  ) {
    requireAnyAccess(p, ['disposal:notify', 'disposal:respond']);
    if (!can(p, 'disposal:notify')) recipient(p, 'disposal:respond');
    if (p.kind !== 'user') throw new AppError('unauthorized', 'Sign in, or use the link in the notification');
    return db.transaction().execute(async (tx) => {
      const n = await store.notificationForUpdate(tx, notificationId);
      if (!n) throw new AppError('not_found', `No notification ${notificationId}`, { id: notificationId });
      const side = authorize(p, 'respond', {
        type: 'notification',
        id: n.id,
        organisation: await notifiedOrganisation(tx, n.organisation_id),
      });
      await applyAction(tx, n, { name: p.email, side }, action, input);
      await audit(tx, p, { action: `disposal.${action}`, targetKind: 'notification', targetId: n.id });
      return (
        await listIn(
          tx,
          n.submission_id,
          n.organisation_id,
          side === 'coordinator' ? 'coordinator' : 'outsider',
        )
      )[0];
    });
  }

  /** A recipient acts through the signed, expiring link it was sent. */
  async function actByLink(
    token: string,
    action: RecipientAction,
    input: { fixUrl?: string; note?: string },
  ) {
    return db.transaction().execute(async (tx) => {
      const n = await store.notificationByLinkForUpdate(tx, sha256(token));
      authorize(ANONYMOUS, 'respond', {
        type: 'notification_link',
        link: n
          ? { expiresAt: n.link_expires_at, organisation: await notifiedOrganisation(tx, n.organisation_id) }
          : null,
        now: clock(),
      });
      if (!n) throw new AppError('internal', 'an authorized link without its notification');
      await applyAction(tx, n, { name: `${n.name} (link)`, side: 'recipient' }, action, input);
      await audit(
        tx,
        { email: `${n.name} (link)`, userId: null },
        { action: `disposal.${action}`, targetKind: 'notification', targetId: n.id },
      );
      return (await listIn(tx, n.submission_id, n.organisation_id, 'outsider'))[0];
    });
  }

  /** What the link holder sees: the notification about them, and the report's public facts. */
  /** A notification with the report it is about: what its recipient sees. */
  async function withReport(
    where: { linkHash: string } | { id: number },
    viewer: 'coordinator' | 'outsider',
  ) {
    const n = await store.notificationWhere(db, where);
    const s = n ? await submissions.byId(db, n.submission_id) : undefined;
    if (!n || !s) return null;
    const [notification] = await listIn(db, n.submission_id, n.organisation_id, viewer);
    return {
      organisationId: n.organisation_id,
      linkExpiresAt: n.link_expires_at,
      view: {
        notification,
        report: {
          id: s.vuln_public_id,
          title: s.title,
          vendor: s.vendor,
          product: s.product,
          version: s.version,
          affectedSystem: s.affected_system,
          description: s.description,
          severity: s.severity,
          cvssVector: s.cvss_vector,
        },
      },
    };
  }

  async function viewByLink(token: string) {
    const n = await withReport({ linkHash: sha256(token) }, 'outsider');
    authorize(ANONYMOUS, 'respond', {
      type: 'notification_link',
      link: n
        ? { expiresAt: n.linkExpiresAt, organisation: await notifiedOrganisation(db, n.organisationId) }
        : null,
      now: clock(),
    });
    if (!n) throw new AppError('internal', 'an authorized link without its notification');
    return n.view;
  }

  /** One notification and its report, for a recipient of the notified organisation in standing (or an analyst). */
  async function view(p: Principal, id: number) {
    requireAnyAccess(p, ['disposal:read', 'inbox:read']);
    if (!can(p, 'disposal:read')) recipient(p, 'inbox:read');
    const where = await store.notificationWhere(db, { id });
    if (!where) throw new AppError('not_found', `No notification ${id}`, { id });
    const side = authorize(p, 'read', {
      type: 'notification',
      id,
      organisation: await notifiedOrganisation(db, where.organisation_id),
    });
    const n = await withReport({ id }, side === 'coordinator' ? 'coordinator' : 'outsider');
    if (!n) throw new AppError('not_found', `No notification ${id}`, { id });
    return n.view;
  }

  /** A recipient's inbox: its organisation's portal messages, while the organisation is in standing. */
  async function inbox(p: Principal) {
    const organisationId = await actingFor(p, 'inbox:read');
    const rows = await store.inboxOf(db, organisationId, 200);
    return rows.map((r) => ({
      id: r.id,
      notificationId: r.notification_id,
      subject: r.subject,
      text: typeof r.body.text === 'string' ? r.body.text : '',
      createdAt: r.created_at,
      readAt: r.read_at,
    }));
  }

  /** Reminders before deadlines and escalation after them (no response); run periodically by the worker. */
  async function sweep(): Promise<{ reminded: number; escalated: number }> {
    const now = clock();
    let reminded = 0;
    let escalated = 0;
    await db.transaction().execute(async (tx) => {
      const open: NotificationState[] = ['sent', 'delivered', 'acknowledged'];
      const due = await store.dueForSweep(
        tx,
        [...open, 'no_response'],
        new Date(now.getTime() + REMIND_BEFORE_DAYS * DAY).toISOString(),
      );
      for (const n of due) {
        const deadline = Date.parse(n.deadline);
        if (!n.reminded_at && open.includes(n.state)) {
          await store.markReminded(tx, n.id, now.toISOString());
          await enqueue(
            tx,
            { id: n.id, organisationId: n.organisation_id },
            `[vulnshare] 提醒 / Reminder: ${n.title}`,
            `修复期限 / Deadline: ${n.deadline.slice(0, 10)}`,
            null,
            { trackingNo: n.tracking_no, title: n.title, deadline: n.deadline, reminder: true },
          );
          reminded++;
        }
        if (
          !n.escalated_at &&
          now.getTime() > deadline + ESCALATE_AFTER_DAYS * DAY &&
          n.state !== 'acknowledged'
        ) {
          await store.moveNotification(tx, {
            id: n.id,
            from: n.state,
            to: 'no_response',
            at: now.toISOString(),
            actor: 'system',
            note: `overdue since ${n.deadline.slice(0, 10)}; escalated`,
            set: { escalated_at: now.toISOString() },
          });
          await audit(
            tx,
            { email: 'system', userId: null },
            {
              action: 'disposal.escalated',
              targetKind: 'notification',
              targetId: n.id,
              detail: { trackingNo: n.tracking_no },
            },
          );
          escalated++;
        }
      }
    });
    return { reminded, escalated };
  }

  /** The bulletin's 本周漏洞事件处置情况: notifications sent in the week, by category, and the organisations told. */
  async function weekFigures(tx: Kysely<DB>, w: IsoWeek): Promise<DisposalFigures> {
    const { from, to } = weekMoments(w);
    const rows = await store.notifiedBetween(tx, from, to);
    const counts = Object.fromEntries(DISPOSAL_CATEGORIES.map((c) => [c, 0])) as DisposalFigures['counts'];
    const organisations = new Set<string>();
    for (const r of rows) {
      const c = BULLETIN_CATEGORY[r.category as RecipientCategory];
      if (c) counts[c] += 1;
      else organisations.add(r.name);
    }
    return { counts, organisations: [...organisations].sort((a, b) => b.localeCompare(a, 'zh-CN')) };
  }

  /**
   * The disposal board: notifications across cases, overdue first then by deadline, a page at a time (the
   * cursor of the next page), with counts per organisation and per state of everything the filter matches.
   * Analysts see every organisation's (optionally one); a recipient sees its own organisation's only.
   */
  async function board(
    p: Principal,
    filter: BoardFilter & { cursor?: string; limit?: number } = {},
  ): Promise<BoardPage> {
    requireAnyAccess(p, ['disposal:read', 'inbox:read']);
    // a recipient (inbox:read), member of an organisation in standing, sees its own organisation's
    const orgId = can(p, 'disposal:read') ? filter.organisationId : await actingFor(p, 'inbox:read');
    // keyset pages in SQL (overdue first, deadline, id) and counts by GROUP BY over everything matched
    const now = clock();
    const scope: BoardFilter = {
      ...(orgId !== undefined ? { organisationId: orgId } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.overdue ? { overdue: true } : {}),
    };
    const [page, summary] = await Promise.all([
      boardPage(db, { ...scope, cursor: filter.cursor, limit: filter.limit }, now),
      boardSummary(db, scope, now),
    ]);
    return { ...page, summary };
  }

  /**
   * Notify the organisation an event-type submission names (affected-org.ts), inside the caller's (verifying)
   * transaction. Returns the organisation notified, or null when there is none to notify automatically.
   */
  async function notifyAffectedOrganisation(
    tx: Kysely<DB>,
    p: Principal,
    submission: { id: number; tracking_no: string; kind: string; affected_org: string | null },
  ): Promise<number | null> {
    if (submission.kind !== 'event' || !submission.affected_org?.trim() || !can(p, 'disposal:notify'))
      return null;
    const organisationId = await findOrganisationByName(tx, submission.affected_org);
    if (organisationId === null || (await store.isNotified(tx, submission.id, organisationId))) return null;
    await notify(p, submission.tracking_no, [{ organisationId, category: 'affected_org' }], { tx });
    return organisationId;
  }

  return {
    notify,
    notifyAffectedOrganisation,
    list,
    board,
    view,
    act,
    actByLink,
    viewByLink,
    inbox,
    sweep,
    weekFigures,
  };
}

export type CoordinationService = ReturnType<typeof createCoordinationService>;
