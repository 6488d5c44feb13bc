/**
 * Embargoed advance notices (docs/FEDERATION.md "Advance notices"). A coordinator shares an embargoed submission
 * with chosen peers (`notice.share`: the record as the change feed carries it, the embargo end on our clock, our
 * reference); each peer only if its receive policy allows an embargoed `advance_notice` of the record's TLP,
 * sectors and vendors — refused per peer otherwise, nothing sent. Our sweep follows the submission: published
 * (the embargo ended, by our clock) → `notice.release` with the published record; rejected or a duplicate →
 * `notice.withdraw`; changed meanwhile → `notice.share` again with a higher version.
 *
 * The receiver keeps a notice in peer_notices (analysts and admins only; never a record: not in search,
 * detail, feeds, exports or its own change feed) and never publishes it on its own: at `notice.release` it
 * writes the record through the import path as `peer:<sender>`, published — the same source key the change
 * feed later brings, so both paths merge into one record. Every message carries a version; the newest wins.
 */
import type { Principal } from '../accounts/model.js';
import { scoreCvss } from '../cvss/cvss.js';
import { CLI } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError, isAppError } from '../errors.js';
import { writeRecordsIn } from '../imports/pipeline.js';
import type { SubmissionService } from '../submissions/service.js';
import type { Vulnerability } from '../vulns/model.js';
import type { MessageContext, Messaging } from './messages.js';
import * as mstore from './messages-store.js';
import { mayAccept, mayReceive, type PolicyItem, type Tlp } from './policy.js';
import { toSourceRecord } from './records.js';
import type { PeerRow } from './store.js';

/** An advance notice is under embargo and not for every eye: TLP:AMBER unless its sender says otherwise. */
export const NOTICE_TLP: Tlp = 'amber';

export type SubmissionView = Awaited<ReturnType<SubmissionService['get']>>;

export interface NoticeDeps {
  db: Kysely<DB>;
  clock: () => Date;
  messages: Messaging;
  peer(name: string, q?: Kysely<DB> | Transaction<DB>): Promise<PeerRow | undefined>;
  submissions: Pick<SubmissionService, 'get'>;
}

export interface ShareOutcome {
  peer: string;
  outcome: 'shared' | 'refused';
  /** refused: why (peer_policy_refused, not_found …) */
  code: string | null;
  reason: string | null;
  messageId: string | null;
  version: number | null;
}

export interface NoticeView {
  sender: string;
  reference: string;
  version: number;
  state: 'embargoed' | 'released';
  recordId: string | null;
  title: { zh?: string; en?: string };
  vendors: string[];
  tlp: string;
  embargoUntil: string | null;
  record: Vulnerability | null;
  receivedAt: string;
  updatedAt: string;
  releasedAt: string | null;
}

/** The record an embargoed submission will publish, in the change feed's shape (state: published once released). */
export function noticeRecord(v: SubmissionView): Vulnerability {
  const id = v.vulnerabilityId ?? v.trackingNo;
  const cvss = v.cvss ? scoreCvss({ vector: v.cvss.vector, provider: 'vulnshare' }) : null;
  const products =
    v.vendor && v.product
      ? [{ vendor: v.vendor, product: v.product, versions: v.version ? [v.version] : [] }]
      : [];
  return {
    id,
    aliases: [id, ...(v.cveId ? [v.cveId] : [])],
    state: 'published',
    title: { zh: v.title },
    description: { zh: v.description },
    products,
    vendors: products.map((p) => p.vendor),
    objectType: null,
    industries: [],
    weaknesses: v.weakness
      ? [{ cwe: v.weakness.cwe, ...(v.weakness.nameZh ? { nameZh: v.weakness.nameZh } : {}) }]
      : [],
    cvss: cvss ? [cvss] : [],
    score: cvss?.baseScore ?? null,
    scoreVersion: cvss?.version ?? null,
    severity: cvss?.severity ?? null,
    severitySource: cvss ? `cvss:${cvss.version}` : null,
    zeroDay: null,
    kind: v.kind === 'event' ? 'event' : 'general',
    exploited: null,
    pocAvailable: false,
    dates: { submitted: v.createdAt },
    solution: null,
    patch: null,
    references: [],
    credits: [],
    sources: [{ source: 'vulnshare', key: id, state: 'published' }],
  };
}

function noticeItem(r: Pick<Vulnerability, 'industries' | 'vendors'>, tlp: Tlp): PolicyItem {
  return {
    kind: 'advance_notice',
    tlp,
    embargoed: true,
    sectors: [...r.industries],
    vendors: [...r.vendors],
  };
}

const ver = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null);
const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);

function checkRecord(x: unknown): Vulnerability {
  const r = x as Partial<Vulnerability> | null;
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.id !== 'string' ||
    !Array.isArray(r.aliases) ||
    !Array.isArray(r.vendors) ||
    !Array.isArray(r.industries) ||
    !Array.isArray(r.products) ||
    typeof r.title !== 'object' ||
    typeof r.dates !== 'object'
  )
    throw new AppError('invalid_input', 'notice: record is not a vulnerability record');
  return r as Vulnerability;
}

export type NoticeService = ReturnType<typeof createNoticeService>;

export function createNoticeService(deps: NoticeDeps) {
  const { db, clock, messages } = deps;

  /** Send `kind` for a submission to one peer in one transaction: the share row and the outbox row. */
  async function send(
    trackingNo: string,
    peer: string,
    kind: 'notice.share' | 'notice.release' | 'notice.withdraw',
    body: (version: number) => Record<string, unknown>,
    state: mstore.ShareRow['state'],
    mark: string | null,
  ): Promise<{ id: string; version: number }> {
    return db.transaction().execute(async (tx) => {
      const version = await mstore.nextShareVersion(tx, trackingNo);
      const id = await messages.enqueue(tx, peer, kind, { reference: trackingNo, version, ...body(version) });
      await mstore.upsertShare(tx, { trackingNo, peer, state, version, mark });
      return { id, version };
    });
  }

  const shareBody = (v: SubmissionView) => () => ({
    record: noticeRecord(v),
    embargoUntil: v.embargoUntil,
    tlp: NOTICE_TLP,
  });

  // ---- receiver side: the handlers

  async function onShare(ctx: MessageContext, body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const reference = str(b.reference);
    const version = ver(b.version);
    if (!reference || !version) throw new AppError('invalid_input', 'notice.share: reference and version');
    const record = checkRecord(b.record);
    const tlp = (typeof b.tlp === 'string' ? b.tlp : NOTICE_TLP) as Tlp;
    const decision = mayAccept(ctx.policy.accept, noticeItem(record, tlp));
    if (!decision.ok) throw new AppError('peer_policy_refused', `notice.share: ${decision.reason}`);
    const embargoUntil = typeof b.embargoUntil === 'string' ? b.embargoUntil : null;
    const held = await mstore.notice(ctx.tx, ctx.peer, reference);
    // out of order: an older version, or one after the release or withdrawal, changes nothing
    if (held && (Number(held.version) >= version || held.state !== 'embargoed'))
      return { applied: false, version: Number(held.version) };
    await mstore.putNotice(ctx.tx, {
      sender: ctx.peer,
      reference,
      version,
      state: 'embargoed',
      record,
      recordId: record.id,
      tlp,
      embargoUntil,
      at: clock(),
    });
    return { applied: true, version };
  }

  async function onRelease(ctx: MessageContext, body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const reference = str(b.reference);
    const version = ver(b.version);
    if (!reference || !version) throw new AppError('invalid_input', 'notice.release: reference and version');
    const record = checkRecord(b.record);
    const held = await mstore.notice(ctx.tx, ctx.peer, reference);
    // release and withdrawal are final: they apply over any share version; nothing re-opens them
    if (held && held.state !== 'embargoed') return { applied: false, version: Number(held.version) };
    // published by the sender (its clock): through the import path, as the change feed would write it
    await writeRecordsIn(
      ctx.tx,
      [toSourceRecord(ctx.peer, { ...record, state: 'published' }, ctx.policy.accept)],
      `peer:${ctx.peer}`,
    );
    await mstore.putNotice(ctx.tx, {
      sender: ctx.peer,
      reference,
      version,
      state: 'released',
      record,
      recordId: record.id,
      tlp: held?.tlp ?? NOTICE_TLP,
      embargoUntil: null,
      at: clock(),
    });
    return { applied: true, version };
  }

  async function onWithdraw(ctx: MessageContext, body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const reference = str(b.reference);
    const version = ver(b.version);
    if (!reference || !version) throw new AppError('invalid_input', 'notice.withdraw: reference and version');
    const held = await mstore.notice(ctx.tx, ctx.peer, reference);
    // release and withdrawal are final: they apply over any share version; nothing re-opens them
    if (held && held.state !== 'embargoed') return { applied: false, version: Number(held.version) };
    // dropped: only a tombstone (no record) stays, so an older notice.share arriving late changes nothing
    await mstore.putNotice(ctx.tx, {
      sender: ctx.peer,
      reference,
      version,
      state: 'withdrawn',
      record: null,
      recordId: held?.record_id ?? null,
      tlp: held?.tlp ?? NOTICE_TLP,
      embargoUntil: null,
      at: clock(),
    });
    return { applied: true, version };
  }

  messages.register('notice.share', onShare);
  messages.register('notice.release', onRelease);
  messages.register('notice.withdraw', onWithdraw);

  return {
    /**
     * Share an embargoed submission with peers: per peer, shared (a notice.share queued) or refused with its code
     * (no such peer, its policy refuses the item) — nothing is sent to a refused peer.
     */
    async share(principal: Principal, trackingNo: string, peers: string[]): Promise<ShareOutcome[]> {
      requireAccess(principal, 'peers:share');
      const v = await deps.submissions.get(principal, trackingNo);
      const until = v.embargoUntil ? Date.parse(v.embargoUntil) : NaN;
      if (v.publishedAt || !(until > clock().getTime()))
        throw new AppError(
          'notice_not_shareable',
          `${trackingNo} is not under embargo (schedule its publication with an embargo end first)`,
          { trackingNo },
        );
      const record = noticeRecord(v);
      const out: ShareOutcome[] = [];
      for (const name of [...new Set(peers)]) {
        const refused = (code: string, reason: string): ShareOutcome => ({
          peer: name,
          outcome: 'refused',
          code,
          reason,
          messageId: null,
          version: null,
        });
        const peer = await deps.peer(name);
        if (!peer || peer.state !== 'active') {
          out.push(refused('not_found', `no active peer named "${name}"`));
          continue;
        }
        const d = mayReceive(peer.receive, noticeItem(record, NOTICE_TLP));
        if (!d.ok) {
          out.push(refused('peer_policy_refused', d.reason));
          continue;
        }
        try {
          const m = await send(trackingNo, name, 'notice.share', shareBody(v), 'shared', v.updatedAt);
          out.push({
            peer: name,
            outcome: 'shared',
            code: null,
            reason: null,
            messageId: m.id,
            version: m.version,
          });
        } catch (e) {
          if (!isAppError(e)) throw e;
          out.push(refused(e.code, e.message));
        }
      }
      return out;
    },

    /**
     * Follow every shared submission (the worker, after the publication sweep): released at embargo end,
     * withdrawn when rejected or a duplicate, shared again when it changed. Answers how many messages were queued.
     */
    async sweep(): Promise<{ released: number; withdrawn: number; updated: number }> {
      const n = { released: 0, withdrawn: 0, updated: 0 };
      for (const s of await mstore.openShares(db)) {
        let v: SubmissionView;
        try {
          v = await deps.submissions.get(CLI, s.tracking_no);
        } catch (e) {
          if (isAppError(e) && e.code === 'not_found') {
            await send(s.tracking_no, s.peer_name, 'notice.withdraw', () => ({}), 'withdrawn', null);
            n.withdrawn++;
            continue;
          }
          throw e;
        }
        if (v.publishedAt) {
          const doc = await mstore.publishedDoc(db, v.vulnerabilityId ?? v.trackingNo);
          const record = doc ?? noticeRecord(v);
          await send(s.tracking_no, s.peer_name, 'notice.release', () => ({ record }), 'released', null);
          n.released++;
        } else if (v.state === 'rejected' || v.state === 'duplicate' || !v.embargoUntil) {
          await send(s.tracking_no, s.peer_name, 'notice.withdraw', () => ({}), 'withdrawn', null);
          n.withdrawn++;
        } else if (s.shared_by !== v.updatedAt) {
          await send(s.tracking_no, s.peer_name, 'notice.share', shareBody(v), 'shared', v.updatedAt);
          n.updated++;
        }
      }
      return n;
    },

    /** Advance notices peers shared with us, newest first (analysts and admins). */
    async list(principal: Principal, opts: { limit?: number } = {}): Promise<NoticeView[]> {
      requireAccess(principal, 'submissions:read_all');
      const rows = await mstore.listNotices(db, Math.min(Math.max(opts.limit ?? 100, 1), 500));
      return rows.map((r) => {
        const rec = r.record as Vulnerability | null;
        return {
          sender: r.sender,
          reference: r.reference,
          version: Number(r.version),
          state: r.state === 'released' ? 'released' : 'embargoed',
          recordId: r.record_id,
          title: rec?.title ?? {},
          vendors: rec?.vendors ?? [],
          tlp: r.tlp,
          embargoUntil: r.embargo_until === null ? null : new Date(r.embargo_until).toISOString(),
          record: rec,
          receivedAt: new Date(r.received_at).toISOString(),
          updatedAt: new Date(r.updated_at).toISOString(),
          releasedAt: r.released_at === null ? null : new Date(r.released_at).toISOString(),
        };
      });
    },
  };
}
