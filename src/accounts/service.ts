/**
 * Accounts: people, organisations and contacts; sign-in with sessions (cookie + CSRF token), API tokens with
 * scopes and expiry, login throttling, and the first admin. Every function that acts for someone starts with
 * requireAccess; every security-relevant action is audited in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError, isAppError } from '../errors.js';
import { checkTargetUrl, NO_INTERNAL_TARGETS, type InternalAllowance } from '../outbound/targets.js';
import { audit } from '../audit/audit.js';
import {
  ANONYMOUS,
  individualOrgName,
  CONTACT_MECHANISMS,
  ORG_KINDS,
  ROLES,
  type ContactMechanism,
  type OrgKind,
  type Principal,
  type Role,
} from './model.js';
import { ACTIONS, POLICY, requireAccess, requireAnyAccess, type Action } from './policy.js';
import {
  API_TOKEN_PREFIX,
  dummyHash,
  hashPassword,
  newApiToken,
  randomSecret,
  sha256,
  verifyPassword,
} from './secrets.js';
import { checkPassword } from './password-rule.js';
import { attemptSucceeded, NOTIFY_OWNER_AT, takeAttempt } from './throttle.js';
import { queueEmail } from '../coordination/queue-email.js';
import { robotProblems, type RobotKind } from '../coordination/robots.js';
import * as store from './store.js';

export { SIGN_IN_BACKOFF } from './throttle.js';

export const SESSION_HOURS = 12;
/** At most one e-mail about failed sign-ins per account in this time (a new sign-in allows the next at once). */
export const OWNER_WARNING_EVERY_HOURS = 24;
export const TOKEN_MAX_DAYS = 366;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MINUTE = 60_000;

export interface UserView {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  organisationId: number | null;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  /** Wrong passwords tried on this account since its owner's previous sign-in (the owner is told). */
  failedSignInsSinceLastLogin: number;
}
export interface OrganisationView {
  id: number;
  kind: OrgKind;
  name: string;
  nameEn: string | null;
  sector: string | null;
  region: string | null;
  allianceCert: string | null;
  /** standing: an analyst verified it (organisations an analyst creates are verified at creation) */
  verified: boolean;
  verifiedAt: string | null;
  contacts: ContactView[];
}
export interface ContactView {
  id: number;
  name: string;
  email: string | null;
  webhookUrl: string | null;
  portal: boolean;
  mechanism: ContactMechanism;
  /** a chat robot channel (dingtalk, wecom, feishu); its URL and secret are never shown again */
  robot: RobotKind | null;
}

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  role: Role;
  organisationId?: number | null;
}

/** Every problem with a new user at once; a password problem alone names the field and zxcvbn's reason. */
async function checkUser(u: NewUser): Promise<void> {
  const problems: string[] = [];
  if (!EMAIL.test(u.email)) problems.push(`email "${u.email}" is not an e-mail address`);
  if (!u.displayName.trim()) problems.push('displayName must not be empty');
  if (!(ROLES as readonly string[]).includes(u.role))
    problems.push(`role must be one of ${ROLES.join(', ')}`);
  const pw = await checkPassword(u.password, { email: u.email, displayName: u.displayName });
  if (pw && !problems.length)
    throw new AppError('weak_password', pw.message, {
      parameter: 'password',
      reason: 'weak_password',
      warning: pw.warning,
      suggestions: pw.suggestions,
    });
  if (pw) problems.push(pw.message);
  if (problems.length)
    throw new AppError('invalid_parameter', problems.join('; '), { parameter: 'user', problems });
}

type UserRow = {
  id: number;
  email: string;
  display_name: string;
  role: string;
  organisation_id: number | null;
  disabled: boolean;
  created_at: string;
  last_login_at: string | null;
  failed_sign_ins: number;
  failed_sign_ins_before_login: number;
};
const userView = (r: UserRow): UserView => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role as Role,
  organisationId: r.organisation_id,
  disabled: r.disabled,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  failedSignInsSinceLastLogin: r.failed_sign_ins_before_login + r.failed_sign_ins,
});

/** What registration answers, whether or not the address had an account: it never says which. */
export const REGISTRATION_ACCEPTED = {
  status: 'accepted',
  message:
    'Registration accepted. Sign in with this e-mail address and password; if the address already had an account, its owner has been told and its password is unchanged.',
} as const;

/** Raised inside a registration when the address is taken after all (a parallel registration won). */
const ADDRESS_TAKEN = new Error('address taken');

export function createAccountService(deps: {
  db: Kysely<DB>;
  clock?: () => Date;
  /** The password check (argon2id); tests count how many ran. */
  verifyPassword?: (hash: string, password: string) => Promise<boolean>;
  /** Internal addresses a contact's webhook URL may point at (VULNSHARE_ALLOW_INTERNAL_TARGETS); default none. */
  internalTargets?: InternalAllowance;
}) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const verify = deps.verifyPassword ?? verifyPassword;
  const nowIso = () => clock().toISOString();

  async function insertUser(tx: Kysely<DB>, u: NewUser): Promise<UserView> {
    await checkUser(u);
    const taken = await store.userByEmail(tx, u.email);
    if (taken) throw new AppError('email_taken', `A user with e-mail ${u.email} exists`, { email: u.email });
    const row = await store.insertUser(tx, {
      email: u.email,
      display_name: u.displayName.trim(),
      password_hash: await hashPassword(u.password),
      role: u.role,
      organisation_id: u.organisationId ?? null,
    });
    if (!row) throw new AppError('internal', 'user insert returned nothing');
    return userView(row);
  }

  /** An admin (or the CLI) creates a user of any role. */
  async function createUser(p: Principal, u: NewUser): Promise<UserView> {
    requireAccess(p, 'users:manage');
    return db.transaction().execute(async (tx) => {
      const user = await insertUser(tx, u);
      await audit(tx, p, {
        action: 'user.created',
        targetKind: 'user',
        targetId: user.id,
        detail: { role: u.role },
      });
      return user;
    });
  }

  /** Someone registered with an address that has an account: nothing changes; the owner is told. */
  async function addressTaken(tx: Kysely<DB>, email: string, ip: string | undefined): Promise<void> {
    const owner = await store.userByEmail(tx, email);
    if (!owner) return;
    await audit(tx, ANONYMOUS, {
      action: 'user.register_existing',
      targetKind: 'user',
      targetId: owner.id,
      ...(ip ? { ip } : {}),
    });
    await queueEmail(tx, {
      to: owner.email,
      subject: 'vulnshare: someone tried to register with your address',
      text: [
        `Someone tried to register a new vulnshare account with your address (${owner.email}) at ${nowIso()}${ip ? ` from ${ip}` : ''}.`,
        'You already have an account, so nothing was changed: your password and your reports are as they were.',
        'If it was you, sign in with your existing password. If it was not, you need do nothing.',
      ].join('\n\n'),
    });
  }

  /**
   * Self-registration of a reporter: an individual researcher (an organisation of kind individual is made for
   * them) or a reporting unit (a new organisation; joining an existing one goes through an admin). The answer
   * is the same whether or not the address has an account, and takes as long (the password is hashed either
   * way): a new address gets an account it can sign in with; a taken one changes nothing and its owner is told.
   */
  async function register(input: {
    email: string;
    displayName: string;
    password: string;
    organisation?: { kind: 'individual' | 'reporting_unit'; name?: string };
    ip?: string;
  }): Promise<typeof REGISTRATION_ACCEPTED> {
    const kind = input.organisation?.kind ?? 'individual';
    const orgName =
      kind === 'individual' ? input.displayName.trim() : (input.organisation?.name ?? '').trim();
    if (!orgName)
      throw new AppError('invalid_parameter', 'organisation.name is required for a reporting unit', {
        parameter: 'organisation.name',
      });
    await checkUser({ ...input, role: 'reporter' });
    const passwordHash = await hashPassword(input.password);
    const unitTaken = () =>
      new AppError(
        'organisation_exists',
        `The organisation "${orgName}" is registered already; ask its administrator or the coordinator to add you`,
        { organisation: orgName },
      );
    try {
      await db.transaction().execute(async (tx) => {
        if (kind === 'reporting_unit') {
          const exists = await store.organisationNamed(tx, orgName);
          if (exists) throw unitTaken();
        }
        const taken = await store.userByEmail(tx, input.email);
        if (taken) throw ADDRESS_TAKEN;
        const org = await store.insertOrganisation(
          tx,
          { kind, name: kind === 'individual' ? individualOrgName(orgName, input.email) : orgName },
          true,
        );
        if (!org) throw kind === 'reporting_unit' ? unitTaken() : ADDRESS_TAKEN;
        // a parallel registration of the same address may have won since the look-up
        const user = await store.insertUser(
          tx,
          {
            email: input.email,
            display_name: input.displayName.trim(),
            password_hash: passwordHash,
            role: 'reporter',
            organisation_id: org.id,
          },
          true,
        );
        if (!user) throw ADDRESS_TAKEN;
        await audit(
          tx,
          { email: input.email, userId: user.id },
          {
            action: 'user.registered',
            targetKind: 'user',
            targetId: user.id,
            ...(input.ip ? { ip: input.ip } : {}),
          },
        );
      });
    } catch (e) {
      if (e !== ADDRESS_TAKEN) throw e;
      await db.transaction().execute((tx) => addressTaken(tx, input.email, input.ip));
    }
    return REGISTRATION_ACCEPTED;
  }

  /** A wrong password for an existing account: counted for its owner, who gets an e-mail when the back-off starts. */
  async function tellOwner(
    tx: Kysely<DB>,
    user: { id: number; email: string },
    attempt: number,
    ip: string | undefined,
  ): Promise<void> {
    const now = clock();
    const r = await store.countFailedSignIn(tx, user.id);
    const lastWarning = r.sign_in_warning_sent_at ? Date.parse(r.sign_in_warning_sent_at) : 0;
    if (attempt !== NOTIFY_OWNER_AT || lastWarning > now.getTime() - OWNER_WARNING_EVERY_HOURS * 3_600_000)
      return;
    await store.markOwnerWarned(tx, user.id, now.toISOString());
    await queueEmail(tx, {
      to: user.email,
      subject: 'vulnshare: failed sign-ins on your account',
      text: [
        `${attempt} sign-ins with a wrong password were tried on your vulnshare account (${user.email})${ip ? ` from ${ip}` : ''}, the last at ${now.toISOString()}.`,
        'Further tries from that address now wait longer each time; you can still sign in from your own.',
        'If this was not you, your password has not been found, and you need do nothing — unless it is one you use elsewhere: then change it there.',
      ].join('\n\n'),
    });
  }

  /**
   * Sign in: a new session (cookie value + CSRF token), or a clear refusal. Throttled per account × client
   * address and per client address (throttle.ts): the attempt is charged before the password is checked.
   */
  async function login(input: { email: string; password: string; ip?: string }): Promise<{
    session: string;
    csrfToken: string;
    expiresAt: string;
    user: UserView;
  }> {
    const email = input.email.trim();
    const attempt = await takeAttempt(db, email, input.ip, clock());
    const row = await store.userByEmail(db, email);
    const ok = row
      ? await verify(row.password_hash, input.password)
      : await verify(await dummyHash(), input.password).then(() => false);
    if (!row || !ok || row.disabled) {
      await db.transaction().execute(async (tx) => {
        if (row) await tellOwner(tx, row, attempt, input.ip);
        await audit(
          tx,
          { email, userId: row?.id ?? null },
          {
            action: 'login.failed',
            detail: {
              reason: !row ? 'unknown_user' : row.disabled ? 'disabled' : 'wrong_password',
              attempt,
            },
            ...(input.ip ? { ip: input.ip } : {}),
          },
        );
      });
      throw new AppError('unauthorized', 'Wrong e-mail address or password');
    }
    const session = randomSecret();
    const csrfToken = randomSecret(24);
    const expiresAt = new Date(clock().getTime() + SESSION_HOURS * 60 * MINUTE).toISOString();
    const user = await db.transaction().execute(async (tx) => {
      await attemptSucceeded(tx, email, input.ip, clock());
      await store.insertSession(tx, {
        id_hash: sha256(session),
        user_id: row.id,
        csrf_token: csrfToken,
        expires_at: expiresAt,
      });
      const u = await store.recordLogin(tx, row.id, nowIso());
      await audit(
        tx,
        { email: row.email, userId: row.id },
        { action: 'login.succeeded', ...(input.ip ? { ip: input.ip } : {}) },
      );
      return userView(u);
    });
    return { session, csrfToken, expiresAt, user };
  }

  async function logout(session: string): Promise<void> {
    await store.deleteSession(db, sha256(session));
  }

  /** The principal a session cookie stands for, with its CSRF token; null when unknown or expired. */
  async function resolveSession(
    session: string,
  ): Promise<{ principal: Principal; csrfToken: string } | null> {
    const r = await store.sessionUser(db, sha256(session), nowIso());
    if (!r || r.disabled) return null;
    return {
      principal: {
        kind: 'user',
        userId: r.id,
        email: r.email,
        role: r.role as Role,
        organisationId: r.organisation_id,
        via: 'session',
        scopes: null,
      },
      csrfToken: r.csrf_token,
    };
  }

  /** A new API token for the caller, limited to `scopes` (a subset of what the caller's role may do). */
  async function createApiToken(
    p: Principal,
    input: { name: string; scopes?: string[]; expiresInDays?: number },
  ): Promise<{ id: number; token: string; scopes: string[]; expiresAt: string }> {
    requireAccess(p, 'tokens:own');
    if (p.kind !== 'user') throw new AppError('forbidden', 'API tokens belong to users');
    if (p.via === 'token') throw new AppError('forbidden', 'An API token cannot create API tokens; sign in');
    const allowed = ACTIONS.filter((a) => (POLICY[a] as readonly Role[]).includes(p.role));
    const scopes = input.scopes ?? allowed;
    const bad = scopes.filter((s) => !allowed.includes(s as Action));
    if (bad.length)
      throw new AppError('invalid_parameter', `scopes not allowed for role ${p.role}: ${bad.join(', ')}`, {
        parameter: 'scopes',
        allowed,
      });
    const days = input.expiresInDays ?? 90;
    if (!Number.isInteger(days) || days < 1 || days > TOKEN_MAX_DAYS)
      throw new AppError('invalid_parameter', `expiresInDays must be 1–${TOKEN_MAX_DAYS}`, {
        parameter: 'expiresInDays',
      });
    if (!input.name.trim())
      throw new AppError('invalid_parameter', 'name must not be empty', { parameter: 'name' });
    const token = newApiToken();
    const expiresAt = new Date(clock().getTime() + days * 24 * 60 * MINUTE).toISOString();
    return db.transaction().execute(async (tx) => {
      const r = await store.insertApiToken(tx, {
        user_id: p.userId,
        name: input.name.trim(),
        token_hash: sha256(token),
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
        scopes,
        expires_at: expiresAt,
      });
      await audit(tx, p, {
        action: 'token.created',
        targetKind: 'api_token',
        targetId: r.id,
        detail: { scopes, expiresAt },
      });
      return { id: r.id, token, scopes, expiresAt };
    });
  }

  async function listApiTokens(p: Principal) {
    requireAccess(p, 'tokens:own');
    if (p.kind !== 'user') return [];
    const rows = await store.apiTokensOf(db, p.userId);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      scopes: r.scopes,
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }

  async function revokeApiToken(p: Principal, id: number): Promise<void> {
    requireAccess(p, 'tokens:own');
    if (p.kind !== 'user') throw new AppError('forbidden', 'API tokens belong to users');
    await db.transaction().execute(async (tx) => {
      if (!(await store.revokeApiToken(tx, id, p.userId, nowIso())))
        throw new AppError('not_found', `No active API token ${id} of yours`);
      await audit(tx, p, { action: 'token.revoked', targetKind: 'api_token', targetId: id });
    });
  }

  async function resolveApiToken(token: string): Promise<Principal | null> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return null;
    const r = await store.apiTokenUser(db, sha256(token), nowIso());
    if (!r || r.disabled) return null;
    // last use to the minute: a busy machine client does not turn every request into a write
    if (!r.last_used_at || Date.parse(r.last_used_at) < clock().getTime() - MINUTE)
      await store.touchApiToken(db, r.tid, nowIso());
    return {
      kind: 'user',
      userId: r.id,
      email: r.email,
      role: r.role as Role,
      organisationId: r.organisation_id,
      via: 'token',
      scopes: r.scopes,
    };
  }

  async function createOrganisation(
    p: Principal,
    o: {
      kind: OrgKind;
      name: string;
      nameEn?: string;
      sector?: string;
      region?: string;
      allianceCert?: string;
    },
  ): Promise<OrganisationView> {
    requireAccess(p, 'organisations:manage');
    if (!(ORG_KINDS as readonly string[]).includes(o.kind))
      throw new AppError('invalid_parameter', `kind must be one of ${ORG_KINDS.join(', ')}`, {
        parameter: 'kind',
      });
    if (!o.name.trim())
      throw new AppError('invalid_parameter', 'name must not be empty', { parameter: 'name' });
    return db.transaction().execute(async (tx) => {
      // the same name of the same kind, or a name a verified organisation holds, is taken; a self-registered
      // (unverified) reporting unit of that name is another organisation and does not block the analyst's
      const exists = await store.organisationNamed(tx, o.name.trim(), { kindOrVerified: o.kind });
      if (exists)
        throw new AppError(
          'organisation_exists',
          `Organisation "${o.name}" exists (id ${exists.id}, ${exists.kind})`,
          {
            id: exists.id,
          },
        );
      const r = await store.insertOrganisation(tx, {
        kind: o.kind,
        name: o.name.trim(),
        name_en: o.nameEn ?? null,
        sector: o.sector ?? null,
        region: o.region ?? null,
        alliance_cert: o.allianceCert ?? null,
        verified_at: clock().toISOString(),
        verified_by: p.kind === 'user' ? p.userId : null,
      });
      if (!r) throw new AppError('internal', 'organisation insert returned nothing');
      await audit(tx, p, { action: 'organisation.created', targetKind: 'organisation', targetId: r.id });
      return getOrganisationIn(tx, r.id);
    });
  }

  /**
   * An analyst verifies an organisation's standing (it may then be notified and its members read what it was
   * sent), or withdraws it (its inbox, notifications and links close at once).
   */
  async function setOrganisationVerified(
    p: Principal,
    id: number,
    verified: boolean,
  ): Promise<OrganisationView> {
    requireAccess(p, 'organisations:manage');
    return db.transaction().execute(async (tx) => {
      const o = await store.organisationById(tx, id, true);
      if (!o) throw new AppError('not_found', `No organisation ${id}`);
      if (verified) {
        const holder = await store.organisationNamed(tx, o.name, { verifiedOnly: true, except: id });
        if (holder)
          throw new AppError(
            'organisation_exists',
            `A verified organisation is named "${o.name}" already (id ${holder.id}, ${holder.kind}); rename this one first`,
            { id: holder.id, organisation: o.name },
          );
      }
      if (verified !== (o.verified_at !== null)) {
        await store.setVerified(
          tx,
          id,
          verified
            ? { verified_at: clock().toISOString(), verified_by: p.kind === 'user' ? p.userId : null }
            : { verified_at: null, verified_by: null },
        );
        await audit(tx, p, {
          action: verified ? 'organisation.verified' : 'organisation.unverified',
          targetKind: 'organisation',
          targetId: id,
        });
      }
      return getOrganisationIn(tx, id);
    });
  }

  async function getOrganisationIn(tx: Kysely<DB>, id: number): Promise<OrganisationView> {
    const o = await store.organisationById(tx, id);
    if (!o) throw new AppError('not_found', `No organisation ${id}`);
    const contacts = await store.contactsOf(tx, id);
    return {
      id: o.id,
      kind: o.kind as OrgKind,
      name: o.name,
      nameEn: o.name_en,
      sector: o.sector,
      region: o.region,
      allianceCert: o.alliance_cert,
      verified: o.verified_at !== null,
      verifiedAt: o.verified_at,
      contacts: contacts.map((c) => ({
        id: c.id,
        name: c.name,
        email: c.email,
        webhookUrl: c.webhook_url,
        portal: c.portal,
        mechanism: c.mechanism as ContactMechanism,
        robot: c.robot_kind as RobotKind | null, // the column's check admits only the robot kinds
      })),
    };
  }

  async function getOrganisation(p: Principal, id: number): Promise<OrganisationView> {
    // a member reads its own organisation with a scope of a member's work (a tokens:own token does not)
    if (!(p.kind === 'user' && p.organisationId === id)) requireAccess(p, 'organisations:read');
    else requireAnyAccess(p, ['organisations:read', 'inbox:read', 'submissions:read_own']);
    return getOrganisationIn(db, id);
  }

  async function listOrganisations(p: Principal, q: { kind?: OrgKind; q?: string } = {}) {
    requireAccess(p, 'organisations:read');
    return (await store.listOrganisations(db, q)).map((o) => ({
      id: o.id,
      kind: o.kind as OrgKind,
      name: o.name,
      nameEn: o.name_en,
      sector: o.sector,
      allianceCert: o.alliance_cert,
      verified: o.verified_at !== null,
      verifiedAt: o.verified_at,
    }));
  }

  async function addContact(
    p: Principal,
    organisationId: number,
    c: {
      name: string;
      email?: string;
      webhookUrl?: string;
      portal?: boolean;
      mechanism?: ContactMechanism;
      /** a chat robot: its kind, webhook URL and (DingTalk, Feishu) signing secret */
      robot?: { kind: string; url: string; secret?: string };
    },
  ): Promise<{ contact: ContactView; webhookSecret: string | null }> {
    requireAccess(p, 'organisations:manage');
    const problems: string[] = [];
    if (!c.name.trim()) problems.push('name must not be empty');
    if (c.email && !EMAIL.test(c.email)) problems.push(`email "${c.email}" is not an e-mail address`);
    if (c.webhookUrl)
      try {
        checkTargetUrl(c.webhookUrl, 'webhookUrl', deps.internalTargets ?? NO_INTERNAL_TARGETS);
      } catch (e) {
        if (!isAppError(e)) throw e;
        problems.push(e.message);
      }
    if (c.robot) {
      problems.push(...robotProblems(c.robot));
      try {
        checkTargetUrl(c.robot.url, 'robot.url', deps.internalTargets ?? NO_INTERNAL_TARGETS);
      } catch (e) {
        if (!isAppError(e)) throw e;
        problems.push(e.message);
      }
    }
    if (c.mechanism && !(CONTACT_MECHANISMS as readonly string[]).includes(c.mechanism))
      problems.push(`mechanism must be ${CONTACT_MECHANISMS.join(' or ')}`);
    if (!c.email && !c.webhookUrl && !c.robot && c.portal === false)
      problems.push('a contact needs at least one channel');
    if (problems.length)
      throw new AppError('invalid_parameter', problems.join('; '), { parameter: 'contact', problems });
    const secret = c.webhookUrl ? randomSecret(32) : null;
    return db.transaction().execute(async (tx) => {
      await getOrganisationIn(tx, organisationId);
      const r = await store.insertContact(tx, {
        organisation_id: organisationId,
        name: c.name.trim(),
        email: c.email ?? null,
        webhook_url: c.webhookUrl ?? null,
        webhook_secret: secret,
        portal: c.portal ?? true,
        mechanism: c.mechanism ?? 'established',
        robot_kind: c.robot?.kind ?? null,
        robot_url: c.robot?.url ?? null,
        robot_secret: c.robot?.secret || null,
      });
      await audit(tx, p, {
        action: 'contact.created',
        targetKind: 'organisation',
        targetId: organisationId,
        detail: { contact: r.id },
      });
      return {
        contact: {
          id: r.id,
          name: r.name,
          email: r.email,
          webhookUrl: r.webhook_url,
          portal: r.portal,
          mechanism: r.mechanism as ContactMechanism,
          robot: (c.robot?.kind as RobotKind | undefined) ?? null, // checked by robotProblems
        },
        webhookSecret: secret,
      };
    });
  }

  async function me(p: Principal): Promise<UserView | null> {
    if (p.kind !== 'user') return null;
    const r = await store.userById(db, p.userId);
    return r ? userView(r) : null;
  }

  /** Users, newest first (admins): the console's user list. */
  async function listUsers(p: Principal, q: { role?: Role; q?: string; limit?: number } = {}) {
    requireAccess(p, 'users:manage');
    const rows = await store.listUsers(db, {
      ...(q.role ? { role: q.role } : {}),
      ...(q.q ? { q: q.q } : {}),
      limit: q.limit ?? 500,
    });
    return rows.map((r) => ({ ...userView(r), organisation: r.organisation }));
  }

  async function countAdmins(): Promise<number> {
    return store.countAdmins(db);
  }

  return {
    createUser,
    listUsers,
    register,
    login,
    logout,
    resolveSession,
    createApiToken,
    listApiTokens,
    revokeApiToken,
    resolveApiToken,
    createOrganisation,
    setOrganisationVerified,
    getOrganisation,
    listOrganisations,
    addContact,
    me,
    countAdmins,
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
