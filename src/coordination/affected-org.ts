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
import { receivingOrganisations } from '../accounts/store.js';

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
 * registers a unit under a bank's name is never sent the bank's findings. The coordination service's
 * `notifyAffectedOrganisation` notifies it in the verifying transaction.
 */
export async function findOrganisationByName(tx: Kysely<DB>, name: string): Promise<number | null> {
  const exact = await receivingOrganisations(tx, name);
  if (exact.length === 1 && exact[0]) return exact[0].id;
  const key = orgNameKey(name);
  if (!key) return null;
  const all = await receivingOrganisations(tx);
  const hits = all.filter(
    (o) => orgNameKey(o.name) === key || (o.name_en !== null && orgNameKey(o.name_en) === key),
  );
  return hits.length === 1 && hits[0] ? hits[0].id : null;
}
