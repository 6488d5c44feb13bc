/**
 * SQL of accounts: users, organisations and their contacts, sessions, API tokens. Other capabilities read
 * organisations, contacts and users through these functions (disposal's standing and channels, a case's
 * assignee, a published report's credit), never the tables. Every function takes the caller's transaction or
 * the database.
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { ContactsTable, DB, OrganisationsTable } from '../db/schema.js';
import { RECEIVING_KINDS } from './model.js';

type Db = Kysely<DB>;

export const USER_COLUMNS = [
  'id',
  'email',
  'display_name',
  'role',
  'organisation_id',
  'disabled',
  'created_at',
  'last_login_at',
  'failed_sign_ins',
  'failed_sign_ins_before_login',
] as const;

// ---- users

/** The user holding an address (case-insensitive). */
export const userByEmail = (db: Db, email: string) =>
  db
    .selectFrom('users')
    .select(['id', 'email', 'disabled', 'password_hash'])
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();

export const userById = (db: Db, id: number) =>
  db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();

/** A user's role and whether it is disabled (is it an active analyst?). */
export const userRole = (db: Db, id: number) =>
  db.selectFrom('users').select(['role', 'disabled']).where('id', '=', id).executeTakeFirst();

/** Insert a user; undefined when the address is taken (`ifAbsent`), else a unique violation throws. */
export async function insertUser(
  db: Db,
  u: {
    email: string;
    display_name: string;
    password_hash: string;
    role: string;
    organisation_id: number | null;
  },
  ifAbsent = false,
) {
  let q = db.insertInto('users').values(u);
  if (ifAbsent) q = q.onConflict((oc) => oc.doNothing());
  return q.returning(USER_COLUMNS).executeTakeFirst();
}

/** One more wrong password on the account; its count and when its owner was last warned. */
export const countFailedSignIn = (db: Db, id: number) =>
  db
    .updateTable('users')
    .set({ failed_sign_ins: sql<number>`failed_sign_ins + 1` })
    .where('id', '=', id)
    .returning(['failed_sign_ins', 'sign_in_warning_sent_at'])
    .executeTakeFirstOrThrow();

export async function markOwnerWarned(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('users').set({ sign_in_warning_sent_at: at }).where('id', '=', id).execute();
}

/** A sign-in: failures so far become "since the last login", the count and the warning start again. */
export const recordLogin = (db: Db, id: number, at: string) =>
  db
    .updateTable('users')
    .set({
      last_login_at: at,
      failed_sign_ins_before_login: sql<number>`failed_sign_ins`,
      failed_sign_ins: 0,
      sign_in_warning_sent_at: null,
    })
    .where('id', '=', id)
    .returning(USER_COLUMNS)
    .executeTakeFirstOrThrow();

/** Users, newest first, with their organisation's name; `q` matches e-mail or display name. */
export async function listUsers(db: Db, f: { role?: string; q?: string; limit: number }) {
  let s = db
    .selectFrom('users as u')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(USER_COLUMNS.map((c) => `u.${c}` as const))
    .select('o.name as organisation')
    .orderBy('u.id', 'desc')
    .limit(f.limit);
  if (f.role) s = s.where('u.role', '=', f.role);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    s = s.where((eb) =>
      eb.or([eb(sql`lower(u.email)`, 'like', like), eb(sql`lower(u.display_name)`, 'like', like)]),
    );
  }
  return s.execute();
}

export async function countAdmins(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The earliest enabled admin (the command line stands in with it where an account is needed). */
export const earliestAdmin = (db: Db) =>
  db
    .selectFrom('users')
    .select(['id', 'email', 'organisation_id'])
    .where('role', '=', 'admin')
    .where('disabled', '=', false)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

/** Does the organisation have someone who reads its signed-in inbox (an enabled recipient account)? */
export async function hasInboxReader(db: Db, organisationId: number): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('role', '=', 'recipient')
    .where('disabled', '=', false)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// ---- sessions and API tokens

export async function insertSession(
  db: Db,
  s: { id_hash: string; user_id: number; csrf_token: string; expires_at: string },
): Promise<void> {
  await db.insertInto('sessions').values(s).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** The user of an unexpired session, with its CSRF token. */
export const sessionUser = (db: Db, idHash: string, now: string) =>
  db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.role', 'u.organisation_id', 'u.disabled', 's.csrf_token'])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();

export const insertApiToken = (
  db: Db,
  t: {
    user_id: number;
    name: string;
    token_hash: string;
    prefix: string;
    scopes: string[];
    expires_at: string;
  },
) => db.insertInto('api_tokens').values(t).returning('id').executeTakeFirstOrThrow();

export const apiTokensOf = (db: Db, userId: number) =>
  db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'scopes', 'expires_at', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();

/** Revoke one active token of the user; false when there is none. */
export async function revokeApiToken(db: Db, id: number, userId: number, at: string): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The user of an active, unexpired token. */
export const apiTokenUser = (db: Db, tokenHash: string, now: string) =>
  db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id as tid',
      't.scopes',
      't.last_used_at',
      'u.id',
      'u.email',
      'u.role',
      'u.organisation_id',
      'u.disabled',
    ])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where('t.expires_at', '>', now)
    .executeTakeFirst();

export async function touchApiToken(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

// ---- sign-in throttle (throttle.ts keeps the tables and the rules)

/** The wait after `n` attempts, as SQL over the back-off table (so the check and the count are one statement). */
const waitAfter = (
  n: ReturnType<typeof sql>,
  table: ReadonlyArray<{ failures: number; waitSeconds: number }>,
) =>
  sql<number>`coalesce((
    select r.w from unnest(${table.map((t) => t.failures)}::int[], ${table.map((t) => t.waitSeconds)}::int[]) as r(f, w)
    where r.f <= ${n} order by r.f desc limit 1), 0)`;

/**
 * Charge one attempt to `key` in one statement that also enforces the wait (INSERT … ON CONFLICT DO UPDATE …
 * WHERE next_at <= now RETURNING); counts older than `forgetBefore` start again. The new count, or null while
 * the key must still wait.
 */
export async function chargeAttempt(
  db: Db,
  key: string,
  table: ReadonlyArray<{ failures: number; waitSeconds: number }>,
  at: string,
  forgetBefore: string,
): Promise<number | null> {
  const count = sql`case when t.last_at < ${forgetBefore}::timestamptz then 1 else t.attempts + 1 end`;
  const r = await sql<{ attempts: number }>`
    insert into sign_in_throttle as t (key, attempts, last_at, next_at)
    values (${key}, 1, ${at}::timestamptz, ${at}::timestamptz + ${waitAfter(sql`1`, table)} * interval '1 second')
    on conflict (key) do update set
      attempts = ${count},
      last_at = ${at}::timestamptz,
      next_at = ${at}::timestamptz + ${waitAfter(count, table)} * interval '1 second'
    where t.next_at <= ${at}::timestamptz
    returning t.attempts`.execute(db);
  return r.rows[0]?.attempts ?? null;
}

/** When each of the keys may try again. */
export const throttledUntil = async (db: Db, keys: string[]): Promise<string[]> =>
  (await db.selectFrom('sign_in_throttle').select('next_at').where('key', 'in', keys).execute()).map(
    (r) => r.next_at,
  );

/** A sign-in succeeded: the pair's count goes, the client's gives back one; counts older than forgetBefore go. */
export async function clearAttempts(
  db: Db,
  k: { pair: string; client: string; forgetBefore: string },
): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', k.pair).execute();
  await db
    .updateTable('sign_in_throttle')
    .set({ attempts: sql<number>`greatest(attempts - 1, 0)` })
    .where('key', '=', k.client)
    .execute();
  await db.deleteFrom('sign_in_throttle').where('last_at', '<', k.forgetBefore).execute();
}

// ---- organisations and contacts

export const organisationById = (db: Db, id: number, forUpdate = false) => {
  let q = db.selectFrom('organisations').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
};

/** Organisations named `name` (case-insensitive); `kindOrVerified`: of that kind, or verified by anyone. */
export function organisationNamed(
  db: Db,
  name: string,
  f: { kindOrVerified?: string; verifiedOnly?: boolean; except?: number } = {},
) {
  let q = db
    .selectFrom('organisations')
    .select(['id', 'kind'])
    .where(sql`lower(name)`, '=', name.toLowerCase());
  const kind = f.kindOrVerified;
  if (kind !== undefined)
    q = q.where((eb) => eb.or([eb('kind', '=', kind), eb('verified_at', 'is not', null)]));
  if (f.verifiedOnly) q = q.where('verified_at', 'is not', null);
  if (f.except !== undefined) q = q.where('id', '<>', f.except);
  return q.executeTakeFirst();
}

/** Insert an organisation; undefined when its name is taken (a unique index) and `ifAbsent`. */
export async function insertOrganisation(db: Db, o: Insertable<OrganisationsTable>, ifAbsent = false) {
  let q = db.insertInto('organisations').values(o);
  if (ifAbsent) q = q.onConflict((oc) => oc.doNothing());
  return q.returning('id').executeTakeFirst();
}

export async function setVerified(
  db: Db,
  id: number,
  v: { verified_at: string | null; verified_by: number | null },
): Promise<void> {
  await db.updateTable('organisations').set(v).where('id', '=', id).execute();
}

export async function listOrganisations(db: Db, f: { kind?: string; q?: string }) {
  let query = db
    .selectFrom('organisations')
    .select(['id', 'kind', 'name', 'name_en', 'sector', 'alliance_cert', 'verified_at'])
    .orderBy('name')
    .limit(1000);
  if (f.kind) query = query.where('kind', '=', f.kind);
  if (f.q) query = query.where('name', 'ilike', `%${f.q.replace(/[%_\\]/g, '\\$&')}%`);
  return query.execute();
}

/**
 * Organisations that may receive (a receiving kind, verified by an analyst): those named `name` exactly
 * (case-insensitive), or — without a name — all of them, for a normalised comparison.
 */
export function receivingOrganisations(db: Db, name?: string) {
  let q = db
    .selectFrom('organisations')
    .select(['id', 'name', 'name_en'])
    .where('kind', 'in', [...RECEIVING_KINDS])
    .where('verified_at', 'is not', null);
  if (name !== undefined) q = q.where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()));
  return q.execute();
}

/** Every contact of the organisation, in the order they were added. */
export const contactsOf = (db: Db, organisationId: number) =>
  db.selectFrom('contacts').selectAll().where('organisation_id', '=', organisationId).orderBy('id').execute();

export const insertContact = (db: Db, c: Insertable<ContactsTable>) =>
  db
    .insertInto('contacts')
    .values(c)
    .returning(['id', 'name', 'email', 'webhook_url', 'portal', 'mechanism'])
    .executeTakeFirstOrThrow();
