import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../db/migrate.js';
import { STATES } from '../submissions/workflow.js';
import { NOTIFICATION_STATES } from '../coordination/rules.js';
import { STATUS_CODES } from '../incidents/tables.js';

/** The states listed in one `CHECK (<column> IN (…))` of the migration. */
function listed(sqlText: string, constraint: string, column: string): string[] {
  const at = sqlText.indexOf(constraint);
  const m = new RegExp(`${column} IN\\s*\\(([^)]*)\\)`).exec(sqlText.slice(at));
  return [...(m?.[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] ?? '');
}

describe('state CHECK constraints (0017_state_checks.sql)', () => {
  it('list exactly the states of each transition table', async () => {
    const text = await readFile(`${MIGRATIONS_DIR}0017_state_checks.sql`, 'utf8');
    expect(listed(text, 'submissions_state_check', 'state')).toEqual([...STATES]);
    expect(listed(text, 'submission_transitions_state_check', 'to_state')).toEqual([...STATES]);
    expect(listed(text, 'submission_transitions_state_check', 'from_state')).toEqual([...STATES]);
    expect(listed(text, 'notifications_state_check', 'state')).toEqual([...NOTIFICATION_STATES]);
    expect(listed(text, 'notification_events_state_check', 'to_state')).toEqual([...NOTIFICATION_STATES]);
    expect(listed(text, 'notification_events_state_check', 'from_state')).toEqual([...NOTIFICATION_STATES]);
    expect(listed(text, 'incidents_status_check', 'status')).toEqual(STATUS_CODES);
    expect(listed(text, 'incident_events_status_check', 'from_status')).toEqual(STATUS_CODES);
    expect(listed(text, 'incident_events_status_check', 'to_status')).toEqual(STATUS_CODES);
  });
});
