/**
 * Sign-in throttling that an attacker cannot turn against the real user. Attempts are counted per account ×
 * client address (a guesser slows down only themselves: the owner signs in from anywhere else) and per client
 * address across accounts (one address spraying many accounts slows down). Nothing locks an account for
 * everyone.
 *
 * Each attempt is charged before its password is checked, in one statement per counter that also enforces the
 * wait (INSERT … ON CONFLICT DO UPDATE … WHERE next_at <= now RETURNING), inside one transaction for both
 * counters; the row lock makes parallel attempts queue, so 20 guesses at once check exactly as many passwords
 * as the table allows. A successful sign-in clears its account × client counter and gives back its charge to
 * the address's counter.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { chargeAttempt, clearAttempts, throttledUntil } from './store.js';

/**
 * After `failures` attempts in a row, the next one waits `waitSeconds` (the row with the largest `failures`
 * not above the count applies). Below the first row there is no wait. Counts are forgotten after
 * `forgetAfterHours` without an attempt.
 */
export const SIGN_IN_BACKOFF = {
  accountAndClient: [
    { failures: 5, waitSeconds: 30 },
    { failures: 6, waitSeconds: 60 },
    { failures: 7, waitSeconds: 120 },
    { failures: 8, waitSeconds: 300 },
    { failures: 9, waitSeconds: 900 },
    { failures: 10, waitSeconds: 3600 },
  ],
  client: [
    { failures: 30, waitSeconds: 60 },
    { failures: 40, waitSeconds: 300 },
    { failures: 50, waitSeconds: 900 },
    { failures: 60, waitSeconds: 3600 },
  ],
  forgetAfterHours: 24,
} as const;

export type BackoffTable = ReadonlyArray<{ failures: number; waitSeconds: number }>;

export const clientKey = (ip: string | undefined) => `client:${ip ?? 'unknown'}`;
export const accountClientKey = (email: string, ip: string | undefined) =>
  `account:${email.trim().toLowerCase()}|${clientKey(ip)}`;

/** Charge one attempt to `key`; the new count, or null when the key must still wait. */
function charge(tx: Kysely<DB>, key: string, table: BackoffTable, now: Date): Promise<number | null> {
  const forgetBefore = new Date(now.getTime() - SIGN_IN_BACKOFF.forgetAfterHours * 3_600_000).toISOString();
  return chargeAttempt(tx, key, table, now.toISOString(), forgetBefore);
}

async function secondsToWait(tx: Kysely<DB>, keys: string[], now: Date): Promise<number> {
  const until = Math.max(now.getTime(), ...(await throttledUntil(tx, keys)).map((t) => Date.parse(t)));
  return Math.max(1, Math.ceil((until - now.getTime()) / 1000));
}

/**
 * Take one sign-in attempt for `email` from `ip`, or refuse (rate_limited, with retryAfterSeconds) without
 * charging anything. Resolves to how many attempts this account × client has made in a row, this one included.
 */
export async function takeAttempt(
  db: Kysely<DB>,
  email: string,
  ip: string | undefined,
  now: Date,
): Promise<number> {
  const keys = [clientKey(ip), accountClientKey(email, ip)];
  const refused = new Error('throttled');
  try {
    return await db.transaction().execute(async (tx) => {
      // always the client row first, then the pair: every transaction locks in the same order
      if ((await charge(tx, clientKey(ip), SIGN_IN_BACKOFF.client, now)) === null) throw refused;
      const n = await charge(tx, accountClientKey(email, ip), SIGN_IN_BACKOFF.accountAndClient, now);
      if (n === null) throw refused;
      return n;
    });
  } catch (e) {
    if (e !== refused) throw e;
    const wait = await secondsToWait(db, keys, now);
    throw new AppError(
      'rate_limited',
      `Too many failed sign-ins from this address; try again in ${wait < 120 ? `${wait} s` : `${Math.ceil(wait / 60)} min`}`,
      { retryAfterSeconds: wait },
    );
  }
}

/** A sign-in succeeded: its account × client count starts again; the address gets its charge back. */
export async function attemptSucceeded(
  tx: Kysely<DB>,
  email: string,
  ip: string | undefined,
  now: Date,
): Promise<void> {
  const forgetBefore = new Date(now.getTime() - SIGN_IN_BACKOFF.forgetAfterHours * 3_600_000).toISOString();
  await clearAttempts(tx, { pair: accountClientKey(email, ip), client: clientKey(ip), forgetBefore });
}

/** The attempt count at which the owner is told by e-mail: the first that makes the next attempt wait. */
export const NOTIFY_OWNER_AT = SIGN_IN_BACKOFF.accountAndClient[0].failures;
