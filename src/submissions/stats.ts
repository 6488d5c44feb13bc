/**
 * Reporter statistics: per week, per organisation (individual researchers together), reported and original
 * counts — the bulletin's Table 1 — ranked; and a reporter's own weekly counts.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import { reporterTable } from '../reports/figures.js';
import { DEFAULT_RULES } from '../reports/rules.js';
import { reporters } from '../reports/store.js';
import { reporterSince } from './store.js';
import { calendarDay, parseWeekId, shiftWeek, weekMoments, weekOf } from '../vulns/calendar.js';

export function createReporterStats(deps: { db: Kysely<DB>; clock?: () => Date }) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  /** The week's ranking: most original reports first, then most reported. */
  async function ranking(weekId?: string) {
    const w = weekId ? parseWeekId(weekId) : weekOf(calendarDay(clock().toISOString()));
    const t = reporterTable(await reporters(db, DEFAULT_RULES.dateBasis, w), DEFAULT_RULES);
    const rows = [...t.rows]
      .sort((a, b) => b.original - a.original || b.reported - a.reported || a.name.localeCompare(b.name))
      .map((r, i) => ({
        rank: i + 1,
        name: r.kind === 'individuals' ? null : r.name,
        kind: r.kind,
        reported: r.reported,
        original: r.original,
      }));
    return { week: w.id, start: w.start, end: w.end, rows, total: t.total };
  }

  /** The signed-in reporter's own counts per week (last `weeks`), and their organisation's rank this week. */
  async function mine(p: Principal, weeks = 12) {
    requireAccess(p, 'submissions:read_own');
    if (p.kind !== 'user') throw new AppError('unauthorized', 'Sign in first');
    const now = weekOf(calendarDay(clock().toISOString()));
    const first = shiftWeek(now, -(weeks - 1));
    const rows = await reporterSince(db, p.userId, weekMoments(first).from);
    const perWeek = Array.from({ length: weeks }, (_, i) => ({
      week: shiftWeek(first, i).id,
      reported: 0,
      original: 0,
      verified: 0,
    }));
    for (const r of rows) {
      const wk = weekOf(calendarDay(r.created_at)).id;
      const slot = perWeek.find((x) => x.week === wk);
      if (!slot || ['duplicate', 'rejected'].includes(r.state)) continue;
      slot.reported++;
      if (r.originality === 'original') slot.original++;
      if (r.vuln_public_id) slot.verified++;
    }
    return { weeks: perWeek };
  }

  return { ranking, mine };
}
