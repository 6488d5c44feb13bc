import { describe, expect, it } from 'vitest';
import {
  CUT_MARGIN,
  cutAtFraction,
  RARE_FACTOR,
  readsAllMatches,
  widerCut,
  windowCut,
  type ColumnStats,
} from './window.js';

// ten equal buckets of days 2020-01-01 … 2020-01-11, no common values
const even: ColumnStats = {
  bounds: Array.from({ length: 11 }, (_, i) => `2020-01-${String(i + 1).padStart(2, '0')}`),
  mostCommon: [],
  mostCommonFreqs: [],
  nullFrac: 0,
};

describe('where the relevance window of a common word starts', () => {
  it('cuts at the bound that leaves at least the wanted share of the store after it', () => {
    expect(cutAtFraction(even, 0.1)).toEqual({ value: '2020-01-10', fraction: 0.1 });
    expect(cutAtFraction(even, 0.25)).toEqual({ value: '2020-01-08', fraction: 0.3 });
    expect(cutAtFraction(even, 1)).toEqual({ value: '2020-01-01', fraction: 1 });
  });

  it('counts the most common values where they fall, and the histogram only for the rest of the rows', () => {
    // 40 % of the store on one late day; the histogram holds the other 60 %
    const s: ColumnStats = { ...even, mostCommon: ['2020-01-10'], mostCommonFreqs: [0.4] };
    expect(cutAtFraction(s, 0.3)).toEqual({ value: '2020-01-10', fraction: 0.4 + 0.6 * 0.1 });
    // a common value between two bounds is a cut of its own; its partial bucket is not counted
    const between: ColumnStats = { ...even, mostCommon: ['2020-01-09x'], mostCommonFreqs: [0.2] };
    expect(cutAtFraction(between, 0.25)?.value).toBe('2020-01-09x');
    expect(cutAtFraction(between, 0.25)?.fraction).toBeCloseTo(0.2 + 0.8 * 0.1);
  });

  it('is null without statistics to cut by, or when nothing leaves the share', () => {
    expect(cutAtFraction({ bounds: [], mostCommon: [], mostCommonFreqs: [], nullFrac: 0 }, 0.1)).toBeNull();
    expect(cutAtFraction({ ...even, nullFrac: 0.5 }, 0.9)).toBeNull();
  });

  it('cuts a window only for a query common enough that the cut keeps at most half the store', () => {
    // a window of 100 with room for 1.5x: a query of 3,000 matches wants 5 % of the store after the cut,
    // and the last bucket is the least a cut can keep
    expect((CUT_MARGIN * 100) / 3_000).toBeCloseTo(0.05);
    expect(windowCut(even, 3_000, 100)).toEqual({ value: '2020-01-10', fraction: 0.1 });
    expect(windowCut(even, 750, 100)).toEqual({ value: '2020-01-09', fraction: 0.2 });
    expect(windowCut(even, 300, 100)).toEqual({ value: '2020-01-06', fraction: 0.5 });
    expect(windowCut(even, 250, 100)).toBeNull(); // more than half: every match is read instead
    expect(windowCut(even, 0, 100)).toBeNull();
    expect(windowCut(null, 3_000, 100)).toBeNull();
  });

  it('widens a cut that fell short from the density it found, or gives up on cutting', () => {
    const first = { value: '2020-01-10', fraction: 0.1 };
    // 20 matches in 10 % of the store: about 200 in all, so the window wants 75 % — no cut
    expect(widerCut(even, first, 20, 100)).toBeNull();
    // 60 matches in 10 %: about 600, wants 25 % — a cut three buckets wide
    expect(widerCut(even, first, 60, 100)).toEqual({ value: '2020-01-08', fraction: 0.3 });
    expect(widerCut(even, first, 0, 100)).toBeNull();
    // never the same cut (or a narrower one) again
    expect(widerCut(even, first, 99, 100)).toEqual({ value: '2020-01-09', fraction: 0.2 });
    expect(widerCut(even, first, 150, 100)).toBeNull();
  });
});

describe('date order of a text query: walk the date index or read every match', () => {
  it('reads every match below the even point √((limit + 1) × rows)', () => {
    // 21 rows wanted of 306,000: even at √(21 × 306,000) ≈ 2,535 matches
    expect(Math.sqrt(21 * 306_000)).toBeCloseTo(2535, 0);
    expect(readsAllMatches(2_500, 20, 306_000, 0)).toBe(true);
    expect(readsAllMatches(2_600, 20, 306_000, 0)).toBe(false);
    // a page of one (the facet request) walks sooner: √(2 × 306,000) ≈ 782
    expect(readsAllMatches(800, 1, 306_000, 0)).toBe(false);
    expect(readsAllMatches(700, 1, 306_000, 0)).toBe(true);
  });

  it('reads every match of a word the statistics do not know, whatever its estimate', () => {
    // the planner puts every unlisted word at the same 975 of 306,000; such a word matches 0 to twice that
    expect(RARE_FACTOR).toBe(2);
    expect(readsAllMatches(975, 1, 306_000, 975)).toBe(true);
    expect(readsAllMatches(1_950, 1, 306_000, 975)).toBe(true);
    expect(readsAllMatches(1_951, 1, 306_000, 975)).toBe(false);
  });

  it('leaves a store never analysed to the planner', () => {
    expect(readsAllMatches(10, 20, -1, 0)).toBe(false);
    expect(readsAllMatches(10, 20, 0, 0)).toBe(false);
    expect(readsAllMatches(Number.NaN, 20, 1_000, 0)).toBe(false);
  });
});
