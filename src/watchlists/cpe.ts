/**
 * CPE 2.3 formatted-string names (NISTIR 7695 §6.2) and the essentials of name matching (NISTIR 7696):
 * `cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other`.
 * `*` is ANY, `-` is NA, `\` quotes the next character (`\:`, `\/`, `\+` …), an unquoted `*` or `?`
 * at the start or end of a value is a wildcard. CPE 2.2 URIs (`cpe:/a:redhat:openshift:4.14::el9`,
 * found in CVE records) are read too. Values are compared case-insensitively.
 */
import { AppError } from '../errors.js';
import { memoised } from './memo.js';
import { compareVersions } from './version.js';

export const CPE_ATTRIBUTES = [
  'part',
  'vendor',
  'product',
  'version',
  'update',
  'edition',
  'language',
  'swEdition',
  'targetSw',
  'targetHw',
  'other',
] as const;
export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number];

/** ANY (`*`), NA (`-`) or a value: unquoted text, lower-cased, with optional wildcards at its ends. */
export type CpeValue =
  { kind: 'any' } | { kind: 'na' } | { kind: 'value'; text: string; leading: string; trailing: string };

export type Cpe = Record<CpeAttribute, CpeValue>;

const ANY: CpeValue = { kind: 'any' };
const NA: CpeValue = { kind: 'na' };

/** Characters allowed unquoted inside a 2.3 value (NISTIR 7695 `unreserved`). */
const UNRESERVED = /[A-Za-z0-9_.-]/;
/** Characters that may follow `\`. */
const QUOTABLE = /[!"#$%&'()*+,/:;<=>?@[\]^`{|}~\\.\-_]/;

const cpeError = (cpe: string, attribute: CpeAttribute | 'prefix' | 'name', problem: string): AppError =>
  new AppError('invalid_input', `CPE "${cpe}": ${attribute === 'name' ? 'it' : attribute} ${problem}`, {
    field: 'cpe',
    attribute,
  });

/** Split on unquoted colons. */
function splitUnquoted(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s.charAt(i + 1);
      i++;
    } else if (c === ':') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function parseValue23(raw: string, cpe: string, attr: CpeAttribute): CpeValue {
  if (raw === '*') return ANY;
  if (raw === '-') return NA;
  if (raw === '') throw cpeError(cpe, attr, 'is empty (use * for ANY or - for NA)');
  let leading = '';
  let trailing = '';
  let text = '';
  let i = 0;
  while (i < raw.length && (raw[i] === '*' || raw[i] === '?')) leading += raw[i++];
  for (; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (c === '\\') {
      const next = raw.charAt(i + 1);
      if (next === '' || !QUOTABLE.test(next))
        throw cpeError(cpe, attr, `has "\\" before "${next || 'the end'}" (only punctuation may be quoted)`);
      text += next;
      i++;
    } else if (c === '*' || c === '?') {
      trailing = raw.slice(i);
      if (!/^(?:\*|\?+)$/.test(trailing))
        throw cpeError(cpe, attr, `has an unquoted "${c}" inside the value (wildcards only at its ends)`);
      break;
    } else if (UNRESERVED.test(c)) text += c;
    else throw cpeError(cpe, attr, `has an unquoted "${c}" (write \\${c})`);
  }
  if (leading.length > 0 && !/^(?:\*|\?+)$/.test(leading))
    throw cpeError(cpe, attr, `starts with "${leading}"`);
  if (text === '' && leading + trailing !== '') throw cpeError(cpe, attr, 'is only wildcards (use *)');
  return { kind: 'value', text: text.toLowerCase(), leading, trailing };
}

function checkPart(v: CpeValue, cpe: string): void {
  if (v.kind === 'value' && (!/^[aoh]$/.test(v.text) || v.leading + v.trailing !== ''))
    throw cpeError(
      cpe,
      'part',
      `is "${v.text}"; expected a (application), o (operating system) or h (hardware)`,
    );
  if (v.kind === 'na') throw cpeError(cpe, 'part', 'cannot be NA');
}

function parse22(name: string): Cpe {
  const parts = name.slice('cpe:/'.length).split(':');
  if (parts.length > 7)
    throw cpeError(name, 'name', `has ${parts.length} components; a CPE 2.2 URI has at most 7`);
  const out = Object.fromEntries(CPE_ATTRIBUTES.map((a) => [a, ANY])) as Cpe;
  parts.forEach((p, i) => {
    const attr = CPE_ATTRIBUTES[i];
    if (attr === undefined) return;
    let text: string;
    try {
      text = decodeURIComponent(p);
    } catch {
      throw cpeError(name, attr, `has a bad %-escape in "${p}"`);
    }
    if (text.startsWith('~')) throw cpeError(name, attr, 'uses the packed ~ form, which is not supported');
    out[attr] =
      text === ''
        ? ANY
        : text === '-'
          ? NA
          : { kind: 'value', text: text.toLowerCase(), leading: '', trailing: '' };
  });
  checkPart(out.part, name);
  return out;
}

/**
 * Parse and validate; throws AppError('invalid_input', message naming the attribute, {field:'cpe', attribute}).
 * Memoised: the result is shared, never mutate it.
 */
export const parseCpe: (name: string) => Cpe = memoised(parseCpeText);

function parseCpeText(name: string): Cpe {
  const s = name.trim();
  if (/^cpe:\//i.test(s)) return parse22(s);
  if (!/^cpe:2\.3:/i.test(s)) throw cpeError(s, 'prefix', 'must be "cpe:2.3:" (or a CPE 2.2 URI "cpe:/")');
  const parts = splitUnquoted(s.slice('cpe:2.3:'.length));
  if (parts.length !== CPE_ATTRIBUTES.length)
    throw cpeError(
      s,
      'name',
      `has ${parts.length} attributes after "cpe:2.3:"; expected ${CPE_ATTRIBUTES.length} (${CPE_ATTRIBUTES.join(':')})`,
    );
  const out = {} as Cpe;
  CPE_ATTRIBUTES.forEach((attr, i) => {
    out[attr] = parseValue23(parts[i] ?? '', s, attr);
  });
  checkPart(out.part, s);
  return out;
}

const QUOTE_ON_OUTPUT = /[^A-Za-z0-9_.-]/g;

/** Back to a 2.3 formatted string (lower case, punctuation quoted). */
export function formatCpe(c: Cpe): string {
  const v = (x: CpeValue): string =>
    x.kind === 'any'
      ? '*'
      : x.kind === 'na'
        ? '-'
        : x.leading + x.text.replace(QUOTE_ON_OUTPUT, '\\$&') + x.trailing;
  return `cpe:2.3:${CPE_ATTRIBUTES.map((a) => v(c[a])).join(':')}`;
}

/** overlap: some attributes wider on one side, some on the other (only for whole names). */
export type CpeRelation = 'equal' | 'superset' | 'subset' | 'overlap' | 'disjoint';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function wildcardMatches(pattern: CpeValue & { kind: 'value' }, text: string): boolean {
  const ends = (w: string): string => (w === '*' ? '.*' : w.length > 0 ? `.{0,${w.length}}` : '');
  return new RegExp(`^${ends(pattern.leading)}${escapeRe(pattern.text)}${ends(pattern.trailing)}$`, 's').test(
    text,
  );
}

const hasWildcard = (v: CpeValue & { kind: 'value' }): boolean => v.leading + v.trailing !== '';

/**
 * One attribute, source against target (NISTIR 7696 table 6-2). ANY ⊇ everything; NA only equals
 * NA; a value with wildcards ⊇ the values it matches; version values are equal when compareVersions
 * says so. Where the spec leaves the result undefined (wildcards on the target side), the target's
 * pattern is tried against the source value (subset) so that overlap can still be found.
 */
export function compareCpeValues(source: CpeValue, target: CpeValue, attr: CpeAttribute): CpeRelation {
  if (source.kind === 'any') return target.kind === 'any' ? 'equal' : 'superset';
  if (target.kind === 'any') return 'subset';
  if (source.kind === 'na' || target.kind === 'na') return source.kind === target.kind ? 'equal' : 'disjoint';
  if (hasWildcard(source) || hasWildcard(target)) {
    if (hasWildcard(source) && wildcardMatches(source, target.text)) return 'superset';
    if (hasWildcard(target) && wildcardMatches(target, source.text)) return 'subset';
    return 'disjoint';
  }
  const same =
    attr === 'version' ? compareVersions(source.text, target.text) === 0 : source.text === target.text;
  return same ? 'equal' : 'disjoint';
}

export interface CpeMatch {
  /** The two names share at least one product (no attribute is disjoint). */
  match: boolean;
  /** superset: the source covers the whole target; subset: the reverse; overlap: neither; disjoint: no match. */
  relation: CpeRelation;
  /** The attributes that made them disjoint. */
  disjoint: CpeAttribute[];
}

/** Match a watched CPE (source, may have wildcards) against a CPE from a vulnerability (target). */
export function matchCpe(source: Cpe | string, target: Cpe | string): CpeMatch {
  const s = typeof source === 'string' ? parseCpe(source) : source;
  const t = typeof target === 'string' ? parseCpe(target) : target;
  const rel = CPE_ATTRIBUTES.map((a) => [a, compareCpeValues(s[a], t[a], a)] as const);
  const disjoint = rel.filter(([, r]) => r === 'disjoint').map(([a]) => a);
  if (disjoint.length > 0) return { match: false, relation: 'disjoint', disjoint };
  const kinds = new Set(rel.map(([, r]) => r));
  const relation: CpeRelation =
    kinds.size === 1 && kinds.has('equal')
      ? 'equal'
      : !kinds.has('subset')
        ? 'superset'
        : !kinds.has('superset')
          ? 'subset'
          : 'overlap';
  return { match: true, relation, disjoint };
}
