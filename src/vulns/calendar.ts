/**
 * ISO weeks (Monday–Sunday) as bulletins count them: "2023-W49" → 2023-12-04 … 2023-12-10. Dates here are
 * calendar dates (YYYY-MM-DD) in the platform's time zone (Asia/Shanghai); a timestamp becomes a calendar
 * date through `calendarDay`. No I/O.
 */
import { AppError } from '../errors.js';

export const PLATFORM_TIME_ZONE = 'Asia/Shanghai';

export interface IsoWeek {
  /** "2023-W49" */
  id: string;
  year: number;
  week: number;
  /** Monday, YYYY-MM-DD */
  start: string;
  /** Sunday, YYYY-MM-DD */
  end: string;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Monday of ISO week 1 of `year` (the week holding 4 January), as a UTC epoch. */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const dow = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - dow * DAY;
}

export function weeksInYear(year: number): 52 | 53 {
  return (week1Monday(year + 1) - week1Monday(year)) / (7 * DAY) === 53 ? 53 : 52;
}

function make(year: number, week: number): IsoWeek {
  const monday = week1Monday(year) + (week - 1) * 7 * DAY;
  return {
    id: `${year}-W${String(week).padStart(2, '0')}`,
    year,
    week,
    start: iso(monday),
    end: iso(monday + 6 * DAY),
  };
}

/** Parse "2023-W49" (also "2023W49", lower-case w). A week that does not exist is an invalid_parameter. */
export function parseWeekId(input: string, param = 'week'): IsoWeek {
  const m = /^(\d{4})-?[Ww](\d{1,2})$/.exec(input.trim());
  if (!m)
    throw new AppError('invalid_parameter', `${param} must look like 2023-W49 (got "${input}")`, {
      parameter: param,
      value: input,
    });
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < 1990 || year > 2200 || week < 1 || week > weeksInYear(year))
    throw new AppError(
      'invalid_parameter',
      `${param}: ${year} has no week ${week} (ISO weeks run 1–${weeksInYear(year)})`,
      { parameter: param, value: input },
    );
  return make(year, week);
}

/** The ISO week holding a calendar date (YYYY-MM-DD). */
export function weekOf(date: string): IsoWeek {
  const ms = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  const thursday = ms + (3 - ((new Date(ms).getUTCDay() + 6) % 7)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  return make(year, Math.floor((thursday - week1Monday(year)) / (7 * DAY)) + 1);
}

/** The week n weeks after (negative: before) w. */
export function shiftWeek(w: IsoWeek, n: number): IsoWeek {
  return weekOf(iso(Date.parse(`${w.start}T00:00:00Z`) + n * 7 * DAY));
}

/**
 * The week as a range of moments (for timestamps such as a report's arrival), Monday 00:00 to Sunday 24:00 in
 * Asia/Shanghai, which has a fixed +08:00 offset.
 */
export const weekMoments = (w: IsoWeek): { from: string; to: string } => ({
  from: `${w.start}T00:00:00+08:00`,
  to: `${w.end}T23:59:59.999+08:00`,
});

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of a date or timestamp in a time zone ("2024-01-22T18:15:00Z" → "2024-01-23" in Shanghai). */
export function calendarDay(value: string, timeZone = PLATFORM_TIME_ZONE): string {
  if (value.length === 10) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value.slice(0, 10);
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}
