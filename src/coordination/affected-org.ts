/**
 * Event-type findings (事件型: a flaw in one organisation's deployed system, e.g. a weak password on its
 * cameras) notify that organisation through disposal. When such a submission is verified and its
 * affected_org names exactly one registered organisation — the same name, or the same once case, width,
 * spaces, punctuation and a legal-form suffix (有限公司, Co., Ltd.…) are ignored, in Chinese or English — the
 * organisation is notified (category affected_org) with the usual deadline, signed link and outbox messages,
 * in the verifying transaction: the submission goes verified → notified at once. No match, several matches,
 * or an actor without disposal:notify: the submission stays verified for an analyst to notify by hand.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { RECEIVING_KINDS, type Principal } from '../accounts/model.js';
import { can } from '../accounts/policy.js';
import type { Severity } from '../vulns/model.js';
import { createCoordinationService } from './service.js';

/** Legal-form endings ignored when comparing organisation names. */
export const LEGAL_FORM_SUFFIXES: readonly string[] = [
  '股份有限公司',
  '有限责任公司',
  '有限公司',
  '公司',
  'corporation',
  'corp',
  'incorporated',
  'inc',
  'limited',
  'ltd',
  'co',
  'llc',
  'gmbh',
  'plc',
];

/** "深圳市某某科技有限公司" → "深圳市某某科技"; "ACME Co., Ltd." → "acme". */
export function orgNameKey(name: string): string {
  let k = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
  for (let changed = true; changed;) {
    changed = false;
    for (const s of LEGAL_FORM_SUFFIXES)
      if (k.length > s.length && k.endsWith(s)) {
        k = k.slice(0, -s.length);
        changed = true;
      }
  }
  return k;
}

/**
 * The registered organisation a name designates: exact (case-insensitive) first, else the one normalised match.
 * Only organisations that may receive (a receiving kind, verified by an analyst) are candidates: a reporter who
 * registers a unit under a bank's name is never sent the bank's findings.
 */
export async function findOrganisationByName(tx: Kysely<DB>, name: string): Promise<number | null> {
  const receiving = tx
    .selectFrom('organisations')
    .where('kind', 'in', [...RECEIVING_KINDS])
    .where('verified_at', 'is not', null);
  const exact = await receiving
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .execute();
  if (exact.length === 1 && exact[0]) return exact[0].id;
  const key = orgNameKey(name);
  if (!key) return null;
  const all = await receiving.select(['id', 'name', 'name_en']).execute();
  const hits = all.filter(
    (o) => orgNameKey(o.name) === key || (o.name_en !== null && orgNameKey(o.name_en) === key),
  );
  return hits.length === 1 && hits[0] ? hits[0].id : null;
}

/**
 * The coordination service's functions open their own transaction; this view of `tx` makes them run inside
 * the caller's one instead (db.transaction().execute(fn) calls fn(tx)), so notification, outbox rows and the
 * state change commit together with the verification.
 */
function sharingTransaction(tx: Kysely<DB>): Kysely<DB> {
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === 'transaction')
        return () => ({ execute: <T>(fn: (t: Kysely<DB>) => Promise<T>): Promise<T> => fn(target) });
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Notify the organisation an event-type submission names, inside the caller's (verifying) transaction.
 * Returns the organisation notified, or null when there is none to notify automatically.
 */
export async function notifyAffectedOrganisation(
  tx: Kysely<DB>,
  p: Principal,
  submission: { id: number; tracking_no: string; kind: string; affected_org: string | null },
  deps: { publicUrl: string; clock?: () => Date; sla?: Record<Severity | 'unrated', number> },
): Promise<number | null> {
  if (submission.kind !== 'event' || !submission.affected_org?.trim() || !can(p, 'disposal:notify'))
    return null;
  const organisationId = await findOrganisationByName(tx, submission.affected_org);
  if (organisationId === null) return null;
  const already = await tx
    .selectFrom('notifications')
    .select('id')
    .where('submission_id', '=', submission.id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (already) return null;
  const coordination = createCoordinationService({
    db: sharingTransaction(tx),
    publicUrl: deps.publicUrl,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.sla ? { sla: deps.sla } : {}),
  });
  await coordination.notify(p, submission.tracking_no, [{ organisationId, category: 'affected_org' }]);
  return organisationId;
}
