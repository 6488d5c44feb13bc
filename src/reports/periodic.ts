/**
 * Every figure of the monthly and annual reports (月报 / 年报, in the manner of CNCERT's 中国互联网网络安全报告),
 * computed from the period's aggregates. Pure, like the bulletin's figures.ts (whose level rule, change ratio
 * and reporter table it reuses); the result is language-neutral and is what publishing freezes.
 */
import { vendorKey } from '../classify/vendors.js';
import { INDUSTRIES, OBJECT_TYPES, type Industry, type ObjectType, type Severity } from '../vulns/model.js';
import type { IncidentFigures } from '../incidents/service.js';
import {
  overallLevel,
  reporterTable,
  weekOverWeek,
  type BulletinData,
  type Change,
  type RecordRef,
  type ReporterCount,
  type Text,
} from './figures.js';
import type { Period } from './period.js';
import { DISPOSAL_PERFORMANCE_CATEGORIES, type PeriodicRules } from './periodic-rules.js';
import type { Count, DisposalRow, ExampleRow, MonthRow, PeriodTotals } from './periodic-store.js';
import { DEFAULT_RULES } from './rules.js';

/** The alliance registry's figures for a period (src/alliance/, not wired yet: the section reads "no data"). */
export interface AllianceFigures {
  members: number;
  joined: number;
  byStatus: Record<string, number>;
}
/** Drills held in the period (not built yet: the section reads "no data"). */
export interface DrillFigures {
  held: number;
  exercises: Array<{ title: string; date: string; participants: number }>;
}

export interface PeriodicInputs {
  period: Period;
  rules: PeriodicRules;
  totals: PeriodTotals;
  /** The period before (last month, last year), for the change. */
  previous: PeriodTotals;
  /** The months of the trend, oldest first, and their rows (months without records may be absent). */
  trendMonths: string[];
  months: MonthRow[];
  objectTypes: Count[];
  industries: Count[];
  weaknesses: Array<{ cwe: string | null; nameZh: string | null; nameEn: string | null; count: number }>;
  vendors: Count[];
  zeroDayExamples: ExampleRow[];
  exploitedExamples: ExampleRow[];
  events: { count: number; previous: number };
  reporters: ReporterCount[];
  disposal: DisposalRow[];
  incidents: IncidentFigures | null;
  alliance: AllianceFigures | null;
  drills: DrillFigures | null;
}

export interface DisposalPerformance {
  category: string | null;
  notified: number;
  acknowledged: number;
  fixed: number;
  fixedWithinSla: number;
  disputed: number;
  medianDaysToFix: number | null;
  /** fixed within SLA / notified; null when nothing was notified */
  slaRate: number | null;
}

export type Example = RecordRef & { score: number | null; severity: Severity | null };

export interface PeriodicData {
  kind: Period['kind'];
  id: string;
  year: number;
  month: number | null;
  start: string;
  end: string;
  dateBasis: PeriodicRules['dateBasis'];
  overview: {
    level: Severity;
    total: number;
    previousTotal: number;
    change: Change;
    bySeverity: Record<Severity, number>;
    unrated: number;
    averageScore: number | null;
    scored: number;
    zeroDay: number;
    zeroDayShare: number | null;
    exploited: number;
    poc: number;
    patched: number;
    event: { count: number; previous: number; change: Change };
  };
  /** Oldest first: a year's twelve months, or the months ending with this one. */
  monthly: MonthRow[];
  objectTypes: BulletinData['objectTypes'];
  industries: Record<Industry, number>;
  weaknesses: {
    rows: Array<{ cwe: string | null; name: Text; count: number; share: number }>;
    distinct: number;
  };
  vendors: BulletinData['vendors'];
  zeroDayExamples: Example[];
  exploitedExamples: Example[];
  disposal: { rows: DisposalPerformance[]; total: DisposalPerformance };
  reporters: {
    rows: BulletinData['reporters']['rows'];
    distinct: number;
    total: { reported: number; original: number };
    originalContributors: string[];
  };
  incidents: Omit<IncidentFigures, 'period' | 'id' | 'from' | 'to'> | null;
  alliance: AllianceFigures | null;
  drills: DrillFigures | null;
}

const severityOf = (s: string | null): Severity | null =>
  s === 'high' || s === 'medium' || s === 'low' ? s : null;

const example = (r: ExampleRow): Example => ({
  id: r.id,
  title: { ...(r.titleZh ? { zh: r.titleZh } : {}), ...(r.titleEn ? { en: r.titleEn } : {}) },
  score: r.score,
  severity: severityOf(r.severity),
});

/** Vendor spellings merged by vendor key ("SIEMENS" and "Siemens AG" are one), shown as most records spell it. */
export function mergeVendors(rows: Count[]): Array<{ vendor: string; count: number }> {
  const byKey = new Map<string, { count: number; spellings: Map<string, number> }>();
  for (const r of rows) {
    const key = r.key ? vendorKey(r.key) : '';
    if (!r.key || !key) continue;
    const g = byKey.get(key) ?? { count: 0, spellings: new Map<string, number>() };
    g.count += r.count;
    g.spellings.set(r.key, (g.spellings.get(r.key) ?? 0) + r.count);
    byKey.set(key, g);
  }
  return [...byKey.values()]
    .map((g) => ({
      vendor: [...g.spellings].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '',
      count: g.count,
    }))
    .sort((a, b) => b.count - a.count || a.vendor.localeCompare(b.vendor));
}

const emptyDisposal = (category: string | null): DisposalPerformance => ({
  category,
  notified: 0,
  acknowledged: 0,
  fixed: 0,
  fixedWithinSla: 0,
  disputed: 0,
  medianDaysToFix: null,
  slaRate: null,
});
const withRate = (r: DisposalRow): DisposalPerformance => ({
  ...r,
  slaRate: r.notified ? r.fixedWithinSla / r.notified : null,
});

export function computePeriodic(input: PeriodicInputs): PeriodicData {
  const { period, rules, totals } = input;
  const rated = totals.bySeverity.high + totals.bySeverity.medium + totals.bySeverity.low;

  const monthRows = new Map(input.months.map((m) => [m.month, m]));
  const monthly = input.trendMonths.map(
    (month) =>
      monthRows.get(month) ?? { month, total: 0, high: 0, medium: 0, low: 0, zeroDay: 0, exploited: 0 },
  );

  const objectCount = new Map(input.objectTypes.map((r) => [r.key, r.count]));
  const objectTypes: BulletinData['objectTypes'] = OBJECT_TYPES.map((t: ObjectType) => ({
    type: t,
    count: objectCount.get(t) ?? 0,
  }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || OBJECT_TYPES.indexOf(a.type) - OBJECT_TYPES.indexOf(b.type));
  const unclassified = objectCount.get(null) ?? 0;
  if (unclassified > 0) objectTypes.push({ type: null, count: unclassified });

  const industryCount = new Map(input.industries.map((r) => [r.key, r.count]));
  const industries = Object.fromEntries(INDUSTRIES.map((i) => [i, industryCount.get(i) ?? 0])) as Record<
    Industry,
    number
  >;

  const share = (n: number) => (totals.total ? n / totals.total : 0);
  const weaknessRows = [...input.weaknesses]
    .sort((a, b) => b.count - a.count || (a.cwe ?? a.nameZh ?? '').localeCompare(b.cwe ?? b.nameZh ?? ''))
    .map((w) => ({
      cwe: w.cwe,
      name: { ...(w.nameZh ? { zh: w.nameZh } : {}), ...(w.nameEn ? { en: w.nameEn } : {}) },
      count: w.count,
      share: share(w.count),
    }));
  const vendorRows = mergeVendors(input.vendors).map((v) => ({ ...v, share: share(v.count) }));

  const byCategory = new Map(input.disposal.filter((r) => r.category !== null).map((r) => [r.category, r]));
  const known = new Set<string>(DISPOSAL_PERFORMANCE_CATEGORIES);
  const disposalRows = [
    ...DISPOSAL_PERFORMANCE_CATEGORIES.map((c) => {
      const r = byCategory.get(c);
      return r ? withRate(r) : emptyDisposal(c);
    }),
    // categories the rules do not list yet (an older or newer row) are shown, not dropped
    ...input.disposal.filter((r) => r.category !== null && !known.has(r.category)).map(withRate),
  ];
  const all = input.disposal.find((r) => r.category === null);

  const reporters = reporterTable(input.reporters, { ...DEFAULT_RULES, namedReporters: rules.topReporters });

  const inc = input.incidents;
  const incidents: PeriodicData['incidents'] = inc
    ? {
        total: inc.total,
        opened: inc.opened,
        closed: inc.closed,
        bySector: inc.bySector,
        byVector: inc.byVector,
        byStatus: inc.byStatus,
        byTlp: inc.byTlp,
        ...(inc.byMonth ? { byMonth: inc.byMonth } : {}),
      }
    : null;

  return {
    kind: period.kind,
    id: period.id,
    year: period.year,
    month: period.month ?? null,
    start: period.start,
    end: period.end,
    dateBasis: rules.dateBasis,
    overview: {
      level: overallLevel(rules.levelRules, {
        highShare: rated ? totals.bySeverity.high / rated : 0,
        exploited: totals.exploited,
      }),
      total: totals.total,
      previousTotal: input.previous.total,
      change: weekOverWeek(totals.total, input.previous.total),
      bySeverity: { ...totals.bySeverity },
      unrated: totals.total - rated,
      averageScore: totals.averageScore,
      scored: totals.scored,
      zeroDay: totals.zeroDay,
      zeroDayShare: totals.total ? totals.zeroDay / totals.total : null,
      exploited: totals.exploited,
      poc: totals.poc,
      patched: totals.patched,
      event: {
        count: input.events.count,
        previous: input.events.previous,
        change: weekOverWeek(input.events.count, input.events.previous),
      },
    },
    monthly,
    objectTypes,
    industries,
    weaknesses: { rows: weaknessRows.slice(0, rules.topWeaknesses), distinct: weaknessRows.length },
    vendors: { rows: vendorRows.slice(0, rules.topVendors), distinct: vendorRows.length },
    zeroDayExamples: input.zeroDayExamples.slice(0, rules.examples).map(example),
    exploitedExamples: input.exploitedExamples.slice(0, rules.examples).map(example),
    disposal: { rows: disposalRows, total: all ? withRate(all) : emptyDisposal(null) },
    reporters: {
      rows: reporters.rows.slice(0, rules.topReporters),
      distinct: reporters.rows.length,
      total: reporters.total,
      originalContributors: reporters.originalContributors.slice(0, rules.topReporters),
    },
    incidents,
    alliance: input.alliance,
    drills: input.drills,
  };
}
