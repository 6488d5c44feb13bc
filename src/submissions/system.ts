/**
 * What other capabilities may do to submissions, inside their own transaction. Disposal (coordination) moves
 * a case on by itself — verified → notified with the first notification, notified → fixed when every vendor
 * or affected organisation fixed — only through `systemTransition`: it locks the row, re-checks the state
 * against the system's table, and writes the state, the transition row and the audit row together. Incidents
 * open the coordinator's own case through `openCoordinatorCase`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { audit } from '../audit/audit.js';
import { assertTransition, canTransition } from '../workflow/state-machine.js';
import { calendarDay } from '../vulns/calendar.js';
import { trackingNumber } from './ids.js';
import * as store from './store.js';
import { TABLES, type State } from './workflow.js';

export interface SystemActor {
  /** Who caused it: the analyst's e-mail, the recipient organisation's name, "system". */
  name: string;
  userId: number | null;
}

export async function systemTransition(
  tx: Kysely<DB>,
  submissionId: number,
  to: State,
  opts: { actor: SystemActor; note?: string | null; at: string },
): Promise<void> {
  const row = await store.byId(tx, submissionId, true);
  if (!row) throw new AppError('not_found', `No submission ${submissionId}`);
  const from = row.state;
  assertTransition(TABLES.system, from, to, 'A submission in state');
  await store.setState(tx, row.id, { state: to }, opts.at);
  await store.addTransition(tx, {
    submission_id: row.id,
    actor_id: opts.actor.userId,
    actor: opts.actor.name,
    from_state: from,
    to_state: to,
    note: opts.note ?? null,
    at: opts.at,
  });
  await audit(
    tx,
    { email: opts.actor.name, userId: opts.actor.userId },
    {
      action: `submission.${to}`,
      targetKind: 'submission',
      targetId: row.tracking_no,
      detail: { from, to, by: 'system' },
    },
  );
}

export type SystemTransition = typeof systemTransition;

/** What a case the coordinator opens itself says (an incident handed to disposal): the report's fields. */
export interface CoordinatorCase {
  reporter: { id: number; organisationId: number | null };
  title: string;
  affectedOrganisation: string;
  affectedSystem: string;
  description: string;
  cveId: string | null;
  /** On every transition row: where the case came from ("incident INC-2026-0001"). */
  note: string;
  verification: { environment: string; steps: string };
}

/** The workflow steps from submitted to verified, each checked against the analyst's transition table. */
const TO_VERIFIED: readonly State[] = ['submitted', 'triaged', 'verifying', 'verified'];

/**
 * Open an event-type case the coordinator confirmed itself, walked through the workflow table to `verified`
 * with a verification record, ready to notify. Its origin is 'incident': nobody's report, not counted for
 * reporters (Table 1, the ranking). Runs in the caller's transaction.
 */
export async function openCoordinatorCase(
  tx: Kysely<DB>,
  actor: SystemActor,
  c: CoordinatorCase,
  at: string,
): Promise<{ submissionId: number; trackingNo: string }> {
  const row = await store.insertSubmission(tx, {
    tracking_no: trackingNumber(calendarDay(at)),
    reporter_id: c.reporter.id,
    reporter_org_id: c.reporter.organisationId,
    kind: 'event',
    title: c.title,
    vendor: null,
    product: null,
    version: null,
    affected_org: c.affectedOrganisation,
    affected_system: c.affectedSystem,
    description: c.description,
    reproduction: null,
    poc: null,
    cve_id: c.cveId,
    cvss_vector: null,
    cvss_version: null,
    cvss_score: null,
    severity: null,
    weakness_cwe: null,
    weakness_zh: null,
    originality: 'original',
    source_url: null,
    state_reason: null,
    assignee_id: null,
    duplicate_of: null,
    vuln_public_id: null,
    vendor_key: null,
    product_key: null,
    created_at: at,
    updated_at: at,
    // the coordinator's own case: nobody's report, not counted for reporters (Table 1, the ranking)
    origin: 'incident',
  });
  const who = { actor_id: actor.userId, actor: actor.name };
  await store.addTransition(tx, {
    submission_id: row.id,
    ...who,
    from_state: null,
    to_state: 'submitted',
    note: c.note,
    at,
  });
  for (const [i, to] of TO_VERIFIED.slice(1).entries()) {
    const from = TO_VERIFIED[i] as State;
    if (!canTransition(TABLES.analyst, from, to))
      throw new AppError('internal', `the submission workflow no longer allows ${from} → ${to}`);
    if (to === 'verified')
      await store.addVerification(tx, {
        submission_id: row.id,
        environment: c.verification.environment,
        steps: c.verification.steps,
        result: 'reproduced',
        poc_url: null,
        verifier: 'coordinator',
        verified_by: actor.userId,
      });
    await store.addTransition(tx, {
      submission_id: row.id,
      ...who,
      from_state: from,
      to_state: to,
      note: c.note,
      at,
    });
  }
  await store.setState(tx, row.id, { state: 'verified' }, at);
  return { submissionId: row.id, trackingNo: row.tracking_no };
}
