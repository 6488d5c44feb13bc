/**
 * Public tip-offs (举报): what a tipster without an account may report, the limits that bound abuse, and the
 * receipt code (random, shown once; only its hash is stored) with which the tipster follows the case. No I/O.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { State as SubmissionState } from '../submissions/workflow.js';

export const TIPOFF_KINDS = ['incident', 'vulnerability'] as const;
export type TipoffKind = (typeof TIPOFF_KINDS)[number];

export const KIND_LABELS: Readonly<Record<TipoffKind, { en: string; zh: string }>> = {
  incident: { en: 'a security incident', zh: '安全事件' },
  vulnerability: { en: 'a vulnerability in a deployed system', zh: '在用系统漏洞' },
};

/** The bounds of a tip-off; an analyst changes a number here, never an `if`. */
export const TIPOFF_LIMITS = {
  /** A request body larger than this is refused (413) before it is parsed. */
  bodyBytes: 64 * 1024,
  titleChars: 300,
  descriptionChars: 20_000,
  fieldChars: 500,
  contactChars: 200,
  messageChars: 5_000,
  /** New tip-offs per client address per hour. */
  tipoffsPerHour: 10,
  /** Follow-up requests (read, reply) per client address per minute: receipts cannot be guessed in bulk. */
  followsPerMinute: 30,
} as const;

/** The public-intake account every tip-off's submission is reported by (it can never sign in). */
export const PUBLIC_INTAKE = {
  email: 'public-tipoffs@intake.invalid',
  displayName: '公众举报 / public tip-offs',
  actor: 'public tip-off',
} as const;

/** Crockford base32 (no I, L, O, U): easy to read out and type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A receipt: 24 base32 characters (120 random bits) in groups of four, "TIP-7KQ2-M9XW-…". */
export function newReceipt(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(24);
  const chars = Array.from(bytes, (b) => ALPHABET[b & 31] ?? '0').join('');
  return `TIP-${(chars.match(/.{4}/g) ?? []).join('-')}`;
}

/** The receipt as typed (lower case, spaces, O for 0 …) in its canonical form, or null if it cannot be one. */
export function canonicalReceipt(typed: string): string | null {
  const t = typed
    .toUpperCase()
    .replace(/^TIP/, '')
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{24}$/.test(t)) return null;
  return `TIP-${(t.match(/.{4}/g) ?? []).join('-')}`;
}

export const receiptHash = (receipt: string): string => createHash('sha256').update(receipt).digest('hex');

export interface TipoffInput {
  kind: TipoffKind;
  title: string;
  /** The organisation whose system it is (event type: 事件型). */
  affectedOrganisation: string;
  /** The system: URL, host or what the tipster can say of it. */
  affectedSystem: string;
  description: string;
  /** An e-mail address or telephone number, if the tipster wants to be reached; staff only. */
  contact?: string;
}

/** Every problem of a tip-off at once. */
export function tipoffProblems(i: TipoffInput): string[] {
  const p: string[] = [];
  const L = TIPOFF_LIMITS;
  const need = (v: string | undefined, name: string, max: number) => {
    if (!v?.trim()) p.push(`${name} must not be empty`);
    else if (v.length > max) p.push(`${name} must be at most ${max} characters`);
  };
  if (!TIPOFF_KINDS.includes(i.kind)) p.push(`kind must be one of ${TIPOFF_KINDS.join(', ')}`);
  need(i.title, 'title', L.titleChars);
  need(i.affectedOrganisation, 'affectedOrganisation', L.fieldChars);
  need(i.affectedSystem, 'affectedSystem', L.fieldChars);
  need(i.description, 'description', L.descriptionChars);
  if (i.contact !== undefined && i.contact.length > L.contactChars)
    p.push(`contact must be at most ${L.contactChars} characters`);
  return p;
}

/** What the tipster is told of the case's workflow state (the analysts' states stay internal). */
export const PUBLIC_STATUS = {
  submitted: 'received',
  triaged: 'in_review',
  verifying: 'in_review',
  need_info: 'question',
  duplicate: 'closed',
  rejected: 'closed',
  verified: 'in_disposal',
  notified: 'in_disposal',
  fixed: 'resolved',
  published: 'resolved',
} as const satisfies Record<SubmissionState, string>;
export type PublicStatus = (typeof PUBLIC_STATUS)[SubmissionState];
export const PUBLIC_STATUSES = [
  'received',
  'in_review',
  'question',
  'closed',
  'in_disposal',
  'resolved',
] as const;
