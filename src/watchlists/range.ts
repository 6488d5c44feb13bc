/**
 * Version ranges: the type, the parser for the range strings people and feeds write, membership and
 * overlap. Bounds are compared with compareVersions (version.ts). README.md lists the syntax.
 */
import { AppError } from '../errors.js';
import { compareParsed, parseVersion, type ParsedVersion } from './version.js';

/**
 * `exact` set: that version only (compareVersions equality). Otherwise the versions between `from`
 * and `to`; a missing bound is open. fromInclusive defaults to true, toInclusive to false (the CVE
 * `lessThan` reading). `{}` is every version.
 */
export type VersionRange = {
  exact?: string;
  from?: string;
  fromInclusive?: boolean;
  to?: string;
  toInclusive?: boolean;
};

type Op = '<' | '<=' | '>' | '>=' | '=';

/** Operator spellings, longest first (after NFKC, so ＜ is already <). */
const OPERATORS: ReadonlyArray<{ text: string; op: Op }> = [
  { text: '<=', op: '<=' },
  { text: '=<', op: '<=' },
  { text: '>=', op: '>=' },
  { text: '=>', op: '>=' },
  { text: '==', op: '=' },
  { text: '≤', op: '<=' },
  { text: '≥', op: '>=' },
  { text: '<', op: '<' },
  { text: '>', op: '>' },
  { text: '=', op: '=' },
];

/** Words before a version, tried in order (case-insensitive, whole words). */
const PREFIX_WORDS: ReadonlyArray<{ re: RegExp; op: Op }> = [
  {
    re: /^(?:all\s+versions\s+)?(?:up\s+to\s+and\s+including|prior\s+to\s+and\s+including|through|thru|up\s+to)\s+/i,
    op: '<=',
  },
  { re: /^(?:all\s+versions\s+)?(?:before|prior\s+to|earlier\s+than|older\s+than|below)\s+/i, op: '<' },
  { re: /^(?:all\s+versions\s+)?(?:from|since|starting\s+(?:with|from|at))\s+/i, op: '>=' },
  { re: /^(?:after|later\s+than|newer\s+than|above)\s+/i, op: '>' },
];

/** Words after a version. */
const SUFFIX_WORDS: ReadonlyArray<{ re: RegExp; op: Op }> = [
  {
    re: /\s*(?:and|or|&)\s+(?:earlier|prior|previous|before|below|lower|older)(?:\s+versions?)?$/i,
    op: '<=',
  },
  { re: /\s*(?:及|及其)?(?:以下|之前|以前)(?:版本|的版本)?$/u, op: '<=' },
  { re: /\s*(?:and|or|&)\s+(?:later|above|higher|newer|after)(?:\s+versions?)?$/i, op: '>=' },
  { re: /\s*(?:及|及其)?(?:以上|之后|以后)(?:版本|的版本)?$/u, op: '>=' },
  { re: /\+$/, op: '>=' },
];

/** Two-sided spellings: `a - b` (spaces required), `a ~ b`, `a to b`, `a through b`, `a 至 b`. */
const BETWEEN =
  /^(?:between\s+|from\s+)?(.+?)\s*(?:\s-\s|~|\s+(?:to|through|thru|and|until)\s+|至|到)\s*(.+)$/iu;

/** Separators of alternatives: `;`, `|`, `||`, ` or ` (but not `or later`). */
const ALTERNATIVES =
  /\s*(?:\|\||\||;|\s+or\s+(?!(?:later|earlier|above|below|higher|lower|newer|older|before|after|prior)\b))\s*/i;

/** Separators of required parts: `,` `、` `&&`, ` and ` or a space before an operator (`>= 4.5.0 < 4.5.2`). */
const CLAUSES = /\s*(?:,|、|&&|\s+and\s+(?=[<>=≤≥])|\s+(?=[<>≤≥]=?\s*v?\d))\s*/iu;

/** Text that means "every version" (also a lone * or x). */
const ALL_WORDS = /^(?:\*|x|all|all\s+versions|any|any\s+version|所有版本|全部版本|全版本)$/iu;

/** A version as it may appear in a range: starts with a letter or digit, has a digit, ≤ 5 words. */
const VERSION_TEXT = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}._\-:()[\]#+/ ]*$/u;

/** A trailing remark in parentheses (it has a space): `V05.11 (only with activated debug support)`. */
const TRAILING_REMARK = /\s*\([^()]*\s[^()]*\)$/;

export const invalidInput = (message: string, field: string): AppError =>
  new AppError('invalid_input', message, { field });

function cleanRangeText(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/\\(?=[^\p{L}\p{N}\s])/gu, '') // CPE-style quoting: 2.3\(1c\)
    .replace(/\s+/g, ' ')
    .trim();
}

function checkVersion(v: string, field: string, whole: string): string {
  let s = v.trim().replace(/^versions?\s+/i, '');
  while (TRAILING_REMARK.test(s) && s.replace(TRAILING_REMARK, '') !== '') s = s.replace(TRAILING_REMARK, '');
  if (s === '') throw invalidInput(`range "${whole}": a version is missing`, field);
  if (/[<>=≤≥]/.test(s)) throw invalidInput(`range "${whole}": unexpected operator in "${s}"`, field);
  if (!/\d/.test(s)) throw invalidInput(`range "${whole}": "${s}" is not a version (it has no digit)`, field);
  if (!VERSION_TEXT.test(s) || s.split(' ').length > 5)
    throw invalidInput(`range "${whole}": "${s}" does not look like a version`, field);
  return s;
}

/** Wildcards `1.2.x`, `1.2.*`, `7.X`: ≥ 1.2 and below the lowest pre-release of 1.3 (npm's <1.3.0-0). */
function wildcard(v: string): (Required<Pick<VersionRange, 'from' | 'to'>> & VersionRange) | null {
  const m = /^v?(\d+(?:\.\d+)*)(?:\.[x*])+$|^v?(\d+(?:\.\d+)*)\*$/i.exec(v);
  const base = m?.[1] ?? m?.[2];
  if (base === undefined) return null;
  const parts = base.split('.').map(Number);
  const last = parts.length - 1;
  const next = parts.map((n, i) => (i === last ? n + 1 : n));
  return { from: base, fromInclusive: true, to: `${next.join('.')}-dev`, toInclusive: false };
}

/** `>= 7.1.x` is from 7.1 on; `<= 7.3.x` is up to the end of the 7.3 line; `< 7.1.x` is below 7.1. */
function wildcardWithOp(op: Op, w: Required<Pick<VersionRange, 'from' | 'to'>>): VersionRange {
  switch (op) {
    case '=':
      return w;
    case '>=':
      return { from: w.from, fromInclusive: true };
    case '>':
      return { from: w.to, fromInclusive: true };
    case '<':
      return { to: w.from, toInclusive: false };
    case '<=':
      return { to: w.to, toInclusive: false };
  }
}

function fromOp(op: Op, v: string): VersionRange {
  switch (op) {
    case '<':
      return { to: v, toInclusive: false };
    case '<=':
      return { to: v, toInclusive: true };
    case '>':
      return { from: v, fromInclusive: false };
    case '>=':
      return { from: v, fromInclusive: true };
    case '=':
      return { exact: v };
  }
}

interface Clause {
  range: VersionRange;
  bare: boolean; // a plain version, no operator
}

function parseClause(raw: string, field: string, whole: string): Clause {
  let s = raw.trim();
  if (s === '') throw invalidInput(`range "${whole}": empty part`, field);
  if (ALL_WORDS.test(s)) return { range: {}, bare: false };
  s = s.replace(/^all\s+versions\s+(?=[<>=≤≥])/i, '');
  for (const o of OPERATORS) {
    if (s.startsWith(o.text)) {
      const rest = s.slice(o.text.length).trim();
      const w = wildcard(rest);
      if (w) return { range: wildcardWithOp(o.op, w), bare: false };
      return { range: fromOp(o.op, checkVersion(stripSuffixWords(rest), field, whole)), bare: false };
    }
  }
  for (const p of PREFIX_WORDS) {
    const m = p.re.exec(s);
    if (m) return { range: fromOp(p.op, checkVersion(s.slice(m[0].length), field, whole)), bare: false };
  }
  for (const p of SUFFIX_WORDS) {
    const m = p.re.exec(s);
    if (m && m.index > 0)
      return { range: fromOp(p.op, checkVersion(s.slice(0, m.index), field, whole)), bare: false };
  }
  const w = wildcard(s);
  if (w) return { range: w, bare: false };
  const between = BETWEEN.exec(s) ?? tightHyphen(s);
  if (between?.[1] && between[2]) {
    const from = checkVersion(between[1], field, whole);
    const to = checkVersion(between[2], field, whole);
    return { range: { from, fromInclusive: true, to, toInclusive: true }, bare: false };
  }
  return { range: { exact: checkVersion(s, field, whole) }, bare: true };
}

/** `<= 2020 Update 4 and earlier`: the suffix repeats the operator. */
const stripSuffixWords = (s: string): string => {
  for (const p of SUFFIX_WORDS) {
    const m = p.re.exec(s);
    if (m && m.index > 0) return s.slice(0, m.index);
  }
  return s;
};

/**
 * `11.6.1-11.6.5` (no spaces) is a range only when both sides are dotted numbers with the same
 * number of parts and the left is lower; `1.0.3.0.2.1-20210509`, `7.0.10-31` and `6.4.4.8-4.2.4.20`
 * are single versions.
 */
function tightHyphen(s: string): [string, string, string] | null {
  const m = /^v?(\d+(?:\.\d+)+)-v?(\d+(?:\.\d+)+)$/i.exec(s);
  if (!m?.[1] || !m[2]) return null;
  if (m[1].split('.').length !== m[2].split('.').length) return null;
  return compareParsed(parseVersion(m[1]), parseVersion(m[2])) < 0 ? [s, m[1], m[2]] : null;
}

interface Bound {
  v: string;
  p: ParsedVersion;
  inclusive: boolean;
}

function lowerOf(r: VersionRange): Bound | null {
  if (r.exact !== undefined) return { v: r.exact, p: parseVersion(r.exact), inclusive: true };
  if (r.from === undefined) return null;
  return { v: r.from, p: parseVersion(r.from), inclusive: r.fromInclusive ?? true };
}

function upperOf(r: VersionRange): Bound | null {
  if (r.exact !== undefined) return { v: r.exact, p: parseVersion(r.exact), inclusive: true };
  if (r.to === undefined) return null;
  return { v: r.to, p: parseVersion(r.to), inclusive: r.toInclusive ?? false };
}

/** The tighter of two lower bounds (higher; exclusive wins a tie). */
function maxLower(a: Bound | null, b: Bound | null): Bound | null {
  if (!a || !b) return a ?? b;
  const c = compareParsed(a.p, b.p);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

function minUpper(a: Bound | null, b: Bound | null): Bound | null {
  if (!a || !b) return a ?? b;
  const c = compareParsed(a.p, b.p);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a;
}

/** True when no version can satisfy both bounds. */
function emptyBetween(lo: Bound | null, hi: Bound | null): boolean {
  if (!lo || !hi) return false;
  const c = compareParsed(lo.p, hi.p);
  return c > 0 || (c === 0 && !(lo.inclusive && hi.inclusive));
}

function rangeOf(lo: Bound | null, hi: Bound | null): VersionRange {
  if (lo && hi && lo.inclusive && hi.inclusive && compareParsed(lo.p, hi.p) === 0) return { exact: lo.v };
  const r: VersionRange = {};
  if (lo) Object.assign(r, { from: lo.v, fromInclusive: lo.inclusive });
  if (hi) Object.assign(r, { to: hi.v, toInclusive: hi.inclusive });
  return r;
}

/** Both ranges at once, or null when they share no version. */
export function intersectRanges(a: VersionRange, b: VersionRange): VersionRange | null {
  const lo = maxLower(lowerOf(a), lowerOf(b));
  const hi = minUpper(upperOf(a), upperOf(b));
  return emptyBetween(lo, hi) ? null : rangeOf(lo, hi);
}

/** Do the two ranges share at least one version? */
export const rangesOverlap = (a: VersionRange, b: VersionRange): boolean => intersectRanges(a, b) !== null;

export function inRange(version: string, range: VersionRange): boolean {
  return rangesOverlap({ exact: version }, range);
}

/**
 * Every range in a text: `;`, `|`, `||` and ` or ` separate alternatives; a comma list of plain
 * versions (`1.0, 1.1`) is alternatives too. Throws AppError('invalid_input', …, {field}).
 */
export function parseRanges(text: string, field = 'range'): VersionRange[] {
  const s = cleanRangeText(text);
  if (s === '') throw invalidInput('range is empty', field);
  const alternatives = s.split(ALTERNATIVES);
  const out: VersionRange[] = [];
  for (const alt of alternatives) {
    const clauses = alt.split(CLAUSES).map((c) => parseClause(c, field, s));
    if (clauses.length > 1 && clauses.every((c) => c.bare)) out.push(...clauses.map((c) => c.range));
    else out.push(combine(clauses, field, s));
  }
  return out;
}

/**
 * One range. Comma-separated parts are all required (`>= 2.0, < 2.4.1`); a plain version beside an
 * upper bound is the lower bound and beside a lower bound the upper one, as CNVD writes it
 * (`21.1，<21.1R3`, `>=3.2，3.2.11`). Alternatives (`1.0; 2.0`) are an error here: use parseRanges.
 */
export function parseRange(text: string, field = 'range'): VersionRange {
  const all = parseRanges(text, field);
  const [first] = all;
  if (all.length !== 1 || first === undefined)
    throw invalidInput(
      `range "${cleanRangeText(text)}" lists ${all.length} alternatives; give one range`,
      field,
    );
  return first;
}

function combine(clauses: Clause[], field: string, whole: string): VersionRange {
  const [only] = clauses;
  if (clauses.length === 1 && only) return only.range;
  const bound = clauses.filter((c) => !c.bare).map((c) => c.range);
  const bare = clauses.filter((c) => c.bare).map((c) => c.range.exact ?? '');
  let lo: Bound | null = null;
  let hi: Bound | null = null;
  for (const r of bound) {
    lo = maxLower(lo, lowerOf(r));
    hi = minUpper(hi, upperOf(r));
  }
  if (bare.length > 1)
    throw invalidInput(`range "${whole}": more than one plain version beside bounds`, field);
  const [b] = bare;
  if (b !== undefined) {
    const bb: Bound = { v: b, p: parseVersion(b), inclusive: true };
    if (hi && !lo) lo = bb;
    else if (lo && !hi) hi = bb;
    else
      throw invalidInput(`range "${whole}": cannot tell whether "${b}" is a lower or an upper bound`, field);
  }
  if (emptyBetween(lo, hi))
    throw invalidInput(`range "${whole}" contains no version (lower bound above upper)`, field);
  return rangeOf(lo, hi);
}

/** `>= 2.0, < 2.4.1`, `= 5.2.0.1`, `*` — the inverse of parseRange for display. */
export function formatRange(r: VersionRange): string {
  if (r.exact !== undefined) return r.exact;
  const parts: string[] = [];
  if (r.from !== undefined) parts.push(`${(r.fromInclusive ?? true) ? '>=' : '>'} ${r.from}`);
  if (r.to !== undefined) parts.push(`${(r.toInclusive ?? false) ? '<=' : '<'} ${r.to}`);
  return parts.length === 0 ? '*' : parts.join(', ');
}
