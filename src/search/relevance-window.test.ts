/**
 * The relevance window of a common query found through a date cut (./window.ts) gives the same pages as the
 * planner's own way, and a cut that misses part of the window is widened or dropped — on both backends. The
 * window is shrunk to 40 so that a store of 1,000 records has common and half-common words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { capturing } from '../test-support/capture.js';
import { analysedStore, testBackends } from '../test-support/db.js';
import { cveRecord } from '../test-support/factories.js';
import type { SourceRecord } from '../vulns/model.js';
import { parseSearchParams } from './query.js';
import { searchVulns, type SearchTuning } from './store.js';

const COUNT = 1_000;
const day = (i: number) => new Date(Date.UTC(2015, 0, 1) + i * 3 * 86_400_000).toISOString();

/** Every record says "widget"; "legacy" is in the oldest 390 and 10 of the newest; "vintage" in 20 of the
 * newest 100 and 300 of the oldest; "orchid" in 30. Record i is published 3·i days after 2015-01-01. */
function records(): SourceRecord[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const words = ['widget', i % 3 === 0 ? 'widget controller' : 'flaw'];
    if (i < 390 || (i >= COUNT - 50 && i % 5 === 0)) words.push('legacy');
    if (i < 300 || (i >= COUNT - 100 && i % 5 === 0)) words.push('vintage');
    if (i % 33 === 0) words.push('orchid');
    return cveRecord(`CVE-2024-${10_000 + i}`, {
      titleEn: `${words.join(' ')} ${i}`,
      descriptionEn: `The ${words.at(-1) ?? ''} of record ${i}.`,
      dates: { published: day(i) },
    });
  });
}

const WINDOW = 40;
const cuts: SearchTuning = { relevanceCandidates: WINDOW, dateCuts: true, sortedReads: 'auto' };
const planner: SearchTuning = { relevanceCandidates: WINDOW, dateCuts: false, sortedReads: 'planner' };

describe.each(testBackends())('relevance windows through a date cut (%s)', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await analysedStore(backend, records());
  }, 180_000);
  afterAll(() => d.close());

  /** Every page of a query, and the statements its first page ran. */
  async function pages(q: string, tuning: SearchTuning) {
    const cap = capturing(d.db);
    const ids: string[] = [];
    const totals: number[] = [];
    let cursor: string | undefined;
    let first: string[] = [];
    do {
      const r = await searchVulns(
        cap.db,
        parseSearchParams({ q, limit: '15', ...(cursor ? { cursor } : {}) }),
        tuning,
      );
      const ran = cap.take().map((c) => c.sql);
      if (!cursor) first = ran;
      ids.push(...r.items.map((i) => i.id));
      totals.push(r.total);
      cursor = r.nextCursor ?? undefined;
    } while (cursor);
    return { ids, totals, first };
  }
  const cutsIn = (sqls: string[]) => sqls.filter((s) => /sort_date >= \$\d+::date/.test(s)).length;
  // every match read: the fenced read (OFFSET 0) without a cut
  const readsAll = (sqls: string[]) =>
    sqls.some((s) => /OFFSET 0/.test(s) && !/sort_date >= \$\d+::date/.test(s));
  // a cut is read fenced from the window's date order: unfenced, the planner may walk the date index through a
  // wide cut, testing every row of it (a 300k store: 115,000 rows for "stored vulnerability", 315 ms)
  const cutsFenced = (sqls: string[]) =>
    sqls
      .filter((s) => /sort_date >= \$\d+::date/.test(s))
      .every((s) => /sort_date >= \$\d+::date\s+OFFSET 0\) m\b/.test(s));

  it('ranks the most recent matches of a common word within a cut, as without it', async () => {
    const want = await pages('widget', planner);
    const got = await pages('widget', cuts);
    expect(want.ids).toHaveLength(WINDOW);
    expect(got.ids).toEqual(want.ids);
    expect(got.totals).toEqual(want.totals);
    expect(got.totals[0]).toBe(COUNT);
    // one cut, kept: the whole window lay after it
    expect(cutsIn(got.first)).toBe(1);
    expect(cutsFenced(got.first)).toBe(true);
    expect(readsAll(got.first)).toBe(false);
    expect(cutsIn(want.first)).toBe(0);
  });

  it('reads every match when the cut held fewer than the window (the matches are old)', async () => {
    const want = await pages('legacy', planner);
    const got = await pages('legacy', cuts);
    expect(want.ids).toHaveLength(WINDOW);
    expect(got.ids).toEqual(want.ids);
    expect(got.totals).toEqual(want.totals);
    expect(cutsIn(got.first)).toBeGreaterThanOrEqual(1);
    expect(cutsFenced(got.first)).toBe(true);
    expect(readsAll(got.first)).toBe(true);
  });

  it('gives the same pages for half-common words, word pairs and rare words', async () => {
    for (const q of ['vintage', 'widget legacy', 'controller widget', 'orchid', 'orchid legacy', 'nothing'])
      expect((await pages(q, cuts)).ids, q).toEqual((await pages(q, planner)).ids);
  });

  it('counts from the window when it held every match, and asks no count then', async () => {
    const got = await pages('orchid', cuts);
    expect(got.totals[0]).toBe(Math.ceil(COUNT / 33));
    expect(got.first.some((s) => /SELECT count\(\*\)::int AS n FROM/.test(s))).toBe(false);
  });
});
