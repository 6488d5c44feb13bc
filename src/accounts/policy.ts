/**
 * What each role may do, as one table (Outline-style `allow`). Service functions start with
 * `requireAccess(principal, action)`, so the API and the CLI get the same checks. An API token can only narrow
 * its owner's role (its scopes), never widen it. The local CLI runs as the operator of the machine.
 */
import { AppError } from '../errors.js';
import type { Principal, Role } from './model.js';

export const POLICY = {
  'users:manage': ['admin'],
  'audit:read': ['admin'],
  'organisations:manage': ['admin', 'analyst'],
  'organisations:read': ['admin', 'analyst'],
  'bulletins:draft': ['admin', 'analyst'],
  'bulletins:edit': ['admin', 'analyst'],
  'bulletins:publish': ['admin', 'analyst'],
  'tokens:own': ['admin', 'analyst', 'reporter', 'recipient'],
  'submissions:create': ['admin', 'analyst', 'reporter'],
  /** one's own submissions: read them, their timeline and attachments, one's weekly counts */
  'submissions:read_own': ['admin', 'analyst', 'reporter'],
  /** one's own submissions: answer a request for information, add attachments */
  'submissions:update_own': ['admin', 'analyst', 'reporter'],
  /** case messages of the cases one is a party to (the coordinator: every case) */
  'messages:read': ['admin', 'analyst', 'reporter', 'recipient'],
  'messages:write': ['admin', 'analyst', 'reporter', 'recipient'],
  'submissions:triage': ['admin', 'analyst'],
  'submissions:read_all': ['admin', 'analyst'],
  'disposal:notify': ['admin', 'analyst'],
  'submissions:publish': ['admin', 'analyst'],
  'disposal:read': ['admin', 'analyst'],
  /** a recipient's inbox, its organisation's notifications and the reports they are about */
  'inbox:read': ['recipient'],
  /** a recipient acknowledges, reports the fix or disputes its organisation's notifications */
  'disposal:respond': ['recipient'],
  'feeds:read': ['admin', 'analyst'],
  'feeds:manage': ['admin'],
  /** federation: this instance's identity and its peers — list, add, remove, policy, sync (src/peers) */
  'peers:manage': ['admin'],
  /** federation: share an embargoed submission with chosen peers as an advance notice (src/peers/notices.ts) */
  'peers:share': ['admin', 'analyst'],
  'incidents:write': ['admin', 'analyst'],
  /** every incident whatever its TLP; others see what the incident's TLP allows them */
  'incidents:read_all': ['admin', 'analyst'],
  /** an organisation's own watchlists (recipients for their organisation; analysts for any) */
  'watchlists:own': ['admin', 'analyst', 'recipient'],
  'watchlists:manage_all': ['admin', 'analyst'],
  /** CSAF documents under TLP:AMBER (the provider's amber directory): staff and the recipients' members */
  'csaf:read_amber': ['admin', 'analyst', 'recipient'],
  /** CSAF documents under TLP:RED: the platform's CERT staff only */
  'csaf:read_red': ['admin', 'analyst'],
  /** platform advisories (several records in one CSAF document): drafts, edits, records */
  'advisories:write': ['admin', 'analyst'],
  /** publish an advisory, or its next revision */
  'advisories:publish': ['admin', 'analyst'],
  /** exercises (应急演练): create, start, end, the timeline and the after-action report (the control team) */
  'drills:manage': ['admin', 'analyst'],
  /** answer an exercise's injects for one's own participating organisation */
  'drills:respond': ['admin', 'analyst', 'recipient'],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

export function can(p: Principal, action: Action): boolean {
  if (p.kind === 'cli') return true;
  if (p.kind === 'anonymous') return false;
  if (!(POLICY[action] as readonly Role[]).includes(p.role)) return false;
  return p.scopes === null || p.scopes.includes(action);
}

export function requireAccess(p: Principal, action: Action): void {
  if (can(p, action)) return;
  if (p.kind === 'anonymous') throw new AppError('unauthorized', `Sign in first (${action})`, { action });
  throw new AppError('forbidden', `Not allowed: ${action}`, { action });
}

/** At least one of the actions (e.g. the analyst's read_all or the reporter's read_own); the first allowed. */
export function requireAnyAccess(p: Principal, actions: readonly Action[]): Action {
  const ok = actions.find((a) => can(p, a));
  if (ok) return ok;
  const list = actions.join(' or ');
  if (p.kind === 'anonymous') throw new AppError('unauthorized', `Sign in first (${list})`, { actions });
  throw new AppError('forbidden', `Not allowed: ${list}`, { actions });
}
