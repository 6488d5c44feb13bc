/**
 * CSV export of a search: every matching record, page by page, without holding them all.
 *
 * Spreadsheets run a cell that starts with = + - @ (or a tab / CR before one) as a formula, and titles and
 * vendor names come from reporters and outside sources. As OWASP's CSV-injection guidance says, such a text
 * cell gets a leading single quote ('=HYPERLINK(…) shows as text). Numeric columns (score) are written as
 * numbers and never prefixed, so a negative number stays a number; every other column is text.
 */
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

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as written: numbers as they are; text that a spreadsheet would run as a formula, quoted with '. */
export function csvCell(v: string | number): string | number {
  return typeof v === 'string' && FORMULA_START.test(v) ? `'${v}` : v;
}

const row = (i: SearchItem): Array<string | number> => [
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
    if (items.length) yield stringify(items.map((i) => row(i).map(csvCell)));
    n += items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && n < maxRows);
}
