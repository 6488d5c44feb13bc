/**
 * ID delegation (docs/FEDERATION.md "ID delegation"): the national instance hands a block of numbers of its own
 * id series (prefix, year) to a sector instance, so a sector can give a verified report a national id while
 * every number stays used once across the federation.
 *
 * National: `delegate` carves the block out of its id_counters row (reserveNumbers: its own next number comes
 * after the block), records it, and queues `ids.delegate` in the same transaction. A peer's `ids.request` is
 * recorded once per request key and granted at once when the peer's id policy says auto (else kept pending for
 * an admin's `delegate`).
 * Sector: `ids.delegate` stores the block (a repeat changes nothing; blocks are taken by lowest first number, so
 * the order they arrive in does not matter). `take` — the submission service's DelegatedIds — gives the lowest
 * unused number of the open block with the lowest first number in the verifying transaction, and queues one
 * `ids.request` when what is left falls below `requestBelow` (default 10 %) of the block.
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import type { DB } from '../db/schema.js';
import { AppError, isAppError } from '../errors.js';
import { formatVulnId, type DelegatedIds, type IdFormat } from '../submissions/ids.js';
import { reserveNumbers } from '../submissions/store.js';
import * as dstore from './delegation-store.js';
import type { MessageContext, Messaging } from './messages.js';
import * as store from './store.js';

export const DELEGATE_KIND = 'ids.delegate';
export const REQUEST_KIND = 'ids.request';
export const MAX_BLOCK = 100_000;

/** The body of ids.delegate: a block of the sender's series. */
export interface DelegateBody {
  prefix: string;
  year: number;
  first: number;
  last: number;
  digits: number;
  /** the ids.request it grants, or null */
  request: string | null;
}

/** The body of ids.request: more numbers of the sender's series, once per key (the block that ran low). */
export interface RequestBody {
  prefix: string;
  year: number;
  count: number;
  key: string;
}

export interface BlockView {
  peer: string;
  prefix: string;
  year: number;
  first: number;
  last: number;
  firstId: string;
  lastId: string;
  messageId: string;
  request: string | null;
  delegatedBy: string;
  createdAt: string;
}

export interface HeldView {
  from: string;
  prefix: string;
  year: number;
  first: number;
  last: number;
  /** the lowest unused number; last + 1 when used up */
  next: number;
  left: number;
  requestedAt: string | null;
}

export interface DelegationDeps {
  db: Kysely<DB>;
  messages: Pick<Messaging, 'enqueue'>;
  /** our own id series (what we delegate from) */
  idFormat: IdFormat;
  clock?: () => Date;
  /** ask for the next block when less than this share of a block is left (default 0.1) */
  requestBelow?: number;
  log?: (line: string) => void;
}

const bad = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('id_delegation_invalid', message, details);

const PREFIX = /^[A-Z][A-Z0-9]{0,15}$/;
const int = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** An ids.delegate body, checked field by field. */
export function parseDelegateBody(x: unknown): DelegateBody {
  const o = (x ?? {}) as Partial<Record<keyof DelegateBody, unknown>>;
  if (typeof x !== 'object' || x === null) throw bad('ids.delegate: the body is not an object');
  if (typeof o.prefix !== 'string' || !PREFIX.test(o.prefix)) throw bad('ids.delegate: prefix');
  if (!int(o.year, 2000, 9999)) throw bad('ids.delegate: year');
  if (!int(o.digits, 1, 12)) throw bad('ids.delegate: digits');
  if (!int(o.first, 1, 10 ** (o.digits as number) - 1)) throw bad('ids.delegate: first');
  if (
    !int(
      o.last,
      o.first as number,
      Math.min((o.first as number) + MAX_BLOCK - 1, 10 ** (o.digits as number) - 1),
    )
  )
    throw bad('ids.delegate: last (first … first + 99,999, within the digits)');
  if (o.request !== null && (typeof o.request !== 'string' || o.request.length > 200))
    throw bad('ids.delegate: request');
  return o as DelegateBody;
}

/** An ids.request body, checked field by field. */
export function parseRequestBody(x: unknown): RequestBody {
  const o = (x ?? {}) as Partial<Record<keyof RequestBody, unknown>>;
  if (typeof x !== 'object' || x === null) throw bad('ids.request: the body is not an object');
  if (typeof o.prefix !== 'string' || !PREFIX.test(o.prefix)) throw bad('ids.request: prefix');
  if (!int(o.year, 2000, 9999)) throw bad('ids.request: year');
  if (!int(o.count, 1, MAX_BLOCK)) throw bad('ids.request: count');
  if (typeof o.key !== 'string' || o.key === '' || o.key.length > 200) throw bad('ids.request: key');
  return o as RequestBody;
}

/** Whether a block with `left` of `size` numbers unused (and `others` unused in later blocks) should ask for more. */
export function runsLow(left: number, size: number, others: number, below: number): boolean {
  return left + others < Math.max(1, Math.ceil(size * below)) || left + others === 0;
}

export type DelegationService = ReturnType<typeof createDelegationService>;

export function createDelegationService(deps: DelegationDeps) {
  const { db, idFormat } = deps;
  const clock = deps.clock ?? (() => new Date());
  const below = deps.requestBelow ?? 0.1;
  const log = deps.log ?? (() => undefined);

  const viewOf = (b: dstore.DelegatedBlockRow): BlockView => ({
    peer: b.peer_name,
    prefix: b.prefix,
    year: b.year,
    first: b.first,
    last: b.last,
    firstId: formatVulnId({ prefix: b.prefix, digits: b.digits }, b.year, b.first),
    lastId: formatVulnId({ prefix: b.prefix, digits: b.digits }, b.year, b.last),
    messageId: b.message_id,
    request: b.request_key,
    delegatedBy: b.delegated_by,
    createdAt: new Date(b.created_at).toISOString(),
  });

  /** Carve `count` numbers of (our prefix, year) out of our counter for `peer` and queue ids.delegate. */
  async function grantIn(
    tx: Kysely<DB>,
    peer: string,
    count: number,
    year: number,
    request: string | null,
    by: string,
  ): Promise<BlockView> {
    const { first, last } = await reserveNumbers(tx, idFormat.prefix, year, count);
    if (last >= 10 ** idFormat.digits)
      throw bad(`${idFormat.prefix}-${year}: a block to ${last} is beyond ${idFormat.digits} digits`);
    const body: DelegateBody = {
      prefix: idFormat.prefix,
      year,
      first,
      last,
      digits: idFormat.digits,
      request,
    };
    const messageId = await deps.messages.enqueue(tx, peer, DELEGATE_KIND, body);
    const row = await dstore.insertDelegated(tx, {
      peer_name: peer,
      prefix: idFormat.prefix,
      year,
      first,
      last,
      digits: idFormat.digits,
      request_key: request,
      message_id: messageId,
      delegated_by: by,
    });
    if (request !== null) await dstore.grantRequest(tx, peer, request, row.id);
    return viewOf(row);
  }

  const delegatedIds: DelegatedIds = {
    async take(tx, year) {
      const got = await dstore.takeHeld(tx, year);
      if (!got) return null;
      const { block: b, n } = got;
      const size = b.last - b.first + 1;
      const left = b.last - b.next + 1;
      if (
        b.requested_at === null &&
        runsLow(left, size, await dstore.unusedBesides(tx, b), below) &&
        (await dstore.markRequested(tx, b, clock()))
      ) {
        const body: RequestBody = {
          prefix: b.prefix,
          year: b.year,
          count: size,
          key: `${b.prefix}-${b.year}-${b.first}`,
        };
        try {
          if (!(await store.getPeer(tx, b.from_peer)))
            throw new AppError('not_found', `no peer named "${b.from_peer}" (removed?)`, {
              name: b.from_peer,
            });
          await deps.messages.enqueue(tx, b.from_peer, REQUEST_KIND, body);
        } catch (e) {
          // the verification goes on (the block's number is good); the admin sees the peer cannot be asked
          if (!isAppError(e)) throw e;
          log(`ids: cannot ask ${b.from_peer} for more ${b.prefix}-${b.year} numbers: ${e.message}`);
        }
      }
      return formatVulnId({ prefix: b.prefix, digits: b.digits }, b.year, n);
    },
  };

  return {
    /** What the submission service takes its ids from first. */
    delegatedIds,

    /**
     * Delegate `count` numbers of our series of `year` (default: this year) to `peer` (`vulnshare peer
     * delegate-ids`, POST /api/v1/peers/{name}/id-blocks); grants the peer's oldest pending request with it.
     */
    async delegate(
      principal: Principal,
      peer: string,
      input: { count: number; year?: number },
    ): Promise<BlockView> {
      requireAccess(principal, 'peers:manage');
      if (!int(input.count, 1, MAX_BLOCK)) throw bad(`count: 1 to ${MAX_BLOCK}`, { parameter: 'count' });
      const year = input.year ?? clock().getUTCFullYear();
      if (!int(year, 2000, 9999)) throw bad('year: 2000 to 9999', { parameter: 'year' });
      if (!(await store.getPeer(db, peer)))
        throw new AppError('not_found', `no peer named "${peer}"`, { name: peer });
      const by = principal.kind === 'user' ? principal.email : principal.kind;
      return db.transaction().execute(async (tx) => {
        const pending = (await dstore.pendingRequests(tx, peer)).find(
          (r) => r.prefix === idFormat.prefix && r.year === year,
        );
        return grantIn(tx, peer, input.count, year, pending?.request_key ?? null, by);
      });
    },

    async blocks(principal: Principal, peer?: string): Promise<BlockView[]> {
      requireAccess(principal, 'peers:manage');
      return (await dstore.delegatedBlocks(db, peer)).map(viewOf);
    },

    async held(principal: Principal): Promise<HeldView[]> {
      requireAccess(principal, 'peers:manage');
      return (await dstore.heldBlocks(db)).map((b) => ({
        from: b.from_peer,
        prefix: b.prefix,
        year: b.year,
        first: b.first,
        last: b.last,
        next: b.next,
        left: b.last - b.next + 1,
        requestedAt: b.requested_at === null ? null : new Date(b.requested_at).toISOString(),
      }));
    },

    async pending(principal: Principal, peer?: string): Promise<dstore.RequestRow[]> {
      requireAccess(principal, 'peers:manage');
      return dstore.pendingRequests(db, peer);
    },

    /** How a peer's ids.request is answered: auto (block_size numbers, null: as many as asked) or manual. */
    async setIdPolicy(
      principal: Principal,
      peer: string,
      p: { grant: 'auto' | 'manual'; blockSize?: number | null },
    ): Promise<void> {
      requireAccess(principal, 'peers:manage');
      if (p.blockSize !== undefined && p.blockSize !== null && !int(p.blockSize, 1, MAX_BLOCK))
        throw bad(`blockSize: 1 to ${MAX_BLOCK}`, { parameter: 'blockSize' });
      if (!(await store.getPeer(db, peer)))
        throw new AppError('not_found', `no peer named "${peer}"`, { name: peer });
      await dstore.setIdPolicy(db, peer, { grant_mode: p.grant, block_size: p.blockSize ?? null });
    },

    /** ids.delegate from a peer: store the block (once). */
    async receiveDelegate(ctx: MessageContext, body: unknown): Promise<unknown> {
      const b = parseDelegateBody(body);
      const stored = await dstore.insertHeld(ctx.tx, { from: ctx.peer, ...b });
      return { stored, first: b.first, last: b.last };
    },

    /** ids.request from a peer: recorded once per key; granted now when its id policy is auto. */
    async receiveRequest(ctx: MessageContext, body: unknown): Promise<unknown> {
      const r = parseRequestBody(body);
      if (r.prefix !== idFormat.prefix)
        throw bad(`ids.request: we delegate ${idFormat.prefix} numbers, not ${r.prefix}`, {
          prefix: r.prefix,
        });
      if (!(await dstore.insertRequest(ctx.tx, { peer: ctx.peer, ...r }))) return { state: 'repeated' };
      const policy = await dstore.idPolicy(ctx.tx, ctx.peer);
      if (policy.grant_mode !== 'auto') return { state: 'pending' };
      const block = await grantIn(
        ctx.tx,
        ctx.peer,
        policy.block_size ?? r.count,
        r.year,
        r.key,
        `peer:${ctx.peer}`,
      );
      return { state: 'granted', first: block.first, last: block.last };
    },
  };
}
