/**
 * The periods reports cover: an ISO week (the bulletin, vulns/calendar.ts), a calendar month ("2023-12") or a
 * calendar year ("2023"), as calendar dates in the platform's time zone. No I/O.
 */
import { AppError } from '../errors.js';

/** What every report period has: its first and last calendar day (YYYY-MM-DD, inclusive). */
export interface DateRange {
  start: string;
  end: string;
}

export const PERIOD_KINDS = ['month', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period extends DateRange {
  kind: PeriodKind;
  /** "2023-12" or "2023" */
  id: string;
  year: number;
  /** 1–12 for a month */
  month?: number;
}

/**
 * The range as moments (for timestamps such as a report's arrival), from 00:00 of the first day to 24:00 of the
 * last in Asia/Shanghai, which keeps +08:00 all year.
 */
export const rangeMoments = (r: DateRange): { from: string; to: string } => ({
  from: `${r.start}T00:00:00+08:00`,
  to: `${r.end}T23:59:59.999+08:00`,
});

const pad = (n: number) => String(n).padStart(2, '0');
const validYear = (y: number) => Number.isInteger(y) && y >= 1990 && y <= 2200;

function month(year: number, m: number): Period {
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const id = `${year}-${pad(m)}`;
  return { kind: 'month', id, year, month: m, start: `${id}-01`, end: `${id}-${pad(last)}` };
}
function year(y: number): Period {
  return { kind: 'year', id: String(y), year: y, start: `${y}-01-01`, end: `${y}-12-31` };
}

/** "2023-12" → December 2023. Anything else is an invalid_parameter. */
export function parseMonthId(input: string, param = 'month'): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(input.trim());
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  if (!m || !validYear(y) || mo < 1 || mo > 12)
    throw new AppError('invalid_parameter', `${param} must be a month such as 2023-12 (got "${input}")`, {
      parameter: param,
      value: input,
    });
  return month(y, mo);
}

/** "2023" → the year 2023. */
export function parseYearId(input: string, param = 'year'): Period {
  const t = input.trim();
  if (!/^\d{4}$/.test(t) || !validYear(Number(t)))
    throw new AppError('invalid_parameter', `${param} must be a year such as 2023 (got "${input}")`, {
      parameter: param,
      value: input,
    });
  return year(Number(t));
}

export function parsePeriod(kind: PeriodKind, id: string): Period {
  return kind === 'month' ? parseMonthId(id) : parseYearId(id);
}

/** The period n periods after (negative: before) p, of the same kind. */
export function shiftPeriod(p: Period, n: number): Period {
  if (p.kind === 'year') return year(p.year + n);
  const idx = p.year * 12 + (p.month ?? 1) - 1 + n;
  return month(Math.floor(idx / 12), (idx % 12) + 1);
}

/** The months ("YYYY-MM") of a trend: a year's twelve, or the `count` months ending with a month. */
export function trendMonths(p: Period, count: number): string[] {
  if (p.kind === 'year') return Array.from({ length: 12 }, (_, i) => `${p.year}-${pad(i + 1)}`);
  return Array.from({ length: count }, (_, i) => shiftPeriod(p, i - (count - 1)).id);
}
