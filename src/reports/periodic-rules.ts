/**
 * The monthly and annual reports' tunable rules, as data: how many rows each ranking shows, how long the
 * monthly trend is, which level rules apply. The date basis and the level table are the bulletin's own
 * (rules.ts), so a week, a month and a year are counted alike.
 */
import { DEFAULT_RULES, type DateBasis, type LevelRule } from './rules.js';
import type { PeriodKind } from './period.js';

export interface PeriodicRules {
  dateBasis: DateBasis;
  levelRules: LevelRule[];
  /** Months in the monthly report's trend (the month itself included); an annual report shows its twelve. */
  trendMonths: number;
  /** Vendors, weaknesses and reporting units ranked. */
  topVendors: number;
  topWeaknesses: number;
  topReporters: number;
  /** Zero-day and exploited records named, highest score first. */
  examples: number;
}

/** Per kind of period: an annual report ranks more than a monthly one. */
export const PERIODIC_RULES: Record<PeriodKind, PeriodicRules> = {
  month: {
    dateBasis: DEFAULT_RULES.dateBasis,
    levelRules: DEFAULT_RULES.levelRules,
    trendMonths: 12,
    topVendors: 10,
    topWeaknesses: 10,
    topReporters: 10,
    examples: 5,
  },
  year: {
    dateBasis: DEFAULT_RULES.dateBasis,
    levelRules: DEFAULT_RULES.levelRules,
    trendMonths: 12,
    topVendors: 20,
    topWeaknesses: 15,
    topReporters: 20,
    examples: 10,
  },
};

/** Notification categories of the disposal-performance table, in this order (coordination's categories). */
export { RECIPIENT_CATEGORIES as DISPOSAL_PERFORMANCE_CATEGORIES } from '../coordination/rules.js';
