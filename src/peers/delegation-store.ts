/**
 * The tables of ID delegation (migration 0032): blocks delegated and the requests received (the national side),
 * the per-peer grant policy, and the blocks held (the sector side). The only SQL of src/peers/delegation.ts;
 * the national counter itself moves through submissions/store.ts `reserveNumbers` (the id series' owner).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

type Tx = Transaction<DB> | Kysely<DB>;

export interface DelegatedBlockRow {
  id: string;
  peer_name: string;
  prefix: string;
  year: number;
  first: number;
  last: number;
  digits: number;
  request_key: string | null;
  message_id: string;
  delegated_by: string;
  created_at: string;
}

export async function insertDelegated(
  tx: Tx,
  b: Omit<DelegatedBlockRow, 'id' | 'created_at'>,
): Promise<DelegatedBlockRow> {
  const r = await sql<DelegatedBlockRow>`
    INSERT INTO id_blocks_delegated (peer_name, prefix, year, first, last, digits, request_key, message_id,
      delegated_by)
    VALUES (${b.peer_name}, ${b.prefix}, ${b.year}, ${b.first}, ${b.last}, ${b.digits}, ${b.request_key},
      ${b.message_id}, ${b.delegated_by})
    RETURNING id::text, peer_name, prefix, year, first, last, digits, request_key, message_id, delegated_by,
      created_at::text`.execute(tx);
  const row = r.rows[0];
  if (!row) throw new Error('id_blocks_delegated: no row returned');
  return row;
}

export async function delegatedBlocks(tx: Tx, peer?: string): Promise<DelegatedBlockRow[]> {
  const r = await sql<DelegatedBlockRow>`
    SELECT id::text, peer_name, prefix, year, first, last, digits, request_key, message_id, delegated_by,
      created_at::text
    FROM id_blocks_delegated
    WHERE ${peer === undefined ? sql`true` : sql`peer_name = ${peer}`}
    ORDER BY prefix, year, first`.execute(tx);
  return r.rows;
}

export interface IdPolicyRow {
  grant_mode: 'auto' | 'manual';
  block_size: number | null;
}

export async function idPolicy(tx: Tx, peer: string): Promise<IdPolicyRow> {
  const r = await sql<IdPolicyRow>`
    SELECT grant_mode, block_size FROM peer_id_policies WHERE peer_name = ${peer}`.execute(tx);
  return r.rows[0] ?? { grant_mode: 'manual', block_size: null };
}

export async function setIdPolicy(tx: Tx, peer: string, p: IdPolicyRow): Promise<void> {
  await sql`
    INSERT INTO peer_id_policies (peer_name, grant_mode, block_size) VALUES (${peer}, ${p.grant_mode},
      ${p.block_size})
    ON CONFLICT (peer_name) DO UPDATE SET grant_mode = EXCLUDED.grant_mode, block_size = EXCLUDED.block_size,
      updated_at = now()`.execute(tx);
}

export interface RequestRow {
  peer_name: string;
  request_key: string;
  prefix: string;
  year: number;
  count: number;
  state: 'pending' | 'granted';
  block_id: string | null;
  requested_at: string;
}

/** Record a request; false when (peer, key) was recorded before (a repeat: nothing more to do). */
export async function insertRequest(
  tx: Tx,
  r: { peer: string; key: string; prefix: string; year: number; count: number },
): Promise<boolean> {
  const res = await sql`
    INSERT INTO id_block_requests (peer_name, request_key, prefix, year, count)
    VALUES (${r.peer}, ${r.key}, ${r.prefix}, ${r.year}, ${r.count})
    ON CONFLICT DO NOTHING`.execute(tx);
  return Number(res.numAffectedRows ?? 0) > 0;
}

export async function grantRequest(tx: Tx, peer: string, key: string, blockId: string): Promise<void> {
  await sql`UPDATE id_block_requests SET state = 'granted', block_id = ${blockId}::bigint
    WHERE peer_name = ${peer} AND request_key = ${key}`.execute(tx);
}

export async function pendingRequests(tx: Tx, peer?: string): Promise<RequestRow[]> {
  const r = await sql<RequestRow>`
    SELECT peer_name, request_key, prefix, year, count, state, block_id::text, requested_at::text
    FROM id_block_requests
    WHERE state = 'pending' AND ${peer === undefined ? sql`true` : sql`peer_name = ${peer}`}
    ORDER BY requested_at`.execute(tx);
  return r.rows;
}

export interface HeldBlockRow {
  from_peer: string;
  prefix: string;
  year: number;
  first: number;
  last: number;
  digits: number;
  next: number;
  received_at: string;
  requested_at: string | null;
}

const HELD = sql`from_peer, prefix, year, first, last, digits, next, received_at::text, requested_at::text`;

/** Store a block a peer delegated; a repeat (same prefix, year, first) changes nothing. */
export async function insertHeld(
  tx: Tx,
  b: { from: string; prefix: string; year: number; first: number; last: number; digits: number },
): Promise<boolean> {
  const res = await sql`
    INSERT INTO id_blocks_held (from_peer, prefix, year, first, last, digits, next)
    VALUES (${b.from}, ${b.prefix}, ${b.year}, ${b.first}, ${b.last}, ${b.digits}, ${b.first})
    ON CONFLICT DO NOTHING`.execute(tx);
  return Number(res.numAffectedRows ?? 0) > 0;
}

/**
 * Take the lowest unused number of the open block of `year` with the lowest first number. Every open block of
 * the year is locked (FOR UPDATE) in order, so concurrent takers queue; after the one before commits, a block it
 * used up no longer qualifies and the next is taken.
 */
export async function takeHeld(tx: Tx, year: number): Promise<{ block: HeldBlockRow; n: number } | null> {
  const open = await sql<HeldBlockRow>`
    SELECT ${HELD} FROM id_blocks_held WHERE year = ${year} AND next <= last
    ORDER BY prefix, first FOR UPDATE`.execute(tx);
  const b = open.rows[0];
  if (!b) return null;
  const r = await sql<HeldBlockRow>`
    UPDATE id_blocks_held SET next = next + 1
    WHERE prefix = ${b.prefix} AND year = ${b.year} AND first = ${b.first}
    RETURNING ${HELD}`.execute(tx);
  const block = r.rows[0];
  if (!block) throw new Error('id_blocks_held: the locked block vanished');
  return { block, n: block.next - 1 };
}

/** Mark a block as asked for more (once): true when this call marked it. */
export async function markRequested(tx: Tx, b: HeldBlockRow, at: Date): Promise<boolean> {
  const res = await sql`UPDATE id_blocks_held SET requested_at = ${at.toISOString()}
    WHERE prefix = ${b.prefix} AND year = ${b.year} AND first = ${b.first} AND requested_at IS NULL`.execute(
    tx,
  );
  return Number(res.numAffectedRows ?? 0) > 0;
}

/** Numbers still unused in the open blocks of (from, prefix, year) other than the given one. */
export async function unusedBesides(tx: Tx, b: HeldBlockRow): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT coalesce(sum(last - next + 1), 0)::int AS n FROM id_blocks_held
    WHERE from_peer = ${b.from_peer} AND prefix = ${b.prefix} AND year = ${b.year} AND first <> ${b.first}
      AND next <= last`.execute(tx);
  return r.rows[0]?.n ?? 0;
}

export async function heldBlocks(tx: Tx): Promise<HeldBlockRow[]> {
  const r = await sql<HeldBlockRow>`SELECT ${HELD} FROM id_blocks_held ORDER BY prefix, year, first`.execute(
    tx,
  );
  return r.rows;
}
