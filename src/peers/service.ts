/**
 * Federation as a service: this instance's identity (an Ed25519 key created at first use, rotatable), its
 * peers and their policy rows, the signed change feed it serves, and the pull sync that applies a peer's feed
 * through the import pipeline. Every admin function checks 'peers:manage' first (the API passes the signed-in
 * user, the CLI and the worker pass CLI); the feed itself is answered to a peer, authenticated by its signature.
 */
import type { Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import type { Database } from '../db/client.js';
import { AppError, isAppError } from '../errors.js';
import { writeRecordsIn } from '../imports/pipeline.js';
import type { SubmissionService } from '../submissions/service.js';
import type { SourceRecord, Vulnerability } from '../vulns/model.js';
import {
  SIGNATURE_HEADER,
  signEnvelope,
  verifyEnvelope,
  type EnvelopeHeader,
  type MessageKind,
  type PeerKey,
} from './envelope.js';
import { createKeyPair, keyIdOf, publicBase64, publicPem, readPublicKey } from './keys.js';
import { mayAccept, mayReceive, parsePolicy, withDefaults, type PeerPolicy } from './policy.js';
import { recordItem, toSourceRecord, type FeedEntry } from './records.js';
import { createMessaging } from './messages.js';
import { createNoticeService } from './notices.js';
import * as mstore from './messages-store.js';
import * as store from './store.js';

export const CHANGES_PATH = '/api/v1/federation/changes';

export interface PeerSettings {
  /** this instance's name among its peers (Config.platformOrg.shortName) */
  name: string;
  /** this instance's base URL (Config.publicUrl) */
  url: string;
  /** allowed clock difference of a signed message, s (default 300) */
  clockSkewSeconds?: number;
  /** how long a retired key still verifies, s (default 7 days) */
  keyGraceSeconds?: number;
  /** entries per page of the change feed asked for, and most served (default 500) */
  pageSize?: number;
  /** how long one sync may hold a peer's lease, ms (default 10 min) */
  leaseMs?: number;
}

export interface PeerServiceDeps {
  database: Database;
  settings: PeerSettings;
  clock?: () => Date;
  /** HTTP to peers (tests: the global fetch on loopback) */
  fetchImpl?: typeof fetch;
  /** the submissions an advance notice is made from (none: no notices are shared from here) */
  submissions?: Pick<SubmissionService, 'get'>;
  /** where refused messages and delivery trouble are told (default: nowhere; the rows keep the errors) */
  log?: (line: string) => void;
}

export interface Identity {
  name: string;
  url: string;
  keyId: string;
  /** SPKI PEM */
  publicKey: string;
  /** base64 of the SPKI DER (what `peer add --key` takes as well) */
  publicKeyBase64: string;
  algorithm: 'Ed25519';
  retiredKeys: Array<{ keyId: string; publicKey: string; retiredAt: string | null }>;
}

export interface PeerView {
  name: string;
  url: string;
  state: 'active' | 'suspended';
  keys: Array<{ keyId: string; state: PeerKey['state']; retiredAt: string | null }>;
  cursor: string;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** changes the peer had beyond our cursor at the last sync */
  lag: number | null;
  received: number;
  refused: number;
  policy: PeerPolicy;
  createdAt: string;
}

export interface ChangesPage {
  from: string;
  after: string;
  /** the cursor to ask from next */
  next: string;
  /** the sender's newest change sequence */
  head: string;
  more: boolean;
  entries: FeedEntry[];
}

export interface PeerSyncResult {
  peer: string;
  outcome: 'synced' | 'failed' | 'busy';
  pages: number;
  /** records stored (new or changed) / unchanged / refused by our accept policy */
  applied: number;
  unchanged: number;
  refused: number;
  cursor: string;
  error: string | null;
  errorCode: string | null;
}

export interface SyncOptions {
  /** stop after this many pages (the next sync goes on from the cursor) */
  maxPages?: number;
  /** entries per page asked for (default PeerSettings.pageSize) */
  pageSize?: number;
}

const ts = (s: string | null) => (s === null ? null : new Date(s).toISOString());

function viewOf(r: store.PeerRow): PeerView {
  return {
    name: r.name,
    url: r.url,
    state: r.state,
    keys: r.public_keys.map((k) => ({ keyId: k.keyId, state: k.state, retiredAt: k.retiredAt ?? null })),
    cursor: r.cursor,
    lastAttemptAt: ts(r.last_attempt_at),
    lastSuccessAt: ts(r.last_success_at),
    lastError: r.last_error,
    lastErrorAt: ts(r.last_error_at),
    lag: r.lag === null ? null : Number(r.lag),
    received: Number(r.received),
    refused: Number(r.refused),
    policy: withDefaults(r),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkName(name: string): string {
  if (!NAME.test(name))
    throw new AppError(
      'invalid_parameter',
      `peer name "${name}": letters, digits, . _ - (1–64, as its peer init says)`,
      {
        name,
      },
    );
  return name;
}

function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('invalid_parameter', `peer url "${url}" is not a URL`, { url });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AppError('invalid_parameter', `peer url "${url}": http(s) only`, { url });
  return u.href.replace(/\/+$/, '');
}

/** Does the record come only from the asking peer (then it is its own: never sent back)? */
function onlyFrom(peer: string, v: Vulnerability): boolean {
  return v.sources.length > 0 && v.sources.every((s) => (s.source as string) === `peer:${peer}`);
}

/** A page as a peer answered it, checked field by field before anything is stored. */
function checkPage(x: unknown, peer: string): ChangesPage {
  const bad = (why: string) => new AppError('peer_bad_answer', `peer "${peer}": ${why}`, { peer });
  const o = x as Partial<ChangesPage> | null;
  if (!o || typeof o !== 'object') throw bad('the page is not an object');
  const seq = (v: unknown) => typeof v === 'string' && /^\d+$/.test(v);
  if (
    !seq(o.next) ||
    !seq(o.head) ||
    !seq(o.after) ||
    typeof o.more !== 'boolean' ||
    !Array.isArray(o.entries)
  )
    throw bad('the page lacks after, next, head, more or entries');
  for (const e of o.entries as unknown[]) {
    const en = e as Partial<FeedEntry> | null;
    const r = en?.record as Partial<Vulnerability> | undefined;
    const arrays = [
      'aliases',
      'products',
      'vendors',
      'industries',
      'weaknesses',
      'cvss',
      'references',
      'credits',
      'sources',
    ] as const;
    if (
      !en ||
      !seq(en.seq) ||
      !r ||
      typeof r.id !== 'string' ||
      r.id === '' ||
      r.state !== 'published' ||
      !arrays.every((k) => Array.isArray(r[k])) ||
      typeof r.title !== 'object' ||
      typeof r.description !== 'object' ||
      typeof r.dates !== 'object'
    )
      throw bad('an entry is not a published record');
  }
  return o as ChangesPage;
}

export type PeerService = ReturnType<typeof createPeerService>;

export function createPeerService(deps: PeerServiceDeps) {
  const db = deps.database.db;
  const clock = deps.clock ?? (() => new Date());
  const s = deps.settings;
  const skewMs = (s.clockSkewSeconds ?? 300) * 1000;
  const graceMs = (s.keyGraceSeconds ?? 7 * 86_400) * 1000;
  const pageSize = s.pageSize ?? 500;
  const leaseMs = s.leaseMs ?? 600_000;
  const fetchImpl = deps.fetchImpl ?? fetch;

  /** The active key (created now and stored when there is none; the first process wins). */
  async function activeKey(): Promise<store.IdentityKeyRow> {
    let keys = await store.identityKeys(db);
    if (!keys.some((k) => k.state === 'active')) {
      await store.insertFirstKey(db, createKeyPair());
      keys = await store.identityKeys(db);
    }
    const k = keys.find((x) => x.state === 'active');
    if (!k) throw new Error('peer_identity_keys: no active key after creating one');
    return k;
  }

  async function identityOf(): Promise<Identity> {
    const k = await activeKey();
    const all = await store.identityKeys(db);
    return {
      name: s.name,
      url: s.url,
      keyId: k.key_id,
      publicKey: k.public_key,
      publicKeyBase64: publicBase64(k.public_key),
      algorithm: 'Ed25519',
      retiredKeys: all
        .filter((x) => x.state === 'retired')
        .map((x) => ({ keyId: x.key_id, publicKey: x.public_key, retiredAt: ts(x.retired_at) })),
    };
  }

  async function requirePeer(name: string): Promise<store.PeerRow> {
    const row = await store.getPeer(db, name);
    if (!row) throw new AppError('not_found', `no peer named "${name}"`, { name });
    // a policy row written before a field existed takes that field's default
    return { ...row, ...withDefaults(row) };
  }

  const verifyDeps = () => ({
    self: s.name,
    keysOf: async (name: string) => {
      const p = await store.getPeer(db, name);
      return p && p.state === 'active' ? p.public_keys : null;
    },
    rememberNonce: (from: string, nonce: string, at: Date) =>
      store.rememberNonce(db, from, nonce, at, 2 * skewMs),
    now: clock(),
    skewMs,
    graceMs,
  });

  async function sign(
    kind: MessageKind,
    to: string,
    body: string,
    extra: { target?: string; replyTo?: string },
  ) {
    const k = await activeKey();
    return signEnvelope({
      kind,
      from: s.name,
      to,
      keyId: k.key_id,
      privateKey: k.private_key,
      body,
      now: clock(),
      ...extra,
    });
  }

  const messages = createMessaging({
    db,
    clock,
    fetchImpl,
    peer: async (name, q = db) => {
      const row = await store.getPeer(q, name);
      return row ? { ...row, ...withDefaults(row) } : undefined;
    },
    sign,
    verifyDeps,
    ...(deps.log ? { log: deps.log } : {}),
  });

  /**
   * Pull a peer soon (a push hint came): at once unless a sync of it runs in this process, then once more after
   * it (the hint may announce what that sync's last page missed). Another process's lease: `busy`, skipped.
   */
  const hinted = new Map<string, { again: boolean; run: Promise<void> }>();
  function syncSoon(name: string): void {
    const running = hinted.get(name);
    if (running) {
      running.again = true;
      return;
    }
    const entry = { again: false, run: Promise.resolve() };
    entry.run = (async () => {
      do {
        entry.again = false;
        const r = await syncOne(name);
        deps.log?.(`peer ${name}: hinted sync ${r.outcome}, ${r.applied} applied`);
      } while (entry.again);
    })()
      .catch((e: unknown) => deps.log?.(`peer ${name}: hinted sync: ${String(e)}`))
      .finally(() => hinted.delete(name));
    hinted.set(name, entry);
  }

  // a peer's push hint: its feed moved; pull it now (under the lease) unless our cursor is there already
  messages.register('changes.hint', async (ctx, body) => {
    const head = (body as { head?: unknown } | null)?.head;
    if (typeof head !== 'string' || !/^\d{1,19}$/.test(head))
      throw new AppError('invalid_input', 'changes.hint: { "head": "<change sequence>" }');
    const peer = await store.getPeer(ctx.tx, ctx.peer);
    const behind = peer !== undefined && BigInt(peer.cursor) < BigInt(head);
    // after this transaction: the sync takes the peer's lease and its own transactions
    if (behind) setImmediate(() => syncSoon(ctx.peer));
    return { syncing: behind };
  });

  /**
   * Push hints: every `everyMs` look at our newest published change; when it moved, tell each active peer that
   * receives records (`changes.hint { head }`), at most once per peer per `minIntervalMs`. Sent once, without
   * the outbox: a lost hint costs only the wait for the scheduled pull.
   */
  function startHints(opts: { everyMs?: number; minIntervalMs?: number } = {}): { stop(): Promise<void> } {
    const minInterval = opts.minIntervalMs ?? 2000;
    const told = new Map<string, { head: bigint; at: number }>();
    let base: bigint | null = null;
    let round: Promise<void> | null = null;
    let stopped = false;
    const tick = () => {
      if (round || stopped) return;
      round = (async () => {
        const head = BigInt(await mstore.publishedHead(db));
        // what was published before we started is every peer's scheduled pull's business
        base ??= head;
        const now = clock().getTime();
        for (const p of await store.listPeers(db)) {
          if (p.state !== 'active' || !withDefaults(p).receive.kinds.includes('record')) continue;
          const last = told.get(p.name) ?? { head: base, at: 0 };
          if (head <= last.head || now - last.at < minInterval) continue;
          told.set(p.name, { head, at: now });
          const ok = await messages.sendOnce(p.name, 'changes.hint', { head: head.toString() });
          deps.log?.(`peer ${p.name}: hint ${head.toString()} ${ok ? 'acknowledged' : 'lost'}`);
        }
      })()
        .catch((e: unknown) => deps.log?.(`peer hints: ${String(e)}`))
        .finally(() => {
          round = null;
        });
    };
    tick();
    const timer = setInterval(tick, opts.everyMs ?? 1000);
    timer.unref();
    return {
      async stop() {
        stopped = true;
        clearInterval(timer);
        await round;
        await Promise.allSettled([...hinted.values()].map((h) => h.run));
      },
    };
  }

  // embargoed advance notices: the receiver's handlers always; sharing needs the submissions
  const notices = createNoticeService({
    db,
    clock,
    messages,
    peer: async (name, q = db) => {
      const row = await store.getPeer(q, name);
      return row ? { ...row, ...withDefaults(row) } : undefined;
    },
    submissions: deps.submissions ?? {
      get: () => Promise.reject(new AppError('notice_not_shareable', 'this instance shares no notices')),
    },
  });

  /** Keys from what a partner's `peer init` printed: one PEM / base64 key, or several. */
  function keysFrom(input: string | string[]): PeerKey[] {
    const list = Array.isArray(input) ? input : [input];
    return list.map((text) => {
      const key = readPublicKey(text);
      if (!key)
        throw new AppError(
          'invalid_parameter',
          'peer key: an Ed25519 public key as SPKI PEM or base64 DER',
          {},
        );
      const pem = publicPem(key);
      return { keyId: keyIdOf(pem), publicKey: pem, state: 'active' as const, retiredAt: null };
    });
  }

  /** Fetch and verify one page of a peer's feed. */
  async function fetchPage(peer: store.PeerRow, after: string, limit: number): Promise<ChangesPage> {
    const target = `${CHANGES_PATH}?after=${encodeURIComponent(after)}&limit=${limit}`;
    const { token, header } = await sign('changes.request', peer.name, '', { target: `GET ${target}` });
    const res = await fetchImpl(`${peer.url}${target}`, {
      headers: { [SIGNATURE_HEADER]: token, accept: 'application/json' },
    });
    const text = await res.text();
    if (!res.ok) {
      let code = '';
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        // not our error shape
      }
      throw new AppError(
        'peer_bad_answer',
        `peer "${peer.name}" answered HTTP ${res.status} ${code}`.trim(),
        {
          peer: peer.name,
          status: res.status,
          code,
        },
      );
    }
    await verifyEnvelope(
      res.headers.get(SIGNATURE_HEADER) ?? undefined,
      { kind: 'changes.page', body: text, replyTo: header.nonce, from: peer.name },
      verifyDeps(),
    );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('peer_bad_answer', `peer "${peer.name}": the page is not JSON`, { peer: peer.name });
    }
    return checkPage(body, peer.name);
  }

  async function syncOne(name: string, opts: SyncOptions = {}): Promise<PeerSyncResult> {
    const peer = await requirePeer(name);
    const result: PeerSyncResult = {
      peer: name,
      outcome: 'synced',
      pages: 0,
      applied: 0,
      unchanged: 0,
      refused: 0,
      cursor: peer.cursor,
      error: null,
      errorCode: null,
    };
    const now = clock();
    if (!(await store.takeLease(db, name, now, new Date(now.getTime() + leaseMs))))
      return { ...result, outcome: 'busy' };
    try {
      let cursor = peer.cursor;
      for (let i = 0; i < (opts.maxPages ?? 10_000); i++) {
        const page = await fetchPage(peer, cursor, opts.pageSize ?? pageSize);
        const records: SourceRecord[] = [];
        let refused = 0;
        for (const e of page.entries) {
          if (mayAccept(peer.accept, recordItem(e.record)).ok)
            records.push(toSourceRecord(name, e.record, peer.accept));
          else refused++;
        }
        let stored = 0;
        let unchanged = 0;
        const committed = await store.commitPage(
          db,
          {
            name,
            from: cursor,
            to: page.next,
            refused,
            lag: Math.max(0, Number(BigInt(page.head) - BigInt(page.next))),
            at: clock(),
          },
          async (tx) => {
            if (records.length === 0) return 0;
            const c = await writeRecordsIn(tx, records, `peer:${name}`);
            stored = (c.imported ?? 0) + (c.updated ?? 0);
            unchanged = c.unchanged ?? 0;
            return stored;
          },
        );
        if (!committed)
          throw new AppError('changed_meanwhile', `peer "${name}": the cursor moved during the sync`, {
            name,
          });
        result.pages++;
        result.applied += stored;
        result.unchanged += unchanged;
        result.refused += refused;
        cursor = page.next;
        result.cursor = cursor;
        if (!page.more) break;
      }
      await store.releaseLease(db, name);
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await store.recordFailure(db, name, message, clock());
      return {
        ...result,
        outcome: 'failed',
        error: message,
        errorCode: isAppError(e) ? e.code : null,
      };
    }
  }

  return {
    /** Signed messages to and from peers (messages.ts): register a kind's handler, enqueue, deliver. */
    messages,

    /** Embargoed advance notices (notices.ts): share, the sweep that follows shared submissions, the received. */
    notices,

    /** Push hints to peers when our published records change (the worker starts them). */
    startHints,

    /** Hinted syncs in flight (tests). */
    async hintedSyncs(): Promise<void> {
      while (hinted.size) await Promise.allSettled([...hinted.values()].map((h) => h.run));
    },

    /** What a partner needs to add this instance (`vulnshare peer init`). */
    async identity(principal: Principal): Promise<Identity> {
      requireAccess(principal, 'peers:manage');
      return identityOf();
    },

    /** A new active key; the old one is kept as retired (peers still verify it for the grace period). */
    async rotateKey(principal: Principal): Promise<Identity> {
      requireAccess(principal, 'peers:manage');
      await activeKey();
      await store.rotateKey(db, createKeyPair(), clock());
      return identityOf();
    },

    async addPeer(
      principal: Principal,
      input: { name: string; url: string; key: string | string[]; policy?: unknown },
    ): Promise<PeerView> {
      requireAccess(principal, 'peers:manage');
      const name = checkName(input.name);
      if (name === s.name)
        throw new AppError('invalid_parameter', `"${name}" is this instance's own name`, { name });
      const url = checkUrl(input.url);
      const keys = keysFrom(input.key);
      const policy = parsePolicy(input.policy ?? {});
      if (!(await store.insertPeer(db, { name, url, keys, policy })))
        throw new AppError('peer_exists', `a peer named "${name}" exists already`, { name });
      return viewOf(await requirePeer(name));
    },

    async listPeers(principal: Principal): Promise<PeerView[]> {
      requireAccess(principal, 'peers:manage');
      return (await store.listPeers(db)).map(viewOf);
    },

    async getPeer(principal: Principal, name: string): Promise<PeerView> {
      requireAccess(principal, 'peers:manage');
      return viewOf(await requirePeer(name));
    },

    async removePeer(principal: Principal, name: string): Promise<void> {
      requireAccess(principal, 'peers:manage');
      if (!(await store.deletePeer(db, name)))
        throw new AppError('not_found', `no peer named "${name}"`, { name });
    },

    async setPolicy(principal: Principal, name: string, policy: unknown): Promise<PeerView> {
      requireAccess(principal, 'peers:manage');
      const p = parsePolicy(policy);
      if (!(await store.updatePolicy(db, name, p)))
        throw new AppError('not_found', `no peer named "${name}"`, { name });
      return viewOf(await requirePeer(name));
    },

    /**
     * A peer's new key (its `peer init` after a rotation): added as active, the keys we held before become
     * retired now (they verify for the grace period). `revoke`: the keys we held are revoked at once instead.
     */
    async updateKey(
      principal: Principal,
      name: string,
      key: string,
      opts: { revoke?: boolean } = {},
    ): Promise<PeerView> {
      requireAccess(principal, 'peers:manage');
      const peer = await requirePeer(name);
      const [fresh] = keysFrom(key);
      if (!fresh) throw new AppError('invalid_parameter', 'peer key missing', {});
      const at = clock().toISOString();
      const old = peer.public_keys
        .filter((k) => k.keyId !== fresh.keyId)
        .map((k): PeerKey =>
          opts.revoke
            ? { ...k, state: 'revoked' }
            : k.state === 'active'
              ? { ...k, state: 'retired', retiredAt: at }
              : k,
        );
      await store.updateKeys(db, name, [fresh, ...old]);
      return viewOf(await requirePeer(name));
    },

    /** Sync one peer, or every active one, now; a peer busy in another process answers 'busy'. */
    async sync(principal: Principal, name?: string, opts: SyncOptions = {}): Promise<PeerSyncResult[]> {
      requireAccess(principal, 'peers:manage');
      if (name !== undefined) return [await syncOne(name, opts)];
      const out: PeerSyncResult[] = [];
      for (const p of await store.listPeers(db))
        if (p.state === 'active') out.push(await syncOne(p.name, opts));
      return out;
    },

    /**
     * The signed change feed, to the peer whose signature the request carries: published records after the
     * cursor, each one its receive policy allows, never one only that peer is the source of. Answers the body
     * text and its signature token; throws the refusal (peer_unknown, peer_key_unknown, peer_signature_invalid,
     * peer_clock_skew, peer_replay).
     */
    async changes(
      request: { token: string | undefined; target: string },
      query: { after: string; limit: number },
    ): Promise<{ body: string; token: string; peer: string }> {
      const header: EnvelopeHeader = await verifyEnvelope(
        request.token,
        { kind: 'changes.request', body: '', target: request.target },
        verifyDeps(),
      );
      const peer = await requirePeer(header.from);
      // it asks us, so it is up: what waits for it in the outbox goes now
      messages.wake(peer.name);
      if (!/^\d{1,19}$/.test(query.after))
        throw new AppError('invalid_parameter', 'after: a change sequence (digits)', { parameter: 'after' });
      const limit = Math.min(Math.max(1, query.limit), 1000);
      const rows = await store.publishedChangesAfter(db, BigInt(query.after), limit);
      const entries: FeedEntry[] = [];
      for (const r of rows) {
        const v = r.doc as unknown as Vulnerability;
        if (onlyFrom(peer.name, v)) continue;
        if (!mayReceive(peer.receive, recordItem(v)).ok) continue;
        entries.push({ seq: r.seq, record: v });
      }
      const page: ChangesPage = {
        from: s.name,
        after: query.after,
        next: rows.at(-1)?.seq ?? query.after,
        head: await store.headSeq(db),
        more: rows.length === limit,
        entries,
      };
      const body = JSON.stringify(page);
      const { token } = await sign('changes.page', peer.name, body, { replyTo: header.nonce });
      return { body, token, peer: peer.name };
    },
  };
}
