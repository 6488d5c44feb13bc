/** CSAF documents of records: one by any id (the route), or a page of them (the bulk export). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { exportRowById, type ExportRow } from '../exports/store.js';
import { findVulnId } from '../vulns/store.js';
import { historiesOf, vendorStatusesOf } from './store.js';
import { toCsaf, type CsafDocument, type CsafLang, type CsafPublisher } from './write.js';

export const CSAF_LANGS: readonly CsafLang[] = ['zh', 'en'];

/** The language of a record's document when none is asked for: zh where the record has Chinese text. */
export const defaultLang = (row: ExportRow): CsafLang =>
  row.vulnerability.title.zh || row.vulnerability.description.zh ? 'zh' : 'en';

/**
 * The documents of a page of records (published ones; a rejected record has no advisory: null). `lang`
 * absent = each record's default language.
 */
export async function csafDocuments(
  db: Kysely<DB>,
  rows: ExportRow[],
  o: { publisher: CsafPublisher; lang?: CsafLang },
): Promise<Array<CsafDocument | null>> {
  const histories = await historiesOf(
    db,
    rows.map((r) => r.rowId),
  );
  const statuses = await vendorStatusesOf(
    db,
    Array.from(new Set(rows.flatMap((r) => r.vulnerability.aliases.filter((a) => a.startsWith('VS-'))))),
  );
  return rows.map((r) =>
    r.vulnerability.state !== 'published'
      ? null
      : toCsaf(
          {
            vulnerability: r.vulnerability,
            history: histories.get(r.rowId) ?? [],
            vendorStatuses: r.vulnerability.aliases.flatMap((a) => statuses.get(a) ?? []),
            createdAt: r.createdAt,
          },
          { publisher: o.publisher, lang: o.lang ?? defaultLang(r) },
        ),
  );
}

export async function getCsaf(
  db: Kysely<DB>,
  rawId: string,
  o: { publisher: CsafPublisher; lang?: CsafLang },
): Promise<CsafDocument> {
  const found = await findVulnId(db, rawId);
  const row = found ? await exportRowById(db, found.id) : null;
  if (!row) throw new AppError('not_found', `No vulnerability is known by the id "${rawId}"`, { id: rawId });
  const [doc] = await csafDocuments(db, [row], o);
  if (!doc)
    throw new AppError('rejected_record', `${row.vulnerability.id} is rejected: it has no CSAF advisory`, {
      id: row.vulnerability.id,
      ids: [row.vulnerability.id],
    });
  return doc;
}

const anyObject = { type: 'object', additionalProperties: true } as const;

/** The response schema of a CSAF document: its three parts, each passed through as the writer built it. */
export const csafResponseSchema = {
  type: 'object',
  description: 'A CSAF 2.0 document (csaf_security_advisory, or csaf_vex where vendor statuses are known)',
  properties: {
    document: anyObject,
    product_tree: anyObject,
    vulnerabilities: { type: 'array', items: anyObject },
  },
  required: ['document', 'product_tree', 'vulnerabilities'],
} as const;
