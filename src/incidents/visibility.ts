/**
 * Who is looking, and which incidents that lets them see, derived from the TLP table (tlp.ts) so the list query
 * and the single-record check cannot disagree: for each TLP level the viewer either sees every incident, sees
 * those whose victim (or shared-with) organisations include their own, or sees none.
 */
import type { Principal } from '../accounts/model.js';
import { can } from '../accounts/policy.js';
import { TLP_LEVELS, type Tlp } from './tables.js';
import { tlpAllows, type Viewer } from './tlp.js';

/** The viewer the TLP table speaks of. Staff = whoever may read every incident (analysts, admins, the CLI). */
export function viewerOf(p: Principal): Viewer {
  if (p.kind === 'anonymous') return { role: 'anonymous' };
  if (can(p, 'incidents:read_all')) return { role: 'analyst' };
  if (p.kind === 'cli') return { role: 'analyst' };
  // a recipient speaks for its organisation (a vendor, a victim, a sector unit); an analyst's token narrowed
  // away from incidents:read_all is an ordinary signed-in account
  const role = p.role === 'recipient' ? 'vendor' : 'reporter';
  return p.organisationId === null ? { role } : { role, organisationId: p.organisationId };
}

export type OrgList = 'victims' | 'shared-with';
export type LevelRule =
  | { tlp: Tlp; when: 'always' }
  | { tlp: Tlp; when: 'organisation-in'; organisationId: number; lists: OrgList[] };

/** 'all', or per visible TLP level the condition an incident of that level must meet. Levels not listed: none. */
export type Visibility = 'all' | LevelRule[];

const NOBODY = { victimOrganisationIds: [], sharedWithOrganisationIds: [] };

export function visibilityOf(viewer: Viewer): Visibility {
  const levels = Object.keys(TLP_LEVELS) as Tlp[];
  const rules: LevelRule[] = [];
  for (const tlp of levels) {
    if (tlpAllows(tlp, viewer, NOBODY)) {
      rules.push({ tlp, when: 'always' });
      continue;
    }
    const org = viewer.organisationId;
    if (org === undefined) continue;
    const lists: OrgList[] = [];
    if (tlpAllows(tlp, viewer, { victimOrganisationIds: [org], sharedWithOrganisationIds: [] }))
      lists.push('victims');
    if (tlpAllows(tlp, viewer, { victimOrganisationIds: [], sharedWithOrganisationIds: [org] }))
      lists.push('shared-with');
    if (lists.length > 0) rules.push({ tlp, when: 'organisation-in', organisationId: org, lists });
  }
  return rules.length === levels.length && rules.every((r) => r.when === 'always') ? 'all' : rules;
}
