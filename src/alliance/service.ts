/**
 * The alliance registry as a service: import the member list (each member an ordinary organisation of
 * accounts, with a membership row), the public directory, an analyst's changes of status and renewal, and the
 * active members as a sharing audience (early warnings through disposal's notify). Every function checks
 * access first; the import and the changes write their audit rows in their transaction.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { standingProblem, type Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import * as accounts from '../accounts/store.js';
import { audit } from '../audit/audit.js';
import type { CoordinationService } from '../coordination/service.js';
import { RECIPIENT_CATEGORIES, type RecipientCategory } from '../coordination/rules.js';
import { assertTransition } from '../workflow/state-machine.js';
import {
  addYears,
  certificateQuery,
  isIsoDate,
  MEMBERSHIP_RULES,
  MEMBERSHIP_STATUSES,
  parseCertificate,
  parseMemberList,
  STATUS_TRANSITIONS,
  type MembershipStatus,
} from './model.js';
import * as store from './store.js';

export interface MemberView {
  organisationId: number;
  certificate: string;
  /** As the source wrote it (CCTGA-0000150). */
  certificateRaw: string;
  name: string;
  nameEn: string | null;
  status: MembershipStatus;
  joinedOn: string;
  renewalOn: string | null;
}

export interface ImportResult {
  total: number;
  /** New organisations with their membership. */
  created: number;
  /** Organisations that existed (same name) and became members. */
  linked: number;
  unchanged: number;
}

export const DIRECTORY_LIMIT = { default: 100, max: 500 } as const;

/** Who the audit log names for the sweep's expiries. */
const SWEEP = { email: 'system (membership expiry)', userId: null };

const viewOf = (r: store.MemberRow): MemberView => ({
  organisationId: r.organisation_id,
  certificate: r.certificate,
  certificateRaw: r.certificate_raw,
  name: r.name,
  nameEn: r.name_en,
  status: r.status,
  joinedOn: r.joined_on,
  renewalOn: r.renewal_on,
});

export function createAllianceService(deps: {
  db: Kysely<DB>;
  clock?: () => Date;
  coordination?: Pick<CoordinationService, 'notify'>;
}) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const today = () => clock().toISOString().slice(0, 10);

  function checkDate(value: string | undefined, parameter: string): void {
    if (value !== undefined && !isIsoDate(value))
      throw new AppError('invalid_parameter', `${parameter} must be a date (2020-12-31)`, { parameter });
  }

  /**
   * Import a member list in the annual report's form. The whole list is read first: a malformed certificate,
   * a certificate or a name listed twice refuses the import and names every line. Then, in one transaction,
   * each member is found by certificate (unchanged), or its organisation by name (linked) or created (a
   * verified member unit). Importing the same list again changes nothing.
   */
  async function importMembers(
    p: Principal,
    text: string,
    opts: { source?: string; joinedOn?: string } = {},
  ): Promise<ImportResult> {
    requireAccess(p, 'organisations:manage');
    checkDate(opts.joinedOn, 'joinedOn');
    const source = opts.source ?? 'member list';
    const { members, problems } = parseMemberList(text);
    if (problems.length)
      throw new AppError(
        'invalid_input',
        `${source}: ${problems.map((x) => `line ${x.line}: ${x.message}`).join('; ')}`,
        { problems: problems.map((x) => ({ field: `line ${x.line}`, message: x.message })) },
      );
    if (!members.length)
      throw new AppError('invalid_input', `${source}: no line of the form "<单位名称> CCTGA-000093"`, {
        problems: [],
      });
    const joinedOn = opts.joinedOn ?? today();
    const now = clock().toISOString();
    const result: ImportResult = { total: members.length, created: 0, linked: 0, unchanged: 0 };
    await db.transaction().execute(async (tx) => {
      for (const m of members) {
        const held = await store.memberByCertificate(tx, m.certificate);
        if (held) {
          if (held.name.toLowerCase() !== m.name.toLowerCase())
            throw new AppError(
              'certificate_taken',
              `${source}: line ${m.line}: ${m.certificate} belongs to "${held.name}", not "${m.name}"`,
              { certificate: m.certificate, organisation: held.name, line: m.line },
            );
          result.unchanged++;
          continue;
        }
        const named = await accounts.organisationNamed(tx, m.name);
        let organisationId: number;
        if (named) {
          const other = await store.memberByOrganisation(tx, named.id);
          if (other)
            throw new AppError(
              'certificate_taken',
              `${source}: line ${m.line}: "${m.name}" is a member with ${other.certificate} already, not ${m.certificate}`,
              { certificate: other.certificate, organisation: m.name, line: m.line },
            );
          organisationId = named.id;
          result.linked++;
        } else {
          const o = await accounts.insertOrganisation(tx, {
            kind: 'member_unit',
            name: m.name,
            alliance_cert: m.certificate,
            verified_at: now,
            verified_by: p.kind === 'user' ? p.userId : null,
          });
          if (!o) throw new AppError('internal', 'organisation insert returned nothing');
          organisationId = o.id;
          result.created++;
        }
        await store.insertMembership(tx, {
          organisation_id: organisationId,
          certificate: m.certificate,
          certificate_raw: m.certificateRaw,
          joined_on: joinedOn,
          renewal_on: addYears(joinedOn, MEMBERSHIP_RULES.termYears),
          source: `${source}:${m.line}`,
          created_at: now,
          updated_at: now,
        });
      }
      await audit(tx, p, {
        action: 'alliance.imported',
        targetKind: 'alliance',
        targetId: source,
        detail: { ...result },
      });
    });
    return result;
  }

  /** The public directory: anyone may read who is a member, searchable by name (zh or en) or certificate. */
  async function directory(
    q: { q?: string; status?: MembershipStatus; after?: string; limit?: number } = {},
  ): Promise<{ members: MemberView[]; next: string | null; counts: Record<MembershipStatus, number> }> {
    if (q.status !== undefined && !MEMBERSHIP_STATUSES.includes(q.status))
      throw new AppError('invalid_parameter', `status must be one of ${MEMBERSHIP_STATUSES.join(', ')}`, {
        parameter: 'status',
      });
    const limit = Math.min(Math.max(q.limit ?? DIRECTORY_LIMIT.default, 1), DIRECTORY_LIMIT.max);
    const rows = await store.listMembers(db, {
      ...(q.q ? { q: q.q, certificate: certificateQuery(q.q) } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.after ? { after: q.after } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit).map(viewOf);
    return {
      members: page,
      next: rows.length > limit ? (page.at(-1)?.certificate ?? null) : null,
      counts: await store.countByStatus(db),
    };
  }

  async function member(certificate: string): Promise<MemberView> {
    const c = parseCertificate(certificate);
    const row = 'canonical' in c ? await store.memberByCertificate(db, c.canonical) : undefined;
    if (!row) throw new AppError('not_found', `No alliance member ${certificate}`, { certificate });
    return viewOf(row);
  }

  /** An analyst suspends, expires or renews a membership (the status table), or moves its renewal date. */
  async function update(
    p: Principal,
    certificate: string,
    patch: { status?: MembershipStatus; renewalOn?: string | null; note?: string },
  ): Promise<MemberView> {
    requireAccess(p, 'organisations:manage');
    if (patch.renewalOn !== null) checkDate(patch.renewalOn, 'renewalOn');
    const c = parseCertificate(certificate);
    if ('problem' in c) throw new AppError('not_found', `No alliance member ${certificate}`, { certificate });
    return db.transaction().execute(async (tx) => {
      const row = await store.memberByCertificate(tx, c.canonical, true);
      if (!row) throw new AppError('not_found', `No alliance member ${certificate}`, { certificate });
      const to = patch.status;
      if (to !== undefined && to !== row.status)
        assertTransition(STATUS_TRANSITIONS, row.status, to, 'A membership in status');
      const set: Parameters<typeof store.updateMembership>[2] = {};
      if (to !== undefined) set.status = to;
      if (patch.renewalOn !== undefined) set.renewal_on = patch.renewalOn;
      // a renewal without a new date runs one more term from today
      if (to === 'active' && row.status === 'expired' && patch.renewalOn === undefined)
        set.renewal_on = addYears(today(), MEMBERSHIP_RULES.termYears);
      await store.updateMembership(tx, row.organisation_id, set, clock().toISOString());
      await audit(tx, p, {
        action: 'alliance.member_updated',
        targetKind: 'organisation',
        targetId: row.organisation_id,
        detail: {
          certificate: row.certificate,
          from: row.status,
          ...set,
          ...(patch.note ? { note: patch.note } : {}),
        },
      });
      const after = await store.memberByCertificate(tx, c.canonical);
      if (!after) throw new AppError('internal', `membership ${c.canonical} vanished`);
      return viewOf(after);
    });
  }

  /**
   * The active members as a sharing audience: disposal's recipients list (organisation, category) for those
   * that may receive embargoed material, and the others with the reason they are left out (a member that is
   * a reporting unit, or an organisation an analyst withdrew).
   */
  async function audience(
    p: Principal,
    category: RecipientCategory = 'critical_sector',
  ): Promise<{
    recipients: Array<{ organisationId: number; category: RecipientCategory }>;
    skipped: Array<{ organisationId: number; name: string; reason: string }>;
  }> {
    requireAccess(p, 'disposal:notify');
    if (!RECIPIENT_CATEGORIES.includes(category))
      throw new AppError('invalid_parameter', `category must be one of ${RECIPIENT_CATEGORIES.join(', ')}`, {
        parameter: 'category',
      });
    const recipients: Array<{ organisationId: number; category: RecipientCategory }> = [];
    const skipped: Array<{ organisationId: number; name: string; reason: string }> = [];
    for (const m of await store.activeMembers(db)) {
      const problem = standingProblem({ name: m.name, kind: m.kind, verifiedAt: m.verified_at });
      if (problem) skipped.push({ organisationId: m.organisation_id, name: m.name, reason: problem });
      else recipients.push({ organisationId: m.organisation_id, category });
    }
    return { recipients, skipped };
  }

  /**
   * An early warning to the alliance: a verified report notified to every active member that may receive,
   * in batches of disposal's limit, through the one notify of coordination (outbox, deadlines, links).
   */
  async function notifyMembers(p: Principal, trackingNo: string, category?: RecipientCategory) {
    requireAccess(p, 'disposal:notify');
    if (!deps.coordination) throw new AppError('internal', 'the alliance service was built without disposal');
    const { recipients, skipped } = await audience(p, category);
    if (!recipients.length)
      throw new AppError('invalid_parameter', 'No active alliance member may receive notifications', {
        parameter: 'recipients',
      });
    // notify answers every notification of the case so far: count the members' among the last answer
    const members = new Set(recipients.map((r) => r.organisationId));
    let notified = 0;
    for (let i = 0; i < recipients.length; i += 50) {
      const done = await deps.coordination.notify(p, trackingNo, recipients.slice(i, i + 50));
      notified = done.notifications.filter((n) => members.has(n.organisationId)).length;
    }
    return { notified, skipped };
  }

  /**
   * A renewal: the membership runs until `until` (its new renewal date, today or later). An expired one is
   * active again; an active one keeps running; a suspension is not lifted by a renewal (only by `update`).
   */
  async function renew(p: Principal, certificate: string, until: string, note?: string): Promise<MemberView> {
    requireAccess(p, 'organisations:manage');
    checkDate(until, 'until');
    if (until < today())
      throw new AppError('invalid_parameter', `until (${until}) is before today (${today()})`, {
        parameter: 'until',
      });
    const c = parseCertificate(certificate);
    if ('problem' in c) throw new AppError('not_found', `No alliance member ${certificate}`, { certificate });
    return db.transaction().execute(async (tx) => {
      const row = await store.memberByCertificate(tx, c.canonical, true);
      if (!row) throw new AppError('not_found', `No alliance member ${certificate}`, { certificate });
      const to: MembershipStatus = row.status === 'expired' ? 'active' : row.status;
      if (to !== row.status) assertTransition(STATUS_TRANSITIONS, row.status, to, 'A membership in status');
      await store.updateMembership(
        tx,
        row.organisation_id,
        { status: to, renewal_on: until },
        clock().toISOString(),
      );
      await audit(tx, p, {
        action: 'alliance.member_renewed',
        targetKind: 'organisation',
        targetId: row.organisation_id,
        detail: {
          certificate: row.certificate,
          from: row.status,
          status: to,
          renewalFrom: row.renewal_on,
          renewalOn: until,
          ...(note ? { note } : {}),
        },
      });
      const after = await store.memberByCertificate(tx, c.canonical);
      if (!after) throw new AppError('internal', `membership ${c.canonical} vanished`);
      return viewOf(after);
    });
  }

  /**
   * The worker's sweep (under its lease): every membership whose renewal date has passed becomes expired, each
   * with its audit row, in one transaction; the update re-checks the status, so each expires exactly once.
   * From that moment the organisation is out of the audience (TLP:AMBER, early warnings).
   */
  async function expireDue(): Promise<{ expired: string[] }> {
    return db.transaction().execute(async (tx) => {
      const rows = await store.expireBefore(tx, today(), clock().toISOString());
      for (const r of rows)
        await audit(tx, SWEEP, {
          action: 'alliance.member_expired',
          targetKind: 'organisation',
          targetId: r.organisation_id,
          detail: { certificate: r.certificate, from: r.status, renewalOn: r.renewal_on },
        });
      return { expired: rows.map((r) => r.certificate).sort() };
    });
  }

  /** Whether an organisation holds an active membership now: TLP:AMBER's and the early warnings' audience. */
  const isActiveMember = (organisationId: number) => store.isActiveMember(db, organisationId);

  /** The period figures the monthly and annual reports show (reports/periodic-service.ts's AllianceSource). */
  async function periodFigures(tx: Kysely<DB>, range: { start: string; end: string }) {
    return store.periodFigures(tx, range);
  }

  return {
    importMembers,
    directory,
    member,
    update,
    renew,
    expireDue,
    isActiveMember,
    audience,
    notifyMembers,
    periodFigures,
  };
}

export type AllianceService = ReturnType<typeof createAllianceService>;
