/**
 * Every figure of the weekly bulletin, computed from the week's records and aggregates. Pure: the store
 * gathers the inputs, the renderers turn the result into HTML / Markdown / PDF. The result is
 * language-neutral (record texts carry zh and en) so one frozen bulletin renders in both languages.
 */
import {
  INDUSTRIES,
  OBJECT_TYPES,
  SEVERITIES,
  type Industry,
  type ObjectType,
  type Severity,
  type Vulnerability,
} from '../vulns/model.js';
import { hasFix } from '../vulns/row.js';
import { vendorKey } from '../classify/vendors.js';
import type { IsoWeek } from '../vulns/calendar.js';
import {
  DEFAULT_IMPACT,
  DISPOSAL_CATEGORIES,
  IMPACTS,
  ORGANISATION_MARKERS,
  type BulletinRules,
  type DisposalCategory,
} from './rules.js';

export interface Text {
  zh?: string;
  en?: string;
}
export interface RecordRef {
  id: string;
  title: Text;
}

export interface TrendPoint {
  week: string;
  start: string;
  total: number;
  scored: number;
  averageScore: number | null;
  industries: Record<Industry, number>;
}

export interface ReporterCount {
  name: string;
  reported: number;
  original: number;
  /** Known to be an individual researcher (registered as one); otherwise decided by ORGANISATION_MARKERS. */
  individual?: boolean;
}

export interface NewsItem {
  title: string;
  summary?: string;
  url?: string;
}
export interface VerificationEntry {
  title: string;
  description: string;
  pocUrl?: string;
  referenceUrl?: string;
  provider?: string;
}
/** What an analyst enters for a week; everything else is computed. */
export interface Editorial {
  news: NewsItem[];
  verifications: VerificationEntry[];
  /** Vendor names whose alert must appear (first, in this order) / must not appear. */
  pinnedAlerts: string[];
  droppedAlerts: string[];
}
export const EMPTY_EDITORIAL: Editorial = {
  news: [],
  verifications: [],
  pinnedAlerts: [],
  droppedAlerts: [],
};

export interface DisposalFigures {
  counts: Record<DisposalCategory, number>;
  organisations: string[];
}

export interface BulletinInputs {
  week: IsoWeek;
  /** General-type (通用型) published records whose date (rules.dateBasis) falls in the week. */
  records: Vulnerability[];
  eventThisWeek: number;
  eventLastWeek: number;
  /** Oldest first, ending with this week; rules.trendWeeks long. */
  trend: TrendPoint[];
  reporters: ReporterCount[];
  disposal: DisposalFigures;
  editorial: Editorial;
  rules: BulletinRules;
}

export type Change =
  | { direction: 'up' | 'down'; ratio: number }
  | { direction: 'same' }
  | { direction: 'new' }
  | { direction: 'none' };

export interface Alert {
  vendor: string;
  /** One record: the alert is titled by it; several: "<vendor> product vulnerabilities". */
  single: RecordRef | null;
  pinned: boolean;
  products: string[];
  intro: Text[];
  weaknesses: Text[];
  impacts: Text[];
  /** Records grouped by product + weakness ("Microsoft Message Queuing 拒绝服务漏洞" → its ids). */
  groups: Array<{ stem: Text; ids: string[]; more: number }>;
  /** Groups beyond rules.alertMaxGroups, not listed. */
  moreGroups: number;
  ids: string[];
  /** The records whose links are printed under the alert (rules.alertLinks). */
  links: string[];
  high: RecordRef[];
  /** The groups holding high-severity records. */
  highGroups: Text[];
  allHigh: boolean;
  fix: 'all' | 'some' | 'none';
}

export interface BulletinData {
  id: string;
  year: number;
  week: number;
  start: string;
  end: string;
  dateBasis: BulletinRules['dateBasis'];
  overview: {
    level: Severity;
    total: number;
    bySeverity: Record<Severity, number>;
    unrated: number;
    averageScore: number | null;
    scored: number;
    unscored: number;
    zeroDay: number;
    zeroDayShare: number | null;
    zeroDayExamples: RecordRef[];
    exploited: number;
    event: { thisWeek: number; lastWeek: number; change: Change };
  };
  scoreTrend: TrendPoint[];
  disposal: DisposalFigures;
  reporters: {
    rows: Array<ReporterCount & { kind: 'organisation' | 'individuals' }>;
    total: { reported: number; original: number };
    topCollected: string[];
    originalContributors: string[];
  };
  objectTypes: Array<{ type: ObjectType | null; count: number }>;
  vendors: { rows: Array<{ vendor: string; count: number; share: number }>; distinct: number };
  industries: { counts: Record<Industry, number>; highExamples: RecordRef[] };
  alerts: Alert[];
  table4: Array<RecordRef & { severity: Severity | null; score: number | null; solution: string | null }>;
  verifications: VerificationEntry[];
  news: NewsItem[];
}

/** "Cross-site scripting (XSS)" → "cross-site scripting (XSS)"; "SQL injection" stays. */
export const lowerFirst = (s: string): string =>
  /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;

const ref = (v: Vulnerability): RecordRef => ({ id: v.id, title: { ...v.title } });

/** Week-over-week change as the seed states it: ratio = (this − last) / last. */
export function weekOverWeek(thisWeek: number, lastWeek: number): Change {
  if (thisWeek === 0 && lastWeek === 0) return { direction: 'none' };
  if (lastWeek === 0) return { direction: 'new' };
  if (thisWeek === lastWeek) return { direction: 'same' };
  const ratio = (thisWeek - lastWeek) / lastWeek;
  return { direction: ratio > 0 ? 'up' : 'down', ratio: Math.abs(ratio) };
}

/** The first level rule the week meets. */
export function overallLevel(
  rules: BulletinRules['levelRules'],
  figures: { highShare: number; exploited: number },
): Severity {
  for (const r of rules) {
    const shareOk = r.minHighShare === undefined || figures.highShare >= r.minHighShare;
    const exploitedOk = r.minExploited === undefined || figures.exploited >= r.minExploited;
    if (shareOk && exploitedOk) return r.level;
  }
  return 'low';
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Record title without its trailing "（CNVD-2024-05386）". */
export function titleStem(title: string): string {
  return title.replace(/\s*[（(]\s*(CNVD|CVE|CNNVD)-[\d-]+\s*[）)]\s*$/i, '').trim();
}

/** "X是…公司的一款…。": the product-introduction sentence CNVD descriptions open with. */
export function introSentence(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const first = /^\s*([^。\n]{2,200}?(?:是|为)[^。\n]{2,200}。)/.exec(description);
  return first?.[1]?.trim();
}

export function impactOf(v: Vulnerability): Text {
  for (const w of v.weaknesses) {
    const hit = IMPACTS.find((i) => w.cwe && i.cwes.includes(w.cwe));
    if (hit) return { zh: hit.zh, en: hit.en };
  }
  const clause = /攻击者可利用(?:该|此)?漏洞([^。；;]{2,60})/.exec(v.description.zh ?? '')?.[1];
  return clause ? { zh: clause.replace(/[，,]$/, ''), en: DEFAULT_IMPACT.en } : { ...DEFAULT_IMPACT };
}

export function isOrganisation(name: string): boolean {
  return ORGANISATION_MARKERS.some((m) => name.includes(m));
}

/** "北京天地和兴科技有限公司#3" → "北京天地和兴科技有限公司" (CNVD numbers a reporter's team members). */
export function reporterName(raw: string): string {
  return raw.replace(/\s*#\d+\s*$/, '').trim();
}

function countBy<T>(items: T[], key: (t: T) => string | null | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function byCountThenName<T extends { count: number }>(name: (t: T) => string) {
  return (a: T, b: T) => b.count - a.count || name(a).localeCompare(name(b));
}

export function reporterTable(raw: ReporterCount[], rules: BulletinRules): BulletinData['reporters'] {
  const orgs = new Map<string, ReporterCount>();
  const individuals: ReporterCount = { name: '', reported: 0, original: 0 };
  for (const r of raw) {
    const name = reporterName(r.name);
    if (!name) continue;
    if (r.individual || !isOrganisation(name)) {
      individuals.reported += r.reported;
      individuals.original += r.original;
      continue;
    }
    const o = orgs.get(name) ?? { name, reported: 0, original: 0 };
    o.reported += r.reported;
    o.original += r.original;
    orgs.set(name, o);
  }
  const rows: BulletinData['reporters']['rows'] = [...orgs.values()]
    .sort((a, b) => b.reported - a.reported || b.original - a.original || a.name.localeCompare(b.name))
    .map((r) => ({ ...r, kind: 'organisation' as const }));
  if (individuals.reported > 0) rows.push({ ...individuals, kind: 'individuals' });
  const total = rows.reduce(
    (t, r) => ({ reported: t.reported + r.reported, original: t.original + r.original }),
    { reported: 0, original: 0 },
  );
  const collected = rows
    .filter((r) => r.kind === 'organisation' && r.reported - r.original > 0)
    .sort((a, b) => b.reported - b.original - (a.reported - a.original) || a.name.localeCompare(b.name));
  return {
    rows,
    total,
    topCollected: collected.slice(0, rules.namedReporters).map((r) => r.name),
    originalContributors: rows
      .filter((r) => r.kind === 'organisation' && r.original > 0)
      .sort((a, b) => b.original - a.original || a.name.localeCompare(b.name))
      .map((r) => r.name),
  };
}

/**
 * Records by their first vendor, grouped by vendor key ("SIEMENS" and "Siemens AG" are one vendor), shown by
 * the spelling most of its records use.
 */
export function groupByVendor(records: Vulnerability[]): Map<string, Vulnerability[]> {
  const byKey = new Map<string, { list: Vulnerability[]; spellings: Map<string, number> }>();
  for (const v of records) {
    const vendor = v.vendors[0];
    const key = vendor ? vendorKey(vendor) : '';
    if (!vendor || !key) continue;
    const g = byKey.get(key) ?? { list: [], spellings: new Map<string, number>() };
    g.list.push(v);
    g.spellings.set(vendor, (g.spellings.get(vendor) ?? 0) + 1);
    byKey.set(key, g);
  }
  const out = new Map<string, Vulnerability[]>();
  for (const g of byKey.values()) {
    const display = [...g.spellings.entries()].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    )[0]?.[0];
    if (display) out.set(display, g.list);
  }
  return out;
}

function selectAlerts(
  byVendor: Map<string, Vulnerability[]>,
  editorial: Editorial,
  rules: BulletinRules,
): Alert[] {
  const dropped = new Set(editorial.droppedAlerts.map((s) => s.toLowerCase()));
  const pinned = editorial.pinnedAlerts.map((s) => s.toLowerCase());
  const ranked = [...byVendor.entries()]
    .map(([vendor, list]) => ({ vendor, list, high: list.filter((v) => v.severity === 'high').length }))
    .filter((g) => !dropped.has(g.vendor.toLowerCase()))
    .sort((a, b) => b.high - a.high || b.list.length - a.list.length || a.vendor.localeCompare(b.vendor));
  const chosen = [
    ...pinned.flatMap((p) => ranked.filter((g) => g.vendor.toLowerCase() === p)),
    ...ranked.filter((g) => !pinned.includes(g.vendor.toLowerCase()) && g.high >= rules.alertMinHigh),
  ].slice(0, Math.max(rules.alerts, pinned.length));
  return chosen.map(({ vendor, list }) =>
    buildAlert(vendor, list, pinned.includes(vendor.toLowerCase()), rules),
  );
}

function uniqueTexts(texts: Text[]): Text[] {
  const seen = new Set<string>();
  return texts.filter((t) => {
    const k = `${t.zh ?? ''}|${t.en ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function buildAlert(vendor: string, list: Vulnerability[], pinned: boolean, rules: BulletinRules): Alert {
  const sorted = [...list].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity ?? 'low') - SEVERITIES.indexOf(b.severity ?? 'low') ||
      (b.score ?? -1) - (a.score ?? -1) ||
      a.id.localeCompare(b.id),
  );
  const products = [...new Set(sorted.map((v) => v.products[0]?.product).filter((p): p is string => !!p))];
  const intro: Text[] = [];
  for (const product of products.slice(0, 3)) {
    const v = sorted.find((x) => x.products[0]?.product === product);
    const zh = introSentence(v?.description.zh);
    const en = v?.description.en ? /^[^.]+\./.exec(v.description.en)?.[0] : undefined;
    if ((zh || en) && !intro.some((t) => (zh && t.zh === zh) || (en && t.en === en)))
      intro.push({ ...(zh ? { zh } : {}), ...(en ? { en } : {}) });
  }
  // records grouped as CNVD writes them: one product + one weakness → "<product> <weakness>漏洞（ids）"
  const groups = new Map<string, { stem: Text; ids: string[] }>();
  for (const v of sorted) {
    const p0 = v.products[0]?.product;
    const product = p0 && !p0.toLowerCase().startsWith(vendor.toLowerCase()) ? `${vendor} ${p0}` : p0;
    const w = v.weaknesses[0];
    const stemZh =
      product && w?.nameZh ? `${product}${w.nameZh}漏洞` : v.title.zh ? titleStem(v.title.zh) : undefined;
    const stemEn =
      product && w?.nameEn
        ? `${product} ${lowerFirst(w.nameEn)}`
        : v.title.en
          ? titleStem(v.title.en)
          : undefined;
    const key = stemZh ?? stemEn ?? v.id;
    const g = groups.get(key) ?? {
      stem: { ...(stemZh ? { zh: stemZh } : {}), ...(stemEn ? { en: stemEn } : {}) },
      ids: [],
    };
    g.ids.push(v.id);
    groups.set(key, g);
  }
  const allGroups = [...groups.values()];
  const shownGroups = allGroups.slice(0, rules.alertMaxGroups);
  const fixed = list.filter((v) => hasFix(v)).length;
  const high = sorted.filter((v) => v.severity === 'high');
  return {
    vendor,
    single: list.length === 1 && list[0] ? ref(list[0]) : null,
    pinned,
    products,
    intro,
    weaknesses: uniqueTexts(
      sorted.flatMap((v) =>
        v.weaknesses.slice(0, 1).map((w) => ({
          ...(w.nameZh ? { zh: w.nameZh } : {}),
          ...(w.nameEn ? { en: w.nameEn } : {}),
        })),
      ),
    ).slice(0, 4),
    impacts: uniqueTexts(sorted.map(impactOf)).slice(0, 3),
    groups: shownGroups.map((g) => ({
      stem: g.stem,
      ids: g.ids.slice(0, rules.alertMaxIds),
      more: Math.max(0, g.ids.length - rules.alertMaxIds),
    })),
    moreGroups: allGroups.length - shownGroups.length,
    ids: sorted.map((v) => v.id),
    links: sorted.slice(0, rules.alertLinks).map((v) => v.id),
    high: high.map(ref),
    highGroups: allGroups.filter((g) => g.ids.some((id) => high.some((h) => h.id === id))).map((g) => g.stem),
    allHigh: high.length === list.length,
    fix: fixed === list.length ? 'all' : fixed === 0 ? 'none' : 'some',
  };
}

export function computeBulletin(input: BulletinInputs): BulletinData {
  const { records, rules, week } = input;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const v of records) if (v.severity) bySeverity[v.severity] += 1;
  const rated = bySeverity.high + bySeverity.medium + bySeverity.low;
  const scored = records.filter((v) => v.score !== null);
  const averageScore = scored.length
    ? round2(scored.reduce((s, v) => s + (v.score ?? 0), 0) / scored.length)
    : null;
  const zeroDays = records.filter((v) => v.zeroDay === true);
  const exploited = records.filter((v) => v.exploited !== null).length;
  const byDateThenId = (a: Vulnerability, b: Vulnerability) =>
    (b.score ?? -1) - (a.score ?? -1) || a.id.localeCompare(b.id);

  const objectCounts = countBy(records, (v) => v.objectType);
  const objectTypes: BulletinData['objectTypes'] = OBJECT_TYPES.map((t) => ({
    type: t,
    count: objectCounts.get(t) ?? 0,
  }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || OBJECT_TYPES.indexOf(a.type) - OBJECT_TYPES.indexOf(b.type));
  const unclassified = records.filter((v) => !v.objectType).length;
  if (unclassified > 0) objectTypes.push({ type: null, count: unclassified });

  const byVendor = groupByVendor(records);
  const vendorRows = [...byVendor.entries()]
    .map(([vendor, list]) => ({
      vendor,
      count: list.length,
      share: records.length ? list.length / records.length : 0,
    }))
    .sort(byCountThenName((r) => r.vendor));

  const industryCounts = Object.fromEntries(
    INDUSTRIES.map((i) => [i, records.filter((v) => v.industries.includes(i)).length]),
  ) as Record<Industry, number>;
  const industryHigh = records
    .filter((v) => v.industries.length > 0 && v.severity === 'high')
    .sort(byDateThenId)
    .slice(0, rules.industryExamples)
    .map(ref);

  const alerts = selectAlerts(byVendor, input.editorial, rules);
  const inAlerts = new Set(alerts.flatMap((a) => a.ids));
  const table4 = records
    .filter((v) => v.severity === 'high' && !inAlerts.has(v.id))
    .sort(byDateThenId)
    .slice(0, rules.table4Rows)
    .map((v) => ({ ...ref(v), severity: v.severity, score: v.score, solution: v.solution }));

  return {
    id: week.id,
    year: week.year,
    week: week.week,
    start: week.start,
    end: week.end,
    dateBasis: rules.dateBasis,
    overview: {
      level: overallLevel(rules.levelRules, {
        highShare: rated ? bySeverity.high / rated : 0,
        exploited,
      }),
      total: records.length,
      bySeverity,
      unrated: records.length - rated,
      averageScore,
      scored: scored.length,
      unscored: records.length - scored.length,
      zeroDay: zeroDays.length,
      zeroDayShare: records.length ? zeroDays.length / records.length : null,
      zeroDayExamples: [...zeroDays].sort(byDateThenId).slice(0, rules.zeroDayExamples).map(ref),
      exploited,
      event: {
        thisWeek: input.eventThisWeek,
        lastWeek: input.eventLastWeek,
        change: weekOverWeek(input.eventThisWeek, input.eventLastWeek),
      },
    },
    scoreTrend: input.trend,
    disposal: {
      counts: Object.fromEntries(
        DISPOSAL_CATEGORIES.map((c) => [c, input.disposal.counts[c] ?? 0]),
      ) as Record<DisposalCategory, number>,
      organisations: [...input.disposal.organisations],
    },
    reporters: reporterTable(input.reporters, rules),
    objectTypes,
    vendors: { rows: vendorRows.slice(0, rules.topVendors), distinct: vendorRows.length },
    industries: { counts: industryCounts, highExamples: industryHigh },
    alerts,
    table4,
    verifications: input.editorial.verifications,
    news: input.editorial.news,
  };
}
