/**
 * Best-effort reading of CNVD product strings: "<vendor> <product> <version or range>", e.g.
 * "IBM IBM Tivoli Storage Manager 5.2.0.1", "Cisco IOS XE <17.3.1", "Apache Dubbo >=2.7.0，<2.7.10",
 * "Microsoft Exchange Server 2019 CU12", "Juniper Networks Junos OS 21.1，<21.1R3". Never throws: a
 * version part that is not a valid range is kept as versionText with rangeError set.
 */
import { AppError } from '../errors.js';
import { memoised } from './memo.js';
import { parseRanges, type VersionRange } from './range.js';

export interface ParsedProduct {
  vendor?: string;
  product: string;
  /** The version or range part as written (cleaned), when one was found. */
  versionText?: string;
  /** The range when versionText is exactly one range. */
  range?: VersionRange;
  /** Every alternative in versionText (`4.0.0;5.9.0` gives two); [] when none or unparseable. */
  ranges: VersionRange[];
  /** Why versionText could not be read as a range. */
  rangeError?: string;
}

/** Vendors whose name is more than one word, as they start CNVD product strings. */
export const MULTI_WORD_VENDORS: readonly string[] = [
  'Juniper Networks',
  'Palo Alto Networks',
  'Aruba Networks',
  'Airspan Networks',
  'Extreme Networks',
  'Schneider Electric',
  'Mitsubishi Electric',
  'Delta Electronics',
  'Rockwell Automation',
  'Johnson Controls',
  'Phoenix Contact',
  'Hewlett Packard Enterprise',
  'Western Digital',
  'Trend Micro',
  'Red Hat',
  'Six Apart',
  'Microsoft Corporation',
  'Ricon Mobile',
  'Carlo Montero',
  'Egavilan Media',
  'Dell EMC',
  'Check Point',
  'Sonic Wall',
  'Zoho Corp',
];

/** Tokens after the version that belong to it: SP2, CU12, rc7, B05, Update, build, p19 … */
const QUALIFIER =
  /^(?:sp|cu|cumulative_update|update|u|r|b|rc|beta|alpha|build|patch|p|hotfix|fp|fixpack|release|rel|lts|ltsr|esr|cd)\d*(?:[._-]\w+)?$/i;
const QUALIFIER_WORD = /^(?:sp|cu|update|build|patch|hotfix|fixpack|release|rel)$/i;
/** A token that can be the version: starts with a digit (or v+digit), or has digit-dot-digit inside. */
const VERSION_TOKEN = /^(?:v?\d|[\p{L}\p{N}][^\s]*\d[._]\d)/iu;
/** Short branch names after a model number: "MT6737 NR16", "MT2731 LR12A". */
const BRANCH_TOKEN = /^[a-z]{1,3}\d+[a-z]?$/i;
/** Company-form words that belong to the vendor: "Fortinet Inc. FortiOS". */
const COMPANY_SUFFIX = /^(?:inc|corp|corporation|co|ltd|llc|gmbh|ag|se|sa|plc|limited|company)\.?,?$/i;
/** A remark in parentheses at the end, kept with the product: "ImageCast X 5.1（based on Android）". */
const TRAILING_REMARK = /\s*\([^()]*\s[^()]*\)$/;
/** Trailing values that mean "no version". */
const NO_VERSION_TOKENS: ReadonlySet<string> = new Set(['null', 'none', 'n/a', '无', '-']);

/** The first operator of a range: < > ≤ ≥ anywhere; = forms only at the start of a token. */
const FIRST_OPERATOR = /[<>≤≥]|(?<=^|[\s,])(?:==?|=>|=<)(?=\s*v?\d)/u;
/** A version clause with a comma just before the operator: "21.1，<21.1R3", "23.*，<23.3". */
const CLAUSE_BEFORE = /(?:^|\s)(v?\d[^\s,]*)\s*,\s*$/i;

/** Range phrases at the end of the string; group 1 is the version part. */
const TAIL_PHRASES: readonly RegExp[] = [
  /\s((?:v?\d[\w.\-:]*(?:\(\w+\))?[\w.-]*)\s*(?:~|\s-\s|\s(?:to|through|thru)\s|至|到)\s*(?:v?\d[\w.\-:]*(?:\(\w+\))?[\w.-]*))$/iu,
  /\s((?:before|prior\s+to|through|up\s+to|earlier\s+than)\s+\S*\d\S*)$/i,
  /\s(\S*\d\S*\s+(?:and|or|&)\s+(?:earlier|prior|later|above|before|below|higher|lower)(?:\s+versions?)?)$/i,
  /\s(v?\d\S*?(?:及|及其)?(?:以下|之前|以前|以上|之后|以后)(?:版本|的版本)?)$/iu,
  /\s(v?\d\S*\+)$/i,
];

export const cleanProductText = (s: string): string =>
  s
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** Split "<name> <version part>" → [name, version part | undefined]. */
function splitVersion(s: string): [string, string | undefined] {
  const op = FIRST_OPERATOR.exec(s);
  if (op && op.index > 0) {
    let i = op.index;
    for (let m = CLAUSE_BEFORE.exec(s.slice(0, i)); m?.[1]; m = CLAUSE_BEFORE.exec(s.slice(0, i))) {
      i = s.lastIndexOf(m[1], i);
    }
    return [s.slice(0, i).trim(), s.slice(i).trim()];
  }
  for (const re of TAIL_PHRASES) {
    const m = re.exec(s);
    if (m?.[1]) return [s.slice(0, m.index).trim(), m[1]];
  }
  const tokens = s.split(' ');
  let end = tokens.length;
  while (end > 0 && NO_VERSION_TOKENS.has((tokens[end - 1] ?? '').toLowerCase())) end--;
  let k = end;
  while (k > 0) {
    const t = tokens[k - 1] ?? '';
    const prev = tokens[k - 2] ?? '';
    if (QUALIFIER.test(t) && k - 1 > 0 && VERSION_TOKEN.test(prev)) k--;
    else if (/^\d+$/.test(t) && QUALIFIER_WORD.test(prev) && k - 2 > 0) k--;
    else if (QUALIFIER_WORD.test(t) && k < end && k - 1 > 0) k--;
    else break;
  }
  // the core version token, keeping at least two tokens (vendor + product) before it
  const core = tokens[k - 1] ?? '';
  if (k >= 3 && (VERSION_TOKEN.test(core) || (BRANCH_TOKEN.test(core) && /\d/.test(tokens[k - 2] ?? ''))))
    k--;
  else if (k === end) return [tokens.slice(0, end).join(' '), undefined];
  const name = tokens.slice(0, k).join(' ');
  const version = tokens.slice(k, end).join(' ');
  return [name, version === '' ? undefined : version];
}

/** Lower case, letters and digits only per word: "D-Link" → "dlink", "Tivoli_Storage" → "tivoli storage". */
export const nameKey: (s: string) => string = memoised((s) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_/,;:()[\]{}]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim(),
);

export const sameName = (a: string, b: string): boolean =>
  nameKey(a).replace(/ /g, '') === nameKey(b).replace(/ /g, '');

function splitVendor(name: string, knownVendor?: string): { vendor?: string; product: string } {
  const words = name.split(' ');
  const startsWith = (v: string): number => {
    const n = v.split(' ').length;
    return words.length > n && sameName(words.slice(0, n).join(' '), v) ? n : 0;
  };
  if (knownVendor !== undefined && knownVendor.trim() !== '') {
    const n = startsWith(cleanProductText(knownVendor));
    return { vendor: knownVendor.trim(), product: n > 0 ? words.slice(n).join(' ') : name };
  }
  for (const v of MULTI_WORD_VENDORS) {
    const n = startsWith(v);
    if (n > 0) return { vendor: words.slice(0, n).join(' '), product: words.slice(n).join(' ') };
  }
  for (let n = Math.floor(words.length / 2); n >= 2; n--) {
    if (words.length === 2 * n && sameName(words.slice(0, n).join(' '), words.slice(n).join(' ')))
      return { vendor: words.slice(0, n).join(' '), product: words.slice(n).join(' ') };
  }
  if (words.length < 2) return { product: name };
  const n = words.length > 2 && COMPANY_SUFFIX.test(words[1] ?? '') ? 2 : 1;
  return { vendor: words.slice(0, n).join(' '), product: words.slice(n).join(' ') };
}

export function parseProductString(s: string, knownVendor?: string): ParsedProduct {
  const text = cleanProductText(s);
  const remark = FIRST_OPERATOR.test(text) ? null : TRAILING_REMARK.exec(text);
  const [name, versionText] = splitVersion(remark ? text.slice(0, remark.index) : text);
  const split = splitVendor(name === '' ? text : name, knownVendor);
  const vendor = split.vendor;
  const product =
    remark && versionText !== undefined ? `${split.product} ${remark[0].trim()}` : split.product;
  const out: ParsedProduct = { product, ranges: [] };
  if (vendor !== undefined) out.vendor = vendor;
  if (versionText === undefined) return out;
  out.versionText = versionText;
  try {
    out.ranges = parseRanges(versionText, 'product');
    if (out.ranges.length === 1) out.range = out.ranges[0];
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    out.rangeError = e.message;
  }
  return out;
}
