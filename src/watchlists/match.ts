/**
 * Does a watched product match a product named by a vulnerability? Names are compared case- and
 * punctuation-insensitively as whole words ("D-Link" = "dlink"; "Tivoli Storage Manager" is found in
 * "IBM Tivoli Storage Manager"); versions match when the watched range overlaps an affected range.
 * With a CPE on both sides the CPEs decide the product (cpe.ts) and the ranges still decide the version.
 */
import { matchCpe, parseCpe, type Cpe } from './cpe.js';
import { nameKey } from './product.js';
import { formatRange, rangesOverlap, type VersionRange } from './range.js';

export interface WatchedProduct {
  vendor?: string;
  product: string;
  range?: VersionRange;
  cpe?: string;
}

export interface VulnProduct {
  vendor?: string;
  product: string;
  /** Affected versions; 'unknown' (or []) when the record does not say. */
  versions: VersionRange[] | 'unknown';
  cpes?: string[];
}

export interface WatchMatch {
  match: boolean;
  reason: string;
}

/** Names of one vendor as they appear in CNVD (Chinese company names) and elsewhere. */
export const VENDOR_ALIASES: ReadonlyArray<readonly string[]> = [
  ['TP-Link', '普联技术有限公司'],
  ['Tenda', '深圳市吉祥腾达科技有限公司'],
  ['H3C', '新华三技术有限公司'],
  ['Dahua', '浙江大华技术股份有限公司'],
  ['Hikvision', '杭州海康威视数字技术股份有限公司'],
  ['Huawei', '华为技术有限公司'],
  ['ZTE', '中兴通讯股份有限公司'],
  ['Ruijie', '北京星网锐捷网络技术有限公司', '锐捷网络股份有限公司'],
  ['Weaver', '上海泛微网络科技股份有限公司'],
  ['Yonyou', '用友网络科技股份有限公司'],
  ['Dameng', '武汉达梦数据库股份有限公司'],
  ['Venustech', '启明星辰信息技术集团股份有限公司'],
  ['TongTech', '北京东方通科技股份有限公司'],
  ['HP', 'Hewlett Packard', 'HP Inc'],
  ['HPE', 'Hewlett Packard Enterprise'],
];

const ALIAS_OF = new Map<string, number>(
  VENDOR_ALIASES.flatMap((names, i) => names.map((n) => [nameKey(n).replace(/ /g, ''), i] as const)),
);

/**
 * `needle` as whole words of `hay` (after nameKey), also when one side writes words together:
 * "tivolistoragemanager" is found in "ibm tivoli storage manager", "Word" is not found in "WordPress".
 */
export function containsName(hay: string, needle: string): boolean {
  const n = nameKey(needle).replace(/ /g, '');
  if (n === '') return false;
  const words = nameKey(hay).split(' ');
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    for (let j = i; j < words.length && joined.length < n.length; j++) {
      joined += words[j];
      if (joined === n) return true;
    }
  }
  return false;
}

export function vendorsMatch(a: string, b: string): boolean {
  if (containsName(a, b) || containsName(b, a)) return true;
  const x = ALIAS_OF.get(nameKey(a).replace(/ /g, ''));
  return x !== undefined && x === ALIAS_OF.get(nameKey(b).replace(/ /g, ''));
}

function productMatches(watch: WatchedProduct, vuln: VulnProduct): boolean {
  const hays = [vuln.product, `${vuln.vendor ?? ''} ${vuln.product}`];
  const needles = [watch.product];
  if (watch.vendor && containsName(watch.product, watch.vendor)) {
    const words = watch.product.split(/\s+/);
    const vWords = watch.vendor.split(/\s+/).length;
    if (words.length > vWords) needles.push(words.slice(vWords).join(' '));
  }
  return needles.some((n) => hays.some((h) => containsName(h, n)));
}

function cpeVersionRange(c: Cpe): VersionRange | undefined {
  const v = c.version;
  return v.kind === 'value' && v.leading + v.trailing === '' ? { exact: v.text } : undefined;
}

function versionVerdict(watchRange: VersionRange | undefined, vuln: VulnProduct, what: string): WatchMatch {
  if (vuln.versions === 'unknown' || vuln.versions.length === 0)
    return {
      match: true,
      reason: `${what}; affected versions unknown, so every watched version may be affected`,
    };
  const affected = vuln.versions.map(formatRange).join(' | ');
  if (watchRange === undefined)
    return { match: true, reason: `${what}; all versions watched (affected: ${affected})` };
  const hit = vuln.versions.find((r) => rangesOverlap(watchRange, r));
  return hit
    ? {
        match: true,
        reason: `${what}; watched ${formatRange(watchRange)} overlaps affected ${formatRange(hit)}`,
      }
    : {
        match: false,
        reason: `${what}, but watched ${formatRange(watchRange)} is outside affected ${affected}`,
      };
}

function byCpe(watch: WatchedProduct & { cpe: string }, vuln: VulnProduct, cpes: string[]): WatchMatch {
  const w = parseCpe(watch.cpe);
  let unreadable = 0;
  for (const c of cpes) {
    let t: Cpe;
    try {
      t = parseCpe(c);
    } catch {
      unreadable++;
      continue;
    }
    const m = matchCpe(w, t);
    if (m.match)
      return versionVerdict(watch.range ?? cpeVersionRange(w), vuln, `CPE ${c} matches ${watch.cpe}`);
  }
  const note = unreadable > 0 ? ` (${unreadable} unreadable CPE${unreadable > 1 ? 's' : ''} skipped)` : '';
  return { match: false, reason: `no CPE of the vulnerability matches ${watch.cpe}${note}` };
}

export function matchesWatch(watch: WatchedProduct, vuln: VulnProduct): WatchMatch {
  if (watch.cpe !== undefined && vuln.cpes !== undefined && vuln.cpes.length > 0)
    return byCpe({ ...watch, cpe: watch.cpe }, vuln, vuln.cpes);
  let what: string;
  if (watch.vendor && vuln.vendor) {
    if (!vendorsMatch(watch.vendor, vuln.vendor))
      return { match: false, reason: `vendor "${vuln.vendor}" is not the watched "${watch.vendor}"` };
    what = `vendor "${vuln.vendor}"`;
  } else what = vuln.vendor ? `vendor "${vuln.vendor}" (none watched)` : 'no vendor named';
  if (!productMatches(watch, vuln))
    return {
      match: false,
      reason: `product "${vuln.product}" does not contain the watched "${watch.product}"`,
    };
  const range = watch.range ?? (watch.cpe !== undefined ? cpeVersionRange(parseCpe(watch.cpe)) : undefined);
  return versionVerdict(range, vuln, `${what}, product "${vuln.product}" contains "${watch.product}"`);
}
