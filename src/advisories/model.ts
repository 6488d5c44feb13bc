/**
 * Platform advisories (pure): an analyst's advisory groups several published records into one CSAF 2.0
 * document. A draft is edited freely (titles, summaries, TLP, the records); publishing assigns the public id
 * (`VS-SA-2026-0001`) and freezes what is published as revision 1; a change after that is published as the next
 * revision (the document's tracking version). What was published never changes under its number.
 */
import { CSAF_TLP_LABELS, type CsafTlp } from '../csaf/names.js';
import { AppError } from '../errors.js';
import type { TransitionTable } from '../workflow/state-machine.js';

export const ADVISORY_STATUSES = ['draft', 'published'] as const;
export type AdvisoryStatus = (typeof ADVISORY_STATUSES)[number];

/** draft → published (revision 1); published → published (the next revision). */
export const ADVISORY_TRANSITIONS: TransitionTable<AdvisoryStatus> = {
  draft: ['published'],
  published: ['published'],
};

export const ADVISORY_TLPS = CSAF_TLP_LABELS;
export type AdvisoryTlp = CsafTlp;

/** Limits an analyst's input is held to (a table: change a number, not an `if`). */
export const ADVISORY_LIMITS = {
  title: 300,
  summary: 20_000,
  revisionSummary: 1_000,
  records: 500,
} as const;

/** What a revision freezes: the advisory's own words, its TLP and its records (public ids, in order). */
export interface AdvisoryContent {
  titleZh: string | null;
  titleEn: string | null;
  summaryZh: string | null;
  summaryEn: string | null;
  tlp: AdvisoryTlp;
  vulnerabilityIds: string[];
}

export interface AdvisoryRevision {
  number: number;
  at: string;
  /** The analyst's words for the change; null = the writer's own ("Initial version", "Revision 2"). */
  summary: string | null;
  actor: string;
  content: AdvisoryContent;
}

export interface Advisory extends AdvisoryContent {
  id: number;
  /** Assigned on first publication. */
  publicId: string | null;
  status: AdvisoryStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  revisions: AdvisoryRevision[];
  /** Published, and the working copy differs from the last revision (publish again to revise). */
  pendingChanges: boolean;
}

/** `VS-SA-2026-0001`: the year of first publication and its number in that year. */
export const advisoryPublicId = (year: number, n: number): string =>
  `VS-SA-${year}-${String(n).padStart(4, '0')}`;
export const ADVISORY_ID = /^VS-SA-\d{4}-\d{4,}$/;

export interface AdvisoryTextInput {
  titleZh?: string | null;
  titleEn?: string | null;
  summaryZh?: string | null;
  summaryEn?: string | null;
  tlp?: string;
}

const text = (v: string | null | undefined, name: string, max: number): string | null | undefined => {
  if (v === undefined || v === null) return v;
  const t = v.trim();
  if (t.length > max)
    throw new AppError('invalid_parameter', `${name} is longer than ${max} characters`, { parameter: name });
  return t || null;
};

/** The working copy after applying `patch` to `base` (absent fields kept, null or "" clears). */
export function applyText(
  base: Pick<AdvisoryContent, 'titleZh' | 'titleEn' | 'summaryZh' | 'summaryEn' | 'tlp'>,
  patch: AdvisoryTextInput,
): Pick<AdvisoryContent, 'titleZh' | 'titleEn' | 'summaryZh' | 'summaryEn' | 'tlp'> {
  const pick = (k: 'titleZh' | 'titleEn' | 'summaryZh' | 'summaryEn', max: number) => {
    const v = text(patch[k], k, max);
    return v === undefined ? base[k] : v;
  };
  let tlp = base.tlp;
  if (patch.tlp !== undefined) {
    const up = patch.tlp.toUpperCase() === 'CLEAR' ? 'WHITE' : patch.tlp.toUpperCase();
    if (!(ADVISORY_TLPS as readonly string[]).includes(up))
      throw new AppError('invalid_parameter', `tlp must be one of ${ADVISORY_TLPS.join(', ')}`, {
        parameter: 'tlp',
      });
    tlp = up as AdvisoryTlp;
  }
  const out = {
    titleZh: pick('titleZh', ADVISORY_LIMITS.title),
    titleEn: pick('titleEn', ADVISORY_LIMITS.title),
    summaryZh: pick('summaryZh', ADVISORY_LIMITS.summary),
    summaryEn: pick('summaryEn', ADVISORY_LIMITS.summary),
    tlp,
  };
  if (!out.titleZh && !out.titleEn)
    throw new AppError('invalid_parameter', 'an advisory needs a title (titleZh or titleEn)', {
      parameter: 'titleZh',
    });
  return out;
}

export const sameContent = (a: AdvisoryContent, b: AdvisoryContent): boolean =>
  a.titleZh === b.titleZh &&
  a.titleEn === b.titleEn &&
  a.summaryZh === b.summaryZh &&
  a.summaryEn === b.summaryEn &&
  a.tlp === b.tlp &&
  a.vulnerabilityIds.length === b.vulnerabilityIds.length &&
  a.vulnerabilityIds.every((id, i) => b.vulnerabilityIds[i] === id);

/** Where a record stands, as far as publishing it in an advisory goes. */
export type RecordStanding =
  | { id: string; kind: 'published'; cves: string[] }
  | { id: string; kind: 'rejected' }
  /** a verified report not yet published: under embargo until `until`, or simply not published yet */
  | { id: string; kind: 'unpublished'; until: string | null }
  | { id: string; kind: 'unknown' };

export interface PublishProblem {
  id: string;
  reason: 'embargoed' | 'unpublished' | 'rejected' | 'unknown' | 'same_cve';
  /** embargoed: when the embargo ends; same_cve: the CVE and the record already carrying it. */
  until?: string;
  cve?: string;
  with?: string;
}

const REASON_TEXT: Record<PublishProblem['reason'], (p: PublishProblem) => string> = {
  embargoed: (p) => `${p.id} is under embargo until ${p.until ?? '?'}`,
  unpublished: (p) => `${p.id} is not published yet`,
  rejected: (p) => `${p.id} is rejected`,
  unknown: (p) => `no record is known by the id ${p.id}`,
  same_cve: (p) => `${p.id} carries ${p.cve ?? '?'}, as ${p.with ?? '?'} does (one CSAF entry per CVE)`,
};
export const describePublishProblem = (p: PublishProblem): string => REASON_TEXT[p.reason](p);

/**
 * Why these records cannot be published together (none = they can): each must be a published record, none
 * under embargo, and no CVE may stand for two of them (CSAF mandatory test 6.1.23). `now` decides whether an
 * unpublished report's embargo is still running.
 */
export function publishProblems(standings: RecordStanding[], now: Date): PublishProblem[] {
  const problems: PublishProblem[] = [];
  const cveOwner = new Map<string, string>();
  for (const s of standings)
    switch (s.kind) {
      case 'published':
        for (const cve of s.cves) {
          const other = cveOwner.get(cve);
          if (other && other !== s.id) problems.push({ id: s.id, reason: 'same_cve', cve, with: other });
          else cveOwner.set(cve, s.id);
        }
        break;
      case 'rejected':
        problems.push({ id: s.id, reason: 'rejected' });
        break;
      case 'unpublished':
        problems.push(
          s.until && Date.parse(s.until) > now.getTime()
            ? { id: s.id, reason: 'embargoed', until: s.until }
            : { id: s.id, reason: 'unpublished' },
        );
        break;
      case 'unknown':
        problems.push({ id: s.id, reason: 'unknown' });
        break;
    }
  return problems;
}
