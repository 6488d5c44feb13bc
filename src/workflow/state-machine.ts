/**
 * The one state-machine helper every workflow uses (submissions, incidents, notifications): a transition table
 * names, for each state, the states it may go to next. A workflow with several actors (analyst, reporter,
 * recipient, the system) keeps one table per actor, built from its rule rows with `tableOf`. The service
 * re-checks the current state inside its transaction with `assertTransition` before writing the change.
 */
import { AppError } from '../errors.js';

/** For each state, where it may go next. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** The states `from` may go to next (none for an end state). */
export const allowedFrom = <S extends string>(table: TransitionTable<S>, from: S): readonly S[] =>
  table[from];

export const canTransition = <S extends string>(table: TransitionTable<S>, from: S, to: S): boolean =>
  table[from].includes(to);

/** The states from which `to` may be reached (a conditional UPDATE's guard). */
export const sourcesOf = <S extends string>(table: TransitionTable<S>, to: S): S[] =>
  (Object.keys(table) as S[]).filter((from) => table[from].includes(to));

/**
 * Throws invalid_transition (409) naming the allowed next states unless `from → to` is in the table. `subject` begins the
 * message ("A submission in state", "An incident in status").
 */
export function assertTransition<S extends string>(
  table: TransitionTable<S>,
  from: S,
  to: S,
  subject = 'A record in state',
): void {
  if (!canTransition(table, from, to))
    throw new AppError('invalid_transition', `${subject} ${from} cannot go to ${to}`, {
      from,
      to,
      allowed: [...allowedFrom(table, from)],
    });
}

/** A table from rule rows ({ from: [...], to }), each state listed once per target, in the rules' order. */
export function tableOf<S extends string>(
  states: readonly S[],
  rules: ReadonlyArray<{ readonly from: readonly S[]; readonly to: S }>,
): TransitionTable<S> {
  const table = Object.fromEntries(states.map((s) => [s, [] as S[]])) as Record<S, S[]>;
  for (const r of rules) for (const f of r.from) if (!table[f].includes(r.to)) table[f].push(r.to);
  return table;
}

/** Is `value` one of the workflow's states? */
export const isState = <S extends string>(states: readonly S[], value: unknown): value is S =>
  typeof value === 'string' && (states as readonly string[]).includes(value);
