/**
 * SQL of the disposal board: one page of notifications in board order (overdue first, then by deadline, then
 * id) read by keyset — a cursor names the last row shown — and the counts per organisation and per state of
 * everything the filter matches, computed by GROUP BY, so neither depends on how many rows a page holds.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { CLOSED_STATES, isOverdue, NOTIFICATION_STATES, type NotificationState } from './rules.js';
import type { BoardItem, BoardSummary } from './views.js';

export const BOARD_LIMIT = { default: 100, max: 500 } as const;

export interface BoardFilter {
  organisationId?: number;
  state?: NotificationState;
  overdue?: boolean;
}

/** Where the previous page ended: overdue rank (0 overdue, 1 not), deadline, id. */
interface Cursor {
  r: 0 | 1;
  d: string;
  i: number;
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(s: string): Cursor {
  const bad = () =>
    new AppError('invalid_parameter', 'cursor is not one this board gave', { parameter: 'cursor' });
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    typeof c !== 'object' ||
    c === null ||
    !((c as Cursor).r === 0 || (c as Cursor).r === 1) ||
    typeof (c as Cursor).d !== 'string' ||
    Number.isNaN(Date.parse((c as Cursor).d)) ||
    !Number.isSafeInteger((c as Cursor).i)
  )
    throw bad();
  return c as Cursor;
}

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

/** One page in board order; `nextCursor` is null on the last page. */
export async function boardPage(
  db: Kysely<DB>,
  f: BoardFilter & { cursor?: string; limit?: number },
  now: Date,
): Promise<{ items: BoardItem[]; nextCursor: string | null }> {
  const at = now.toISOString();
  const limit = Math.min(Math.max(f.limit ?? BOARD_LIMIT.default, 1), BOARD_LIMIT.max);
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
    .limit(limit + 1);
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    q = q.where(sql<boolean>`(${rank}, n.deadline, n.id) > (${c.r}, ${c.d}::timestamptz, ${c.i})`);
  }
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      trackingNo: r.tracking_no,
      title: r.title,
      severity: r.severity,
      organisationId: r.organisation_id,
      organisation: r.name,
      category: r.category,
      state: r.state as NotificationState,
      notifiedAt: new Date(r.created_at).toISOString(),
      deadline: new Date(r.deadline).toISOString(),
      fixUrl: r.fix_url,
      overdue: isOverdue(r.state, r.deadline, now),
    })),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({
            r: Number(last.rank) === 0 ? 0 : 1,
            d: new Date(last.deadline).toISOString(),
            i: Number(last.id),
          })
        : null,
  };
}

/** Counts of everything the filter matches: in total, per organisation (most overdue first), per state. */
export async function boardSummary(db: Kysely<DB>, f: BoardFilter, now: Date): Promise<BoardSummary> {
  const at = now.toISOString();
  const overdue = overdueSql(at);
  const open = sql<number>`(CASE WHEN n.state NOT IN (${closed}) THEN 1 ELSE 0 END)`;
  const [orgs, states] = await Promise.all([
    filtered(db, f, at)
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
      .execute(),
    filtered(db, f, at)
      .select(['n.state', sql<number>`count(*)::int`.as('n')])
      .groupBy('n.state')
      .execute(),
  ]);
  const byState = Object.fromEntries(NOTIFICATION_STATES.map((s) => [s, 0])) as Record<
    NotificationState,
    number
  >;
  for (const r of states)
    if ((NOTIFICATION_STATES as readonly string[]).includes(r.state))
      byState[r.state as NotificationState] = Number(r.n);
  const byOrganisation = orgs.map((r) => ({
    organisationId: Number(r.organisation_id),
    organisation: r.name,
    total: Number(r.total),
    open: Number(r.open),
    overdue: Number(r.overdue),
  }));
  return {
    total: byOrganisation.reduce((t, o) => t + o.total, 0),
    overdue: byOrganisation.reduce((t, o) => t + o.overdue, 0),
    byOrganisation,
    byState,
  };
}
