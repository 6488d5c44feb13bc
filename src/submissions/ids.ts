/** Identifiers of the pipeline: tracking numbers for reporters, the platform's own vulnerability ids. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** Crockford base32: no I, L, O, U — easy to read out on the phone. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** "S-20260105-7KQ2M9XW": the day it came in and 40 random bits. */
export function trackingNumber(day: string, random: Buffer = randomBytes(5)): string {
  let n = BigInt(`0x${random.toString('hex')}`);
  let s = '';
  for (let i = 0; i < 8; i++) {
    s = (ALPHABET[Number(n % 32n)] ?? '0') + s;
    n /= 32n;
  }
  return `S-${day.replace(/-/g, '')}-${s}`;
}

export interface IdFormat {
  prefix: string;
  /** Digits of the sequence number, zero-padded. */
  digits: number;
}
export const DEFAULT_ID_FORMAT: IdFormat = { prefix: 'VS', digits: 5 };

/** "VS-2026-00001" */
export const formatVulnId = (f: IdFormat, year: number, n: number): string =>
  `${f.prefix}-${year}-${String(n).padStart(f.digits, '0')}`;

/**
 * Numbers of another instance's series delegated to us (src/peers/delegation.ts): the next one of `year`, taken
 * in the verifying transaction, formatted with that series' prefix — or null when we hold no open block of that
 * year (then our own series gives the id).
 */
export interface DelegatedIds {
  take(tx: Kysely<DB>, year: number): Promise<string | null>;
}
