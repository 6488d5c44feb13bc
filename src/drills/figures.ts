/**
 * The after-action figures of an exercise, computed from what was sent and answered (pure): per participant and
 * inject, the time to acknowledge and, per expected action, when it was done — on time, late (after its
 * deadline), missed (never) or still pending (its deadline not reached when the figures were taken).
 */
import type { ExpectedAction, ResponseKind } from './model.js';

/** An acknowledgement that names no expected action fulfils the one of this key ("acknowledge within 30 min"). */
export const ACKNOWLEDGE_KEY = 'ack';

export const ACTION_STATUSES = ['on_time', 'late', 'missed', 'pending'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export interface FigureInputs {
  drill: {
    id: number;
    title: string;
    scenario: { zh: string; en: string };
    state: string;
    startedAt: string | null;
    endedAt: string | null;
  };
  participants: Array<{ organisationId: number; name: string; nameEn: string | null; kind: string }>;
  injects: Array<{
    id: number;
    seq: number;
    dueAt: string;
    sentAt: string | null;
    subject: string;
    expected: ExpectedAction[];
  }>;
  deliveries: Array<{ injectId: number; organisationId: number; deliveredAt: string }>;
  responses: Array<{
    injectId: number;
    organisationId: number;
    kind: ResponseKind;
    fulfils: string | null;
    at: string;
  }>;
  /** When the figures are taken: the end of the exercise, or now while it runs. */
  asOf: string;
}

export interface ActionFigure {
  key: string;
  description: string;
  deadlineAt: string;
  doneAt: string | null;
  /** Minutes from delivery to the response that did it. */
  minutes: number | null;
  status: ActionStatus;
}

export interface ParticipantInjectFigure {
  seq: number;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
  minutesToAcknowledge: number | null;
  actions: ActionFigure[];
}

export interface ParticipantFigure {
  organisationId: number;
  name: string;
  nameEn: string | null;
  kind: string;
  responses: number;
  injects: ParticipantInjectFigure[];
  meanMinutesToAcknowledge: number | null;
  onTime: number;
  late: number;
  missed: number;
  pending: number;
}

export interface MissedAction {
  organisationId: number;
  name: string;
  seq: number;
  key: string;
  description: string;
  deadlineAt: string;
  doneAt: string | null;
  status: 'late' | 'missed';
}

export interface AfterActionData {
  drill: FigureInputs['drill'];
  asOf: string;
  injects: Array<{
    seq: number;
    subject: string;
    dueAt: string;
    sentAt: string | null;
    expected: ExpectedAction[];
  }>;
  participants: ParticipantFigure[];
  missed: MissedAction[];
  totals: {
    participants: number;
    responding: number;
    injectsSent: number;
    deliveries: number;
    responses: number;
    expected: number;
    onTime: number;
    late: number;
    missed: number;
    pending: number;
  };
}

const minutesBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / 6000) / 10;
const addMinutes = (at: string, m: number): string => new Date(Date.parse(at) + m * 60_000).toISOString();
const earliest = <T extends { at: string }>(xs: T[]): T | undefined =>
  xs.reduce<T | undefined>(
    (a, b) => (a === undefined || Date.parse(b.at) < Date.parse(a.at) ? b : a),
    undefined,
  );

export function afterActionFigures(x: FigureInputs): AfterActionData {
  const injects = [...x.injects].sort((a, b) => a.seq - b.seq);
  const missed: MissedAction[] = [];
  const participants = x.participants.map((p): ParticipantFigure => {
    const mine = x.responses.filter((r) => r.organisationId === p.organisationId);
    const rows = injects.map((i): ParticipantInjectFigure => {
      const delivered = x.deliveries.find(
        (d) => d.injectId === i.id && d.organisationId === p.organisationId,
      );
      const answers = mine.filter((r) => r.injectId === i.id);
      const ack = earliest(answers.filter((r) => r.kind === 'acknowledge'));
      const actions = delivered
        ? i.expected.map((e): ActionFigure => {
            const deadlineAt = addMinutes(delivered.deliveredAt, e.withinMinutes);
            const done = earliest(
              answers.filter(
                (r) =>
                  r.fulfils === e.key ||
                  (r.kind === 'acknowledge' && !r.fulfils && e.key === ACKNOWLEDGE_KEY),
              ),
            );
            const status: ActionStatus = done
              ? Date.parse(done.at) <= Date.parse(deadlineAt)
                ? 'on_time'
                : 'late'
              : Date.parse(x.asOf) < Date.parse(deadlineAt)
                ? 'pending'
                : 'missed';
            if (status === 'late' || status === 'missed')
              missed.push({
                organisationId: p.organisationId,
                name: p.name,
                seq: i.seq,
                key: e.key,
                description: e.description,
                deadlineAt,
                doneAt: done?.at ?? null,
                status,
              });
            return {
              key: e.key,
              description: e.description,
              deadlineAt,
              doneAt: done?.at ?? null,
              minutes: done ? minutesBetween(delivered.deliveredAt, done.at) : null,
              status,
            };
          })
        : [];
      return {
        seq: i.seq,
        deliveredAt: delivered?.deliveredAt ?? null,
        acknowledgedAt: ack?.at ?? null,
        minutesToAcknowledge: ack && delivered ? minutesBetween(delivered.deliveredAt, ack.at) : null,
        actions,
      };
    });
    const acks = rows.flatMap((r) => (r.minutesToAcknowledge === null ? [] : [r.minutesToAcknowledge]));
    const count = (s: ActionStatus) =>
      rows.reduce((n, r) => n + r.actions.filter((a) => a.status === s).length, 0);
    return {
      organisationId: p.organisationId,
      name: p.name,
      nameEn: p.nameEn,
      kind: p.kind,
      responses: mine.length,
      injects: rows,
      meanMinutesToAcknowledge: acks.length
        ? Math.round((acks.reduce((a, b) => a + b, 0) / acks.length) * 10) / 10
        : null,
      onTime: count('on_time'),
      late: count('late'),
      missed: count('missed'),
      pending: count('pending'),
    };
  });
  const sum = (f: (p: ParticipantFigure) => number) => participants.reduce((n, p) => n + f(p), 0);
  return {
    drill: x.drill,
    asOf: x.asOf,
    injects: injects.map((i) => ({
      seq: i.seq,
      subject: i.subject,
      dueAt: i.dueAt,
      sentAt: i.sentAt,
      expected: i.expected,
    })),
    participants,
    missed,
    totals: {
      participants: participants.length,
      responding: participants.filter((p) => p.responses > 0).length,
      injectsSent: injects.filter((i) => i.sentAt !== null).length,
      deliveries: x.deliveries.length,
      responses: x.responses.length,
      expected: sum((p) => p.injects.reduce((n, r) => n + r.actions.length, 0)),
      onTime: sum((p) => p.onTime),
      late: sum((p) => p.late),
      missed: sum((p) => p.missed),
      pending: sum((p) => p.pending),
    },
  };
}
