/**
 * The submission workflow as a state enum and a transition table (not booleans). A transition names who may
 * take it — an analyst (submissions:triage), the submission's own reporter, or the system (disposal moving a
 * case on: the first notification, every recipient's fix) — and what it requires. The service re-checks the
 * current state inside the transaction and writes the audit row with the change.
 */
import { allowedFrom, tableOf, type TransitionTable } from '../workflow/state-machine.js';

export const STATES = [
  'submitted',
  'triaged',
  'need_info',
  'duplicate',
  'rejected',
  'verifying',
  'verified',
  'notified',
  'fixed',
  'published',
] as const;
export type State = (typeof STATES)[number];

export type Actor = 'analyst' | 'reporter' | 'system';
export type Requirement = 'note' | 'reason' | 'duplicateOf' | 'verification';

export interface Transition {
  from: readonly State[];
  to: State;
  by: Actor;
  requires?: readonly Requirement[];
}

export const TRANSITIONS: readonly Transition[] = [
  { from: ['submitted'], to: 'triaged', by: 'analyst' },
  { from: ['submitted', 'triaged', 'need_info'], to: 'duplicate', by: 'analyst', requires: ['duplicateOf'] },
  {
    from: ['submitted', 'triaged', 'need_info', 'verifying'],
    to: 'rejected',
    by: 'analyst',
    requires: ['reason'],
  },
  { from: ['submitted', 'triaged', 'verifying'], to: 'need_info', by: 'analyst', requires: ['note'] },
  { from: ['need_info'], to: 'triaged', by: 'reporter', requires: ['note'] },
  { from: ['triaged'], to: 'verifying', by: 'analyst' },
  { from: ['verifying'], to: 'verified', by: 'analyst', requires: ['verification'] },
  { from: ['verified'], to: 'notified', by: 'analyst' },
  { from: ['notified'], to: 'fixed', by: 'analyst' },
  { from: ['verified', 'notified', 'fixed'], to: 'published', by: 'analyst' },
  // disposal (coordination) moves a case on by itself: the first notification, and every vendor or affected
  // organisation having fixed
  { from: ['verified'], to: 'notified', by: 'system' },
  { from: ['notified'], to: 'fixed', by: 'system' },
];

/** The transition table of each actor. */
export const TABLES: Readonly<Record<Actor, TransitionTable<State>>> = {
  analyst: tableOf(
    STATES,
    TRANSITIONS.filter((t) => t.by === 'analyst'),
  ),
  reporter: tableOf(
    STATES,
    TRANSITIONS.filter((t) => t.by === 'reporter'),
  ),
  system: tableOf(
    STATES,
    TRANSITIONS.filter((t) => t.by === 'system'),
  ),
};

/** States in which a submission may be notified to (more) recipients: verified and not yet published. */
export const NOTIFIABLE_STATES: readonly State[] = ['verified', 'notified', 'fixed'];

export const findTransition = (from: State, to: State, by: Transition['by']): Transition | undefined =>
  TRANSITIONS.find((t) => t.to === to && t.by === by && t.from.includes(from));

/** Where a state may go next, for whom (to show the right buttons). */
export const nextStates = (from: State, by: Actor): State[] => [...allowedFrom(TABLES[by], from)];
