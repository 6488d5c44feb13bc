/** Search parameters, their validation and the cursor format. Pure: no SQL here. */
import { AppError } from '../errors.js';
import { INDUSTRIES, OBJECT_TYPES, SEVERITIES, SOURCE_KINDS, VULN_KINDS } from '../vulns/model.js';
import type { Industry, ObjectType, Severity, SourceKind, VulnKind } from '../vulns/model.js';

export const SORTS = ['relevance', 'date', 'score'] as const;
export type Sort = (typeof SORTS)[number];
export const FACETS = [
  'severity',
  'objectType',
  'industry',
  'vendor',
  'cwe',
  'kind',
  'source',
  'exploited',
  'zeroDay',
  'year',
] as const;
export type Facet = (typeof FACETS)[number];
export const DATE_FIELDS = ['published', 'collected', 'submitted', 'updated'] as const;
export type DateField = (typeof DATE_FIELDS)[number];

export interface SearchParams {
  q?: string;
  severity?: Severity[];
  scoreMin?: number;
  scoreMax?: number;
  objectType?: ObjectType[];
  industry?: Industry[];
  vendor?: string[];
  product?: string[];
  cwe?: string[];
  kind?: VulnKind;
  zeroDay?: boolean;
  exploited?: boolean;
  hasPatch?: boolean;
  source?: SourceKind[];
  dates?: Partial<Record<DateField, { from?: string; to?: string }>>;
  includeRejected?: boolean;
  sort?: Sort;
  limit?: number;
  cursor?: string;
  facets?: Facet[];
}

export interface Cursor {
  /** sort value of the last row: rank, score or date */
  v: number | string;
  id: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A sort value a page can end on: a calendar day (date sorts) or a score / rank. */
const sortValue = (v: unknown): v is number | string =>
  typeof v === 'number'
    ? Number.isFinite(v) && Math.abs(v) <= 1e6
    : typeof v === 'string' && DAY.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/**
 * Read a cursor this server returned; anything else (not base64 JSON, another shape, an id that is not a
 * positive integer, a value that is neither a day nor a finite number, or one that does not fit the sort
 * when `kind` is given) is invalid_parameter 'cursor'.
 */
export function decodeCursor(s: string, kind?: 'day' | 'number'): Cursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    c = null;
  }
  if (
    c &&
    typeof c === 'object' &&
    !Array.isArray(c) &&
    'id' in c &&
    'v' in c &&
    Number.isSafeInteger(c.id) &&
    (c.id as number) > 0 &&
    sortValue(c.v) &&
    (kind === undefined || (kind === 'day') === (typeof c.v === 'string'))
  )
    return { v: c.v, id: c.id as number };
  throw new AppError('invalid_parameter', 'cursor is not a cursor this server returned', {
    parameter: 'cursor',
  });
}

type Raw = Record<string, string | string[] | undefined>;

const list = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

function enumList<T extends string>(
  name: string,
  v: string | string[] | undefined,
  allowed: readonly T[],
): T[] | undefined {
  const items = list(v);
  if (items.length === 0) return undefined;
  for (const it of items) {
    if (!(allowed as readonly string[]).includes(it)) {
      throw new AppError('invalid_parameter', `${name} must be one of ${allowed.join(', ')} (got "${it}")`, {
        parameter: name,
        allowed,
      });
    }
  }
  return items as T[];
}

function bool(name: string, v: string | string[] | undefined): boolean | undefined {
  const s = list(v)[0];
  if (s === undefined) return undefined;
  if (['true', '1', 'yes'].includes(s)) return true;
  if (['false', '0', 'no'].includes(s)) return false;
  throw new AppError('invalid_parameter', `${name} must be true or false (got "${s}")`, { parameter: name });
}

function num(name: string, v: string | string[] | undefined, min: number, max: number): number | undefined {
  const s = list(v)[0];
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new AppError(
      'invalid_parameter',
      `${name} must be a number between ${min} and ${max} (got "${s}")`,
      { parameter: name },
    );
  }
  return n;
}

function date(name: string, v: string | string[] | undefined): string | undefined {
  const s = list(v)[0];
  if (s === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const d = m ? new Date(`${s}T00:00:00Z`) : null;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
    throw new AppError('invalid_parameter', `${name} must be a date YYYY-MM-DD (got "${s}")`, {
      parameter: name,
    });
  }
  return s;
}

/** Parse query-string style parameters (API and CLI share this), naming the bad parameter. */
export function parseSearchParams(raw: Raw): SearchParams {
  const p: SearchParams = {};
  const q = list(raw.q).join(' ').trim();
  if (q) {
    if (q.length > 200)
      throw new AppError('invalid_parameter', 'q must be at most 200 characters', { parameter: 'q' });
    p.q = q;
  }
  p.severity = enumList('severity', raw.severity, SEVERITIES);
  p.scoreMin = num('scoreMin', raw.scoreMin, 0, 10);
  p.scoreMax = num('scoreMax', raw.scoreMax, 0, 10);
  p.objectType = enumList('objectType', raw.objectType, OBJECT_TYPES);
  p.industry = enumList('industry', raw.industry, INDUSTRIES);
  const vendor = list(raw.vendor);
  if (vendor.length) p.vendor = vendor;
  const product = list(raw.product);
  if (product.length) p.product = product;
  const cwe = list(raw.cwe).map((c) => (/^\d+$/.test(c) ? `CWE-${c}` : c.toUpperCase()));
  for (const c of cwe)
    if (!/^CWE-\d+$/.test(c))
      throw new AppError('invalid_parameter', `cwe must look like CWE-79 (got "${c}")`, { parameter: 'cwe' });
  if (cwe.length) p.cwe = cwe;
  p.kind = enumList('kind', raw.kind, VULN_KINDS)?.[0];
  p.zeroDay = bool('zeroDay', raw.zeroDay);
  p.exploited = bool('exploited', raw.exploited);
  p.hasPatch = bool('hasPatch', raw.hasPatch);
  p.source = enumList('source', raw.source, SOURCE_KINDS);
  p.includeRejected = bool('includeRejected', raw.includeRejected);
  for (const f of DATE_FIELDS) {
    const from = date(`${f}From`, raw[`${f}From`]);
    const to = date(`${f}To`, raw[`${f}To`]);
    if (from || to) p.dates = { ...p.dates, [f]: { from, to } };
  }
  p.sort = enumList('sort', raw.sort, SORTS)?.[0];
  p.limit = num('limit', raw.limit, 1, 100);
  if (p.limit !== undefined && !Number.isInteger(p.limit))
    throw new AppError('invalid_parameter', 'limit must be an integer', { parameter: 'limit' });
  const cursor = list(raw.cursor)[0];
  if (cursor) {
    decodeCursor(cursor);
    p.cursor = cursor;
  }
  p.facets = enumList('facets', raw.facets, FACETS);
  for (const k of Object.keys(p) as Array<keyof SearchParams>) if (p[k] === undefined) delete p[k];
  return p;
}
