/**
 * An incident handed to disposal becomes an event-type (事件型) submission: the affected organisation is the
 * first victim, the description the summary and the attack chain, the reporter the acting coordinator (the CLI
 * stands in with the earliest admin account). The coordinator confirmed the incident itself, so the case is
 * walked through the workflow table to `verified` with a verification record, ready to notify. Its origin is
 * 'incident': it is the coordinator's own case, not the reporter account's original report, so the bulletin's
 * Table 1 and the reporter ranking leave it out. Runs inside the caller's transaction, through the submissions
 * store.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Principal } from '../accounts/model.js';
import { audit } from '../audit/audit.js';
import { trackingNumber } from '../submissions/ids.js';
import * as submissions from '../submissions/store.js';
import { findTransition, type State } from '../submissions/workflow.js';
import { calendarDay } from '../vulns/calendar.js';
import type { Incident } from './model.js';
import { ASSET_KINDS, ATTACK_PHASES } from './tables.js';
import * as store from './store.js';

/** The workflow steps from submitted to verified, each checked against the submissions' transition table. */
const PATH: readonly State[] = ['submitted', 'triaged', 'verifying', 'verified'];

export function caseDescription(i: Incident): string {
  const chain = i.attackChain.map((s, n) => {
    const ids = [...s.techniqueIds, ...s.vulnerabilityIds];
    return `${n + 1}. [${ATTACK_PHASES[s.phase].zh} ${ATTACK_PHASES[s.phase].tactic}] ${s.description}${
      ids.length ? ` (${ids.join(', ')})` : ''
    }`;
  });
  return [i.summary, ...(chain.length ? ['', '攻击链 / Attack chain:', ...chain] : [])].join('\n');
}

export function affectedSystem(i: Incident): string {
  const parts = [
    ...i.assets.map((a) => `${ASSET_KINDS[a.kind].zh} ×${a.count}`),
    ...i.attackChain.flatMap((s) => (s.assets ? [s.assets] : [])),
  ];
  return (parts.length ? parts.join('; ') : i.summary).slice(0, 500);
}

async function reporterOf(tx: Kysely<DB>, p: Principal) {
  if (p.kind === 'user') return { id: p.userId, email: p.email, organisationId: p.organisationId };
  const admin = await store.earliestAdmin(tx);
  if (!admin)
    throw new AppError(
      'conflict',
      'A disposal case needs a reporter account and the command line has none: create an admin user first (vulnshare admin create --email … --name …)',
      { reason: 'no_admin' },
    );
  return { id: admin.id, email: admin.email, organisationId: admin.organisation_id };
}

export async function openCase(
  tx: Kysely<DB>,
  p: Principal,
  incident: Incident & { id: string },
  at: string,
): Promise<{ submissionId: number; trackingNo: string }> {
  const reporter = await reporterOf(tx, p);
  const actor =
    p.kind === 'user' ? { actor_id: p.userId, actor: p.email } : { actor_id: null, actor: p.kind };
  const cve = incident.attackChain.flatMap((s) => s.vulnerabilityIds).find((v) => v.startsWith('CVE-'));
  const row = await submissions.insertSubmission(tx, {
    tracking_no: trackingNumber(calendarDay(at)),
    reporter_id: reporter.id,
    reporter_org_id: reporter.organisationId,
    kind: 'event',
    title: incident.title,
    vendor: null,
    product: null,
    version: null,
    affected_org: incident.victims[0]?.name ?? incident.title,
    affected_system: affectedSystem(incident),
    description: caseDescription(incident),
    reproduction: null,
    poc: null,
    cve_id: cve ?? null,
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
  const note = `incident ${incident.id}`;
  await submissions.addTransition(tx, {
    submission_id: row.id,
    ...actor,
    from_state: null,
    to_state: 'submitted',
    note,
    at,
  });
  for (const [i, to] of PATH.slice(1).entries()) {
    const from = PATH[i] as State;
    if (!findTransition(from, to, 'analyst'))
      throw new AppError('internal', `the submission workflow no longer allows ${from} → ${to}`);
    if (to === 'verified')
      await submissions.addVerification(tx, {
        submission_id: row.id,
        environment: 'incident response (事件处置)',
        steps: `The coordinator confirmed incident ${incident.id} itself`,
        result: 'reproduced',
        poc_url: null,
        verifier: 'coordinator',
        verified_by: p.kind === 'user' ? p.userId : null,
      });
    await submissions.addTransition(tx, {
      submission_id: row.id,
      ...actor,
      from_state: from,
      to_state: to,
      note,
      at,
    });
  }
  await submissions.setState(tx, row.id, { state: 'verified' }, at);
  await audit(tx, p, {
    action: 'submission.created',
    targetKind: 'submission',
    targetId: row.tracking_no,
    detail: { kind: 'event', incident: incident.id, state: 'verified' },
  });
  return { submissionId: row.id, trackingNo: row.tracking_no };
}
