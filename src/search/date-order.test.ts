/**
 * A text query sorted by date reads every match when few are estimated (./window.ts readsAllMatches) and walks
 * the date index when many are: both give the planner's pages, through every cursor, on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { capturing } from '../test-support/capture.js';
import { analysedStore, testBackends } from '../test-support/db.js';
import { cveRecord } from '../test-support/factories.js';
import type { SourceRecord } from '../vulns/model.js';
import { parseSearchParams } from './query.js';
import { RELEVANCE_CANDIDATES, searchVulns, type SearchTuning } from './store.js';

const COUNT = 1_000;
const day = (i: number) => new Date(Date.UTC(2015, 0, 1) + Math.floor(i / 2) * 86_400_000).toISOString();

/** Every record says "gadget"; "heirloom" is in 7 of the oldest; "pair" in every tenth, "odd" in every third;
 * two records share each day, so the date order's ties are broken by id. */
function records(): SourceRecord[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const words = ['gadget'];
    if (i < 70 && i % 10 === 3) words.push('heirloom');
    if (i % 10 === 0) words.push('pair');
    if (i % 3 === 0) words.push('odd');
    return cveRecord(`CVE-2023-${20_000 + i}`, {
      titleEn: `${words.join(' ')} ${i}`,
      dates: { published: day(i) },
    });
  });
}

const tuning = (sortedReads: SearchTuning['sortedReads']): SearchTuning => ({
  relevanceCandidates: RELEVANCE_CANDIDATES,
  dateCuts: true,
  sortedReads,
});

describe.each(testBackends())('a text query in date order (%s)', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await analysedStore(backend, records());
  }, 180_000);
  afterAll(() => d.close());

  /** Every page of a query in date order, and whether its first page read every match (fenced, OFFSET 0). */
  async function pages(q: string, t: SearchTuning, limit = 15) {
    const cap = capturing(d.db);
    const ids: string[] = [];
    const totals: number[] = [];
    let cursor: string | undefined;
    let readAll: boolean | undefined;
    let asked = 0;
    do {
      if (++asked > COUNT / limit + 2) throw new Error(`${q}: the cursor does not move on`);
      const r = await searchVulns(
        cap.db,
        parseSearchParams({ q, sort: 'date', limit: String(limit), ...(cursor ? { cursor } : {}) }),
        t,
      );
      const page = cap.take().find((c) => /WITH page AS/.test(c.sql));
      readAll ??= !!page && /OFFSET 0\s*\) m WHERE/.test(page.sql);
      ids.push(...r.items.map((i) => i.id));
      totals.push(r.total);
      cursor = r.nextCursor ?? undefined;
    } while (cursor);
    return { ids, totals, readAll };
  }

  it('reads every match the same as the walk, page after page', async () => {
    for (const q of ['gadget', 'pair', 'odd pair', 'heirloom', 'heirloom odd', 'nowhere']) {
      const want = await pages(q, tuning('planner'));
      const got = await pages(q, tuning('all'));
      expect(got.ids, q).toEqual(want.ids);
      expect(got.totals, q).toEqual(want.totals);
      expect(got.readAll, q).toBe(true);
      expect(want.readAll, q).toBe(false);
    }
    const all = await pages('gadget', tuning('all'));
    expect(all.ids).toHaveLength(COUNT);
    // newest first, and of one day the higher id first
    expect(all.ids.slice(0, 2)).toEqual([`CVE-2023-${20_000 + COUNT - 1}`, `CVE-2023-${20_000 + COUNT - 2}`]);
    expect((await pages('heirloom', tuning('all'))).ids).toEqual(
      [63, 53, 43, 33, 23, 13, 3].map((i) => `CVE-2023-${20_000 + i}`),
    );
  });

  it('reads every match of a rare or absent word, and walks for a common one', async () => {
    // 1,000 rows and pages of 15: even at √(16 × 1,000) = 126 matches
    for (const q of ['heirloom', 'nowhere', 'heirloom odd']) {
      const got = await pages(q, tuning('auto'));
      expect(got.readAll, q).toBe(true);
      expect(got.ids, q).toEqual((await pages(q, tuning('planner'))).ids);
    }
    for (const q of ['gadget', 'odd']) {
      const got = await pages(q, tuning('auto'));
      expect(got.readAll, q).toBe(false);
      expect(got.ids, q).toEqual((await pages(q, tuning('planner'))).ids);
    }
  });

  it('leaves relevance and score order to their own reads', async () => {
    const cap = capturing(d.db);
    await searchVulns(cap.db, parseSearchParams({ q: 'heirloom', sort: 'score' }), tuning('all'));
    await searchVulns(cap.db, parseSearchParams({ q: 'heirloom' }), tuning('all'));
    await searchVulns(cap.db, parseSearchParams({ sort: 'date' }), tuning('all'));
    expect(cap.take().some((c) => /OFFSET 0\s*\) m WHERE/.test(c.sql))).toBe(false);
  });
});
