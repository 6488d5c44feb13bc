/**
 * Exercises as a service: the control team (drills:manage) creates, starts and ends them and reads the
 * timeline and the after-action report; members of participating organisations (drills:respond) read what
 * reached them and answer. `deliverDue` is the worker's sweep: each due inject of a running exercise goes to
 * each participant once, as outbox messages (e-mail to the organisation's contacts, signed webhooks, the portal
 * inbox) queued in the transaction that marks it sent. Nothing here writes a submission, a notification or a
 * record: exercise traffic stays in the drill tables and the outbox that carries it.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { DB, OutboxTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import { actorName, type Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import { contactsOf } from '../accounts/store.js';
import { audit } from '../audit/audit.js';
import { insertOutbox } from '../coordination/store.js';
import type { PdfRenderer } from '../reports/pdf.js';
import { rangeMoments, type Period } from '../reports/period.js';
import type { DrillFigures } from '../reports/periodic.js';
import { calendarDay } from '../vulns/calendar.js';
import type { Lang } from '../reports/text.js';
import { assertTransition } from '../workflow/state-machine.js';
import { afterActionFigures, type AfterActionData } from './figures.js';
import {
  DRILL_TRANSITIONS,
  EXERCISE_MARK,
  markSubject,
  messageText,
  validateDrill,
  type DrillInput,
  type DrillState,
  type ExpectedAction,
  type InjectChannel,
  type ResponseKind,
} from './model.js';
import { pageLabel, renderAfterActionHtml, reportTitle } from './render.js';
import {
  INBOUND_LIMITS,
  newReplyToken,
  parseReply,
  replyAddress,
  replyInstructions,
  tokenHash,
} from '../mail-in/reply.js';
import * as store from './store.js';

export const REPORT_FORMATS = ['json', 'html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface InjectView {
  id: number;
  seq: number;
  dueAt: string;
  channels: InjectChannel[];
  subject: string;
  body: string;
  artefacts: string;
  expected: ExpectedAction[];
  sentAt: string | null;
}

export interface DrillView {
  id: number;
  title: string;
  scenario: { zh: string; en: string };
  state: DrillState;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  participants: Array<{ organisationId: number; name: string; nameEn: string | null; kind: string }>;
  injects: InjectView[];
}

export interface TimelineEntry {
  at: string;
  kind: 'inject_sent' | 'response';
  seq: number;
  injectId: number;
  organisationId: number | null;
  organisation: string | null;
  subject: string | null;
  /** inject_sent: the messages queued for this participant. */
  messages: number | null;
  responseKind: ResponseKind | null;
  text: string | null;
  fulfils: string | null;
  actor: string | null;
}

export interface ResponseInput {
  kind: ResponseKind;
  text: string;
  /** The key of the expected action this response fulfils. */
  fulfils?: string;
}

const injectView = (i: store.InjectRow): InjectView => ({
  id: i.id,
  seq: i.seq,
  dueAt: i.due_at,
  channels: i.channels as InjectChannel[],
  subject: i.subject,
  body: i.body,
  artefacts: i.artefacts,
  expected: i.expected,
  sentAt: i.sent_at,
});

/** An e-mail reply to an inject, as the inbound listener (src/mail-in/) hands it over. */
export interface MailReply {
  /** The token of the reply address it was sent to (drill+<token>@<domain>), if any. */
  token?: string;
  /** Message-IDs of In-Reply-To and References (without <>): the inject e-mail's among them. */
  references: string[];
  /** The From address. */
  from: string;
  /** The reply's own Message-ID: a second delivery of it records nothing more. */
  messageId?: string;
  /** The plain text of the reply (quoted text is stripped here). */
  text: string;
}

/** The Message-ID the outbox gives an e-mail of this delivery id (coordination/outbox.ts), without <>. */
const messageIdOf = (deliveryId: string) => `${deliveryId}@vulnshare`;

export function createDrillService(deps: {
  db: Kysely<DB>;
  clock?: () => Date;
  pdf?: PdfRenderer;
  /** The domain of the reply addresses (VULNSHARE_INBOUND_MAIL_DOMAIN); unset: injects carry no reply address. */
  replyDomain?: string;
}) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function load(tx: Kysely<DB>, id: number): Promise<DrillView> {
    const d = await store.drillById(tx, id);
    if (!d) throw new AppError('not_found', `No exercise ${id}`);
    const [participants, injects] = await Promise.all([
      store.participantsOf(tx, id),
      store.injectsOf(tx, id),
    ]);
    return {
      id: d.id,
      title: d.title,
      scenario: { zh: d.scenario_zh, en: d.scenario_en },
      state: d.state,
      createdBy: d.created_by,
      createdAt: d.created_at,
      startedAt: d.started_at,
      endedAt: d.ended_at,
      participants: participants.map((p) => ({
        organisationId: p.organisation_id,
        name: p.name,
        nameEn: p.name_en,
        kind: p.kind,
      })),
      injects: injects.map(injectView),
    };
  }

  /** A draft exercise: its scenario, participants (existing organisations) and schedule. */
  async function create(p: Principal, input: DrillInput): Promise<DrillView> {
    requireAccess(p, 'drills:manage');
    const d = validateDrill(input);
    return db.transaction().execute(async (tx) => {
      const found = await store.organisationsAmong(tx, d.participantIds);
      const missing = d.participantIds.filter((id) => !found.some((o) => o.id === id));
      if (missing.length)
        throw new AppError('invalid_input', `participantIds: no organisation ${missing.join(', ')}`, {
          field: 'participantIds',
          missing,
        });
      const id = await store.insertDrill(tx, {
        title: d.title,
        scenario_zh: d.scenario.zh,
        scenario_en: d.scenario.en,
        created_by: actorName(p),
        created_at: clock().toISOString(),
      });
      await store.insertParticipants(tx, id, d.participantIds);
      await store.insertInjects(
        tx,
        id,
        d.injects.map((i, n) => ({
          seq: n + 1,
          dueAt: new Date(i.dueAt).toISOString(),
          channels: [...new Set(i.channels)],
          subject: i.subject.trim(),
          body: i.body,
          artefacts: i.artefacts ?? '',
          expected: i.expected,
        })),
      );
      await audit(tx, p, { action: 'drill.create', targetKind: 'drill', targetId: id });
      return load(tx, id);
    });
  }

  async function get(p: Principal, id: number): Promise<DrillView> {
    requireAccess(p, 'drills:manage');
    return load(db, id);
  }

  async function list(p: Principal, f: { state?: DrillState } = {}): Promise<DrillView[]> {
    requireAccess(p, 'drills:manage');
    const rows = await store.listDrills(db, { ...f, limit: 200 });
    return Promise.all(rows.map((r) => load(db, r.id)));
  }

  /** draft → running, or running → ended (the state re-checked inside the transaction). */
  async function move(p: Principal, id: number, to: DrillState): Promise<DrillView> {
    requireAccess(p, 'drills:manage');
    return db.transaction().execute(async (tx) => {
      const d = await store.drillById(tx, id, true);
      if (!d) throw new AppError('not_found', `No exercise ${id}`);
      assertTransition(DRILL_TRANSITIONS, d.state, to, 'An exercise in state');
      await store.moveDrill(tx, id, { from: d.state, to, at: clock().toISOString() });
      await audit(tx, p, {
        action: `drill.${to === 'running' ? 'start' : 'end'}`,
        targetKind: 'drill',
        targetId: id,
      });
      return load(tx, id);
    });
  }

  /** The outbox rows of one inject to one participant: the channels the inject names, the organisation's contacts. */
  function rowsFor(
    organisationId: number,
    contacts: Awaited<ReturnType<typeof contactsOf>>,
    channels: InjectChannel[],
    subject: string,
    body: Record<string, unknown>,
    due: string,
    replies: Array<{ token: string; email: string; deliveryId: string }> = [],
  ): Array<Insertable<OutboxTable>> {
    const json = JSON.stringify(body);
    const base = { notification_id: null, subject, body: json, next_attempt_at: due };
    const rows: Array<Insertable<OutboxTable>> = [];
    for (const c of contacts) {
      if (channels.includes('email') && c.email) {
        const delivery_id = randomUUID();
        if (deps.replyDomain === undefined || typeof body.text !== 'string')
          rows.push({ ...base, delivery_id, channel: 'email', target: c.email });
        else {
          // this contact's own reply address: a reply to it is this participant's answer to this inject
          const token = newReplyToken();
          const replyTo = replyAddress(token, deps.replyDomain);
          const text = `${body.text.slice(0, -EXERCISE_MARK.length).trimEnd()}\n\n${replyInstructions(replyTo)}\n\n${EXERCISE_MARK}`;
          rows.push({
            ...base,
            body: JSON.stringify({ ...body, text, replyTo }),
            delivery_id,
            channel: 'email',
            target: c.email,
          });
          replies.push({ token, email: c.email, deliveryId: delivery_id });
        }
      }
      if (channels.includes('webhook') && c.webhook_url)
        rows.push({
          ...base,
          delivery_id: randomUUID(),
          channel: 'webhook',
          target: c.webhook_url,
          secret: c.webhook_secret,
        });
    }
    if (channels.includes('inbox'))
      rows.push({ ...base, delivery_id: randomUUID(), channel: 'inbox', target: String(organisationId) });
    return rows;
  }

  /**
   * The sweep: every due inject of a running exercise, to every participant, exactly once — the inject is
   * claimed (FOR UPDATE SKIP LOCKED), its messages queued and it is marked sent in one transaction.
   */
  async function deliverDue(batch = 20): Promise<{ injects: number; messages: number }> {
    const now = clock().toISOString();
    return db.transaction().execute(async (tx) => {
      const due = await store.claimDueInjects(tx, now, batch);
      let messages = 0;
      for (const i of due) {
        const participants = await store.participantsOf(tx, i.drill_id);
        const subject = markSubject(i.subject);
        const text = messageText(i.title, {
          seq: i.seq,
          body: i.body,
          artefacts: i.artefacts,
          expected: i.expected,
        });
        const deliveries = [];
        for (const p of participants) {
          const replies: Array<{ token: string; email: string; deliveryId: string }> = [];
          const rows = rowsFor(
            p.organisation_id,
            await contactsOf(tx, p.organisation_id),
            i.channels as InjectChannel[],
            subject,
            { text, exercise: true, mark: EXERCISE_MARK, drillId: i.drill_id, injectId: i.id, seq: i.seq },
            now,
            replies,
          );
          await insertOutbox(tx, rows);
          await store.insertReplyAddresses(
            tx,
            replies.map((r) => ({
              token_hash: tokenHash(r.token),
              drill_id: i.drill_id,
              inject_id: i.id,
              organisation_id: p.organisation_id,
              email: r.email,
              message_id: messageIdOf(r.deliveryId),
              created_at: now,
            })),
          );
          messages += rows.length;
          deliveries.push({
            inject_id: i.id,
            organisation_id: p.organisation_id,
            delivered_at: now,
            messages: rows.length,
          });
        }
        await store.insertDeliveries(tx, deliveries);
        await store.markInjectSent(tx, i.id, now);
      }
      return { injects: due.length, messages };
    });
  }

  /** The member's organisation, when it takes part in the exercise. */
  async function participantOrg(p: Principal, drillId: number): Promise<number> {
    requireAccess(p, 'drills:respond');
    if (p.kind !== 'user' || p.organisationId === null)
      throw new AppError('not_organisation_member', 'Sign in as a member of a participating organisation');
    if (!(await store.isParticipant(db, drillId, p.organisationId)))
      throw new AppError('not_found', `No exercise ${drillId} for your organisation`);
    return p.organisationId;
  }

  /** A participant's answer to an inject that reached it, while the exercise runs. */
  async function respond(p: Principal, drillId: number, injectId: number, r: ResponseInput) {
    const org = await participantOrg(p, drillId);
    const text = r.text.trim();
    if (!text || text.length > 20_000)
      throw new AppError('invalid_input', 'text: 1 to 20000 characters', { field: 'text' });
    return db
      .transaction()
      .execute((tx) => record(tx, { drillId, injectId, org, actor: actorName(p) }, { ...r, text }));
  }

  /**
   * A participant's answer by e-mail reply: the reply address's token (or the inject's Message-ID in
   * In-Reply-To / References) names the inject and the participant; the sender must be one of that
   * organisation's contacts. Recorded as a portal answer is, with the reply's Message-ID, once.
   */
  async function respondByEmail(m: MailReply) {
    return db.transaction().execute(async (tx) => {
      const addr =
        (m.token ? await store.replyAddressByToken(tx, tokenHash(m.token)) : undefined) ??
        (await store.replyAddressByMessageIds(tx, m.references));
      if (!addr)
        throw new AppError('not_found', 'No exercise inject has this reply address or Message-ID', {
          token: m.token ?? null,
        });
      const from = m.from.trim().toLowerCase();
      const contacts = await contactsOf(tx, addr.organisation_id);
      if (!contacts.some((c) => c.email?.toLowerCase() === from))
        throw new AppError(
          'forbidden',
          `${m.from} is not a contact of the organisation this inject went to (exercise ${addr.drill_id})`,
          { from: m.from },
        );
      if (m.messageId) {
        const seen = await store.responseByMailId(tx, m.messageId);
        if (seen) return { ...seen, duplicate: true };
      }
      const inject = await store.injectById(tx, addr.drill_id, addr.inject_id);
      const parsed = parseReply(m.text, inject?.expected.map((e) => e.key) ?? []);
      if (!parsed.text || parsed.text.length > INBOUND_LIMITS.textChars)
        throw new AppError('invalid_input', `text: 1 to ${INBOUND_LIMITS.textChars} characters`, {
          field: 'text',
        });
      const r = await record(
        tx,
        {
          drillId: addr.drill_id,
          injectId: addr.inject_id,
          org: addr.organisation_id,
          actor: `${from} (e-mail)`,
        },
        { kind: parsed.kind, text: parsed.text, ...(parsed.fulfils ? { fulfils: parsed.fulfils } : {}) },
        { via: 'email', mailMessageId: m.messageId ?? null },
      );
      await audit(
        tx,
        { email: from, userId: null },
        {
          action: 'drill.response.email',
          targetKind: 'drill',
          targetId: addr.drill_id,
          detail: {
            inject: addr.inject_id,
            organisation: addr.organisation_id,
            kind: r.kind,
            response: r.id,
          },
        },
      );
      return { ...r, duplicate: false };
    });
  }

  /** Whether a reply token (drill+<token>@<domain>) is one an inject e-mail went out with. */
  async function replyTokenKnown(token: string): Promise<boolean> {
    return (await store.replyAddressByToken(db, tokenHash(token))) !== undefined;
  }

  /** One response, in the caller's transaction: the exercise runs, the inject reached the organisation. */
  async function record(
    tx: Kysely<DB>,
    w: { drillId: number; injectId: number; org: number; actor: string },
    r: ResponseInput,
    how: { via: 'portal' | 'email'; mailMessageId: string | null } = { via: 'portal', mailMessageId: null },
  ) {
    const { drillId, injectId, org } = w;
    const text = r.text;
    const d = await store.drillById(tx, drillId, true);
    if (!d) throw new AppError('not_found', `No exercise ${drillId}`);
    if (d.state !== 'running')
      throw new AppError('conflict', `The exercise is ${d.state}: responses are taken while it runs`, {
        state: d.state,
      });
    const inject = await store.injectById(tx, drillId, injectId);
    if (!inject || !(await store.deliveryOf(tx, injectId, org)))
      throw new AppError('not_found', `No inject ${injectId} delivered to your organisation`);
    if (r.fulfils !== undefined && !inject.expected.some((e) => e.key === r.fulfils))
      throw new AppError(
        'invalid_input',
        `fulfils: inject ${inject.seq} expects ${inject.expected.map((e) => e.key).join(', ') || 'nothing'}`,
        { field: 'fulfils' },
      );
    const at = clock().toISOString();
    const id = await store.insertResponse(tx, {
      drill_id: drillId,
      inject_id: injectId,
      organisation_id: org,
      actor: w.actor,
      kind: r.kind,
      text,
      fulfils: r.fulfils ?? null,
      at,
      via: how.via,
      mail_message_id: how.mailMessageId,
    });
    return { id, injectId, seq: inject.seq, kind: r.kind, text, fulfils: r.fulfils ?? null, at };
  }

  /** For a member: the exercises its organisation takes part in, the injects that reached it and its answers. */
  async function mine(p: Principal) {
    requireAccess(p, 'drills:respond');
    if (p.kind !== 'user' || p.organisationId === null)
      throw new AppError('not_organisation_member', 'Sign in as a member of a participating organisation');
    const org = p.organisationId;
    const drills = await store.listDrills(db, { organisationId: org, limit: 100 });
    return Promise.all(
      drills
        .filter((d) => d.state !== 'draft')
        .map(async (d) => {
          const [injects, deliveries, responses] = await Promise.all([
            store.injectsOf(db, d.id),
            store.deliveriesOf(db, d.id),
            store.responsesOf(db, d.id, org),
          ]);
          const reached = deliveries.filter((v) => v.organisation_id === org);
          return {
            id: d.id,
            title: d.title,
            scenario: { zh: d.scenario_zh, en: d.scenario_en },
            state: d.state,
            injects: injects.flatMap((i) => {
              const v = reached.find((x) => x.inject_id === i.id);
              if (!v) return [];
              return [
                {
                  ...injectView(i),
                  subject: markSubject(i.subject),
                  deliveredAt: v.delivered_at,
                  responses: responses
                    .filter((r) => r.inject_id === i.id)
                    .map((r) => ({
                      id: r.id,
                      kind: r.kind,
                      text: r.text,
                      fulfils: r.fulfils,
                      at: r.at,
                      actor: r.actor,
                    })),
                },
              ];
            }),
          };
        }),
    );
  }

  /** Injects sent and responses, in time order: what the control team watches. */
  async function timeline(
    p: Principal,
    id: number,
  ): Promise<{ drillId: number; state: DrillState; entries: TimelineEntry[] }> {
    requireAccess(p, 'drills:manage');
    const d = await load(db, id);
    const [deliveries, responses] = await Promise.all([
      store.deliveriesOf(db, id),
      store.responsesOf(db, id),
    ]);
    const name = (org: number) => d.participants.find((x) => x.organisationId === org)?.name ?? null;
    const subject = (injectId: number) => d.injects.find((i) => i.id === injectId)?.subject ?? null;
    const entries: TimelineEntry[] = [
      ...deliveries.map((v) => ({
        at: v.delivered_at,
        kind: 'inject_sent' as const,
        seq: v.seq,
        injectId: v.inject_id,
        organisationId: v.organisation_id,
        organisation: name(v.organisation_id),
        subject: subject(v.inject_id),
        messages: v.messages,
        responseKind: null,
        text: null,
        fulfils: null,
        actor: null,
      })),
      ...responses.map((r) => ({
        at: r.at,
        kind: 'response' as const,
        seq: r.seq,
        injectId: r.inject_id,
        organisationId: r.organisation_id,
        organisation: name(r.organisation_id),
        subject: subject(r.inject_id),
        messages: null,
        responseKind: r.kind,
        text: r.text,
        fulfils: r.fulfils,
        actor: r.actor,
      })),
    ].sort(
      (a, b) =>
        Date.parse(a.at) - Date.parse(b.at) || (a.kind === b.kind ? 0 : a.kind === 'inject_sent' ? -1 : 1),
    );
    return { drillId: id, state: d.state, entries };
  }

  /** The after-action figures: as of the end, or now while the exercise runs. */
  async function figures(p: Principal, id: number): Promise<AfterActionData> {
    requireAccess(p, 'drills:manage');
    const d = await load(db, id);
    const [deliveries, responses] = await Promise.all([
      store.deliveriesOf(db, id),
      store.responsesOf(db, id),
    ]);
    return afterActionFigures({
      drill: {
        id: d.id,
        title: d.title,
        scenario: d.scenario,
        state: d.state,
        startedAt: d.startedAt,
        endedAt: d.endedAt,
      },
      participants: d.participants,
      injects: d.injects.map((i) => ({
        id: i.id,
        seq: i.seq,
        dueAt: i.dueAt,
        sentAt: i.sentAt,
        subject: i.subject,
        expected: i.expected,
      })),
      deliveries: deliveries.map((v) => ({
        injectId: v.inject_id,
        organisationId: v.organisation_id,
        deliveredAt: v.delivered_at,
      })),
      responses: responses.map((r) => ({
        injectId: r.inject_id,
        organisationId: r.organisation_id,
        kind: r.kind,
        fulfils: r.fulfils,
        at: r.at,
      })),
      asOf: d.endedAt ?? clock().toISOString(),
    });
  }

  async function report(
    p: Principal,
    id: number,
    lang: Lang,
    format: ReportFormat,
  ): Promise<{ contentType: string; body: string | Buffer; filename: string }> {
    const f = await figures(p, id);
    const name = `vulnshare-drill-${id}-${lang}`;
    switch (format) {
      case 'json':
        return {
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify(f, null, 2),
          filename: `${name}.json`,
        };
      case 'html':
        return {
          contentType: 'text/html; charset=utf-8',
          body: renderAfterActionHtml(f, lang),
          filename: `${name}.html`,
        };
      case 'pdf': {
        if (!deps.pdf) throw new AppError('unavailable', 'PDF rendering is not configured');
        const body = await deps.pdf.render(renderAfterActionHtml(f, lang), {
          page: pageLabel(lang),
          title: reportTitle(f, lang),
        });
        return { contentType: 'application/pdf', body, filename: `${name}.pdf` };
      }
    }
  }

  /** The monthly and annual reports' "drills held" (the periodic report's DrillSource): exercises started in the period. */
  async function periodFigures(tx: Kysely<DB>, period: Period): Promise<DrillFigures> {
    const { from, to } = rangeMoments(period);
    const rows = await store.drillsStartedBetween(tx, from, to);
    return {
      held: rows.length,
      exercises: rows.map((r) => ({
        title: r.title,
        date: r.started_at ? calendarDay(r.started_at) : '',
        participants: Number(r.participants ?? 0),
      })),
    };
  }

  return {
    create,
    periodFigures,
    get,
    list,
    start: (p: Principal, id: number) => move(p, id, 'running'),
    end: (p: Principal, id: number) => move(p, id, 'ended'),
    deliverDue,
    respond,
    respondByEmail,
    replyTokenKnown,
    mine,
    timeline,
    figures,
    report,
  };
}

export type DrillService = ReturnType<typeof createDrillService>;
