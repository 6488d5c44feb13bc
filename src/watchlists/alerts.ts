/**
 * Alerts: a matching vulnerability imported (new), published through the platform (published) or marked known
 * exploited (exploited) raises one alert per (organisation, vulnerability, reason) — the table's unique key —
 * in the transaction that wrote the vulnerability, and for immediate watchlists its outbox messages in that
 * same transaction (nothing is sent unless the record landed). Daily and weekly watchlists wait for
 * sendDigests, which the worker calls periodically.
 *
 * No flooding: in one import run an organisation gets at most FLOOD_LIMIT single alert messages; past that,
 * each written batch sends it ONE summary message listing that batch's alerts (the API lists them all).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Vulnerability } from '../vulns/model.js';
import { buildWatchIndex, matchVulnerability, type WatchIndex } from './matcher.js';
import {
  DEFAULT_DIGEST_HOUR,
  DIGEST_UTC_OFFSET_HOURS,
  FLOOD_LIMIT,
  DIGEST_MAX_LINES,
  SUMMARY_MAX_LINES,
  REASON_LABELS,
  WEEKLY_DIGEST_WEEKDAY,
  type AlertReason,
  type Delivery,
} from './rules.js';
import * as store from './store.js';

/** A vulnerability as a batch wrote it: the merged record, whether it was created, and its record before. */
export interface WrittenVuln {
  id: number;
  doc: Vulnerability;
  created: boolean;
  before: unknown;
}

/** What the import pipeline calls for each batch, inside the batch's transaction. */
export interface ImportWatch {
  /** Vulnerabilities absorbed into others by this batch (before they are deleted). */
  absorbed(tx: store.Tx, pairs: ReadonlyMap<number, number>): Promise<void>;
  written(tx: store.Tx, vulns: readonly WrittenVuln[]): Promise<void>;
  /** Alerts raised so far in this run. */
  readonly alerts: number;
}

interface Line {
  vulnId: string;
  title: string;
  severity: string | null;
  reason: AlertReason;
  matchReason: string;
  watchlist: string;
}

const wasExploited = (before: unknown): boolean =>
  !!before && typeof before === 'object' && !!(before as { exploited?: unknown }).exploited;

/** The reason a written vulnerability alerts for, if any: created → new; not before but now exploited → exploited. */
export function reasonOf(v: WrittenVuln): AlertReason | null {
  if (v.doc.state !== 'published') return null;
  if (v.created) return 'new';
  if (v.doc.exploited && !wasExploited(v.before)) return 'exploited';
  return null;
}

const headline = (l: Line) =>
  `- ${l.vulnId} [${REASON_LABELS[l.reason].zh} / ${REASON_LABELS[l.reason].en}] ${l.title}` +
  `${l.severity ? ` (${l.severity})` : ''}`;
const lineText = (l: Line) => `${headline(l)}\n  ${l.watchlist ? `${l.watchlist}: ` : ''}${l.matchReason}`;

function listText(lines: Line[], max: number, withReason: boolean): string {
  const shown = lines.slice(0, max).map(withReason ? lineText : headline);
  if (lines.length > shown.length)
    shown.push(
      `… 另有 ${lines.length - shown.length} 条 / and ${lines.length - shown.length} more (GET /api/v1/watchlists/alerts)`,
    );
  return shown.join('\n');
}

const bodyOf = (text: string, kind: string, lines: Line[], max: number, withReason: boolean) => ({
  text,
  kind,
  alerts: lines.slice(0, max).map((l) => ({
    vulnerabilityId: l.vulnId,
    title: l.title,
    reason: l.reason,
    ...(withReason ? { matchReason: l.matchReason, watchlist: l.watchlist } : {}),
  })),
  total: lines.length,
});

export function singleMessage(l: Line): { subject: string; body: Record<string, unknown> } {
  const r = REASON_LABELS[l.reason];
  const text = [
    `关注列表 / Watchlist: ${l.watchlist}`,
    `${r.zh} / ${r.en}: ${l.vulnId} ${l.title}`,
    ...(l.severity ? [`评级 / Severity: ${l.severity}`] : []),
    `匹配原因 / Why: ${l.matchReason}`,
  ].join('\n');
  return {
    subject: `[vulnshare] 关注提醒 / Watchlist alert (${r.en}): ${l.vulnId} ${l.title}`.slice(0, 300),
    body: bodyOf(text, 'alert', [l], 1, true),
  };
}

export function summaryMessage(lines: Line[]): { subject: string; body: Record<string, unknown> } {
  const text = [
    `本批导入有 ${lines.length} 个漏洞与关注列表匹配 / ${lines.length} vulnerabilities of this import match your watchlists:`,
    '',
    listText(lines, SUMMARY_MAX_LINES, false),
  ].join('\n');
  return {
    subject: `[vulnshare] 关注提醒汇总 / Watchlist alerts: ${lines.length} vulnerabilities`,
    body: bodyOf(text, 'summary', lines, SUMMARY_MAX_LINES, false),
  };
}

export function digestMessage(
  delivery: Delivery,
  lines: Line[],
): { subject: string; body: Record<string, unknown> } {
  const label = delivery === 'weekly' ? { zh: '每周', en: 'weekly' } : { zh: '每日', en: 'daily' };
  const text = [
    `${label.zh}关注摘要：${lines.length} 条提醒 / Your ${label.en} watchlist digest: ${lines.length} alerts`,
    '',
    listText(lines, DIGEST_MAX_LINES, true),
  ].join('\n');
  return {
    subject: `[vulnshare] ${label.zh}关注摘要 / ${label.en} watchlist digest: ${lines.length} alerts`,
    body: bodyOf(text, 'digest', lines, DIGEST_MAX_LINES, true),
  };
}

/** Match reasons list the affected ranges: long for records with many (kernel releases); kept readable. */
const clip = (s: string): string => (s.length > 300 ? `${s.slice(0, 299)}…` : s);

const titleOf = (doc: Vulnerability) => doc.title.zh ?? doc.title.en ?? doc.id;

/** Queue the messages of freshly inserted immediate alerts; `sent` counts single messages per organisation. */
async function enqueueImmediate(
  tx: store.Tx,
  byOrg: Map<number, Line[]>,
  at: string,
  sent: Map<number, number>,
): Promise<void> {
  if (!byOrg.size) return;
  const contacts = await store.contactsOf(tx, Array.from(byOrg.keys()));
  const rows = [];
  for (const [org, lines] of byOrg) {
    const before = sent.get(org) ?? 0;
    const messages =
      before + lines.length <= FLOOD_LIMIT ? lines.map(singleMessage) : [summaryMessage(lines)];
    if (messages.length === lines.length) sent.set(org, before + lines.length);
    for (const m of messages)
      rows.push(...store.outboxRowsFor(org, contacts.get(org) ?? [], m.subject, m.body, at));
  }
  await store.insertOutbox(tx, rows);
}

/** Match, insert the alerts (skipping repeats), and queue immediate messages: all in the caller's transaction. */
async function raise(
  tx: store.Tx,
  ix: WatchIndex,
  events: Array<{ id: number; doc: Vulnerability; reason: AlertReason }>,
  at: string,
  sent: Map<number, number>,
  /** Organisations not to alert (warned early of the record: early-warnings.ts). */
  skip: ReadonlySet<number> = new Set(),
): Promise<number> {
  const inserts: store.AlertInsert[] = [];
  const lineOf = new Map<string, Line>();
  for (const e of events) {
    for (const m of matchVulnerability(ix, e.doc)) {
      if (skip.has(m.organisationId)) continue;
      inserts.push({
        organisationId: m.organisationId,
        watchlistId: m.watchlistId,
        itemId: m.itemId,
        vulnId: e.id,
        reason: e.reason,
        delivery: m.delivery,
        matchReason: clip(m.reason),
        deliveredAt: m.delivery === 'immediate' ? at : null,
        at,
      });
      if (m.delivery === 'immediate')
        lineOf.set(`${m.organisationId}:${e.id}:${e.reason}`, {
          vulnId: e.doc.id,
          title: titleOf(e.doc),
          severity: e.doc.severity,
          reason: e.reason,
          matchReason: m.reason,
          watchlist: m.watchlistName,
        });
    }
  }
  const inserted = await store.insertAlerts(tx, inserts);
  const byOrg = new Map<number, Line[]>();
  for (const a of inserted) {
    if (a.delivery !== 'immediate') continue;
    const line = lineOf.get(`${a.organisation_id}:${a.vuln_id}:${a.reason}`);
    if (!line) continue;
    const l = byOrg.get(a.organisation_id);
    if (l) l.push(line);
    else byOrg.set(a.organisation_id, [line]);
  }
  await enqueueImmediate(tx, byOrg, at, sent);
  return inserted.length;
}

/**
 * The watch of one import run: the watch items are loaded once and indexed in memory; each batch checks the
 * index version (one row) and reloads only when a watchlist changed meanwhile.
 */
export async function watchImports(db: Kysely<DB>, opts: { clock?: () => Date } = {}): Promise<ImportWatch> {
  const clock = opts.clock ?? (() => new Date());
  let version = await store.indexVersion(db);
  let ix = buildWatchIndex(await store.loadItemSpecs(db));
  const sent = new Map<number, number>();
  let alerts = 0;
  return {
    get alerts() {
      return alerts;
    },
    async absorbed(tx, pairs) {
      for (const [from, into] of pairs) await store.moveAlerts(tx, from, into);
    },
    async written(tx, vulns) {
      const v = await store.indexVersion(tx);
      if (v !== version) {
        ix = buildWatchIndex(await store.loadItemSpecs(tx));
        version = v;
      }
      if (ix.size === 0) return;
      const events: Array<{ id: number; doc: Vulnerability; reason: AlertReason }> = [];
      for (const w of vulns) {
        const reason = reasonOf(w);
        if (reason) events.push({ id: w.id, doc: w.doc, reason });
      }
      if (events.length) alerts += await raise(tx, ix, events, clock().toISOString(), sent);
    },
  };
}

/**
 * A submission published to the public store (source vulnshare, key = its public id): alert the organisations
 * watching it, in the publishing transaction — but not those an early warning told already (one alert per
 * organisation and record). Returns the alerts raised.
 */
export async function alertPublished(
  tx: store.Tx,
  publicKey: string,
  opts: { clock?: () => Date } = {},
): Promise<number> {
  const v = await store.vulnOfSource(tx, 'vulnshare', publicKey);
  if (!v) return 0;
  const ix = buildWatchIndex(await store.loadItemSpecs(tx));
  if (ix.size === 0) return 0;
  const at = (opts.clock ?? (() => new Date()))().toISOString();
  return raise(
    tx,
    ix,
    [{ id: v.id, doc: v.doc as unknown as Vulnerability, reason: 'published' }],
    at,
    new Map(),
    await store.earlyWarnedOrganisations(tx, publicKey),
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The latest digest moment at or before `now`: daily at `hour` o'clock Asia/Shanghai (fixed +08:00), weekly
 * the same hour on Monday.
 */
export function lastDigestMoment(now: Date, delivery: 'daily' | 'weekly', hour = DEFAULT_DIGEST_HOUR): Date {
  const off = DIGEST_UTC_OFFSET_HOURS * HOUR;
  const t = now.getTime();
  let m = Math.floor((t + off) / DAY) * DAY - off + hour * HOUR;
  if (m > t) m -= DAY;
  if (delivery === 'weekly') while (new Date(m + off).getUTCDay() !== WEEKLY_DIGEST_WEEKDAY) m -= DAY;
  return new Date(m);
}

/**
 * Send the digests that are due: for each organisation, one message listing every daily (weekly) alert raised
 * before the last digest moment and not yet sent. Safe to call as often as wanted (the worker does, every
 * minute) and from several workers at once: alerts are claimed by an update that re-checks them.
 */
export async function sendDigests(
  db: Kysely<DB>,
  now: Date,
  opts: { hour?: number } = {},
): Promise<{ digests: number; alerts: number }> {
  let digests = 0;
  let alerts = 0;
  for (const delivery of ['daily', 'weekly'] as const) {
    const before = lastDigestMoment(now, delivery, opts.hour).toISOString();
    for (const org of await store.pendingDigestOrgs(db, delivery, before)) {
      await db.transaction().execute(async (tx) => {
        const claimed = await store.claimDigest(tx, org, delivery, before, now.toISOString());
        if (!claimed.length) return;
        const vulns = await store.vulnSummaries(tx, Array.from(new Set(claimed.map((a) => a.vuln_id))));
        const lines: Line[] = claimed
          .sort((a, b) => a.id - b.id)
          .map((a) => {
            const v = vulns.get(a.vuln_id);
            return {
              vulnId: v?.publicId ?? String(a.vuln_id),
              title: v?.title ?? '',
              severity: v?.severity ?? null,
              reason: a.reason as AlertReason,
              matchReason: a.match_reason,
              watchlist: '',
            };
          });
        const m = digestMessage(delivery, lines);
        const contacts = await store.contactsOf(tx, [org]);
        await store.insertOutbox(
          tx,
          store.outboxRowsFor(org, contacts.get(org) ?? [], m.subject, m.body, now.toISOString()),
        );
        digests++;
        alerts += claimed.length;
      });
    }
  }
  return { digests, alerts };
}
