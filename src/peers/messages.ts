/**
 * Federation messaging: signed messages from one instance to a peer, at least once and applied once
 * (docs/FEDERATION.md "Messages").
 *
 * Sending: a service writes a message with `enqueue(tx, peer, kind, body)` in the transaction of the change that
 * causes it (a peer_outbox row). Right after that transaction commits an attempt is made at once, and the worker
 * delivers whatever is due every second: the oldest pending message of each peer under a lease (FOR UPDATE SKIP
 * LOCKED), so a peer receives its messages in enqueue order; no answer, or an unsigned refusal (the envelope was
 * refused: unknown key, skew …), is retried with backoff and never given up — a peer down for hours gets
 * everything when it is back. A refusal the peer signed (its policy, its handler's validation) is final: the row
 * is marked failed with that code.
 *
 * Receiving: `POST /api/v1/federation/messages` verifies the envelope as the change feed does, checks the kind's
 * policy item against our accept policy, then in ONE transaction records (sender, message id) in peer_inbox and
 * runs the handler registered for the kind — a repeat is acknowledged with the first answer and not applied
 * again. The answer is a signed `message.ack` (or a signed error body with the code).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError, isAppError } from '../errors.js';
import {
  MESSAGE_KINDS,
  SIGNATURE_HEADER,
  verifyEnvelope,
  type EnvelopeHeader,
  type MessageKind,
  type VerifyDeps,
} from './envelope.js';
import type { ItemKind, PeerPolicy } from './policy.js';
import * as mstore from './messages-store.js';
import type { PeerRow } from './store.js';

export const MESSAGES_PATH = '/api/v1/federation/messages';
/** The envelope's `target` of every message. */
export const MESSAGE_TARGET = `POST ${MESSAGES_PATH}`;

/** Kinds that are not messages of this endpoint: the change feed's request and page, and the answer itself. */
const NOT_MESSAGES: readonly MessageKind[] = ['changes.request', 'changes.page', 'message.ack'];
export const MESSAGE_ENDPOINT_KINDS = MESSAGE_KINDS.filter((k) => !NOT_MESSAGES.includes(k));

/**
 * The policy item of a message kind, by its prefix: the receiver's accept policy (`accept.kinds`) and the
 * sender's receive policy (`receive.kinds`) must list it. A kind no prefix names needs no policy item.
 */
export const MESSAGE_ITEMS: ReadonlyArray<readonly [prefix: string, item: ItemKind]> = [
  ['changes.', 'record'],
  ['notice.', 'advance_notice'],
  ['case.', 'case'],
  ['ids.', 'ids'],
];

export function itemKindOf(kind: string): ItemKind | null {
  return MESSAGE_ITEMS.find(([prefix]) => kind.startsWith(prefix))?.[1] ?? null;
}

/** Backoff of an undelivered message by its attempt count; the last value repeats (never given up). */
export const RETRY_BACKOFF_SECONDS = [1, 5, 30, 120, 600] as const;

export type MessageTx = Transaction<DB>;

export interface MessageContext {
  /** the transaction that records the message in peer_inbox: the handler writes in it */
  tx: MessageTx;
  /** the sending peer's name */
  peer: string;
  messageId: string;
  /** the envelope's issuedAt (the sender's clock) */
  issuedAt: string;
  /** our policy for that peer (a handler checks `mayAccept(policy.accept, item)` for its item) */
  policy: PeerPolicy;
}

/** Applies one message; throws an AppError with a clear code on a bad body (the sender marks it failed). */
export type MessageHandler = (ctx: MessageContext, body: unknown) => Promise<unknown>;

export interface MessagingDeps {
  db: Kysely<DB>;
  clock: () => Date;
  fetchImpl: typeof fetch;
  /**
   * the peer row with its policy (defaults filled), or undefined — read through `q` when given (the caller's
   * transaction: on PGlite the one connection is the transaction's until it ends, so a read beside it would wait
   * for ever)
   */
  peer(name: string, q?: Kysely<DB> | Transaction<DB>): Promise<PeerRow | undefined>;
  sign(
    kind: MessageKind,
    to: string,
    body: string,
    extra: { target?: string; replyTo?: string },
  ): Promise<{ token: string; header: EnvelopeHeader }>;
  verifyDeps(): VerifyDeps;
  /** attempt delivery right after the enqueueing transaction commits (default true) */
  immediate?: boolean;
  leaseMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
  retried: number;
}

export interface OutboxMessageView {
  id: string;
  peer: string;
  kind: string;
  body: unknown;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  lastErrorCode: string | null;
  result: unknown;
  createdAt: string;
  sentAt: string | null;
}

/** The answer of the message endpoint: status, the exact bytes and their signature (none for an envelope refusal). */
export interface MessageAnswer {
  status: number;
  body: string;
  token: string | null;
  peer: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (s: string | null) => (s === null ? null : new Date(s).toISOString());

function viewOf(r: mstore.OutboxMessageRow): OutboxMessageView {
  return {
    id: r.id,
    peer: r.peer_name,
    kind: r.kind,
    body: r.body,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
    lastError: r.last_error,
    lastErrorCode: r.last_error_code,
    result: r.result,
    createdAt: new Date(r.created_at).toISOString(),
    sentAt: iso(r.sent_at),
  };
}

/** Tries of the immediate attempt: the row is visible once the enqueueing transaction committed. */
const KICK_DELAYS_MS = [5, 25, 100, 250, 500, 1000, 2000];

export type Messaging = ReturnType<typeof createMessaging>;

export function createMessaging(deps: MessagingDeps) {
  const { db, clock } = deps;
  const handlers = new Map<string, MessageHandler>();
  const leaseMs = deps.leaseMs ?? 60_000;
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const log = deps.log ?? (() => undefined);
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  function backoff(attempts: number): Date {
    const i = Math.min(Math.max(attempts - 1, 0), RETRY_BACKOFF_SECONDS.length - 1);
    return new Date(clock().getTime() + (RETRY_BACKOFF_SECONDS[i] ?? 600) * 1000);
  }

  /** Deliver one leased message; answers how it ended. */
  async function deliverOne(row: mstore.OutboxMessageRow): Promise<keyof DeliveryCounts> {
    const retry = async (error: string, code: string | null) => {
      await mstore.markRetry(db, row.id, error, code, backoff(row.attempts));
      return 'retried' as const;
    };
    const peer = await deps.peer(row.peer_name);
    if (!peer || peer.state !== 'active') return retry(`peer "${row.peer_name}" is not active`, null);
    const kind = row.kind as MessageKind;
    const text = JSON.stringify({ id: row.id, body: row.body });
    let res: Response;
    let answer: string;
    let nonce: string;
    try {
      const signed = await deps.sign(kind, peer.name, text, { target: MESSAGE_TARGET });
      nonce = signed.header.nonce;
      res = await deps.fetchImpl(`${peer.url}${MESSAGES_PATH}`, {
        method: 'POST',
        headers: {
          [SIGNATURE_HEADER]: signed.token,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: text,
        signal: AbortSignal.timeout(timeoutMs),
      });
      answer = await res.text();
    } catch (e) {
      return retry(`no answer from "${peer.name}": ${e instanceof Error ? e.message : String(e)}`, null);
    }
    const token = res.headers.get(SIGNATURE_HEADER);
    let parsed: { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } } = {};
    try {
      parsed = JSON.parse(answer) as typeof parsed;
    } catch {
      // not JSON: judged below
    }
    const errCode = typeof parsed.error?.code === 'string' ? parsed.error.code : null;
    const errMessage =
      typeof parsed.error?.message === 'string' ? parsed.error.message : answer.slice(0, 200);
    if (!token)
      // an envelope refusal (or something that is not the peer): retried — a key added, a clock fixed, it passes
      return retry(
        `"${peer.name}" answered HTTP ${res.status} unsigned${errCode ? ` ${errCode}: ${errMessage}` : ''}`,
        errCode,
      );
    try {
      await verifyEnvelope(
        token,
        { kind: 'message.ack', body: answer, replyTo: nonce, from: peer.name },
        deps.verifyDeps(),
      );
    } catch (e) {
      return retry(
        `the answer of "${peer.name}" is refused: ${e instanceof Error ? e.message : String(e)}`,
        isAppError(e) ? e.code : null,
      );
    }
    if (res.ok && parsed.id === row.id) {
      await mstore.markSent(db, row.id, parsed.result ?? null, clock());
      return 'sent';
    }
    if (res.ok) return retry(`"${peer.name}" acknowledged another message`, 'peer_bad_answer');
    if (res.status >= 500 || res.status === 429)
      return retry(`"${peer.name}" answered HTTP ${res.status} ${errCode ?? ''}: ${errMessage}`, errCode);
    // the peer signed its refusal: its policy or its handler said no — final
    await mstore.markFailed(db, row.id, errCode ?? `http_${res.status}`, errMessage);
    log(`peer ${peer.name}: message ${row.kind} ${row.id} refused (${errCode ?? res.status}): ${errMessage}`);
    return 'failed';
  }

  /** Deliver every due message (of one peer, when named), in enqueue order per peer, until none is due. */
  async function deliverDue(opts: { peer?: string } = {}): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { sent: 0, failed: 0, retried: 0 };
    for (let round = 0; round < 100_000 && !closed; round++) {
      const now = clock();
      const rows = await mstore.leaseHeads(db, now, new Date(now.getTime() + leaseMs), opts.peer);
      if (rows.length === 0) break;
      // peers in parallel, each peer's messages one after another
      const outcomes = await Promise.all(rows.map(deliverOne));
      for (const o of outcomes) counts[o]++;
    }
    return counts;
  }

  /** The immediate attempt: once the enqueueing transaction committed (the row is visible), deliver the peer's. */
  function kick(peer: string, id: string): void {
    if (deps.immediate === false || closed) return;
    const run = async () => {
      for (const ms of KICK_DELAYS_MS) {
        await new Promise((ok) => setTimeout(ok, ms).unref());
        if (closed) return;
        if (await mstore.outboxExists(db, id)) {
          await deliverDue({ peer });
          return;
        }
      }
      // rolled back, or a long transaction: the worker delivers it when it is there
    };
    void track(run().catch((e: unknown) => log(`peer ${peer}: immediate delivery: ${String(e)}`)));
  }

  function bodyOf(text: string): { id: string; body: unknown } {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      throw new AppError('invalid_input', 'the message body is not JSON');
    }
    const m = o as { id?: unknown; body?: unknown } | null;
    if (!m || typeof m !== 'object' || typeof m.id !== 'string' || !UUID.test(m.id) || !('body' in m))
      throw new AppError('invalid_input', 'a message is { "id": "<uuid>", "body": … }');
    return { id: m.id.toLowerCase(), body: m.body };
  }

  async function applyVerified(header: EnvelopeHeader, text: string): Promise<unknown> {
    const { id, body } = bodyOf(text);
    const handler = handlers.get(header.kind);
    if (!handler)
      throw new AppError('peer_message_kind_unknown', `no handler for messages of kind ${header.kind}`, {
        kind: header.kind,
      });
    const peer = await deps.peer(header.from);
    if (!peer) throw new AppError('peer_unknown', `"${header.from}" is not a peer`, { from: header.from });
    const policy: PeerPolicy = { receive: peer.receive, accept: peer.accept };
    const item = itemKindOf(header.kind);
    if (item !== null && !policy.accept.kinds.includes(item))
      throw new AppError('peer_policy_refused', `we do not accept ${item} items from "${peer.name}"`, {
        peer: peer.name,
        kind: header.kind,
      });
    return db.transaction().execute(async (tx) => {
      const first = await mstore.claimInbox(tx, {
        sender: peer.name,
        id,
        kind: header.kind,
        issuedAt: header.issuedAt,
        at: clock(),
      });
      if (!first) return { id, duplicate: true, result: await mstore.inboxResult(tx, peer.name, id) };
      const result =
        (await handler({ tx, peer: peer.name, messageId: id, issuedAt: header.issuedAt, policy }, body)) ??
        null;
      await mstore.setInboxResult(tx, peer.name, id, result);
      return { id, duplicate: false, result };
    });
  }

  return {
    /**
     * The handler of a message kind (one per kind; registered at the composition root by its owner). `replace`:
     * a test puts its own handler in place of the platform's.
     */
    register(kind: MessageKind, handler: MessageHandler, opts: { replace?: boolean } = {}): void {
      if (NOT_MESSAGES.includes(kind)) throw new Error(`${kind} is not a message kind of ${MESSAGES_PATH}`);
      if (handlers.has(kind) && !opts.replace) throw new Error(`a handler for ${kind} is registered already`);
      handlers.set(kind, handler);
    },

    /**
     * Queue a message to a peer in the caller's transaction; answers its id (the receiver's idempotency key).
     * Refused (peer_policy_refused) when the peer's receive policy does not list the kind's item; the caller
     * checks the item itself (TLP, embargo, sectors, vendors) with mayReceive first.
     */
    async enqueue(
      tx: Kysely<DB> | Transaction<DB>,
      peerName: string,
      kind: MessageKind,
      body: unknown,
    ): Promise<string> {
      if (NOT_MESSAGES.includes(kind)) throw new Error(`${kind} is not a message kind`);
      const peer = await deps.peer(peerName, tx);
      if (!peer) throw new AppError('not_found', `no peer named "${peerName}"`, { name: peerName });
      const item = itemKindOf(kind);
      if (item !== null && !peer.receive.kinds.includes(item))
        throw new AppError('peer_policy_refused', `peer "${peerName}" does not receive ${item} items`, {
          peer: peerName,
          kind,
        });
      const id = randomUUID();
      await mstore.insertOutbox(tx, { id, peer: peerName, kind, body, at: clock() });
      kick(peerName, id);
      return id;
    },

    /** Deliver what is due now (the worker's tick; a test drives delivery with it). */
    deliverDue,

    /** Make every pending message (of one peer) due now, ignoring backoff, and deliver. */
    async deliverNow(peer?: string): Promise<DeliveryCounts> {
      await mstore.makeDue(db, clock(), peer);
      return deliverDue(peer === undefined ? {} : { peer });
    },

    /** A peer showed it is up (a verified message or feed request from it): its waiting messages go now. */
    wake(peer: string): void {
      if (closed) return;
      void track(
        mstore
          .makeDue(db, clock(), peer)
          .then((n) => (n > 0 ? deliverDue({ peer }) : null))
          .catch((e: unknown) => log(`peer ${peer}: wake: ${String(e)}`)),
      );
    },

    /**
     * Send a message now without the outbox: one attempt, nothing kept, may be lost (push hints: the scheduled
     * pull catches up). Answers whether the peer acknowledged it.
     */
    async sendOnce(peerName: string, kind: MessageKind, body: unknown): Promise<boolean> {
      const peer = await deps.peer(peerName);
      if (!peer || peer.state !== 'active') return false;
      const row: mstore.OutboxMessageRow = {
        id: randomUUID(),
        seq: '0',
        peer_name: peerName,
        kind,
        body,
        state: 'pending',
        attempts: 1,
        next_attempt_at: clock().toISOString(),
        last_error: null,
        last_error_code: null,
        result: null,
        created_at: clock().toISOString(),
        sent_at: null,
      };
      // deliverOne marks the (absent) row: those updates touch nothing
      return (await deliverOne(row)) === 'sent';
    },

    /**
     * The message endpoint: verify, check the policy, apply once. Never throws: an envelope refusal is an unsigned
     * error body (401), anything after is signed.
     */
    async receive(request: {
      token: string | undefined;
      target: string;
      body: string;
    }): Promise<MessageAnswer> {
      let header: EnvelopeHeader;
      try {
        header = await verifyEnvelope(
          request.token,
          { kind: MESSAGE_ENDPOINT_KINDS, body: request.body, target: request.target },
          deps.verifyDeps(),
        );
      } catch (e) {
        const err = isAppError(e) ? e : new AppError('internal', 'verification failed');
        log(`federation message refused (${err.code}): ${err.message}`);
        return {
          status: err.status,
          body: JSON.stringify({
            error: { code: err.code, message: err.userMessage('en'), details: err.details ?? {} },
          }),
          token: null,
          peer: null,
        };
      }
      let status = 200;
      let text: string;
      try {
        text = JSON.stringify(await applyVerified(header, request.body));
      } catch (e) {
        const err = isAppError(e) ? e : new AppError('internal', 'the message could not be applied');
        if (!isAppError(e)) log(`federation message ${header.kind} from ${header.from}: ${String(e)}`);
        else
          log(`federation message ${header.kind} from ${header.from} refused (${err.code}): ${err.message}`);
        status = err.status;
        text = JSON.stringify({
          error: { code: err.code, message: err.userMessage('en'), details: err.details ?? {} },
        });
      }
      const { token } = await deps.sign('message.ack', header.from, text, { replyTo: header.nonce });
      return { status, body: text, token, peer: header.from };
    },

    async outbox(f: { peer?: string; state?: OutboxMessageView['state']; limit?: number } = {}) {
      return (
        await mstore.listOutbox(db, {
          ...(f.peer !== undefined ? { peer: f.peer } : {}),
          ...(f.state !== undefined ? { state: f.state } : {}),
          limit: f.limit ?? 100,
        })
      ).map(viewOf);
    },

    async message(id: string): Promise<OutboxMessageView | null> {
      const r = await mstore.getOutbox(db, id);
      return r ? viewOf(r) : null;
    },

    /** Wait for immediate attempts in flight (tests, shutdown). */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },

    /** No immediate attempts any more (the platform is closing); waits for those in flight. */
    async close(): Promise<void> {
      closed = true;
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
