/**
 * Where the relevance window of a common word starts. Relevance ranks the most recent `candidates` matches;
 * finding them by walking the date index costs candidates / selectivity rows (a word in 4 % of a 300k store:
 * 45,000 rows read and tested), and reading every match through the text index costs one row a match. A cut
 * `sort_date >= D`, with D taken from the column's statistics so that about MARGIN × candidates matches fall
 * after it, lets PostgreSQL AND the text index's bitmap with the date index's and read only those rows.
 *
 * The cut never changes the answer, only how it is found: the store asks again without it (or with a wider
 * one) whenever fewer than `candidates` matches fall after D. Pure: the statistics come in as arguments.
 */

/** A column's planner statistics (pg_stats): equal-frequency histogram bounds and the most common values. */
export interface ColumnStats {
  /** ascending; values between two bounds are an equal share of the rows outside the common values */
  bounds: string[];
  mostCommon: string[];
  mostCommonFreqs: number[];
  nullFrac: number;
}

export interface Cut {
  /** rows with sort_date >= value are read */
  value: string;
  /** the share of the store the statistics put at or after value */
  fraction: number;
}

/** Matches wanted after the cut, as a multiple of the window: room for an estimate that is somewhat high. */
export const CUT_MARGIN = 1.5;
/** A cut that keeps more than this share of the store saves too little to be worth the date index's bitmap. */
export const CUT_MAX_FRACTION = 0.5;

/**
 * The largest value X (compared as text: ISO dates sort as text) with at least `fraction` of the rows at or
 * after it, by the statistics; null when no value leaves that much (or there are no statistics). The share
 * of a histogram is counted by whole buckets, so it errs towards reading more rows, never fewer.
 */
export function cutAtFraction(s: ColumnStats, fraction: number): Cut | null {
  const buckets = s.bounds.length - 1;
  const common = s.mostCommonFreqs.reduce((a, b) => a + b, 0);
  const spread = Math.max(0, 1 - s.nullFrac - common);
  const candidates = [...new Set([...s.bounds, ...s.mostCommon])].sort().reverse();
  for (const x of candidates) {
    // histogram rows at or after x: the whole buckets whose lower bound is at or after x
    const firstBound = s.bounds.findIndex((b) => b >= x);
    const histogram =
      buckets > 0 && firstBound >= 0 ? (buckets - Math.min(firstBound, buckets)) / buckets : 0;
    let share = spread * histogram;
    s.mostCommon.forEach((v, i) => {
      if (v >= x) share += s.mostCommonFreqs[i] ?? 0;
    });
    if (share >= fraction) return { value: x, fraction: share };
  }
  return null;
}

/**
 * The cut for a window of `candidates` matches when the query is estimated to match `estimated` rows; null
 * when the window would cover too much of the store to be worth cutting (rare words: every match is read).
 */
export function windowCut(s: ColumnStats | null, estimated: number, candidates: number): Cut | null {
  if (!s || !(estimated > 0)) return null;
  const fraction = (CUT_MARGIN * candidates) / estimated;
  if (fraction > CUT_MAX_FRACTION) return null;
  const cut = cutAtFraction(s, fraction);
  return cut && cut.fraction <= CUT_MAX_FRACTION ? cut : null;
}

/**
 * After a cut found only `found` matches (fewer than the window), the next cut: the matches' density after
 * the first cut gives a better estimate of the whole; null means read every match.
 */
export function widerCut(s: ColumnStats, first: Cut, found: number, candidates: number): Cut | null {
  if (found <= 0) return null;
  const next = windowCut(s, found / first.fraction, candidates);
  return next && next.value < first.value ? next : null;
}

/**
 * A text query sorted by date, not by relevance: either PostgreSQL walks the date index and tests each row until
 * the page is full (cheap when matches are dense: 21 rows of a word in every tenth record are found within about
 * 210), or every match is read through the text index and sorted (cheap when they are few). The planner walks on
 * its own estimate, and for a rare or absent word that estimate is a floor it cannot see under: every word its
 * statistics do not list as common is put at half the least common listed one's frequency ("zzqxv", no match,
 * at 975 of 306,000 rows). It walked the whole date index for it, 306,000 rows tested, 942 ms, for an empty page;
 * a misspelt word with 151 matches, 23,580 rows and 53 ms for a page of two.
 *
 * A walk tests about (limit + 1) × rows / matches rows, reading every match tests matches rows, at about the same
 * cost a row (2–4 µs warm): they are even at matches = √((limit + 1) × rows). Every match is read when the
 * estimate is below that, or no more than RARE_FACTOR times the estimate of a word the statistics do not know
 * (`rare`): such a word matches anything from none to twice that, and a walk's worst case is the whole table
 * where reading the matches is bounded by them. A 20-row page of a 306,000-row store: up to 2,535 estimated
 * matches; a 1-row page (the list's facet request): up to 1,950, the rare words.
 */
export const RARE_FACTOR = 2;

export function readsAllMatches(estimated: number, limit: number, tableRows: number, rare: number): boolean {
  if (!(tableRows > 0) || !(estimated >= 0)) return false; // never analysed: as the planner likes
  return estimated <= Math.max(Math.sqrt((limit + 1) * tableRows), RARE_FACTOR * rare);
}
