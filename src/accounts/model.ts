/** Organisations, people and what they may do. No I/O. */

export const ORG_KINDS = [
  'coordinator', // the platform operator (CNVD / CNCERT)
  'reporting_unit', // a security company that reports
  'individual', // an individual researcher (白帽子)
  'vendor',
  'member_unit', // bank, insurer, energy, telecom operator, university… (with sector)
  'regional_branch',
  'authority',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/**
 * Kinds of organisation that may receive embargoed material (notifications, the inbox, respond links). Those
 * who report (reporting units, individuals) and the coordinator itself do not: a name registered by a
 * reporter never stands for a vendor.
 */
export const RECEIVING_KINDS: readonly OrgKind[] = ['vendor', 'member_unit', 'regional_branch', 'authority'];

const KIND_LABEL: Partial<Record<string, string>> = {
  coordinator: 'the coordinator',
  reporting_unit: 'a reporting unit',
  individual: 'an individual researcher',
  vendor: 'vendors',
  member_unit: 'member units',
  regional_branch: 'regional branches',
  authority: 'authorities',
};
/** Why an organisation may not receive embargoed material now, or null when it may. */
export function standingProblem(o: { name: string; kind: string; verifiedAt: string | null }): string | null {
  if (!(RECEIVING_KINDS as readonly string[]).includes(o.kind))
    return `"${o.name}" is ${KIND_LABEL[o.kind] ?? o.kind}, which does not receive notifications (only ${RECEIVING_KINDS.map((k) => KIND_LABEL[k] ?? k).join(', ')} do)`;
  if (!o.verifiedAt)
    return `"${o.name}" is not verified: an analyst verifies an organisation before it receives embargoed reports`;
  return null;
}

export const ROLES = ['admin', 'analyst', 'reporter', 'recipient'] as const;
export type Role = (typeof ROLES)[number];

export const CONTACT_MECHANISMS = ['established', 'public'] as const;
export type ContactMechanism = (typeof CONTACT_MECHANISMS)[number];

/** Who is asking: a signed-in user (session or API token), the local CLI, or nobody. */
export type Principal =
  | {
      kind: 'user';
      userId: number;
      email: string;
      role: Role;
      organisationId: number | null;
      via: 'session' | 'token';
      /** API tokens: the actions the token was limited to; sessions: null (the role decides). */
      scopes: string[] | null;
    }
  | { kind: 'cli' }
  | { kind: 'anonymous' };

export const ANONYMOUS: Principal = { kind: 'anonymous' };
export const CLI: Principal = { kind: 'cli' };

/**
 * A registered individual researcher gets an organisation of their own, named "<name> <e-mail>" so two
 * researchers of the same name stay apart; this is the name to show or credit.
 */
export const individualOrgName = (name: string, email: string): string => `${name} <${email}>`;
export const individualDisplayName = (orgName: string): string => orgName.replace(/\s*<[^>]*>$/, '');

export function actorName(p: Principal): string {
  return p.kind === 'user' ? p.email : p.kind;
}
