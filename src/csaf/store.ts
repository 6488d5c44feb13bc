/**
 * Reads for CSAF exports, a page of records at a time: each record's history (its revisions) and the vendor
 * notifications of the published submission it was made from (its VEX statuses). Read-only: the
 * notifications are coordination's, the history the import pipeline's.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { CsafHistoryEntry, CsafVendorStatus } from './write.js';

const iso = (t: string | Date) => new Date(t).toISOString();

export async function historiesOf(
  db: Kysely<DB>,
  vulnIds: number[],
): Promise<Map<number, CsafHistoryEntry[]>> {
  const out = new Map<number, CsafHistoryEntry[]>();
  if (vulnIds.length === 0) return out;
  const r = await sql<{
    vuln_id: number;
    at: string | Date;
    change: string;
    source: string | null;
    source_key: string | null;
    fields: Record<string, unknown> | null;
  }>`
    SELECT vuln_id, at, change, source, source_key, fields FROM vuln_history
    WHERE vuln_id = ANY(${vulnIds}::bigint[]) ORDER BY vuln_id, id`.execute(db);
  for (const h of r.rows) {
    const id = Number(h.vuln_id);
    const fields = Object.keys(h.fields ?? {}).filter((k) => k !== 'absorbed');
    out.set(id, [
      ...(out.get(id) ?? []),
      {
        at: iso(h.at),
        change: h.change,
        source: h.source,
        sourceKey: h.source_key,
        ...(fields.length ? { fields } : {}),
      },
    ]);
  }
  return out;
}

/** Vendor notifications of published submissions, by the submission's public id (VS-…). */
export async function vendorStatusesOf(
  db: Kysely<DB>,
  publicIds: string[],
): Promise<Map<string, CsafVendorStatus[]>> {
  const out = new Map<string, CsafVendorStatus[]>();
  if (publicIds.length === 0) return out;
  const r = await sql<{
    public_id: string;
    name: string;
    name_en: string | null;
    state: string;
    fix_url: string | null;
    answer: string | null;
    updated_at: string | Date;
  }>`
    SELECT s.vuln_public_id AS public_id, o.name, o.name_en, n.state, n.fix_url, n.answer, n.updated_at
    FROM submissions s
    JOIN notifications n ON n.submission_id = s.id
    JOIN organisations o ON o.id = n.organisation_id
    WHERE s.vuln_public_id = ANY(${publicIds}::text[]) AND s.published_at IS NOT NULL AND n.category = 'vendor'
    ORDER BY s.vuln_public_id, n.id`.execute(db);
  for (const n of r.rows)
    out.set(n.public_id, [
      ...(out.get(n.public_id) ?? []),
      {
        organisation: n.name,
        organisationEn: n.name_en,
        state: n.state,
        fixUrl: n.fix_url,
        answer: n.answer,
        at: iso(n.updated_at),
      },
    ]);
  return out;
}
