/**
 * Disposal (处置/通报): an analyst notifies the vendor (general type) or the affected organisation (event type),
 * and as needed its sector unit, branch, operator, education CERT or an authority. Each notification gets a
 * deadline from the SLA table and a signed, expiring link; its messages (e-mail, webhook, inbox) are outbox
 * rows written in the same transaction. Recipients acknowledge, give a fix, or dispute — by link or account.
 * `sweep` sends reminders before deadlines and escalates overdue ones. Weekly figures feed the bulletin.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { DB, OutboxTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import { standingProblem, type Principal } from '../accounts/model.js';
import { can, requireAccess, type Action } from '../accounts/policy.js';
import { randomSecret, sha256 } from '../accounts/secrets.js';
import { audit } from '../audit/audit.js';
import { weekMoments, type IsoWeek } from '../vulns/calendar.js';
import type { DisposalFigures } from '../reports/figures.js';
import { DISPOSAL_CATEGORIES } from '../reports/rules.js';
import type { Severity } from '../vulns/model.js';
import type { BoardPage, NotificationView } from './views.js';
export type { BoardItem, BoardPage, BoardSummary, NotificationView } from './views.js';
import { boardPage, boardSummary, type BoardFilter } from './board.js';
import { hasInboxReader, markUndeliverable } from './delivery.js';
import {
  ESCALATE_AFTER_DAYS,
  isOverdue,
  LINK_DAYS,
  RECIPIENT_ACTIONS,
  RECIPIENT_CATEGORIES,
  REMIND_BEFORE_DAYS,
  SLA_DAYS,
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
}) {
  const { db } = deps;
  const sla = deps.sla ?? SLA_DAYS;
  const clock = deps.clock ?? (() => new Date());
  const base = deps.publicUrl.replace(/\/+$/, '');

  /** Why the organisation may not receive embargoed material now (kind, standing), or null. */
  async function standingOf(tx: Kysely<DB>, organisationId: number): Promise<string | null> {
    const o = await tx
      .selectFrom('organisations')
      .select(['name', 'kind', 'verified_at'])
      .where('id', '=', organisationId)
      .executeTakeFirst();
    return o ? standingProblem({ ...o, verifiedAt: o.verified_at }) : `No organisation ${organisationId}`;
  }

  /**
   * The organisation a recipient acts for: `action` in its role and scopes (recipients only), a member of an
   * organisation, and that organisation in standing. Returns the organisation's id or the reason it may not.
   */
  async function recipientOrg(
    p: Principal,
    action: Extract<Action, 'inbox:read' | 'disposal:respond'>,
  ): Promise<{ organisationId: number; problem: string | null }> {
    requireAccess(p, action);
    if (p.kind !== 'user' || p.organisationId === null)
      throw new AppError('forbidden', 'Sign in as a member of a notified organisation');
    return { organisationId: p.organisationId, problem: await standingOf(db, p.organisationId) };
  }

  async function submissionRow(tx: Kysely<DB>, trackingNo: string) {
    const s = await tx
      .selectFrom('submissions')
      .selectAll()
      .where('tracking_no', '=', trackingNo)
      .forUpdate()
      .executeTakeFirst();
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
  ): Promise<number> {
    const contacts = await tx
      .selectFrom('contacts')
      .selectAll()
      .where('organisation_id', '=', n.organisationId)
      .execute();
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
    if (rows.length) await tx.insertInto('outbox').values(rows).execute();
    return rows.length;
  }

  /** Notify recipients of a verified submission; the submission moves to notified in the same transaction. */
  async function notify(
    p: Principal,
    trackingNo: string,
    recipients: Array<{ organisationId: number; category: RecipientCategory }>,
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
    return db.transaction().execute(async (tx) => {
      // only organisations of a receiving kind that an analyst verified receive embargoed reports
      const problems: string[] = [];
      for (const r of recipients) {
        const problem = await standingOf(tx, r.organisationId);
        if (problem) problems.push(problem);
      }
      if (problems.length)
        throw new AppError('invalid_parameter', problems.join('; '), {
          parameter: 'organisationId',
          problems,
        });
      const s = await submissionRow(tx, trackingNo);
      if (!['verified', 'notified', 'fixed'].includes(s.state))
        throw new AppError(
          'conflict',
          `Only a verified, unpublished submission is notified (this one is ${s.state})`,
          { state: s.state },
        );
      const severity = (s.severity ?? 'unrated') as Severity | 'unrated';
      const deadline = new Date(now.getTime() + sla[severity] * DAY).toISOString();
      const links: Record<number, string> = {};
      let messages = 0;
      for (const r of recipients) {
        const org = await tx
          .selectFrom('organisations')
          .select(['id', 'name'])
          .where('id', '=', r.organisationId)
          .executeTakeFirst();
        if (!org)
          throw new AppError('invalid_parameter', `No organisation ${r.organisationId}`, {
            parameter: 'organisationId',
          });
        const token = randomSecret();
        const n = await tx
          .insertInto('notifications')
          .values({
            submission_id: s.id,
            organisation_id: org.id,
            category: r.category,
            state: 'sent',
            deadline,
            link_hash: sha256(token),
            link_expires_at: new Date(now.getTime() + LINK_DAYS * DAY).toISOString(),
            created_at: now.toISOString(),
            updated_at: now.toISOString(),
          })
          .onConflict((oc) => oc.columns(['submission_id', 'organisation_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!n)
          throw new AppError('conflict', `${org.name} was notified about ${trackingNo} already`, {
            organisationId: org.id,
          });
        await tx
          .insertInto('notification_events')
          .values({
            notification_id: n.id,
            actor: p.kind === 'user' ? p.email : p.kind,
            from_state: null,
            to_state: 'sent',
            note: r.category,
            at: now.toISOString(),
          })
          .execute();
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
        const queued = await enqueue(tx, { id: n.id, organisationId: org.id }, subject, text, link);
        if (queued === 0 && !(await hasInboxReader(tx, org.id)))
          await markUndeliverable(tx, n.id, now.toISOString());
        messages += queued;
      }
      if (s.state === 'verified') {
        await tx
          .updateTable('submissions')
          .set({ state: 'notified', updated_at: now.toISOString() })
          .where('id', '=', s.id)
          .execute();
        await tx
          .insertInto('submission_transitions')
          .values({
            submission_id: s.id,
            actor_id: p.kind === 'user' ? p.userId : null,
            actor: p.kind === 'user' ? p.email : p.kind,
            from_state: 'verified',
            to_state: 'notified',
            note: null,
            at: now.toISOString(),
          })
          .execute();
      }
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
    let q = tx
      .selectFrom('notifications as n')
      .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
      .select([
        'n.id',
        'n.organisation_id',
        'o.name',
        'n.category',
        'n.state',
        'n.deadline',
        'n.fix_url',
        'n.answer',
      ])
      .where('n.submission_id', '=', submissionId)
      .orderBy('n.id');
    if (organisationId !== undefined) q = q.where('n.organisation_id', '=', organisationId);
    const rows = await q.execute();
    const now = clock();
    // every notification's history in one query
    const events = rows.length
      ? await tx
          .selectFrom('notification_events')
          .select(['notification_id', 'at', 'actor', 'actor_side', 'from_state', 'to_state', 'note'])
          .where(
            'notification_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('id')
          .execute()
      : [];
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      organisation: r.name,
      category: r.category,
      state: r.state as NotificationState,
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

  /** A submission's notifications: analysts all of them; a recipient in standing its organisation's. */
  async function list(p: Principal, trackingNo: string): Promise<NotificationView[]> {
    const staff = can(p, 'disposal:read');
    const member = staff ? null : await recipientOrg(p, 'inbox:read');
    const s = await db
      .selectFrom('submissions')
      .select(['id', 'reporter_id'])
      .where('tracking_no', '=', trackingNo)
      .executeTakeFirst();
    if (!s) throw new AppError('not_found', `No submission ${trackingNo}`);
    if (!member) return listIn(db, s.id, undefined, 'coordinator');
    if (!member.problem) {
      const mine = await listIn(db, s.id, member.organisationId, 'outsider');
      if (mine.length) return mine;
    }
    throw new AppError('not_found', `No submission ${trackingNo}`);
  }

  async function applyAction(
    tx: Kysely<DB>,
    n: { id: number; state: string; submission_id: number },
    actor: { name: string; side: 'coordinator' | 'recipient' },
    action: RecipientAction,
    input: { fixUrl?: string; note?: string },
  ) {
    const rule = RECIPIENT_ACTIONS[action];
    if (!rule.from.includes(n.state as NotificationState))
      throw new AppError('conflict', `Cannot ${action} a notification that is ${n.state}`, {
        state: n.state,
      });
    if (action === 'fix' && !(input.fixUrl && /^https?:\/\//.test(input.fixUrl)))
      throw new AppError('invalid_parameter', 'fix needs fixUrl: the patch or advisory (http/https)', {
        parameter: 'fixUrl',
      });
    if (action === 'dispute' && !input.note?.trim())
      throw new AppError('invalid_parameter', 'dispute needs note: the reason', { parameter: 'note' });
    const at = clock().toISOString();
    await tx
      .updateTable('notifications')
      .set({
        state: rule.to,
        updated_at: at,
        ...(input.fixUrl ? { fix_url: input.fixUrl } : {}),
        ...(input.note ? { answer: input.note } : {}),
      })
      .where('id', '=', n.id)
      .execute();
    await tx
      .insertInto('notification_events')
      .values({
        notification_id: n.id,
        actor: actor.name,
        actor_side: actor.side,
        from_state: n.state,
        to_state: rule.to,
        note: input.note ?? input.fixUrl ?? null,
        at,
      })
      .execute();
    // every notified party fixed: the submission is fixed
    if (rule.to === 'fixed') {
      const open = await tx
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('submission_id', '=', n.submission_id)
        .where('category', 'in', ['vendor', 'affected_org'])
        .where('state', '<>', 'fixed')
        .executeTakeFirstOrThrow();
      const s = await tx
        .selectFrom('submissions')
        .select(['state'])
        .where('id', '=', n.submission_id)
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0 && s.state === 'notified') {
        await tx
          .updateTable('submissions')
          .set({ state: 'fixed', updated_at: at })
          .where('id', '=', n.submission_id)
          .execute();
        await tx
          .insertInto('submission_transitions')
          .values({
            submission_id: n.submission_id,
            actor_id: null,
            actor: actor.name,
            from_state: 'notified',
            to_state: 'fixed',
            note: input.fixUrl ?? null,
            at,
          })
          .execute();
      }
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
    const staff = can(p, 'disposal:notify');
    const member = staff ? null : await recipientOrg(p, 'disposal:respond');
    if (p.kind !== 'user') throw new AppError('unauthorized', 'Sign in, or use the link in the notification');
    return db.transaction().execute(async (tx) => {
      const n = await tx
        .selectFrom('notifications')
        .select(['id', 'state', 'submission_id', 'organisation_id'])
        .where('id', '=', notificationId)
        .forUpdate()
        .executeTakeFirst();
      if (!n || !(staff || (member?.organisationId === n.organisation_id && !member.problem)))
        throw new AppError('not_found', `No notification ${notificationId}`);
      await applyAction(tx, n, { name: p.email, side: staff ? 'coordinator' : 'recipient' }, action, input);
      await audit(tx, p, { action: `disposal.${action}`, targetKind: 'notification', targetId: n.id });
      return (await listIn(tx, n.submission_id, n.organisation_id, staff ? 'coordinator' : 'outsider'))[0];
    });
  }

  /** A recipient acts through the signed, expiring link it was sent. */
  async function actByLink(
    token: string,
    action: RecipientAction,
    input: { fixUrl?: string; note?: string },
  ) {
    return db.transaction().execute(async (tx) => {
      const n = await tx
        .selectFrom('notifications as n')
        .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
        .select(['n.id', 'n.state', 'n.submission_id', 'n.organisation_id', 'n.link_expires_at', 'o.name'])
        .where('n.link_hash', '=', sha256(token))
        .forUpdate()
        .executeTakeFirst();
      if (
        !n ||
        Date.parse(n.link_expires_at) < clock().getTime() ||
        (await standingOf(tx, n.organisation_id))
      )
        throw new AppError(
          'not_found',
          'This link is unknown or has expired; ask the coordinator for a new one',
        );
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
    let q = db
      .selectFrom('notifications as n')
      .innerJoin('submissions as s', 's.id', 'n.submission_id')
      .select([
        'n.id',
        'n.submission_id',
        'n.organisation_id',
        'n.link_expires_at',
        's.title',
        's.vendor',
        's.product',
        's.version',
        's.affected_system',
        's.description',
        's.severity',
        's.cvss_vector',
        's.vuln_public_id',
      ]);
    q = 'id' in where ? q.where('n.id', '=', where.id) : q.where('n.link_hash', '=', where.linkHash);
    const n = await q.executeTakeFirst();
    if (!n) return null;
    const [notification] = await listIn(db, n.submission_id, n.organisation_id, viewer);
    return {
      organisationId: n.organisation_id,
      linkExpiresAt: n.link_expires_at,
      view: {
        notification,
        report: {
          id: n.vuln_public_id,
          title: n.title,
          vendor: n.vendor,
          product: n.product,
          version: n.version,
          affectedSystem: n.affected_system,
          description: n.description,
          severity: n.severity,
          cvssVector: n.cvss_vector,
        },
      },
    };
  }

  async function viewByLink(token: string) {
    const n = await withReport({ linkHash: sha256(token) }, 'outsider');
    if (!n || Date.parse(n.linkExpiresAt) < clock().getTime() || (await standingOf(db, n.organisationId)))
      throw new AppError(
        'not_found',
        'This link is unknown or has expired; ask the coordinator for a new one',
      );
    return n.view;
  }

  /** One notification and its report, for a recipient of the notified organisation in standing (or an analyst). */
  async function view(p: Principal, id: number) {
    const staff = can(p, 'disposal:read');
    const member = staff ? null : await recipientOrg(p, 'inbox:read');
    const n = await withReport({ id }, staff ? 'coordinator' : 'outsider');
    const mine = n && member?.organisationId === n.organisationId && !member.problem;
    if (!n || !(staff || mine)) throw new AppError('not_found', `No notification ${id}`);
    return n.view;
  }

  /** A recipient's inbox: its organisation's portal messages, while the organisation is in standing. */
  async function inbox(p: Principal) {
    const member = await recipientOrg(p, 'inbox:read');
    if (member.problem) throw new AppError('forbidden', member.problem);
    const rows = await db
      .selectFrom('inbox_messages')
      .select(['id', 'notification_id', 'subject', 'body', 'created_at', 'read_at'])
      .where('organisation_id', '=', member.organisationId)
      .orderBy('id', 'desc')
      .limit(200)
      .execute();
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
      const open = ['sent', 'delivered', 'acknowledged'];
      const due = await tx
        .selectFrom('notifications as n')
        .innerJoin('submissions as s', 's.id', 'n.submission_id')
        .select([
          'n.id',
          'n.organisation_id',
          'n.state',
          'n.deadline',
          'n.reminded_at',
          'n.escalated_at',
          's.title',
          's.tracking_no',
        ])
        .where('n.state', 'in', [...open, 'no_response'])
        .where('n.deadline', '<', new Date(now.getTime() + REMIND_BEFORE_DAYS * DAY).toISOString())
        .forUpdate()
        .execute();
      for (const n of due) {
        const deadline = Date.parse(n.deadline);
        if (!n.reminded_at && open.includes(n.state)) {
          await tx
            .updateTable('notifications')
            .set({ reminded_at: now.toISOString() })
            .where('id', '=', n.id)
            .execute();
          await enqueue(
            tx,
            { id: n.id, organisationId: n.organisation_id },
            `[vulnshare] 提醒 / Reminder: ${n.title}`,
            `修复期限 / Deadline: ${n.deadline.slice(0, 10)}`,
            null,
          );
          reminded++;
        }
        if (
          !n.escalated_at &&
          now.getTime() > deadline + ESCALATE_AFTER_DAYS * DAY &&
          n.state !== 'acknowledged'
        ) {
          await tx
            .updateTable('notifications')
            .set({ escalated_at: now.toISOString(), state: 'no_response', updated_at: now.toISOString() })
            .where('id', '=', n.id)
            .execute();
          await tx
            .insertInto('notification_events')
            .values({
              notification_id: n.id,
              actor: 'system',
              from_state: n.state,
              to_state: 'no_response',
              note: `overdue since ${n.deadline.slice(0, 10)}; escalated`,
              at: now.toISOString(),
            })
            .execute();
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
    const rows = await tx
      .selectFrom('notifications as n')
      .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
      .select(['n.category', 'o.name'])
      .where('n.created_at', '>=', from)
      .where('n.created_at', '<=', to)
      .execute();
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
    let orgId = filter.organisationId;
    if (!can(p, 'disposal:read')) {
      // a recipient (inbox:read), member of an organisation in standing, sees its own organisation's
      const member = await recipientOrg(p, 'inbox:read');
      if (member.problem) throw new AppError('forbidden', member.problem);
      orgId = member.organisationId;
    }
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

  return { notify, list, board, view, act, actByLink, viewByLink, inbox, sweep, weekFigures };
}

export type CoordinationService = ReturnType<typeof createCoordinationService>;
