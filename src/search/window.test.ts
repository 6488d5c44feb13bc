import { describe, expect, it } from 'vitest';
import { CUT_MARGIN, cutAtFraction, widerCut, windowCut, type ColumnStats } from './window.js';

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
