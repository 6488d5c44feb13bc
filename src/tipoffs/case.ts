/**
 * A tip-off is an event-type (事件型) submission of origin 'public', reported by the platform's public-intake
 * account. Why a submission and not a queue of its own: the analysts' triage queue, the workflow table
 * (triage, need_info, duplicate, reject, verify, notify, publish), duplicate scoring, case messages and the
 * disposal of event-type reports all work on submissions already — a tip-off needs them all, so it enters
 * them as one, beside registered reports. What only a tip-off has (its receipt, the contact) is in `tipoffs`.
 * The origin keeps it out of reporter credit (the bulletin's Table 1 and the ranking count origin 'report').
 *
 * These functions run in the caller's transaction and write submissions only through submissions/store.ts,
 * as submissions/system.ts does for disposal and incidents.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import * as accounts from '../accounts/store.js';
import * as submissions from '../submissions/store.js';
import { trackingNumber } from '../submissions/ids.js';
import { TABLES } from '../submissions/workflow.js';
import { calendarDay } from '../vulns/calendar.js';
import { canTransition } from '../workflow/state-machine.js';
import { PUBLIC_INTAKE, type TipoffInput } from './model.js';

/**
 * The public-intake account, created on the first tip-off. Its password hash is no PHC string, so no password
 * ever verifies against it: nobody signs in as the public.
 */
export async function publicIntakeUser(tx: Kysely<DB>): Promise<number> {
  const found = await accounts.userByEmail(tx, PUBLIC_INTAKE.email);
  if (found) return found.id;
  await accounts.insertUser(
    tx,
    {
      email: PUBLIC_INTAKE.email,
      display_name: PUBLIC_INTAKE.displayName,
      password_hash: '!public-intake: no password',
      role: 'reporter',
      organisation_id: null,
    },
    true,
  );
  const made = await accounts.userByEmail(tx, PUBLIC_INTAKE.email);
  if (!made) throw new AppError('internal', 'the public-intake account could not be created');
  return made.id;
}

export async function openPublicCase(
  tx: Kysely<DB>,
  input: TipoffInput,
  at: string,
): Promise<{ submissionId: number; trackingNo: string }> {
  const reporterId = await publicIntakeUser(tx);
  const row = await submissions.insertSubmission(tx, {
    tracking_no: trackingNumber(calendarDay(at)),
    reporter_id: reporterId,
    reporter_org_id: null,
    kind: 'event',
    title: input.title.trim(),
    vendor: null,
    product: null,
    version: null,
    affected_org: input.affectedOrganisation.trim(),
    affected_system: input.affectedSystem.trim(),
    description: input.description,
    reproduction: null,
    poc: null,
    cve_id: null,
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
    origin: 'public',
  });
  await submissions.addTransition(tx, {
    submission_id: row.id,
    actor_id: reporterId,
    actor: PUBLIC_INTAKE.actor,
    from_state: null,
    to_state: 'submitted',
    note: `public tip-off (${input.kind})`,
    at,
  });
  return { submissionId: row.id, trackingNo: row.tracking_no };
}

/**
 * The tipster's answer: a message in the coordinator ↔ reporter thread; when the analyst asked for information
 * (need_info), the answer sends the case back to triage — the reporter's transition of the workflow table.
 */
export async function publicAnswer(
  tx: Kysely<DB>,
  c: { submissionId: number; state: string },
  body: string,
  at: string,
): Promise<{ id: number; createdAt: string; movedTo: 'triaged' | null }> {
  const reporterId = await publicIntakeUser(tx);
  const m = await submissions.insertMessage(tx, {
    submission_id: c.submissionId,
    author_id: reporterId,
    author: PUBLIC_INTAKE.actor,
    author_side: 'reporter',
    audience: 'reporter',
    organisation_id: null,
    reply_to: null,
    body,
    created_at: at,
  });
  let movedTo: 'triaged' | null = null;
  if (c.state === 'need_info' && canTransition(TABLES.reporter, 'need_info', 'triaged')) {
    await submissions.setState(tx, c.submissionId, { state: 'triaged' }, at);
    await submissions.addTransition(tx, {
      submission_id: c.submissionId,
      actor_id: reporterId,
      actor: PUBLIC_INTAKE.actor,
      from_state: 'need_info',
      to_state: 'triaged',
      note: body.slice(0, 500),
      at,
    });
    movedTo = 'triaged';
  }
  return { id: m.id, createdAt: m.created_at, movedTo };
}
