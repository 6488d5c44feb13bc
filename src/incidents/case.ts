/**
 * An incident handed to disposal becomes an event-type (事件型) submission: the affected organisation is the
 * first victim, the description the summary and the attack chain, the reporter the acting coordinator (the CLI
 * stands in with the earliest admin account). The coordinator confirmed the incident itself, so the case is
 * walked through the workflow table to `verified` with a verification record, ready to notify. Its origin is
 * 'incident': it is the coordinator's own case, not the reporter account's original report, so the bulletin's
 * Table 1 and the reporter ranking leave it out. Runs inside the caller's transaction, through the submissions
 * capability (submissions/system.ts openCoordinatorCase).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Principal } from '../accounts/model.js';
import { audit } from '../audit/audit.js';
import { earliestAdmin } from '../accounts/store.js';
import { openCoordinatorCase } from '../submissions/system.js';
import type { Incident } from './model.js';
import { ASSET_KINDS, ATTACK_PHASES } from './tables.js';

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
  const admin = await earliestAdmin(tx);
  if (!admin)
    throw new AppError(
      'no_admin',
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
  const actor = p.kind === 'user' ? { name: p.email, userId: p.userId } : { name: p.kind, userId: null };
  const cve = incident.attackChain.flatMap((s) => s.vulnerabilityIds).find((v) => v.startsWith('CVE-'));
  const opened = await openCoordinatorCase(
    tx,
    actor,
    {
      reporter: { id: reporter.id, organisationId: reporter.organisationId },
      title: incident.title,
      affectedOrganisation: incident.victims[0]?.name ?? incident.title,
      affectedSystem: affectedSystem(incident),
      description: caseDescription(incident),
      cveId: cve ?? null,
      note: `incident ${incident.id}`,
      verification: {
        environment: 'incident response (事件处置)',
        steps: `The coordinator confirmed incident ${incident.id} itself`,
      },
    },
    at,
  );
  await audit(tx, p, {
    action: 'submission.created',
    targetKind: 'submission',
    targetId: opened.trackingNo,
    detail: { kind: 'event', incident: incident.id, state: 'verified' },
  });
  return opened;
}
