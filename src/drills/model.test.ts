/** The exercise's rules as tables: states and their CHECK constraint, validation, the figures' statuses. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../db/migrate.js';
import { assertTransition } from '../workflow/state-machine.js';
import { afterActionFigures } from './figures.js';
import {
  DRILL_STATES,
  DRILL_TRANSITIONS,
  EXERCISE_MARK,
  RESPONSE_KINDS,
  markSubject,
  messageText,
  validateDrill,
  type DrillInput,
} from './model.js';

const listed = (text: string, constraint: string, column: string): string[] => {
  const m = new RegExp(`${column} IN\\s*\\(([^)]*)\\)`).exec(text.slice(text.indexOf(constraint)));
  return [...(m?.[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] ?? '');
};

const valid = (): DrillInput => ({
  title: '演练',
  scenario: { zh: '场景', en: '' },
  participantIds: [1, 2],
  injects: [
    {
      dueAt: '2026-03-02T02:00:00Z',
      channels: ['email'],
      subject: 'second',
      body: 'b',
      expected: [],
    },
    {
      dueAt: '2026-03-02T01:00:00Z',
      channels: ['inbox'],
      subject: 'first',
      body: 'a',
      expected: [{ key: 'ack', description: 'acknowledge', withinMinutes: 30 }],
    },
  ],
});

describe('exercise rules', () => {
  it('goes draft → running → ended and nowhere else; the migration’s CHECK lists exactly those states', async () => {
    expect(DRILL_TRANSITIONS).toEqual({ draft: ['running'], running: ['ended'], ended: [] });
    expect(() => assertTransition(DRILL_TRANSITIONS, 'ended', 'running')).toThrow(/cannot go to running/);
    expect(() => assertTransition(DRILL_TRANSITIONS, 'draft', 'ended')).toThrow();
    const text = await readFile(`${MIGRATIONS_DIR}0031_drills.sql`, 'utf8');
    expect(listed(text, 'drills_state_check', 'state')).toEqual([...DRILL_STATES]);
    expect(listed(text, 'drill_responses_kind_check', 'kind')).toEqual([...RESPONSE_KINDS]);
  });

  it('marks every subject and body as exercise traffic', () => {
    expect(markSubject('Inject 1')).toBe('[EXERCISE / 演练] Inject 1');
    const body = messageText('APCERT', {
      seq: 1,
      body: 'sample',
      artefacts: 'C2 203.0.113.45',
      expected: [{ key: 'ack', description: 'acknowledge', withinMinutes: 30 }],
    });
    expect(body.startsWith(EXERCISE_MARK)).toBe(true);
    expect(body.endsWith(EXERCISE_MARK)).toBe(true);
    expect(body).toContain('C2 203.0.113.45');
    expect(body).toContain('- acknowledge (ack, within 30 min)');
  });

  it('sorts the schedule by time and refuses what a control team could get wrong, naming the field', () => {
    expect(validateDrill(valid()).injects.map((i) => i.subject)).toEqual(['first', 'second']);
    const bad = (f: (d: DrillInput) => void) => {
      const d = valid();
      f(d);
      return () => validateDrill(d);
    };
    expect(bad((d) => (d.participantIds = [1, 1]))).toThrow(
      /participantIds: an organisation is listed twice/,
    );
    expect(bad((d) => (d.injects[0] ? (d.injects[0].dueAt = 'soon') : undefined))).toThrow(
      /injects\[0\]\.dueAt/,
    );
    expect(
      bad((d) => d.injects[1]?.expected.push({ key: 'ack', description: 'again', withinMinutes: 5 })),
    ).toThrow(/injects\[1\]\.expected\[1\]\.key: ack is listed twice/);
    expect(
      bad((d) => d.injects[1]?.expected.push({ key: 'Report C2', description: 'x', withinMinutes: 5 })),
    ).toThrow(/key: lower-case/);
    expect(bad((d) => (d.scenario = { zh: ' ', en: '' }))).toThrow(/scenario/);
  });

  it('counts an action not yet due as pending, not missed, while the exercise runs', () => {
    const f = afterActionFigures({
      drill: {
        id: 1,
        title: 't',
        scenario: { zh: '', en: '' },
        state: 'running',
        startedAt: null,
        endedAt: null,
      },
      participants: [{ organisationId: 7, name: 'A', nameEn: null, kind: 'member_unit' }],
      injects: [
        {
          id: 1,
          seq: 1,
          dueAt: '2026-03-02T01:00:00.000Z',
          sentAt: '2026-03-02T01:00:00.000Z',
          subject: 's',
          expected: [
            { key: 'ack', description: 'ack', withinMinutes: 30 },
            { key: 'report', description: 'report', withinMinutes: 120 },
          ],
        },
      ],
      deliveries: [{ injectId: 1, organisationId: 7, deliveredAt: '2026-03-02T01:00:00.000Z' }],
      responses: [],
      asOf: '2026-03-02T01:45:00.000Z',
    });
    expect(f.participants[0]?.injects[0]?.actions.map((a) => a.status)).toEqual(['missed', 'pending']);
    expect(f.totals).toMatchObject({ missed: 1, pending: 1 });
  });
});
