/**
 * The alliance registry (网络安全威胁治理联盟, CCTGA): certificate numbers, membership statuses and their
 * transitions, and the member list in the form CNCERT's annual report prints it ("<单位名称> <联盟证书编号>",
 * one member a line, page headers and "（续表）" continuation lines between). No I/O.
 */
import { tableOf, type TransitionTable } from '../workflow/state-machine.js';

export const MEMBERSHIP_STATUSES = ['active', 'suspended', 'expired'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** What the directory calls each status. */
export const STATUS_LABELS: Readonly<Record<MembershipStatus, { en: string; zh: string }>> = {
  active: { en: 'active', zh: '有效' },
  suspended: { en: 'suspended', zh: '暂停' },
  expired: { en: 'expired', zh: '已过期' },
};

/** Who may go where: a suspension is lifted or lapses; an expired membership is renewed (active again). */
export const STATUS_TRANSITIONS: TransitionTable<MembershipStatus> = tableOf(MEMBERSHIP_STATUSES, [
  { from: ['active'], to: 'suspended' },
  { from: ['active', 'suspended'], to: 'expired' },
  { from: ['suspended', 'expired'], to: 'active' },
]);

/** The rules an analyst may change: how long a membership runs before it is renewed, how numbers are written. */
export const MEMBERSHIP_RULES = {
  /** A new member's renewal falls this many years after it joined. */
  termYears: 1,
  /** Canonical certificates pad the number to this many digits: CCTGA-000093. */
  digits: 6,
} as const;

/**
 * CCTGA-000093 and CCTGA-0000150 (the report pads both ways): the number is what counts. Accepts "CCTGA",
 * an optional dash (ASCII or full-width) and 1–10 digits; the number must be 1–999999.
 */
const CERTIFICATE = /^CCTGA\s*[-－‐–—]?\s*(\d{1,10})$/i;

export type Certificate = { canonical: string; number: number };

export function parseCertificate(raw: string): Certificate | { problem: string } {
  const m = CERTIFICATE.exec(raw.trim());
  if (!m?.[1]) return { problem: `"${raw}" is not an alliance certificate number (CCTGA-000093)` };
  const number = Number(m[1]);
  const max = 10 ** MEMBERSHIP_RULES.digits - 1;
  if (number < 1 || number > max)
    return { problem: `"${raw}": the certificate number must be between 1 and ${max}` };
  return { canonical: `CCTGA-${String(number).padStart(MEMBERSHIP_RULES.digits, '0')}`, number };
}

/** A query that names a certificate ("150", "CCTGA-0000150") as its canonical form, else null. */
export function certificateQuery(q: string): string | null {
  const t = q.trim();
  const c = parseCertificate(/^\d+$/.test(t) ? `CCTGA-${t}` : t);
  return 'canonical' in c ? c.canonical : null;
}

export interface MemberLine {
  /** 1-based line of the file. */
  line: number;
  name: string;
  certificate: string;
  certificateRaw: string;
}

export interface LineProblem {
  line: number;
  message: string;
}

/**
 * The members of a list in the report's form. A line ending in a CCTGA certificate is a member; every other
 * line (titles, the column header, "（续表）", page numbers, the text after the table) is skipped. A member
 * line whose certificate is malformed, a certificate or a name listed twice, are problems naming their lines.
 */
export function parseMemberList(text: string): { members: MemberLine[]; problems: LineProblem[] } {
  const members: MemberLine[] = [];
  const problems: LineProblem[] = [];
  const byNumber = new Map<number, number>();
  const byName = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/\u3000/g, ' ').trim();
    const m = /^(.+?)\s+(CCTGA\S*)$/i.exec(t);
    if (!m?.[1] || !m[2]) return;
    const name = m[1].trim();
    const c = parseCertificate(m[2]);
    if ('problem' in c) return void problems.push({ line, message: c.problem });
    const sameNumber = byNumber.get(c.number);
    if (sameNumber !== undefined)
      return void problems.push({
        line,
        message: `certificate ${m[2]} (${c.canonical}) is listed on line ${sameNumber} already`,
      });
    const sameName = byName.get(name.toLowerCase());
    if (sameName !== undefined)
      return void problems.push({ line, message: `"${name}" is listed on line ${sameName} already` });
    byNumber.set(c.number, line);
    byName.set(name.toLowerCase(), line);
    members.push({ line, name, certificate: c.canonical, certificateRaw: m[2] });
  });
  return { members, problems };
}

/** The day `years` after an ISO date (2020-02-29 + 1 → 2021-03-01, as Date does). */
export function addYears(isoDate: string, years: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const isIsoDate = (s: string): boolean =>
  ISO_DATE.test(s) &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
