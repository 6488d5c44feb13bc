/** SQL of the disposal board (board.ts): the filtered notifications in board order, and their counts. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { CLOSED_STATES } from './rules.js';
import type { BoardFilter, Cursor } from './board.js';

const closed = sql.join(CLOSED_STATES.map((s) => sql.lit(s)));
/** 1 when the notification is still open past its deadline (rules.ts isOverdue, in SQL). */
const overdueSql = (now: string) =>
  sql<number>`(CASE WHEN n.state NOT IN (${closed}) AND n.deadline < ${now}::timestamptz THEN 1 ELSE 0 END)`;
/** The board's first sort key: overdue rows (0) before the rest (1). */
const rankSql = (now: string) =>
  sql<number>`(CASE WHEN n.state NOT IN (${closed}) AND n.deadline < ${now}::timestamptz THEN 0 ELSE 1 END)`;

function filtered(db: Kysely<DB>, f: BoardFilter, now: string) {
  let q = db.selectFrom('notifications as n').innerJoin('organisations as o', 'o.id', 'n.organisation_id');
  if (f.organisationId !== undefined) q = q.where('n.organisation_id', '=', f.organisationId);
  if (f.state) q = q.where('n.state', '=', f.state);
  if (f.overdue) q = q.where('n.state', 'not in', CLOSED_STATES).where('n.deadline', '<', now);
  return q;
}

/** One page (and one row more, to know whether another follows) in board order, after the cursor. */
export function boardRows(db: Kysely<DB>, f: BoardFilter, at: string, limit: number, after: Cursor | null) {
  const rank = rankSql(at);
  let q = filtered(db, f, at)
    .innerJoin('submissions as s', 's.id', 'n.submission_id')
    .select([
      'n.id',
      'n.organisation_id',
      'o.name',
      'n.category',
      'n.state',
      'n.deadline',
      'n.fix_url',
      'n.created_at',
      's.tracking_no',
      's.title',
      's.severity',
    ])
    .select(rank.as('rank'))
    .orderBy(rank)
    .orderBy('n.deadline')
    .orderBy('n.id')
    .limit(limit);
  if (after)
    q = q.where(
      sql<boolean>`(${rank}, n.deadline, n.id) > (${after.r}, ${after.d}::timestamptz, ${after.i})`,
    );
  return q.execute();
}

/** Per organisation: total, open and overdue, most overdue first. */
export function countsByOrganisation(db: Kysely<DB>, f: BoardFilter, at: string) {
  const overdue = overdueSql(at);
  const open = sql<number>`(CASE WHEN n.state NOT IN (${closed}) THEN 1 ELSE 0 END)`;
  return filtered(db, f, at)
    .select([
      'n.organisation_id',
      'o.name',
      sql<number>`count(*)::int`.as('total'),
      sql<number>`sum(${open})::int`.as('open'),
      sql<number>`sum(${overdue})::int`.as('overdue'),
    ])
    .groupBy(['n.organisation_id', 'o.name'])
    .orderBy(sql`sum(${overdue})`, 'desc')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('o.name')
    .execute();
}

export function countsByState(db: Kysely<DB>, f: BoardFilter, at: string) {
  return filtered(db, f, at)
    .select(['n.state', sql<number>`count(*)::int`.as('n')])
    .groupBy('n.state')
    .execute();
}
