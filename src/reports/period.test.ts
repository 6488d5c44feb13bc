/** Report periods (months, years) and the periodic report's rule table, read like the tables they are. */
import { describe, expect, it } from 'vitest';
import { parseMonthId, parseYearId, rangeMoments, shiftPeriod, trendMonths } from './period.js';
import { PERIODIC_RULES } from './periodic-rules.js';
import { DEFAULT_RULES } from './rules.js';
import { mergeVendors } from './periodic.js';

describe('periods', () => {
  it('turns a month or a year into its first and last calendar day', () => {
    expect(parseMonthId('2023-12')).toEqual({
      kind: 'month',
      id: '2023-12',
      year: 2023,
      month: 12,
      start: '2023-12-01',
      end: '2023-12-31',
    });
    expect(parseMonthId('2024-02').end).toBe('2024-02-29');
    expect(parseMonthId('2023-02').end).toBe('2023-02-28');
    expect(parseYearId('2023')).toMatchObject({ kind: 'year', start: '2023-01-01', end: '2023-12-31' });
  });

  it('refuses what is not a month or a year', () => {
    for (const bad of ['2023-13', '2023-00', '2023-1', '2023', 'Dec 2023', '1989-12'])
      expect(() => parseMonthId(bad)).toThrow(expect.objectContaining({ code: 'invalid_parameter' }));
    for (const bad of ['23', '2023-12', '1989', '2201'])
      expect(() => parseYearId(bad)).toThrow(expect.objectContaining({ code: 'invalid_parameter' }));
  });

  it('steps across year ends and lists the trend months', () => {
    expect(shiftPeriod(parseMonthId('2024-01'), -1).id).toBe('2023-12');
    expect(shiftPeriod(parseMonthId('2023-12'), 1).id).toBe('2024-01');
    expect(shiftPeriod(parseYearId('2023'), -1).id).toBe('2022');
    expect(trendMonths(parseMonthId('2024-02'), 4)).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(trendMonths(parseYearId('2023'), 4)).toHaveLength(12);
  });

  it('counts moments in Asia/Shanghai (+08:00), the whole last day included', () => {
    expect(rangeMoments(parseMonthId('2023-12'))).toEqual({
      from: '2023-12-01T00:00:00+08:00',
      to: '2023-12-31T23:59:59.999+08:00',
    });
  });
});

describe('the periodic rule table', () => {
  it('reads like the table: an annual report ranks more, both count as the bulletin does', () => {
    expect(PERIODIC_RULES).toEqual({
      month: {
        dateBasis: 'collected',
        levelRules: DEFAULT_RULES.levelRules,
        trendMonths: 12,
        topVendors: 10,
        topWeaknesses: 10,
        topReporters: 10,
        examples: 5,
      },
      year: {
        dateBasis: 'collected',
        levelRules: DEFAULT_RULES.levelRules,
        trendMonths: 12,
        topVendors: 20,
        topWeaknesses: 15,
        topReporters: 20,
        examples: 10,
      },
    });
  });

  it('merges the spellings of one vendor, named as most records spell it', () => {
    expect(
      mergeVendors([
        { key: 'Siemens', count: 5 },
        { key: 'SIEMENS', count: 2 },
        { key: 'D-Link', count: 4 },
        { key: null, count: 9 },
      ]),
    ).toEqual([
      { vendor: 'Siemens', count: 7 },
      { vendor: 'D-Link', count: 4 },
    ]);
  });
});
