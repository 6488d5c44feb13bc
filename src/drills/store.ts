/**
 * SQL of exercises: the only writer of drills, drill_participants, drill_injects, drill_deliveries and
 * drill_responses. It reads organisations (names, kinds) for the participants; contacts and the outbox are
 * reached through their owners' store functions (accounts/store.ts contactsOf, coordination/store.ts
 * insertOutbox) by the service. Every function takes the caller's transaction or the database.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { DrillState, ExpectedAction, InjectChannel, ResponseKind } from './model.js';

type Db = Kysely<DB>;

export async function insertDrill(
  db: Db,
  d: { title: string; scenario_zh: string; scenario_en: string; created_by: string; created_at: string },
): Promise<number> {
  const r = await db.insertInto('drills').values(d).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function insertParticipants(db: Db, drillId: number, organisationIds: number[]): Promise<void> {
  if (organisationIds.length)
    await db
      .insertInto('drill_participants')
      .values(organisationIds.map((organisation_id) => ({ drill_id: drillId, organisation_id })))
      .execute();
}

export async function insertInjects(
  db: Db,
  drillId: number,
  injects: Array<{
    seq: number;
    dueAt: string;
    channels: InjectChannel[];
    subject: string;
    body: string;
    artefacts: string;
    expected: ExpectedAction[];
  }>,
): Promise<void> {
  if (injects.length)
    await db
      .insertInto('drill_injects')
      .values(
        injects.map((i) => ({
          drill_id: drillId,
          seq: i.seq,
          due_at: i.dueAt,
          channels: JSON.stringify(i.channels),
          subject: i.subject,
          body: i.body,
          artefacts: i.artefacts,
          expected: JSON.stringify(i.expected),
        })),
      )
      .execute();
}

const DRILL_COLUMNS = [
  'id',
  'title',
  'scenario_zh',
  'scenario_en',
  'state',
  'created_by',
  'created_at',
  'started_at',
  'ended_at',
] as const;

export const drillById = (db: Db, id: number, forUpdate = false) => {
  let q = db.selectFrom('drills').select(DRILL_COLUMNS).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
};
export type DrillRow = NonNullable<Awaited<ReturnType<typeof drillById>>>;

export const listDrills = (db: Db, f: { state?: DrillState; organisationId?: number; limit: number }) => {
  let q = db.selectFrom('drills').select(DRILL_COLUMNS).orderBy('id', 'desc').limit(f.limit);
  if (f.state) q = q.where('state', '=', f.state);
  const org = f.organisationId;
  if (org !== undefined)
    q = q.where('id', 'in', (eb) =>
      eb.selectFrom('drill_participants').select('drill_id').where('organisation_id', '=', org),
    );
  return q.execute();
};

export async function moveDrill(
  db: Db,
  id: number,
  m: { from: DrillState; to: DrillState; at: string },
): Promise<boolean> {
  const r = await db
    .updateTable('drills')
    .set({
      state: m.to,
      ...(m.to === 'running' ? { started_at: m.at } : {}),
      ...(m.to === 'ended' ? { ended_at: m.at } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', m.from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const participantsOf = (db: Db, drillId: number) =>
  db
    .selectFrom('drill_participants as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .select(['p.organisation_id', 'o.name', 'o.name_en', 'o.kind'])
    .where('p.drill_id', '=', drillId)
    .orderBy('p.organisation_id')
    .execute();

/** The organisations that exist among `ids`, with their kind. */
export const organisationsAmong = (db: Db, ids: number[]) =>
  ids.length
    ? db.selectFrom('organisations').select(['id', 'name', 'kind']).where('id', 'in', ids).execute()
    : Promise.resolve([]);

export const isParticipant = async (db: Db, drillId: number, organisationId: number): Promise<boolean> =>
  (await db
    .selectFrom('drill_participants')
    .select('drill_id')
    .where('drill_id', '=', drillId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst()) !== undefined;

const INJECT_COLUMNS = [
  'id',
  'drill_id',
  'seq',
  'due_at',
  'channels',
  'subject',
  'body',
  'artefacts',
  'expected',
  'sent_at',
] as const;

export const injectsOf = (db: Db, drillId: number) =>
  db
    .selectFrom('drill_injects')
    .select(INJECT_COLUMNS)
    .where('drill_id', '=', drillId)
    .orderBy('seq')
    .execute();
export type InjectRow = Awaited<ReturnType<typeof injectsOf>>[number];

export const injectById = (db: Db, drillId: number, injectId: number) =>
  db
    .selectFrom('drill_injects')
    .select(INJECT_COLUMNS)
    .where('drill_id', '=', drillId)
    .where('id', '=', injectId)
    .executeTakeFirst();

/**
 * Claim the injects of running exercises that are due and not sent, locking them (FOR UPDATE SKIP LOCKED: a
 * second sweeper takes other rows or none); the caller queues their messages and marks them sent in the same
 * transaction, so each inject goes out exactly once.
 */
export const claimDueInjects = (db: Db, now: string, batch: number) =>
  db
    .selectFrom('drill_injects as i')
    .innerJoin('drills as d', 'd.id', 'i.drill_id')
    .select([
      'i.id',
      'i.drill_id',
      'i.seq',
      'i.channels',
      'i.subject',
      'i.body',
      'i.artefacts',
      'i.expected',
      'd.title',
    ])
    .where('d.state', '=', 'running')
    .where('i.sent_at', 'is', null)
    .where('i.due_at', '<=', now)
    .orderBy('i.due_at')
    .orderBy('i.id')
    .limit(batch)
    .forUpdate('i')
    .skipLocked()
    .execute();

export async function markInjectSent(db: Db, injectId: number, at: string): Promise<void> {
  await db.updateTable('drill_injects').set({ sent_at: at }).where('id', '=', injectId).execute();
}

export async function insertDeliveries(
  db: Db,
  rows: Array<{ inject_id: number; organisation_id: number; delivered_at: string; messages: number }>,
): Promise<void> {
  if (rows.length) await db.insertInto('drill_deliveries').values(rows).execute();
}

export const deliveriesOf = (db: Db, drillId: number) =>
  db
    .selectFrom('drill_deliveries as v')
    .innerJoin('drill_injects as i', 'i.id', 'v.inject_id')
    .select(['v.inject_id', 'v.organisation_id', 'v.delivered_at', 'v.messages', 'i.seq'])
    .where('i.drill_id', '=', drillId)
    .orderBy('v.delivered_at')
    .orderBy('v.organisation_id')
    .execute();

export const deliveryOf = (db: Db, injectId: number, organisationId: number) =>
  db
    .selectFrom('drill_deliveries')
    .select(['delivered_at'])
    .where('inject_id', '=', injectId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();

export async function insertResponse(
  db: Db,
  r: {
    drill_id: number;
    inject_id: number;
    organisation_id: number;
    actor: string;
    kind: ResponseKind;
    text: string;
    fulfils: string | null;
    at: string;
    via?: 'portal' | 'email';
    mail_message_id?: string | null;
  },
): Promise<number> {
  const row = await db.insertInto('drill_responses').values(r).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export const responsesOf = (db: Db, drillId: number, organisationId?: number) => {
  let q = db
    .selectFrom('drill_responses as r')
    .innerJoin('drill_injects as i', 'i.id', 'r.inject_id')
    .select([
      'r.id',
      'r.inject_id',
      'i.seq',
      'r.organisation_id',
      'r.actor',
      'r.kind',
      'r.text',
      'r.fulfils',
      'r.at',
    ])
    .where('r.drill_id', '=', drillId)
    .orderBy('r.at')
    .orderBy('r.id');
  if (organisationId !== undefined) q = q.where('r.organisation_id', '=', organisationId);
  return q.execute();
};

/** Exercises started between two moments (not drafts), with their participant counts, in start order. */
export const drillsStartedBetween = (db: Db, from: string, to: string) =>
  db
    .selectFrom('drills as d')
    .select((eb) => [
      'd.title',
      'd.started_at',
      eb
        .selectFrom('drill_participants as p')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('p.drill_id', '=', 'd.id')
        .as('participants'),
    ])
    .where('d.state', '<>', 'draft')
    .where('d.started_at', '>=', from)
    .where('d.started_at', '<=', to)
    .orderBy('d.started_at')
    .execute();

/** The reply addresses of one inject's e-mails to a participant (e-mail replies, 0035). */
export async function insertReplyAddresses(
  db: Db,
  rows: Array<{
    token_hash: string;
    drill_id: number;
    inject_id: number;
    organisation_id: number;
    email: string;
    message_id: string;
    created_at: string;
  }>,
): Promise<void> {
  if (rows.length) await db.insertInto('drill_reply_addresses').values(rows).execute();
}

const REPLY_COLUMNS = ['drill_id', 'inject_id', 'organisation_id', 'email', 'message_id'] as const;

export const replyAddressByToken = (db: Db, tokenHash: string) =>
  db
    .selectFrom('drill_reply_addresses')
    .select(REPLY_COLUMNS)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();

/** The inject e-mail a reply answers, by the Message-IDs its In-Reply-To and References name. */
export const replyAddressByMessageIds = (db: Db, messageIds: string[]) =>
  messageIds.length
    ? db
        .selectFrom('drill_reply_addresses')
        .select(REPLY_COLUMNS)
        .where('message_id', 'in', messageIds)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst()
    : Promise.resolve(undefined);

/** The response an e-mail reply of this Message-ID recorded already, if any. */
export const responseByMailId = (db: Db, mailMessageId: string) =>
  db
    .selectFrom('drill_responses as r')
    .innerJoin('drill_injects as i', 'i.id', 'r.inject_id')
    .select(['r.id', 'r.inject_id as injectId', 'i.seq', 'r.kind', 'r.text', 'r.fulfils', 'r.at'])
    .where('r.mail_message_id', '=', mailMessageId)
    .executeTakeFirst();
