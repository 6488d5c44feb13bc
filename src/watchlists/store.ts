/** The only watchlist file that writes SQL: watchlists, items, alerts, the index version, outbox rows. */
import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB, OutboxTable } from '../db/schema.js';
import type { AlertReason, Delivery, WatchKind } from './rules.js';
import type { WatchItemSpec } from './matcher.js';

export type Tx = Kysely<DB> | Transaction<DB>;

export interface WatchlistRow {
  id: number;
  organisation_id: number;
  name: string;
  delivery: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ItemRow {
  id: number;
  watchlist_id: number;
  kind: string;
  vendor: string | null;
  product: string | null;
  range: string | null;
  cpe: string | null;
  keyword: string | null;
}

export interface NewItem {
  kind: WatchKind;
  vendor?: string;
  product?: string;
  range?: string;
  cpe?: string;
  keyword?: string;
  vendorKey?: string;
}

export async function indexVersion(tx: Tx): Promise<number> {
  const r = await tx
    .selectFrom('watch_index_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(r?.version ?? 0);
}

/** Every change to watchlists or items bumps the version, in the same transaction. */
export async function bumpIndexVersion(tx: Tx): Promise<void> {
  await tx
    .updateTable('watch_index_version')
    .set({ version: sql<number>`version + 1` })
    .where('id', '=', 1)
    .execute();
}

/** Every watch item with its watchlist's organisation and delivery: what the matcher indexes. */
export async function loadItemSpecs(tx: Tx): Promise<WatchItemSpec[]> {
  const rows = await tx
    .selectFrom('watch_items as i')
    .innerJoin('watchlists as w', 'w.id', 'i.watchlist_id')
    .select([
      'i.id',
      'i.watchlist_id',
      'w.name as watchlist_name',
      'w.organisation_id',
      'w.delivery',
      'i.kind',
      'i.vendor',
      'i.product',
      'i.range',
      'i.cpe',
      'i.keyword',
    ])
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    watchlistId: r.watchlist_id,
    watchlistName: r.watchlist_name,
    organisationId: r.organisation_id,
    delivery: r.delivery as Delivery,
    kind: r.kind as WatchKind,
    vendor: r.vendor,
    product: r.product,
    range: r.range,
    cpe: r.cpe,
    keyword: r.keyword,
  }));
}

export async function insertWatchlist(
  tx: Tx,
  w: { organisationId: number; name: string; delivery: Delivery; createdBy: string; at: string },
): Promise<WatchlistRow> {
  return tx
    .insertInto('watchlists')
    .values({
      organisation_id: w.organisationId,
      name: w.name,
      delivery: w.delivery,
      created_by: w.createdBy,
      created_at: w.at,
      updated_at: w.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateWatchlist(
  tx: Tx,
  id: number,
  patch: { name?: string; delivery?: Delivery; at: string },
): Promise<void> {
  await tx
    .updateTable('watchlists')
    .set({
      updated_at: patch.at,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.delivery !== undefined ? { delivery: patch.delivery } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteWatchlist(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('watchlists').where('id', '=', id).execute();
}

export async function watchlistById(
  tx: Tx,
  id: number,
  forUpdate = false,
): Promise<WatchlistRow | undefined> {
  let q = tx.selectFrom('watchlists').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listWatchlists(tx: Tx, organisationId?: number): Promise<WatchlistRow[]> {
  let q = tx.selectFrom('watchlists').selectAll().orderBy('organisation_id').orderBy('id').limit(1000);
  if (organisationId !== undefined) q = q.where('organisation_id', '=', organisationId);
  return q.execute();
}

export async function itemsOf(tx: Tx, watchlistIds: number[]): Promise<ItemRow[]> {
  if (!watchlistIds.length) return [];
  return tx
    .selectFrom('watch_items')
    .select(['id', 'watchlist_id', 'kind', 'vendor', 'product', 'range', 'cpe', 'keyword'])
    .where('watchlist_id', 'in', watchlistIds)
    .orderBy('id')
    .execute();
}

export async function insertItems(tx: Tx, watchlistId: number, items: NewItem[]): Promise<number[]> {
  if (!items.length) return [];
  const rows = await tx
    .insertInto('watch_items')
    .values(
      items.map((i) => ({
        watchlist_id: watchlistId,
        kind: i.kind,
        vendor: i.vendor ?? null,
        product: i.product ?? null,
        range: i.range ?? null,
        cpe: i.cpe ?? null,
        keyword: i.keyword ?? null,
        vendor_key: i.vendorKey ?? null,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteItem(tx: Tx, watchlistId: number, itemId: number): Promise<boolean> {
  const r = await tx
    .deleteFrom('watch_items')
    .where('id', '=', itemId)
    .where('watchlist_id', '=', watchlistId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function organisationExists(tx: Tx, id: number): Promise<boolean> {
  return !!(await tx.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst());
}

export interface AlertInsert {
  organisationId: number;
  watchlistId: number;
  itemId: number;
  vulnId: number;
  reason: AlertReason;
  delivery: Delivery;
  matchReason: string;
  /** immediate: queued now; daily / weekly: null until the digest. */
  deliveredAt: string | null;
  at: string;
}

export interface InsertedAlert {
  organisation_id: number;
  vuln_id: number;
  reason: string;
  delivery: string;
}

export interface ClaimedAlert extends InsertedAlert {
  id: number;
  match_reason: string;
}

/**
 * Insert alerts; the ones already raised for (organisation, vulnerability, reason) are skipped. One statement
 * per 5,000 with the rows as one jsonb parameter (an import inserts many).
 */
export async function insertAlerts(tx: Tx, alerts: AlertInsert[]): Promise<InsertedAlert[]> {
  const out: InsertedAlert[] = [];
  for (let i = 0; i < alerts.length; i += 5000) {
    const rows = alerts.slice(i, i + 5000).map((a) => ({
      o: a.organisationId,
      w: a.watchlistId,
      i: a.itemId,
      v: a.vulnId,
      r: a.reason,
      d: a.delivery,
      m: a.matchReason,
      c: a.at,
      t: a.deliveredAt,
    }));
    const r = await sql<InsertedAlert>`
      INSERT INTO watch_alerts (organisation_id, watchlist_id, watch_item_id, vuln_id, reason, delivery, match_reason,
        created_at, delivered_at)
      SELECT x.o, x.w, x.i, x.v, x.r, x.d, x.m, x.c, x.t
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(o bigint, w bigint, i bigint, v bigint, r text, d text, m text, c timestamptz, t timestamptz)
      ON CONFLICT (vuln_id, organisation_id, reason) DO NOTHING
      RETURNING organisation_id, vuln_id, reason, delivery`.execute(tx);
    out.push(...r.rows);
  }
  return out;
}

/**
 * Alerts of an absorbed vulnerability move to the one absorbing it; those it already has for the same
 * organisation and reason are dropped (the vulnerability is about to be deleted).
 */
export async function moveAlerts(tx: Tx, from: number, into: number): Promise<void> {
  await sql`UPDATE watch_alerts a SET vuln_id = ${into}::bigint
    WHERE a.vuln_id = ${from}::bigint AND NOT EXISTS (
      SELECT 1 FROM watch_alerts b
      WHERE b.vuln_id = ${into}::bigint AND b.organisation_id = a.organisation_id AND b.reason = a.reason)`.execute(
    tx,
  );
  await tx.deleteFrom('watch_alerts').where('vuln_id', '=', from).execute();
}

export interface VulnSummary {
  id: number;
  publicId: string;
  title: string;
  severity: string | null;
}

export async function vulnSummaries(tx: Tx, ids: number[]): Promise<Map<number, VulnSummary>> {
  if (!ids.length) return new Map();
  const rows = await tx
    .selectFrom('vulnerabilities')
    .select([
      'id',
      'public_id',
      'severity',
      sql<string | null>`coalesce(doc->'title'->>'zh', doc->'title'->>'en')`.as('title'),
    ])
    .where('id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, publicId: r.public_id, title: r.title ?? r.public_id, severity: r.severity },
    ]),
  );
}

/** The vulnerability a source record (e.g. a published submission, source vulnshare) is linked to. */
export async function vulnOfSource(
  tx: Tx,
  source: string,
  key: string,
): Promise<{ id: number; doc: Record<string, unknown> } | undefined> {
  return tx
    .selectFrom('source_records as s')
    .innerJoin('vuln_sources as l', 'l.source_record_id', 's.id')
    .innerJoin('vulnerabilities as v', 'v.id', 'l.vuln_id')
    .select(['v.id', 'v.doc'])
    .where('s.source', '=', source)
    .where('s.key', '=', key)
    .executeTakeFirst();
}

export interface ContactRow {
  organisation_id: number;
  email: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  portal: boolean;
}

export async function contactsOf(tx: Tx, organisationIds: number[]): Promise<Map<number, ContactRow[]>> {
  const out = new Map<number, ContactRow[]>(organisationIds.map((id) => [id, []]));
  if (!organisationIds.length) return out;
  const rows = await tx
    .selectFrom('contacts')
    .select(['organisation_id', 'email', 'webhook_url', 'webhook_secret', 'portal'])
    .where('organisation_id', 'in', organisationIds)
    .orderBy('id')
    .execute();
  for (const r of rows) out.get(r.organisation_id)?.push(r);
  return out;
}

/**
 * One message to an organisation as outbox rows, the way disposal notifications go (coordination/service.ts):
 * an e-mail per contact address, a signed webhook per contact URL, and the portal inbox when a contact asks for
 * it or the organisation has no contact at all. The outbox worker delivers them with retries.
 */
export function outboxRowsFor(
  organisationId: number,
  contacts: ContactRow[],
  subject: string,
  body: Record<string, unknown>,
  due: string,
): Array<Insertable<OutboxTable>> {
  const json = JSON.stringify(body);
  const rows: Array<Insertable<OutboxTable>> = [];
  let portal = false;
  for (const c of contacts) {
    const base = {
      delivery_id: randomUUID(),
      notification_id: null,
      subject,
      body: json,
      next_attempt_at: due,
    };
    if (c.email) rows.push({ ...base, channel: 'email', target: c.email });
    if (c.webhook_url)
      rows.push({
        ...base,
        delivery_id: randomUUID(),
        channel: 'webhook',
        target: c.webhook_url,
        secret: c.webhook_secret,
      });
    portal ||= c.portal;
  }
  if (portal || contacts.length === 0)
    rows.push({
      delivery_id: randomUUID(),
      notification_id: null,
      channel: 'inbox',
      target: String(organisationId),
      subject,
      body: json,
      next_attempt_at: due,
    });
  return rows;
}

/** Outbox rows in one statement per 5,000 (the rows as one jsonb parameter). */
export async function insertOutbox(tx: Tx, rows: Array<Insertable<OutboxTable>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000).map((r) => ({
      d: r.delivery_id,
      c: r.channel,
      t: r.target,
      s: r.secret ?? null,
      j: r.subject,
      b: r.body,
      n: r.next_attempt_at,
    }));
    await sql`
      INSERT INTO outbox (delivery_id, channel, target, secret, subject, body, next_attempt_at)
      SELECT x.d, x.c, x.t, x.s, x.j, x.b::jsonb, x.n
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
        AS x(d text, c text, t text, s text, j text, b text, n timestamptz)`.execute(tx);
  }
}

/** Organisations with digest alerts raised before `before` and not yet sent. */
export async function pendingDigestOrgs(tx: Tx, delivery: Delivery, before: string): Promise<number[]> {
  const rows = await tx
    .selectFrom('watch_alerts')
    .select('organisation_id')
    .distinct()
    .where('delivery', '=', delivery)
    .where('delivered_at', 'is', null)
    .where('created_at', '<', before)
    .execute();
  return rows.map((r) => r.organisation_id);
}

/** Claim an organisation's pending digest alerts (a second worker finds none: the update re-checks). */
export async function claimDigest(
  tx: Tx,
  organisationId: number,
  delivery: Delivery,
  before: string,
  at: string,
): Promise<ClaimedAlert[]> {
  return tx
    .updateTable('watch_alerts')
    .set({ delivered_at: at, digest_sent_at: at })
    .where('organisation_id', '=', organisationId)
    .where('delivery', '=', delivery)
    .where('delivered_at', 'is', null)
    .where('created_at', '<', before)
    .returning(['id', 'organisation_id', 'vuln_id', 'reason', 'delivery', 'match_reason'])
    .execute();
}

export interface AlertListRow {
  id: number;
  organisation_id: number;
  watchlist_id: number | null;
  watchlist: string | null;
  vuln_id: string;
  title: string | null;
  severity: string | null;
  reason: string;
  delivery: string;
  match_reason: string;
  created_at: string;
  delivered_at: string | null;
  digest_sent_at: string | null;
}

export async function listAlerts(
  tx: Tx,
  q: { organisationId?: number; limit: number },
): Promise<AlertListRow[]> {
  let query = tx
    .selectFrom('watch_alerts as a')
    .innerJoin('vulnerabilities as v', 'v.id', 'a.vuln_id')
    .leftJoin('watchlists as w', 'w.id', 'a.watchlist_id')
    .select([
      'a.id',
      'a.organisation_id',
      'a.watchlist_id',
      'w.name as watchlist',
      'v.public_id as vuln_id',
      sql<string | null>`coalesce(v.doc->'title'->>'zh', v.doc->'title'->>'en')`.as('title'),
      'v.severity',
      'a.reason',
      'a.delivery',
      'a.match_reason',
      'a.created_at',
      'a.delivered_at',
      'a.digest_sent_at',
    ])
    .orderBy('a.id', 'desc')
    .limit(q.limit);
  if (q.organisationId !== undefined) query = query.where('a.organisation_id', '=', q.organisationId);
  return query.execute();
}

/** Early warnings (0034): one per (organisation, record under embargo), for active alliance members. */
type EarlyWarningTables = {
  watch_early_warnings: {
    id: number;
    organisation_id: number;
    watchlist_id: number | null;
    watch_item_id: number | null;
    submission_id: number;
    vuln_public_id: string;
    embargo_until: string;
    match_reason: string;
    created_at: string;
  };
};
const ew = (tx: Tx) => tx.withTables<EarlyWarningTables>();

/** A report still under embargo (read-only, submissions' table): what the matcher needs of it. */
export interface EmbargoedReport {
  submissionId: number;
  publicId: string;
  title: string;
  description: string;
  vendor: string | null;
  product: string | null;
  version: string | null;
  severity: string | null;
  embargoUntil: string;
}

/** General reports with a platform id, scheduled for publication after `now` and not published yet. */
export async function embargoedReports(tx: Tx, now: string): Promise<EmbargoedReport[]> {
  const rows = await tx
    .selectFrom('submissions')
    .select([
      'id',
      'vuln_public_id',
      'title',
      'description',
      'vendor',
      'product',
      'version',
      'severity',
      'embargo_until',
    ])
    .where('kind', '=', 'general')
    .where('published_at', 'is', null)
    .where('vuln_public_id', 'is not', null)
    .where('embargo_until', '>', now)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    submissionId: r.id,
    publicId: r.vuln_public_id ?? '',
    title: r.title,
    description: r.description,
    vendor: r.vendor,
    product: r.product,
    version: r.version,
    severity: r.severity,
    embargoUntil: new Date(r.embargo_until ?? now).toISOString(),
  }));
}

/** The organisations holding an active alliance membership (read-only, the alliance's table). */
export async function activeMemberOrganisations(tx: Tx): Promise<Set<number>> {
  const rows = await tx
    .selectFrom('alliance_memberships')
    .select('organisation_id')
    .where('status', '=', 'active')
    .execute();
  return new Set(rows.map((r) => r.organisation_id));
}

export interface EarlyWarningInsert {
  organisationId: number;
  watchlistId: number;
  itemId: number;
  submissionId: number;
  publicId: string;
  embargoUntil: string;
  matchReason: string;
  at: string;
}

/**
 * Insert early warnings; one already raised for (organisation, record) is skipped, and so is one whose
 * organisation is no active member at this moment (re-checked in the statement).
 */
export async function insertEarlyWarnings(
  tx: Tx,
  rows: EarlyWarningInsert[],
): Promise<Array<{ organisation_id: number; vuln_public_id: string }>> {
  if (!rows.length) return [];
  const x = rows.map((r) => ({
    o: r.organisationId,
    w: r.watchlistId,
    i: r.itemId,
    s: r.submissionId,
    p: r.publicId,
    e: r.embargoUntil,
    m: r.matchReason,
    c: r.at,
  }));
  const r = await sql<{ organisation_id: number; vuln_public_id: string }>`
    INSERT INTO watch_early_warnings (organisation_id, watchlist_id, watch_item_id, submission_id, vuln_public_id,
      embargo_until, match_reason, created_at)
    SELECT x.o, x.w, x.i, x.s, x.p, x.e, x.m, x.c
    FROM jsonb_to_recordset(${JSON.stringify(x)}::jsonb)
      AS x(o bigint, w bigint, i bigint, s bigint, p text, e timestamptz, m text, c timestamptz)
    WHERE EXISTS (SELECT 1 FROM alliance_memberships m WHERE m.organisation_id = x.o AND m.status = 'active')
    ON CONFLICT (organisation_id, vuln_public_id) DO NOTHING
    RETURNING organisation_id::int AS organisation_id, vuln_public_id`.execute(tx);
  return r.rows;
}

/** The organisations warned early of a record (they get no second alert at its publication). */
export async function earlyWarnedOrganisations(tx: Tx, publicId: string): Promise<Set<number>> {
  const rows = await ew(tx)
    .selectFrom('watch_early_warnings')
    .select('organisation_id')
    .where('vuln_public_id', '=', publicId)
    .execute();
  return new Set(rows.map((r) => Number(r.organisation_id)));
}

export interface EarlyWarningRow {
  id: number;
  organisation_id: number;
  watchlist_id: number | null;
  vuln_public_id: string;
  embargo_until: string;
  match_reason: string;
  created_at: string;
}

export async function listEarlyWarnings(
  tx: Tx,
  q: { organisationId?: number; limit: number },
): Promise<EarlyWarningRow[]> {
  let s = ew(tx)
    .selectFrom('watch_early_warnings')
    .select([
      'id',
      'organisation_id',
      'watchlist_id',
      'vuln_public_id',
      'embargo_until',
      'match_reason',
      'created_at',
    ]);
  if (q.organisationId !== undefined) s = s.where('organisation_id', '=', q.organisationId);
  const rows = await s.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    organisation_id: Number(r.organisation_id),
    watchlist_id: r.watchlist_id === null ? null : Number(r.watchlist_id),
    embargo_until: new Date(r.embargo_until).toISOString(),
    created_at: new Date(r.created_at).toISOString(),
  }));
}
