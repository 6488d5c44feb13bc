/**
 * What the disposal API returns, as types only (no imports beyond the rule tables), so the web app shares them
 * with the server instead of copying them.
 */
import type { NotificationState } from './rules.js';

/** One recipient's notification of a case, with its history. */
export interface NotificationView {
  id: number;
  organisationId: number;
  organisation: string;
  category: string;
  state: NotificationState;
  deadline: string;
  fixUrl: string | null;
  answer: string | null;
  overdue: boolean;
  events: Array<{ at: string; actor: string; from: string | null; to: string; note: string | null }>;
}

/** A row of the disposal board: a notification with its case. */
export interface BoardItem {
  id: number;
  trackingNo: string;
  title: string;
  severity: string | null;
  organisationId: number;
  organisation: string;
  category: string;
  state: NotificationState;
  notifiedAt: string;
  deadline: string;
  fixUrl: string | null;
  overdue: boolean;
}

/** Counts of every notification the board's filter matches (not just the rows of one page). */
export interface BoardSummary {
  total: number;
  overdue: number;
  /** per recipient organisation: most overdue first, then most notified */
  byOrganisation: Array<{
    organisationId: number;
    organisation: string;
    total: number;
    open: number;
    overdue: number;
  }>;
  byState: Record<NotificationState, number>;
}

/** GET /api/v1/notifications: one page in board order, the cursor of the next, and the summary. */
export interface BoardPage {
  items: BoardItem[];
  nextCursor: string | null;
  summary: BoardSummary;
}
