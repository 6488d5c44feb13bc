import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cveRecord, itemsOf } from '../test-support/factories.js';
import { parseSearchParams } from './query.js';
import { searchVulns } from './store.js';

const day = (i: number) =>
  `2023-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}T00:00:00.000Z`;

describe.each(testBackends())('keyset pagination on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const recs = Array.from({ length: 45 }, (_, i) =>
      cveRecord(`CVE-2023-${String(2000 + i)}`, {
        dates: { published: day(i) },
        cvss: [
          { vector: `CVSS:3.1/AV:N/AC:${i % 2 ? 'L' : 'H'}/PR:N/UI:N/S:U/C:H/I:${i % 3 ? 'H' : 'N'}/A:N` },
        ],
      }),
    );
    await importItems(d, itemsOf(recs), { format: 'test', paths: [] });
  });
  afterAll(async () => {
    await d.close();
  });

  for (const sort of ['date', 'score', 'relevance'] as const) {
    it(`stays consistent by ${sort} while records are being added`, async () => {
      const q = sort === 'relevance' ? 'tenda' : undefined;
      const seen: string[] = [];
      let cursor: string | undefined;
      let added = 0;
      do {
        const page = await searchVulns(
          d.db,
          parseSearchParams({ sort, limit: '10', ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) }),
        );
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
        // newer, higher-scored records arrive between pages
        const fresh = cveRecord(`CVE-2024-${String(sort.length * 100 + added++).padStart(4, '0')}`, {
          dates: { published: '2024-06-01T00:00:00.000Z' },
        });
        await importItems(d, itemsOf([fresh]), { format: 'test', paths: [] });
      } while (cursor);
      const original = seen.filter((id) => id.startsWith('CVE-2023-'));
      expect(new Set(seen).size).toBe(seen.length);
      expect(original.length).toBe(45);
    });
  }
});
