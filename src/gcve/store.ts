/**
 * Reads for the GCVE publication: the platform's own published records (public ids `<prefix>-…`), by the
 * date the pull API sorts on, or a keyset page at a time for the dump. Rows are read through the exports'
 * store so a record's sources come with it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { exportRowsByPublicId, type ExportRow } from '../exports/store.js';
import type { PublicationQuery } from './model.js';

const ownIds = (prefix: string) => `${prefix}-%`;

/** One page of the pull API: published own records by first publication or last change. */
export async function publicationPage(
  db: Kysely<DB>,
  prefix: string,
  q: PublicationQuery,
): Promise<ExportRow[]> {
  const column = q.dateSort === 'published' ? 'created_at' : 'modified_at';
  let query = db
    .selectFrom('vulnerabilities')
    .select('public_id')
    .where('state', '=', 'published')
    .where('public_id', 'like', ownIds(prefix));
  if (q.since) query = query.where(column, '>=', new Date(q.since).toISOString());
  const rows = await query
    .orderBy(column, q.sortOrder)
    .orderBy('public_id', q.sortOrder)
    .offset((q.page - 1) * q.perPage)
    .limit(q.perPage)
    .execute();
  return exportRowsByPublicId(
    db,
    rows.map((r) => r.public_id),
    { sources: true },
  );
}

/** The dump: published own records after `afterRowId` in row order, `limit` at a time. */
export async function dumpPageAfter(
  db: Kysely<DB>,
  prefix: string,
  afterRowId: number,
  limit: number,
): Promise<ExportRow[]> {
  const rows = await db
    .selectFrom('vulnerabilities')
    .select(['id', 'public_id'])
    .where('state', '=', 'published')
    .where('public_id', 'like', ownIds(prefix))
    .where('id', '>', afterRowId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return exportRowsByPublicId(
    db,
    rows.map((r) => r.public_id),
    { sources: true },
  );
}
