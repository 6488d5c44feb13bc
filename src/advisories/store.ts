/**
 * The advisories' SQL: advisories, their records (public ids, in order), their published revisions and the
 * yearly counter of public ids. Reads of other capabilities' tables are read-only: where a record id stands
 * (the vulnerabilities, and the reports not yet published with their embargo).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AdvisoryContent } from './model.js';

export type AdvisoryTables = {
  advisories: {
    id: number;
    public_id: string | null;
    status: 'draft' | 'published';
    title_zh: string | null;
    title_en: string | null;
    summary_zh: string | null;
    summary_en: string | null;
    tlp: string;
    /** The TLP of the last published revision (who may read what was published); null for a draft. */
    published_tlp: string | null;
    created_by: string;
    created_at: string | Date;
    updated_at: string | Date;
    published_at: string | Date | null;
  };
  advisory_vulnerabilities: {
    advisory_id: number;
    vuln_public_id: string;
    position: number;
    added_at: string;
  };
  advisory_revisions: {
    advisory_id: number;
    number: number;
    at: string | Date;
    summary: string | null;
    actor: string;
    content: AdvisoryContent;
  };
  advisory_counters: { year: number; last: number };
};

type Db = Kysely<DB> | Transaction<DB>;
const t = (db: Db) => db.withTables<AdvisoryTables>();
export type AdvisoryRow = AdvisoryTables['advisories'];
export type RevisionRow = AdvisoryTables['advisory_revisions'];
export type TextColumns = Pick<AdvisoryRow, 'title_zh' | 'title_en' | 'summary_zh' | 'summary_en' | 'tlp'>;

export async function insertAdvisory(
  db: Db,
  row: TextColumns & { created_by: string; created_at: string },
): Promise<AdvisoryRow> {
  return t(db)
    .insertInto('advisories')
    .values({ ...row, updated_at: row.created_at } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** By row id, or by public id (VS-SA-…); `forUpdate` locks the row for the rest of the transaction. */
export async function advisoryByRef(
  db: Db,
  ref: { id: number } | { publicId: string },
  forUpdate = false,
): Promise<AdvisoryRow | undefined> {
  let q = t(db).selectFrom('advisories').selectAll();
  q = 'id' in ref ? q.where('id', '=', ref.id) : q.where('public_id', '=', ref.publicId);
  return (forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function listAdvisories(
  db: Db,
  q: { status?: 'draft' | 'published'; publishedTlps?: string[]; before?: number; limit: number },
): Promise<AdvisoryRow[]> {
  let s = t(db).selectFrom('advisories').selectAll();
  if (q.status) s = s.where('status', '=', q.status);
  if (q.publishedTlps)
    s = q.publishedTlps.length
      ? s.where('published_tlp', 'in', q.publishedTlps)
      : s.where(sql<boolean>`false`);
  if (q.before !== undefined) s = s.where('id', '<', q.before);
  return s.orderBy('id', 'desc').limit(q.limit).execute();
}

export async function updateText(db: Db, id: number, text: TextColumns, at: string): Promise<void> {
  await t(db)
    .updateTable('advisories')
    .set({ ...text, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function touch(db: Db, id: number, at: string): Promise<void> {
  await t(db).updateTable('advisories').set({ updated_at: at }).where('id', '=', id).execute();
}

/** Each advisory's record ids, in order. */
export async function recordsOf(db: Db, advisoryIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (advisoryIds.length === 0) return out;
  const rows = await t(db)
    .selectFrom('advisory_vulnerabilities')
    .select(['advisory_id', 'vuln_public_id'])
    .where('advisory_id', 'in', advisoryIds)
    .orderBy('advisory_id')
    .orderBy('position')
    .execute();
  for (const r of rows)
    out.set(Number(r.advisory_id), [...(out.get(Number(r.advisory_id)) ?? []), r.vuln_public_id]);
  return out;
}

/** Append records (ids already in the advisory are left where they are). */
export async function addRecords(db: Db, advisoryId: number, ids: string[], at: string): Promise<void> {
  if (ids.length === 0) return;
  const max = await t(db)
    .selectFrom('advisory_vulnerabilities')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('advisory_id', '=', advisoryId)
    .executeTakeFirst();
  const start = Number(max?.p ?? 0);
  await t(db)
    .insertInto('advisory_vulnerabilities')
    .values(
      ids.map((vuln_public_id, i) => ({
        advisory_id: advisoryId,
        vuln_public_id,
        position: start + i + 1,
        added_at: at,
      })),
    )
    .onConflict((oc) => oc.columns(['advisory_id', 'vuln_public_id']).doNothing())
    .execute();
}

export async function removeRecord(db: Db, advisoryId: number, id: string): Promise<boolean> {
  const r = await t(db)
    .deleteFrom('advisory_vulnerabilities')
    .where('advisory_id', '=', advisoryId)
    .where('vuln_public_id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The next number of `year` (1, 2, …), taken inside the publishing transaction. */
export async function nextNumber(db: Db, year: number): Promise<number> {
  const r = await t(db)
    .insertInto('advisory_counters')
    .values({ year, last: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet({ last: sql<number>`advisory_counters.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(r.last);
}

export async function markPublished(
  db: Db,
  id: number,
  publicId: string,
  tlp: string,
  at: string,
): Promise<void> {
  await t(db)
    .updateTable('advisories')
    .set({ status: 'published', public_id: publicId, published_tlp: tlp, published_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** A later revision published: its TLP becomes the published one. */
export async function markRevised(db: Db, id: number, tlp: string, at: string): Promise<void> {
  await t(db)
    .updateTable('advisories')
    .set({ published_tlp: tlp, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function insertRevision(db: Db, row: RevisionRow): Promise<void> {
  await t(db)
    .insertInto('advisory_revisions')
    .values({ ...row, content: JSON.stringify(row.content) } as never)
    .execute();
}

/** Each advisory's revisions, oldest first. */
export async function revisionsOf(db: Db, advisoryIds: number[]): Promise<Map<number, RevisionRow[]>> {
  const out = new Map<number, RevisionRow[]>();
  if (advisoryIds.length === 0) return out;
  const rows = await t(db)
    .selectFrom('advisory_revisions')
    .selectAll()
    .where('advisory_id', 'in', advisoryIds)
    .orderBy('advisory_id')
    .orderBy('number')
    .execute();
  for (const r of rows) {
    const id = Number(r.advisory_id);
    out.set(id, [...(out.get(id) ?? []), r]);
  }
  return out;
}

/** What a record id names: the vulnerability it is an alias of (its public id, state and document). */
export interface RecordLookup {
  asked: string;
  vulnerability: { publicId: string; state: string; doc: unknown } | null;
  /** A report under this public id not published yet (its embargo end, if scheduled). */
  unpublishedReport: { embargoUntil: string | null } | null;
}

export async function lookUpRecords(db: Db, ids: string[]): Promise<RecordLookup[]> {
  if (ids.length === 0) return [];
  const vulns = await sql<{ alias: string; public_id: string; state: string; doc: unknown }>`
    SELECT DISTINCT ON (a.alias) a.alias, v.public_id, v.state, v.doc
    FROM vuln_aliases a JOIN vulnerabilities v ON v.id = a.vuln_id
    WHERE a.alias = ANY(${ids}::text[])
    ORDER BY a.alias, (v.public_id = a.alias) DESC, v.id`.execute(db);
  const reports = await sql<{ vuln_public_id: string; embargo_until: string | Date | null }>`
    SELECT vuln_public_id, embargo_until FROM submissions
    WHERE vuln_public_id = ANY(${ids}::text[]) AND published_at IS NULL`.execute(db);
  const v = new Map(vulns.rows.map((r) => [r.alias, r]));
  const s = new Map(reports.rows.map((r) => [r.vuln_public_id, r]));
  return ids.map((asked) => {
    const found = v.get(asked);
    const report = s.get(asked);
    return {
      asked,
      vulnerability: found ? { publicId: found.public_id, state: found.state, doc: found.doc } : null,
      unpublishedReport: report
        ? {
            embargoUntil: report.embargo_until ? new Date(report.embargo_until).toISOString() : null,
          }
        : null,
    };
  });
}
