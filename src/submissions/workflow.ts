/**
 * The submission workflow as a state enum and a transition table (not booleans). A transition names who may
 * take it — an analyst (submissions:triage) or the submission's own reporter — and what it requires. The
 * service re-checks the current state inside the transaction and writes the audit row with the change.
 */
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

export type Requirement = 'note' | 'reason' | 'duplicateOf' | 'verification';

export interface Transition {
  from: readonly State[];
  to: State;
  by: 'analyst' | 'reporter';
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
];

export const findTransition = (from: State, to: State, by: Transition['by']): Transition | undefined =>
  TRANSITIONS.find((t) => t.to === to && t.by === by && t.from.includes(from));

/** Where a state may go next, for whom (to show the right buttons). */
export const nextStates = (from: State, by: Transition['by']): State[] =>
  TRANSITIONS.filter((t) => t.by === by && t.from.includes(from)).map((t) => t.to);
