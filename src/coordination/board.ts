/**
 * The disposal board: one page of notifications in board order (overdue first, then by deadline, then id) read
 * by keyset — a cursor names the last row shown — and the counts per organisation and per state of everything
 * the filter matches, computed by GROUP BY (board-store.ts), so neither depends on how many rows a page holds.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { isOverdue, NOTIFICATION_STATES, type NotificationState } from './rules.js';
import type { BoardItem, BoardSummary } from './views.js';
import { boardRows, countsByOrganisation, countsByState } from './board-store.js';

export const BOARD_LIMIT = { default: 100, max: 500 } as const;

export interface BoardFilter {
  organisationId?: number;
  state?: NotificationState;
  overdue?: boolean;
}

/** Where the previous page ended: overdue rank (0 overdue, 1 not), deadline, id. */
export interface Cursor {
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

/** One page in board order; `nextCursor` is null on the last page. */
export async function boardPage(
  db: Kysely<DB>,
  f: BoardFilter & { cursor?: string; limit?: number },
  now: Date,
): Promise<{ items: BoardItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(f.limit ?? BOARD_LIMIT.default, 1), BOARD_LIMIT.max);
  const rows = await boardRows(db, f, now.toISOString(), limit + 1, f.cursor ? decodeCursor(f.cursor) : null);
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
      state: r.state,
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
  const [orgs, states] = await Promise.all([countsByOrganisation(db, f, at), countsByState(db, f, at)]);
  const byState = Object.fromEntries(NOTIFICATION_STATES.map((s) => [s, 0])) as Record<
    NotificationState,
    number
  >;
  for (const r of states) byState[r.state] = Number(r.n);
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
