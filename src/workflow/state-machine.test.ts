import { describe, expect, it } from 'vitest';
import {
  allowedFrom,
  assertTransition,
  canTransition,
  isState,
  sourcesOf,
  tableOf,
} from './state-machine.js';
import { NOTIFICATION_TRANSITIONS, RECIPIENT_ACTIONS } from '../coordination/rules.js';
import { TABLES } from '../submissions/workflow.js';

const STATES = ['draft', 'review', 'done'] as const;
const table = tableOf(STATES, [
  { from: ['draft'], to: 'review' },
  { from: ['review'], to: 'draft' },
  { from: ['draft', 'review'], to: 'done' },
]);

describe('the state-machine helper', () => {
  it('builds a table from rule rows, each state with where it may go next', () => {
    expect(table).toEqual({ draft: ['review', 'done'], review: ['draft', 'done'], done: [] });
    expect(allowedFrom(table, 'review')).toEqual(['draft', 'done']);
    expect(sourcesOf(table, 'done')).toEqual(['draft', 'review']);
    expect(canTransition(table, 'done', 'draft')).toBe(false);
    expect(isState(STATES, 'review')).toBe(true);
    expect(isState(STATES, 'published')).toBe(false);
  });

  it('refuses a move the table does not list, naming the allowed ones', () => {
    expect(() => assertTransition(table, 'draft', 'done')).not.toThrow();
    expect(() => assertTransition(table, 'done', 'review', 'A draft in state')).toThrow(
      expect.objectContaining({
        code: 'invalid_transition',
        message: 'A draft in state done cannot go to review',
        details: { from: 'done', to: 'review', allowed: [] },
      }),
    );
  });
});

describe('the workflows’ system transitions', () => {
  it('let disposal move a submission verified → notified → fixed, and nothing else', () => {
    expect(TABLES.system.verified).toEqual(['notified']);
    expect(TABLES.system.notified).toEqual(['fixed']);
    expect(Object.values(TABLES.system).flat()).toEqual(['notified', 'fixed']);
  });

  it('let the system mark a sent notification undeliverable or delivered, and escalate an unanswered one', () => {
    expect(NOTIFICATION_TRANSITIONS.system.sent).toEqual(['undeliverable', 'delivered', 'no_response']);
    expect(NOTIFICATION_TRANSITIONS.system.delivered).toEqual(['no_response']);
    expect(NOTIFICATION_TRANSITIONS.system.acknowledged).toEqual([]);
  });

  it('give a recipient exactly its actions', () => {
    for (const a of Object.values(RECIPIENT_ACTIONS))
      expect(sourcesOf(NOTIFICATION_TRANSITIONS.recipient, a.to)).toEqual(a.from);
  });
});
