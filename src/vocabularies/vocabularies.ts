/**
 * The analysts' data tables the web app shows, assembled from the modules that own them (vulnerability
 * classification, incidents, disposal), and the ISO weeks bulletins and rankings count by. No I/O here: the
 * routes serve these so the web app never copies a table or imports server source.
 */
import { INDUSTRY_LABELS, OBJECT_TYPE_LABELS } from '../vulns/model.js';
import {
  ASSET_KINDS,
  ATTACK_PHASES,
  SECTORS,
  STATUSES,
  TLP_LEVELS,
  TRANSITIONS,
  VECTORS,
} from '../incidents/tables.js';
import { CLOSED_STATES } from '../coordination/rules.js';
import { calendarDay, parseWeekId, shiftWeek, weekOf, type IsoWeek } from '../vulns/calendar.js';

export interface Label {
  zh: string;
  en: string;
}

/** Only the labels of a table whose rows carry more (a sector's STIX term stays on the server). */
const labelsOf = (table: Record<string, Label>): Record<string, Label> =>
  Object.fromEntries(Object.entries(table).map(([code, { zh, en }]) => [code, { zh, en }]));

export function vocabularies() {
  return {
    vulnerabilities: {
      objectTypes: labelsOf(OBJECT_TYPE_LABELS),
      industries: labelsOf(INDUSTRY_LABELS),
    },
    incidents: {
      sectors: labelsOf(SECTORS),
      attackPhases: Object.fromEntries(
        Object.entries(ATTACK_PHASES).map(([code, { tactic, zh, en }]) => [code, { tactic, zh, en }]),
      ),
      assetKinds: labelsOf(ASSET_KINDS),
      vectors: labelsOf(VECTORS),
      statuses: labelsOf(STATUSES),
      /** the statuses each status may change to */
      transitions: Object.fromEntries(Object.entries(TRANSITIONS).map(([from, to]) => [from, [...to]])),
      tlpLevels: labelsOf(TLP_LEVELS),
    },
    notifications: {
      /** states in which a notification is settled: the recipient has nothing more to do */
      closedStates: [...CLOSED_STATES],
    },
  };
}

export interface WeekView {
  id: string;
  year: number;
  week: number;
  start: string;
  end: string;
  previous: string;
  next: string;
}

const view = (w: IsoWeek): WeekView => ({
  id: w.id,
  year: w.year,
  week: w.week,
  start: w.start,
  end: w.end,
  previous: shiftWeek(w, -1).id,
  next: shiftWeek(w, 1).id,
});

/**
 * The ISO week named by `week` ("2023-W49"), else the one holding `date` (YYYY-MM-DD), else the one holding
 * `now` in the platform's time zone. A week that does not exist is an invalid_parameter.
 */
export function weekFor(q: { week?: string; date?: string }, now: Date): WeekView {
  if (q.week) return view(parseWeekId(q.week));
  if (q.date) return view(weekOf(q.date));
  return view(weekOf(calendarDay(now.toISOString())));
}
