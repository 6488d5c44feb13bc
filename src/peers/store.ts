/**
 * Federation's tables (migration 0021): the instance's identity keys, peers with their keys, cursor and status,
 * their policy rows, the nonces seen; and the change feed's reads of published records by change sequence
 * (0022). The only SQL of src/peers.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { PeerKey } from './envelope.js';
import type { KeyPair } from './keys.js';
import type { PeerPolicy } from './policy.js';

type Db = Kysely<DB>;
type Tx = Transaction<DB> | Kysely<DB>;

export interface IdentityKeyRow {
  key_id: string;
  private_key: string;
  public_key: string;
  state: 'active' | 'retired';
  created_at: string;
  retired_at: string | null;
}

export async function identityKeys(db: Db): Promise<IdentityKeyRow[]> {
  const r = await sql<IdentityKeyRow>`
    SELECT key_id, private_key, public_key, state, created_at::text, retired_at::text
    FROM peer_identity_keys ORDER BY created_at DESC, key_id`.execute(db);
  return r.rows;
}

/** Store the first key unless another process stored one first. */
export async function insertFirstKey(db: Db, k: KeyPair): Promise<void> {
  await sql`
    INSERT INTO peer_identity_keys (key_id, private_key, public_key, state)
    VALUES (${k.keyId}, ${k.privateKey}, ${k.publicKey}, 'active')
    ON CONFLICT DO NOTHING`.execute(db);
}

/** Retire the active key (kept, with the date) and make `k` the active one, in one transaction. */
export async function rotateKey(db: Db, k: KeyPair, now: Date): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`UPDATE peer_identity_keys SET state = 'retired', retired_at = ${now.toISOString()}
      WHERE state = 'active'`.execute(tx);
    await sql`INSERT INTO peer_identity_keys (key_id, private_key, public_key, state)
      VALUES (${k.keyId}, ${k.privateKey}, ${k.publicKey}, 'active')`.execute(tx);
  });
}

export interface PeerRow {
  name: string;
  url: string;
  public_keys: PeerKey[];
  state: 'active' | 'suspended';
  cursor: string;
  lease_until: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  lag: string | null;
  received: string;
  refused: string;
  created_at: string;
  receive: PeerPolicy['receive'];
  accept: PeerPolicy['accept'];
}

const PEER_COLS = sql`p.name, p.url, p.public_keys, p.state, p.cursor, p.lease_until::text,
  p.last_attempt_at::text, p.last_success_at::text, p.last_error, p.last_error_at::text, p.lag::text,
  p.received::text, p.refused::text, p.created_at::text, pp.receive, pp.accept`;

export async function listPeers(db: Db): Promise<PeerRow[]> {
  const r = await sql<PeerRow>`SELECT ${PEER_COLS} FROM peers p JOIN peer_policies pp ON pp.peer_name = p.name
    ORDER BY p.name`.execute(db);
  return r.rows;
}

export async function getPeer(db: Tx, name: string): Promise<PeerRow | undefined> {
  const r = await sql<PeerRow>`SELECT ${PEER_COLS} FROM peers p JOIN peer_policies pp ON pp.peer_name = p.name
    WHERE p.name = ${name}`.execute(db);
  return r.rows[0];
}

/** Insert a peer and its policy row; false when the name is taken. */
export async function insertPeer(
  db: Db,
  p: { name: string; url: string; keys: PeerKey[]; policy: PeerPolicy },
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const r = await sql<{ name: string }>`
      INSERT INTO peers (name, url, public_keys) VALUES (${p.name}, ${p.url}, ${JSON.stringify(p.keys)}::jsonb)
      ON CONFLICT (name) DO NOTHING RETURNING name`.execute(tx);
    if (r.rows.length === 0) return false;
    await sql`INSERT INTO peer_policies (peer_name, receive, accept)
      VALUES (${p.name}, ${JSON.stringify(p.policy.receive)}::jsonb, ${JSON.stringify(p.policy.accept)}::jsonb)`.execute(
      tx,
    );
    return true;
  });
}

export async function deletePeer(db: Db, name: string): Promise<boolean> {
  const r = await sql`DELETE FROM peers WHERE name = ${name}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function updatePolicy(db: Db, name: string, policy: PeerPolicy): Promise<boolean> {
  const r = await sql`UPDATE peer_policies SET receive = ${JSON.stringify(policy.receive)}::jsonb,
    accept = ${JSON.stringify(policy.accept)}::jsonb, updated_at = now() WHERE peer_name = ${name}`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function updateKeys(db: Db, name: string, keys: PeerKey[]): Promise<boolean> {
  const r =
    await sql`UPDATE peers SET public_keys = ${JSON.stringify(keys)}::jsonb WHERE name = ${name}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/**
 * Remember a sender's nonce (dropping those older than the window first); false when it is there already.
 */
export async function rememberNonce(
  db: Db,
  sender: string,
  nonce: string,
  at: Date,
  windowMs: number,
): Promise<boolean> {
  await sql`DELETE FROM peer_nonces WHERE seen_at < ${new Date(at.getTime() - windowMs).toISOString()}`.execute(
    db,
  );
  const r = await sql<{ nonce: string }>`
    INSERT INTO peer_nonces (sender, nonce, seen_at) VALUES (${sender}, ${nonce}, ${at.toISOString()})
    ON CONFLICT DO NOTHING RETURNING nonce`.execute(db);
  return r.rows.length === 1;
}

/** Take a peer's sync lease unless another process holds one that has not expired. */
export async function takeLease(db: Db, name: string, now: Date, until: Date): Promise<boolean> {
  const r = await sql<{ name: string }>`
    UPDATE peers SET lease_until = ${until.toISOString()}, last_attempt_at = ${now.toISOString()}
    WHERE name = ${name} AND (lease_until IS NULL OR lease_until < ${now.toISOString()}) RETURNING name`.execute(
    db,
  );
  return r.rows.length === 1;
}

export async function releaseLease(db: Db, name: string): Promise<void> {
  await sql`UPDATE peers SET lease_until = NULL WHERE name = ${name}`.execute(db);
}

export async function recordFailure(db: Db, name: string, error: string, at: Date): Promise<void> {
  await sql`UPDATE peers SET last_error = ${error}, last_error_at = ${at.toISOString()}, lease_until = NULL
    WHERE name = ${name}`.execute(db);
}

export interface PageCommit {
  name: string;
  /** the cursor the page was asked from: the update refuses when another sync moved it meanwhile */
  from: string;
  to: string;
  refused: number;
  lag: number;
  at: Date;
}

/**
 * Apply one page in one transaction: `write` stores its records (through the import pipeline), then the cursor
 * moves — so a sync killed half-way leaves the cursor where the stored records are. False (and nothing
 * written) when the cursor was not `from` any more.
 */
export async function commitPage(
  db: Db,
  c: PageCommit,
  /** stores the page's records; answers how many were new or changed */
  write: (tx: Transaction<DB>) => Promise<number>,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const r = await sql<{ name: string }>`SELECT name FROM peers WHERE name = ${c.name} AND cursor = ${c.from}
      FOR UPDATE`.execute(tx);
    if (r.rows.length === 0) return false;
    const received = await write(tx);
    await sql`UPDATE peers SET cursor = ${c.to}, received = received + ${received},
      refused = refused + ${c.refused}, lag = ${c.lag}, last_success_at = ${c.at.toISOString()},
      last_error = NULL WHERE name = ${c.name}`.execute(tx);
    return true;
  });
}

export interface ChangeRow {
  seq: string;
  doc: Record<string, unknown>;
}

/** Published records changed after `after` in change order (a page scans `limit` rows, filtered later). */
export async function publishedChangesAfter(db: Db, after: bigint, limit: number): Promise<ChangeRow[]> {
  const r = await sql<ChangeRow>`
    SELECT change_seq::text AS seq, doc FROM vulnerabilities
    WHERE change_seq > ${after.toString()}::bigint AND state = 'published'
    ORDER BY change_seq LIMIT ${limit}`.execute(db);
  return r.rows;
}

/** The newest change sequence (0 when nothing). */
export async function headSeq(db: Db): Promise<string> {
  const r = await sql<{
    seq: string;
  }>`SELECT coalesce(max(change_seq), 0)::text AS seq FROM vulnerabilities`.execute(db);
  return r.rows[0]?.seq ?? '0';
}
