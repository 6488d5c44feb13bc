/**
 * One total ordering for the version strings found in vulnerability data: semver, dotted vendor
 * firmware (V15.03.05.19, 1.0.0.3(4014), V200R005C20SPC800), Cisco/Juniper trains (12.2(55)SE,
 * 21.1R3-S2), OpenSSL patch letters (1.1.1k), service packs (2019 SP2) and dates (20210509).
 *
 * The rule (README.md has examples):
 * 1. Clean-up: Unicode NFKC, lower case, build metadata (`+…` at the end) dropped; if the string does
 *    not start with a digit (or v+digit) but contains ` v1`, `_V1`, `-V1`, `(v1` …, the text before
 *    that `v` is a model prefix and is dropped (`US_AC15V1.0BR_V15.03.05.19` → `V15.03.05.19`).
 *    A leading `N:` before a digit is an rpm/dpkg epoch, compared first (0:9.2.10 == 9.2.10 < 1:1.0).
 * 2. Tokens: runs of digits (numbers) and runs of letters (words); everything else (. _ - ( ) : / space)
 *    is only a boundary. Leading noise words (v, version, firmware, fw, build …) and release words
 *    anywhere (release, final, ga, stable) are dropped. Pre-release words get a canonical spelling.
 * 3. The leading run of numbers is the release part, compared number by number with missing
 *    components read as 0 (1.0 == 1.0.0 < 1.0.1; 15.03 == 15.3).
 * 4. The rest (the tail, starting with a word) is compared token by token. At a position:
 *    pre-release word < end of version < number < any other word; so 1.0-rc1 < 1.0 < 1.0a and
 *    1.1.1j < 1.1.1k, 21.1 < 21.1R3. Pre-release words rank dev < snapshot < alpha < beta < milestone
 *    < pre/preview < rc/cr. Other words compare alphabetically.
 *    Once a pre-release word has been passed, semver's rule applies to the rest: end < number < word,
 *    words alphabetically (1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta).
 *
 * Deliberate differences from semver: a hyphen followed by a number continues the version
 * (ImageMagick 7.0.10-31 > 7.0.10, Bento4 1.6.0-638), so semver's numeric-only pre-release
 * (1.0.0-1) sorts after 1.0.0; dev and snapshot sort before alpha (semver compares them as text).
 * `x` and `*` are not wildcards here (see range.ts): `*` is a separator and `x` an ordinary word.
 */
import { memoised } from './memo.js';

/** Pre-release words, lowest first, with their canonical spelling. */
export const PRE_RELEASE_WORDS: ReadonlyArray<{ words: readonly string[]; canonical: string }> = [
  { words: ['dev', 'devel', 'nightly'], canonical: 'dev' },
  { words: ['snapshot'], canonical: 'snapshot' },
  { words: ['alpha'], canonical: 'alpha' },
  { words: ['beta'], canonical: 'beta' },
  { words: ['milestone'], canonical: 'milestone' },
  { words: ['pre', 'preview'], canonical: 'pre' },
  { words: ['rc', 'cr'], canonical: 'rc' },
];

/** Words that say "this is the release" and so carry no order (1.0.0.Final == 1.0.0). */
export const RELEASE_WORDS: ReadonlySet<string> = new Set(['release', 'final', 'ga', 'stable', '版本']);

/** Words dropped at the very start (after the model prefix): `V1.2`, `version 3`, `FW1.0`, `build 29240`. */
export const LEADING_NOISE_WORDS: ReadonlySet<string> = new Set([
  'v',
  'ver',
  'version',
  'versions',
  'firmware',
  'fw',
  'build',
  'rel',
]);

const PRE_RANK = new Map<string, { rank: number; canonical: string }>(
  PRE_RELEASE_WORDS.flatMap((g, rank) => g.words.map((w) => [w, { rank, canonical: g.canonical }] as const)),
);

export type VersionToken =
  | { kind: 'num'; value: string } // digits without leading zeros ('' for 0)
  | { kind: 'word'; value: string; preRank?: number };

export interface ParsedVersion {
  /** rpm/dpkg epoch (`1:2.3-4`), '' when none or 0; compared before everything else. */
  epoch: string;
  /** The leading numbers, trailing zeros removed (1.0.0 → [1]). */
  release: string[];
  /** Everything from the first word on. */
  tail: VersionToken[];
}

const stripZeros = (digits: string): string => digits.replace(/^0+/, '');

/** Step 1 of the rule: the text whose tokens are compared. */
export function versionCore(raw: string): string {
  let s = raw.normalize('NFKC').toLowerCase().trim();
  s = s.replace(/(?<=[0-9a-z])\+[0-9a-z][0-9a-z.-]*$/, '');
  if (!/^v?\d/.test(s)) {
    const m = /[\s_\-(]v\d/.exec(s);
    if (m) s = s.slice(m.index + 1);
  }
  return s;
}

/** Parsed once per distinct string (memoised: the result is shared, never mutate it). */
export const parseVersion: (raw: string) => ParsedVersion = memoised(parseVersionText);

function parseVersionText(raw: string): ParsedVersion {
  const tokens: VersionToken[] = [];
  let core = versionCore(raw);
  const epoch = /^(\d+):(?=\d)/.exec(core);
  if (epoch) core = core.slice(epoch[0].length);
  for (const m of core.matchAll(/\d+|\p{L}+/gu)) {
    const t = m[0];
    if (/^\d/.test(t)) {
      tokens.push({ kind: 'num', value: stripZeros(t) });
      continue;
    }
    if (RELEASE_WORDS.has(t)) continue;
    if (tokens.length === 0 && LEADING_NOISE_WORDS.has(t)) continue;
    const pre = PRE_RANK.get(t);
    tokens.push(pre ? { kind: 'word', value: pre.canonical, preRank: pre.rank } : { kind: 'word', value: t });
  }
  let firstWord = tokens.findIndex((t) => t.kind === 'word');
  if (firstWord < 0) firstWord = tokens.length;
  const release = tokens.slice(0, firstWord).map((t) => t.value);
  while (release.length > 0 && release[release.length - 1] === '') release.pop();
  return { epoch: stripZeros(epoch?.[1] ?? ''), release, tail: tokens.slice(firstWord) };
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return sign(a.length - b.length);
  return a < b ? -1 : a > b ? 1 : 0;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Class of a tail position, lowest first. Before any pre-release word: pre-release word (0) < end (1)
 * < number (2) < other word (3). After one (semver): end (1) < number (2) < any word (3).
 */
function tailClass(t: VersionToken | undefined, inPreRelease: boolean): number {
  if (t === undefined) return 1;
  if (t.kind === 'num') return 2;
  return t.preRank !== undefined && !inPreRelease ? 0 : 3;
}

function compareTails(a: VersionToken[], b: VersionToken[]): number {
  let inPreRelease = false;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const cx = tailClass(x, inPreRelease);
    const cy = tailClass(y, inPreRelease);
    if (cx !== cy) return sign(cx - cy);
    if (x === undefined || y === undefined) return 0; // both ended (same class 1)
    let c: number;
    if (x.kind === 'num' && y.kind === 'num') c = compareNumbers(x.value, y.value);
    else if (cx === 0 && x.kind === 'word' && y.kind === 'word')
      c = sign((x.preRank ?? 0) - (y.preRank ?? 0));
    else c = compareText(x.value, y.value);
    if (c !== 0) return c;
    if (x.kind === 'word' && x.preRank !== undefined) inPreRelease = true;
  }
  return 0;
}

export function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  const e = compareNumbers(a.epoch, b.epoch);
  if (e !== 0) return e;
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i++) {
    const c = compareNumbers(a.release[i] ?? '', b.release[i] ?? '');
    if (c !== 0) return c;
  }
  return compareTails(a.tail, b.tail);
}

/** Negative, zero or positive as a sorts before, with or after b (the rule at the top of this file). */
export function compareVersions(a: string, b: string): number {
  return compareParsed(parseVersion(a), parseVersion(b));
}

/** A sorted copy, lowest first. */
export const sortVersions = (versions: readonly string[]): string[] => [...versions].sort(compareVersions);

export const versionsEqual = (a: string, b: string): boolean => compareVersions(a, b) === 0;

/**
 * Canonical key: two versions have the same key exactly when compareVersions says they are equal.
 * V15.03.05.19 → 15.3.5.19; 1.0.0-RC.1 → 1-rc.1; 1.1.1k → 1.1.1-k; 2019 SP2 → 2019-sp.2.
 */
export function versionKey(raw: string): string {
  const { epoch, release, tail } = parseVersion(raw);
  let out =
    (epoch ? `${epoch}:` : '') + (release.length === 0 ? '0' : release.map((n) => n || '0').join('.'));
  for (const t of tail) out += t.kind === 'word' ? `-${t.value}` : `.${t.value || '0'}`;
  return out;
}

/**
 * For display: NFKC (full-width characters), trimmed, spaces collapsed, a leading v/V before a digit
 * removed. `V15.03.05.19 ` → `15.03.05.19`; `Ｖ2.0.0.26` → `2.0.0.26`. Use versionKey for keys.
 */
export function normaliseVersion(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/^v(?=\d)/i, '');
}
