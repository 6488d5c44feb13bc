/** SQL of incidents: rows, history, the gap-free INC counter, visibility-filtered lists and figures. */
import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB, IncidentEventsTable, IncidentsTable } from '../db/schema.js';
import type { Visibility } from './visibility.js';
import type { IncidentStatus } from './tables.js';

type Db = Kysely<DB>;
export type IncidentRow = Selectable<IncidentsTable>;
export type IncidentEventRow = Selectable<IncidentEventsTable>;
/** What the service derives from the document for the columns lists and filters use. */
export type IncidentColumns = Pick<
  Insertable<IncidentsTable>,
  | 'title'
  | 'status'
  | 'tlp'
  | 'vector'
  | 'sectors'
  | 'victim_org_ids'
  | 'shared_org_ids'
  | 'discovered_at'
  | 'search'
>;

/**
 * The next number of a year, gap-free: the counter row is locked by the UPDATE until the caller's transaction
 * ends, so concurrent allocations queue; a rolled-back transaction returns its number.
 */
export async function nextNumber(tx: Db, year: number): Promise<number> {
  await tx
    .insertInto('incident_counters')
    .values({ year })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const r = await tx
    .updateTable('incident_counters')
    .set((eb) => ({ last: eb('last', '+', 1) }))
    .where('year', '=', year)
    .returning('last')
    .executeTakeFirstOrThrow();
  return r.last;
}

export const insertIncident = (
  tx: Db,
  row: IncidentColumns & {
    public_id: string;
    doc: string;
    stix_id: string;
    created_by: string;
    created_at: string;
    updated_at: string;
  },
): Promise<IncidentRow> => tx.insertInto('incidents').values(row).returningAll().executeTakeFirstOrThrow();

export async function byPublicId(
  db: Db,
  publicId: string,
  forUpdate = false,
): Promise<IncidentRow | undefined> {
  let q = db.selectFrom('incidents').selectAll().where('public_id', '=', publicId);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * The incident a STIX incident id names: the one stored under it, or — for incidents recorded before STIX ids
 * were stored — the one vulnshare exported under `legacy.publicId` when `legacy.stixId` is its derived id.
 */
export async function byStixId(
  db: Db,
  stixId: string,
  legacy?: { publicId: string; stixId: string },
  forUpdate = false,
): Promise<IncidentRow | undefined> {
  let q = db
    .selectFrom('incidents')
    .selectAll()
    .where((eb) =>
      legacy && legacy.stixId === stixId
        ? eb.or([
            eb('stix_id', '=', stixId),
            eb.and([eb('stix_id', 'is', null), eb('public_id', '=', legacy.publicId)]),
          ])
        : eb('stix_id', '=', stixId),
    )
    .orderBy('id')
    .limit(1);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export const publicIdExists = async (db: Db, publicId: string): Promise<boolean> =>
  (await db.selectFrom('incidents').select('id').where('public_id', '=', publicId).executeTakeFirst()) !==
  undefined;

export const updateIncident = (
  tx: Db,
  id: number,
  patch: IncidentColumns & { doc: string; updated_at: string; stix_id?: string },
): Promise<IncidentRow> =>
  tx.updateTable('incidents').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export async function setStixId(tx: Db, id: number, stixId: string): Promise<void> {
  await tx.updateTable('incidents').set({ stix_id: stixId }).where('id', '=', id).execute();
}

/** PostgreSQL's unique_violation (both backends report the SQLSTATE as `code`). */
export const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';

export async function setCase(tx: Db, id: number, submissionId: number): Promise<void> {
  await tx.updateTable('incidents').set({ case_submission_id: submissionId }).where('id', '=', id).execute();
}

export const trackingNoOf = async (db: Db, submissionId: number): Promise<string | null> =>
  (await db.selectFrom('submissions').select('tracking_no').where('id', '=', submissionId).executeTakeFirst())
    ?.tracking_no ?? null;

/** The first admin account that is not disabled: who stands as reporter of a case the CLI opens. */
export async function addEvent(
  tx: Db,
  e: {
    incident_id: number;
    at: string;
    actor_id: number | null;
    actor: string;
    kind: string;
    from_status?: IncidentStatus | null;
    to_status?: IncidentStatus | null;
    fields?: string[];
    note?: string | null;
  },
): Promise<void> {
  await tx
    .insertInto('incident_events')
    .values({
      ...e,
      from_status: e.from_status ?? null,
      to_status: e.to_status ?? null,
      fields: e.fields ?? [],
      note: e.note ?? null,
    })
    .execute();
}

export const events = (db: Db, incidentId: number): Promise<IncidentEventRow[]> =>
  db.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();

/** The TLP visibility rules as one SQL condition. */
function visible(v: Visibility) {
  return (eb: ExpressionBuilder<DB, 'incidents'>) => {
    if (v === 'all') return sql<boolean>`true`;
    if (v.length === 0) return sql<boolean>`false`;
    return eb.or(
      v.map((r) =>
        r.when === 'always'
          ? eb('incidents.tlp', '=', r.tlp)
          : eb.and([
              eb('incidents.tlp', '=', r.tlp),
              eb.or(
                r.lists.map((l) =>
                  l === 'victims'
                    ? sql<boolean>`${r.organisationId}::bigint = any(incidents.victim_org_ids)`
                    : sql<boolean>`${r.organisationId}::bigint = any(incidents.shared_org_ids)`,
                ),
              ),
            ]),
      ),
    );
  };
}

export interface ListFilter {
  visibility: Visibility;
  /** Lower-cased terms, each must occur in the search text. */
  terms: string[];
  status?: IncidentStatus;
  sector?: string;
  vector?: string;
  tlp?: string;
  /** Calendar dates, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  /** Keyset: rows after (discovered_at, id) in (discovered_at desc, id desc) order. */
  after?: { discoveredAt: string; id: number };
}

export function list(db: Db, f: ListFilter): Promise<IncidentRow[]> {
  let q = db
    .selectFrom('incidents')
    .selectAll()
    .where(visible(f.visibility))
    .orderBy('discovered_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit);
  for (const t of f.terms) q = q.where(sql<boolean>`strpos(search, ${t}) > 0`);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.vector) q = q.where('vector', '=', f.vector);
  if (f.tlp) q = q.where('tlp', '=', f.tlp);
  if (f.sector) q = q.where(sql<boolean>`${f.sector}::text = any(sectors)`);
  if (f.from) q = q.where('discovered_at', '>=', f.from);
  if (f.to) q = q.where('discovered_at', '<=', f.to);
  if (f.after)
    q = q.where(sql<boolean>`(discovered_at, id) < (${f.after.discoveredAt}::date, ${f.after.id}::bigint)`);
  return q.execute();
}

export interface PeriodCounts {
  total: number;
  byStatus: Record<string, number>;
  byVector: Record<string, number>;
  byTlp: Record<string, number>;
  /** An incident with victims in two sectors counts once in each. */
  bySector: Record<string, number>;
  /** "YYYY-MM" → incidents discovered that month. */
  byMonth: Record<string, number>;
  /** Registered on the platform within the moments. */
  opened: number;
  /** Went to closed (created, imported or moved) within the moments; each incident once. */
  closed: number;
}

const toRecord = (rows: Array<{ k: string | null; n: number | string | bigint }>): Record<string, number> =>
  Object.fromEntries(rows.flatMap((r) => (r.k === null ? [] : [[r.k, Number(r.n)]])));

/** Counts of the visible incidents discovered between two calendar dates, and of those opened/closed in moments. */
export async function periodCounts(
  db: Db,
  v: Visibility,
  days: { from: string; to: string },
  moments: { from: string; to: string },
): Promise<PeriodCounts> {
  const inPeriod = db
    .selectFrom('incidents')
    .where(visible(v))
    .where('discovered_at', '>=', days.from)
    .where('discovered_at', '<=', days.to);
  const by = (column: 'status' | 'vector' | 'tlp') =>
    inPeriod
      .select([`${column} as k`, (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(column)
      .execute()
      .then(toRecord);
  const total = await inPeriod.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const bySector = await db
    .selectFrom(inPeriod.select(sql<string>`unnest(sectors)`.as('sector')).as('s'))
    .select(['s.sector as k', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('s.sector')
    .execute()
    .then(toRecord);
  const byMonth = await inPeriod
    .select([
      sql<string>`to_char(discovered_at, 'YYYY-MM')`.as('k'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .groupBy(sql`to_char(discovered_at, 'YYYY-MM')`)
    .execute()
    .then(toRecord);
  const opened = await db
    .selectFrom('incidents')
    .where(visible(v))
    .where('created_at', '>=', moments.from)
    .where('created_at', '<=', moments.to)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const closed = await db
    .selectFrom('incidents')
    .where(visible(v))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('incident_events as e')
          .select('e.id')
          .whereRef('e.incident_id', '=', 'incidents.id')
          .where('e.to_status', '=', 'closed')
          .where('e.at', '>=', moments.from)
          .where('e.at', '<=', moments.to),
      ),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    total: Number(total.n),
    byStatus: await by('status'),
    byVector: await by('vector'),
    byTlp: await by('tlp'),
    bySector,
    byMonth,
    opened: Number(opened.n),
    closed: Number(closed.n),
  };
}
