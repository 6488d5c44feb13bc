import { describe, expect, it } from 'vitest';
import { calendarDay, parseWeekId, shiftWeek, weekOf, weeksInYear } from './calendar.js';

describe('ISO weeks', () => {
  it('runs Monday to Sunday: the seed bulletin 2024 no. 4 is 2024-01-22 … 2024-01-28', () => {
    expect(parseWeekId('2024-W04')).toEqual({
      id: '2024-W04',
      year: 2024,
      week: 4,
      start: '2024-01-22',
      end: '2024-01-28',
    });
    expect(parseWeekId('2023w49')).toMatchObject({ id: '2023-W49', start: '2023-12-04', end: '2023-12-10' });
  });
  it('puts the first days of January in the last week of the year before when that week holds the Thursday', () => {
    expect(weekOf('2021-01-01').id).toBe('2020-W53');
    expect(weekOf('2022-01-02').id).toBe('2021-W52');
    expect(weekOf('2024-12-30').id).toBe('2025-W01');
    expect(weeksInYear(2020)).toBe(53);
    expect(weeksInYear(2023)).toBe(52);
  });
  it('refuses weeks that do not exist, naming the parameter', () => {
    expect(() => parseWeekId('2023-W53')).toThrow(/2023 has no week 53/);
    expect(() => parseWeekId('2023-W00')).toThrow(/week/);
    expect(() => parseWeekId('next week', 'id')).toThrow(/^id must look like 2023-W49/);
  });
  it('shifts across year ends', () => {
    expect(shiftWeek(parseWeekId('2021-W01'), -1).id).toBe('2020-W53');
    expect(shiftWeek(parseWeekId('2020-W53'), 1).id).toBe('2021-W01');
  });
  it('reads a timestamp as a calendar day in Asia/Shanghai', () => {
    expect(calendarDay('2024-01-22T18:15:00.000Z')).toBe('2024-01-23');
    expect(calendarDay('2024-01-22T15:59:59Z')).toBe('2024-01-22');
    expect(calendarDay('2024-01-22')).toBe('2024-01-22');
    expect(calendarDay('2024-01-22T18:15:00Z', 'UTC')).toBe('2024-01-22');
  });
  it('gives the date Intl gives, in zones with daylight saving and odd offsets, on the days they switch', () => {
    const zones = [
      'Asia/Shanghai',
      'America/New_York',
      'Europe/London',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
    ];
    const instants: number[] = [];
    // every 37 minutes through 2024 (all of its switches), and around each zone's switches by the minute
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 37 * 60_000) instants.push(ms);
    for (const at of [Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 10, 3, 6), Date.UTC(2024, 3, 6, 15)])
      for (let k = -90; k <= 90; k++) instants.push(at + k * 60_000);
    instants.push(Date.UTC(1000, 0, 1, 20), Date.UTC(999, 11, 31, 23), Date.UTC(9999, 11, 31, 20));
    for (const timeZone of zones) {
      const intl = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      const wrong = instants
        .map((ms) => new Date(ms).toISOString())
        .filter((iso) => calendarDay(iso, timeZone) !== intl.format(Date.parse(iso)));
      expect(wrong, timeZone).toEqual([]);
    }
  });
});
