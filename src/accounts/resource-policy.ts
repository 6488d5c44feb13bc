/**
 * Who may do what to which record, in one table (in the manner of Outline's `allow(User, "read", Document, …)`).
 * The role table (policy.ts) says whether a principal may ever take an action; these rules say whether it may
 * take it on this row: a reporter owns their submission, a member of a notified organisation in standing answers
 * its notification, an incident's TLP decides who reads it, a bulletin's draft is for staff. Each rule is a small
 * function of (principal, resource) that allows with a reason (`as`: the side the principal acts on) or refuses
 * with an error code and a reason. A service function checks the role first, then calls `authorize` once the
 * row is loaded; `decide` is the same check without the throw (filters, collected problems).
 *
 * Refusals keep what the caller may learn: a record the principal may not see is `not_found` whether it exists
 * or not; a refusal the principal can do something about names the fact (`unverified_organisation` …).
 */
import { AppError, type ErrorCode } from '../errors.js';
import type { IncidentAudience } from '../incidents/model.js';
import type { Tlp } from '../incidents/tables.js';
import { tlpAllows } from '../incidents/tlp.js';
import { viewerOf } from '../incidents/visibility.js';
import { RECEIVING_KINDS, standingProblem, type Principal } from './model.js';
import { can } from './policy.js';

/** What a rule needs to know of an organisation: whether it may receive embargoed material. */
export interface OrganisationFacts {
  id: number;
  name: string;
  kind: string;
  verifiedAt: string | null;
}

export type Resource =
  /** a report, owned by its reporter */
  | { type: 'submission'; trackingNo: string; reporterId: number | null }
  /** a report's case thread; `notifiedOrganisationIds` holds at least the asker's organisation when notified */
  | {
      type: 'case';
      trackingNo: string;
      reporterId: number | null;
      notifiedOrganisationIds: readonly number[];
    }
  /** one organisation's notification of a case */
  | { type: 'notification'; id: number; organisation: OrganisationFacts }
  /** the signed, expiring link a notification was sent with; null: no notification has it */
  | {
      type: 'notification_link';
      link: { expiresAt: string; organisation: OrganisationFacts } | null;
      now: Date;
    }
  /** an organisation; null: the asker belongs to none */
  | { type: 'organisation'; organisation: OrganisationFacts | null }
  | { type: 'incident'; id: string; tlp: Tlp; audience: IncidentAudience }
  | { type: 'bulletin'; id: string; state: 'draft' | 'published' };

export type ResourceType = Resource['type'];
type Of<T extends ResourceType> = Extract<Resource, { type: T }>;

export interface Refusal {
  allowed: false;
  code: ErrorCode;
  reason: string;
  details: Record<string, unknown>;
}
export type Decision = { allowed: true; as: string } | Refusal;

const allow = <A extends string>(as: A) => ({ allowed: true as const, as });
const refuse = (code: ErrorCode, reason: string, details: Record<string, unknown> = {}): Refusal => ({
  allowed: false,
  code,
  reason,
  details,
});
/** Not found, whether it exists or not: the principal may not learn it does. */
const hide = (reason: string, details: Record<string, unknown>): Refusal =>
  refuse('not_found', reason, details);

const LINK_GONE = 'This link is unknown or has expired; ask the coordinator for a new one';

const owns = (p: Principal, s: { reporterId: number | null }) =>
  p.kind === 'user' && p.userId === s.reporterId;
const memberOf = (p: Principal, o: OrganisationFacts) => p.kind === 'user' && p.organisationId === o.id;

/** Why an organisation may not receive embargoed material now, as a code and a reason; null when it may. */
export function standingOf(o: OrganisationFacts): Refusal | null {
  const reason = standingProblem(o);
  if (!reason) return null;
  const code = (RECEIVING_KINDS as readonly string[]).includes(o.kind)
    ? 'unverified_organisation'
    : 'not_receiving_organisation';
  return refuse(code, reason, { organisation: o.name, organisationId: o.id });
}

export const RESOURCE_POLICY = {
  submission: {
    /** analysts read every report; a reporter their own */
    read: (p, s) => {
      if (can(p, 'submissions:read_all')) return allow('coordinator');
      if (owns(p, s) && can(p, 'submissions:read_own')) return allow('reporter');
      return hide(`No submission ${s.trackingNo}`, { trackingNo: s.trackingNo });
    },
    /** analysts triage any report; its reporter answers a request for information and adds attachments */
    update: (p, s) => {
      if (can(p, 'submissions:triage')) return allow('coordinator');
      if (owns(p, s) && can(p, 'submissions:update_own')) return allow('reporter');
      if (can(p, 'submissions:read_all'))
        return refuse('forbidden', 'Only the reporter or an analyst changes a submission', {
          trackingNo: s.trackingNo,
        });
      return hide(`No submission ${s.trackingNo}`, { trackingNo: s.trackingNo });
    },
  },
  case: {
    /** the case thread: the coordinator, the reporter, and the organisations notified about the case */
    message: (p, c) => {
      if (can(p, 'submissions:triage')) return allow('coordinator');
      if (owns(p, c)) return allow('reporter');
      if (
        p.kind === 'user' &&
        p.organisationId !== null &&
        c.notifiedOrganisationIds.includes(p.organisationId)
      )
        return allow('recipient');
      return hide(`No submission ${c.trackingNo}`, { trackingNo: c.trackingNo });
    },
  },
  notification: {
    /** analysts; a recipient member of the notified organisation while it is in standing */
    read: (p, n) => {
      if (can(p, 'disposal:read')) return allow('coordinator');
      if (can(p, 'inbox:read') && memberOf(p, n.organisation) && !standingOf(n.organisation))
        return allow('recipient');
      return hide(`No notification ${n.id}`, { id: n.id });
    },
    /** acknowledge, fix, dispute: the recipient as above, or an analyst on its behalf */
    respond: (p, n) => {
      if (can(p, 'disposal:notify')) return allow('coordinator');
      if (can(p, 'disposal:respond') && memberOf(p, n.organisation) && !standingOf(n.organisation))
        return allow('recipient');
      return hide(`No notification ${n.id}`, { id: n.id });
    },
  },
  notification_link: {
    /** whoever holds an unexpired link of an organisation in standing */
    respond: (_p, l) => {
      if (!l.link || Date.parse(l.link.expiresAt) < l.now.getTime() || standingOf(l.link.organisation))
        return hide(LINK_GONE, {});
      return allow('link_holder');
    },
  },
  organisation: {
    /** act for one's organisation (its inbox, its board): a member, the organisation in standing */
    act_for: (p, { organisation: o }) => {
      if (!o || !memberOf(p, o))
        return refuse('not_organisation_member', 'Sign in as a member of a notified organisation');
      return standingOf(o) ?? allow('member');
    },
    /** be notified of an embargoed report: a receiving kind, verified by an analyst */
    receive: (_p, { organisation: o }) => {
      if (!o) return refuse('invalid_parameter', 'No such organisation', { parameter: 'organisationId' });
      return standingOf(o) ?? allow('recipient');
    },
  },
  incident: {
    /** by TLP (tlp.ts): staff every level; others what the level's audience includes them in */
    read: (p, i) => {
      const viewer = viewerOf(p);
      if (viewer.role === 'analyst') return allow('staff');
      if (tlpAllows(i.tlp, viewer, i.audience)) return allow('audience');
      return hide(`No incident ${i.id}`, { id: i.id });
    },
  },
  bulletin: {
    /** a published bulletin is public; a draft (computed live) is for staff */
    read: (p, b) => {
      if (b.state === 'published') return allow('public');
      if (can(p, 'bulletins:draft')) return allow('staff');
      return p.kind === 'anonymous'
        ? refuse('unauthorized', 'Sign in first (bulletins:draft)', { action: 'bulletins:draft' })
        : refuse('forbidden', 'Not allowed: bulletins:draft', { action: 'bulletins:draft' });
    },
  },
} satisfies { [T in ResourceType]: Record<string, (p: Principal, r: Of<T>) => Decision> };

type Policy = typeof RESOURCE_POLICY;
export type Verb<T extends ResourceType> = keyof Policy[T] & string;
/** The reasons a rule allows with (the side the principal acts on). */
export type AllowedAs<T extends ResourceType, V extends Verb<T>> = Policy[T][V] extends (
  ...args: never[]
) => infer D
  ? D extends { allowed: true; as: infer A }
    ? A
    : never
  : never;

/** The rule's decision, without throwing. */
export function decide<R extends Resource, V extends Verb<R['type']>>(
  p: Principal,
  verb: V,
  resource: R,
): { allowed: true; as: AllowedAs<R['type'], V> } | Refusal {
  const rules = RESOURCE_POLICY[resource.type] as Record<string, (p: Principal, r: Resource) => Decision>;
  const rule = rules[verb];
  if (!rule) throw new AppError('internal', `No rule ${resource.type}:${verb}`);
  return rule(p, resource) as { allowed: true; as: AllowedAs<R['type'], V> } | Refusal;
}

export const allows = <R extends Resource>(p: Principal, verb: Verb<R['type']>, resource: R): boolean =>
  decide(p, verb, resource).allowed;

/** The reason p may `verb` the resource, or the refusal thrown as an AppError (its code, reason, details). */
export function authorize<R extends Resource, V extends Verb<R['type']>>(
  p: Principal,
  verb: V,
  resource: R,
): AllowedAs<R['type'], V> {
  const d = decide(p, verb, resource);
  if (!d.allowed) throw new AppError(d.code, d.reason, d.details);
  return d.as;
}
