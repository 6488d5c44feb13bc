/** CSV export of a search: every matching record, page by page, without holding them all. */
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { SearchParams } from './query.js';
import { searchVulns, type SearchItem } from './store.js';

export const CSV_COLUMNS = [
  'id',
  'aliases',
  'title_zh',
  'title_en',
  'severity',
  'score',
  'vendors',
  'object_type',
  'industries',
  'kind',
  'zero_day',
  'exploited',
  'published',
  'collected',
  'sources',
] as const;

const row = (i: SearchItem) => [
  i.id,
  i.aliases.join(' '),
  i.title.zh ?? '',
  i.title.en ?? '',
  i.severity ?? '',
  i.score ?? '',
  i.vendors.join('; '),
  i.objectType ?? '',
  i.industries.join(' '),
  i.kind,
  i.zeroDay === null ? '' : String(i.zeroDay),
  String(i.exploited),
  i.published ?? '',
  i.collected ?? '',
  i.sources.join(' '),
];

/** Yields CSV text chunks (header first, with a UTF-8 BOM so spreadsheet programs read Chinese). */
export async function* exportCsv(
  db: Kysely<DB>,
  params: SearchParams,
  maxRows = 100_000,
): AsyncGenerator<string> {
  yield '\ufeff' + stringify([Array.from(CSV_COLUMNS)]);
  let cursor: string | undefined;
  let n = 0;
  do {
    const page = await searchVulns(db, {
      ...params,
      facets: undefined,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    const items = page.items.slice(0, maxRows - n);
    if (items.length) yield stringify(items.map(row));
    n += items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && n < maxRows);
}
