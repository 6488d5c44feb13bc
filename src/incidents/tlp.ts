/**
 * Who may see an incident, per TLP 2.0 level, as data. Analysts and admins are the platform's CERT staff
 * (the "recipients" TLP:RED names); victims are the organisations of the incident's victim entries.
 */
import type { IncidentAudience } from './model.js';
import type { Tlp } from './tables.js';

export type ViewerRole = 'anonymous' | 'reporter' | 'vendor' | 'analyst' | 'admin';
export interface Viewer {
  role: ViewerRole;
  organisationId?: number;
}

type Audience = 'anyone' | 'signed-in' | 'staff' | 'victims' | 'shared-with';

/**
 * clear: anyone, anonymous included. green: any signed-in account (the community). amber: staff, the victim
 * organisations and the organisations it was shared with. amber+strict: staff and the victim organisations
 * only. red: staff only.
 */
export const TLP_VISIBILITY: Readonly<Record<Tlp, readonly Audience[]>> = {
  clear: ['anyone'],
  green: ['signed-in'],
  amber: ['staff', 'victims', 'shared-with'],
  'amber+strict': ['staff', 'victims'],
  red: ['staff'],
};

const STAFF: readonly ViewerRole[] = ['analyst', 'admin'];

function inAudience(a: Audience, viewer: Viewer, incident: IncidentAudience): boolean {
  const org = viewer.organisationId;
  switch (a) {
    case 'anyone':
      return true;
    case 'signed-in':
      return viewer.role !== 'anonymous';
    case 'staff':
      return STAFF.includes(viewer.role);
    case 'victims':
      return viewer.role !== 'anonymous' && org !== undefined && incident.victimOrganisationIds.includes(org);
    case 'shared-with':
      return (
        viewer.role !== 'anonymous' && org !== undefined && incident.sharedWithOrganisationIds.includes(org)
      );
  }
}

export function tlpAllows(tlp: Tlp, viewer: Viewer, incident: IncidentAudience): boolean {
  return TLP_VISIBILITY[tlp].some((a) => inAudience(a, viewer, incident));
}
