/** A cursor is what this server returned: forged ones are refused as invalid_parameter 'cursor', never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cveRecord, itemsOf } from '../test-support/factories.js';
import { decodeCursor, encodeCursor, parseSearchParams } from './query.js';
import { searchVulns } from './store.js';

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const FORGED = [
  b64('{"v":"garbage","id":1}'),
  b64('{"v":"2024-02-30","id":1}'),
  b64('{"v":1e308,"id":1}'),
  b64('{"v":"2024-01-01","id":1e300}'),
  b64('{"v":"2024-01-01","id":-1}'),
  b64('{"v":"2024-01-01","id":1.5}'),
  b64('{"v":"2024-01-01\\u0000","id":1}'),
  b64('{"v":{"a":1},"id":1}'),
  b64('[1,2]'),
  b64('null'),
  b64("' OR 1=1--"),
  '!!!not base64!!!',
];

describe('search cursors', () => {
  it.each(FORGED)('refuses the forged cursor %s naming cursor', (c) => {
    expect(() => decodeCursor(c)).toThrow(expect.objectContaining({ code: 'invalid_parameter' }));
    expect(() => parseSearchParams({ cursor: c })).toThrow(/cursor/);
  });
  it('reads back what it wrote', () => {
    for (const c of [
      { v: '2024-01-05', id: 12 },
      { v: 9.8, id: 3 },
      { v: -1, id: 4 },
      { v: 0.0607927, id: 5 },
    ])
      expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });
});

describe.each(testBackends())('search cursors against the store on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(
      d,
      itemsOf(
        [0, 1, 2].map((i) =>
          cveRecord(`CVE-2024-${3000 + i}`, { dates: { published: `2024-01-0${i + 1}T00:00:00Z` } }),
        ),
      ),
      { format: 'test', paths: [] },
    );
  });
  afterAll(async () => {
    await d.close();
  });

  it('refuses a cursor whose value does not fit the sort (a number for date, a date for score)', async () => {
    const refused = { code: 'invalid_parameter', details: { parameter: 'cursor' } };
    await expect(
      searchVulns(d.db, { sort: 'date', cursor: encodeCursor({ v: 12345, id: 1 }) }),
    ).rejects.toMatchObject(refused);
    await expect(
      searchVulns(d.db, { sort: 'score', cursor: encodeCursor({ v: '2024-01-01', id: 1 }) }),
    ).rejects.toMatchObject(refused);
    await expect(
      searchVulns(d.db, { q: 'tenda', sort: 'relevance', cursor: encodeCursor({ v: '2024-01-01', id: 1 }) }),
    ).rejects.toMatchObject(refused);
  });

  it('pages with the cursors it returns, on every sort', async () => {
    for (const sort of ['date', 'score', 'relevance'] as const) {
      const first = await searchVulns(d.db, { sort, limit: 2 });
      const next = await searchVulns(d.db, { sort, limit: 2, cursor: first.nextCursor ?? '' });
      expect(first.items.length + next.items.length, sort).toBe(3);
    }
  });
});
