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
