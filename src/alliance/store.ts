/**
 * SQL of the alliance registry: the only writer of `alliance_memberships`; it reads organisations (their name,
 * kind and standing) for the directory and the audience. Organisations themselves are written by accounts
 * (accounts/store.ts). Every function takes the caller's transaction or the database.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { MembershipStatus } from './model.js';

type Db = Kysely<DB>;

const MEMBER_COLUMNS = [
  'm.organisation_id',
  'm.certificate',
  'm.certificate_raw',
  'm.joined_on',
  'm.status',
  'm.renewal_on',
  'o.name',
  'o.name_en',
  'o.kind',
  'o.verified_at',
] as const;

const members = (db: Db) =>
  db
    .selectFrom('alliance_memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(MEMBER_COLUMNS);

export type MemberRow = Awaited<ReturnType<typeof memberByCertificate>> & object;

export const memberByCertificate = (db: Db, certificate: string, forUpdate = false) => {
  let q = members(db).where('m.certificate', '=', certificate);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
};

export const memberByOrganisation = (db: Db, organisationId: number) =>
  members(db).where('m.organisation_id', '=', organisationId).executeTakeFirst();

/** Members by name or certificate (`certificate`: an exact canonical one), in certificate order, keyset paged. */
export function listMembers(
  db: Db,
  f: { q?: string; certificate?: string | null; status?: MembershipStatus; after?: string; limit: number },
) {
  let q = members(db).orderBy('m.certificate').limit(f.limit);
  if (f.status) q = q.where('m.status', '=', f.status);
  if (f.after) q = q.where('m.certificate', '>', f.after);
  const text = f.q?.trim();
  if (text) {
    const like = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
    const cert = f.certificate;
    q = q.where((eb) =>
      eb.or([
        eb('o.name', 'ilike', like),
        eb('o.name_en', 'ilike', like),
        ...(cert ? [eb('m.certificate', '=', cert)] : []),
      ]),
    );
  }
  return q.execute();
}

export async function countByStatus(db: Db): Promise<Record<MembershipStatus, number>> {
  const rows = await db
    .selectFrom('alliance_memberships')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .groupBy('status')
    .execute();
  const out: Record<MembershipStatus, number> = { active: 0, suspended: 0, expired: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/**
 * A period's membership figures (the monthly / annual report): members who had joined by its last day, those
 * who joined within it, and today's status counts of the former.
 */
export async function periodFigures(
  db: Db,
  range: { start: string; end: string },
): Promise<{ members: number; joined: number; byStatus: Record<MembershipStatus, number> }> {
  const rows = await db
    .selectFrom('alliance_memberships')
    .select([
      'status',
      sql<number>`count(*)::int`.as('n'),
      sql<number>`count(*) FILTER (WHERE joined_on >= ${range.start}::date)::int`.as('joined'),
    ])
    .where('joined_on', '<=', range.end)
    .groupBy('status')
    .execute();
  const byStatus: Record<MembershipStatus, number> = { active: 0, suspended: 0, expired: 0 };
  for (const r of rows) byStatus[r.status] = r.n;
  return {
    members: rows.reduce((a, r) => a + r.n, 0),
    joined: rows.reduce((a, r) => a + r.joined, 0),
    byStatus,
  };
}

export const insertMembership = (
  db: Db,
  m: {
    organisation_id: number;
    certificate: string;
    certificate_raw: string;
    joined_on: string;
    renewal_on: string | null;
    source: string | null;
    created_at: string;
    updated_at: string;
  },
) => db.insertInto('alliance_memberships').values(m).returning('organisation_id').executeTakeFirstOrThrow();

export async function updateMembership(
  db: Db,
  organisationId: number,
  patch: { status?: MembershipStatus; renewal_on?: string | null; certificate_raw?: string },
  at: string,
): Promise<void> {
  await db
    .updateTable('alliance_memberships')
    .set({ ...patch, updated_at: at })
    .where('organisation_id', '=', organisationId)
    .execute();
}

/** Active members with their organisation's kind and standing (the audience decides who may receive). */
export const activeMembers = (db: Db) =>
  members(db).where('m.status', '=', 'active').orderBy('m.certificate').execute();

/** Whether an organisation holds an active membership now (TLP:AMBER and early warnings ask on every use). */
export async function isActiveMember(db: Db, organisationId: number): Promise<boolean> {
  const r = await db
    .selectFrom('alliance_memberships')
    .select('organisation_id')
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * Memberships whose renewal date (valid until, inclusive) is before `today`, set expired in one statement that
 * re-checks the status: a second sweep, or one running beside it, finds nothing left to expire.
 */
export async function expireBefore(
  db: Db,
  today: string,
  at: string,
): Promise<
  Array<{ organisation_id: number; certificate: string; status: MembershipStatus; renewal_on: string }>
> {
  const r = await sql<{
    organisation_id: number;
    certificate: string;
    status: MembershipStatus;
    renewal_on: string;
  }>`
    UPDATE alliance_memberships m SET status = 'expired', updated_at = ${at}::timestamptz
    FROM (
      SELECT organisation_id, status FROM alliance_memberships
      WHERE status IN ('active', 'suspended') AND renewal_on < ${today}::date
      ORDER BY organisation_id FOR UPDATE SKIP LOCKED
    ) old
    WHERE m.organisation_id = old.organisation_id
    RETURNING m.organisation_id::int AS organisation_id, m.certificate, old.status,
      to_char(m.renewal_on, 'YYYY-MM-DD') AS renewal_on`.execute(db);
  return r.rows;
}
