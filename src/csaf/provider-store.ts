/**
 * What a CSAF provider stores and reads of its own: the signing key (one row, created at first use) and the
 * published records a page at a time (keyset on the row id), with when each last changed.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface StoredSigningKey {
  fingerprint: string;
  privateKey: string;
  publicKey: string;
}

export async function readSigningKey(db: Kysely<DB>): Promise<StoredSigningKey | null> {
  const r = await sql<{ fingerprint: string; private_key: string; public_key: string }>`
    SELECT fingerprint, private_key, public_key FROM csaf_signing_keys WHERE id = 1`.execute(db);
  const k = r.rows[0];
  return k ? { fingerprint: k.fingerprint, privateKey: k.private_key, publicKey: k.public_key } : null;
}

/** Store the key unless another process stored one first; answers the key that is stored. */
export async function storeSigningKey(db: Kysely<DB>, k: StoredSigningKey): Promise<StoredSigningKey> {
  await sql`
    INSERT INTO csaf_signing_keys (id, fingerprint, private_key, public_key)
    VALUES (1, ${k.fingerprint}, ${k.privateKey}, ${k.publicKey})
    ON CONFLICT (id) DO NOTHING`.execute(db);
  const stored = await readSigningKey(db);
  if (!stored) throw new Error('csaf_signing_keys: the key just stored is not there');
  return stored;
}

export interface PublishedRow {
  rowId: number;
  publicId: string;
  /** When the row last changed (RFC 3339): the key of the provider's cache. */
  modifiedAt: string;
}

/** Published records after `afterRowId`, in row order. */
export async function publishedRowsAfter(
  db: Kysely<DB>,
  afterRowId: number,
  limit: number,
): Promise<PublishedRow[]> {
  const rows = await db
    .selectFrom('vulnerabilities')
    .select(['id', 'public_id', 'modified_at'])
    .where('state', '=', 'published')
    .where('id', '>', afterRowId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    rowId: Number(r.id),
    publicId: r.public_id,
    modifiedAt: new Date(r.modified_at).toISOString(),
  }));
}
