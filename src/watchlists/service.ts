/**
 * Watchlists of an organisation: the products (vendor, product, version or range, or a CPE 2.3 name) and the
 * keywords it runs, how it wants alerts delivered (immediate, daily or weekly digest), and its alerts. A
 * recipient manages its own organisation's (watchlists:own); analysts any organisation's (watchlists:manage_all).
 * Another organisation's watchlist is not_found. Every change bumps the index version the import run watches.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { actorName, type Principal } from '../accounts/model.js';
import { can, requireAccess } from '../accounts/policy.js';
import { audit } from '../audit/audit.js';
import { sendDigests } from './alerts.js';
import { raiseEarlyWarnings } from './early-warnings.js';
import { parseCpe } from './cpe.js';
import { compactName, cpeNames, validateItem } from './matcher.js';
import { DELIVERIES, WATCH_KINDS, type AlertReason, type Delivery, type WatchKind } from './rules.js';
import * as store from './store.js';

export interface WatchItemInput {
  kind: WatchKind;
  vendor?: string;
  product?: string;
  range?: string;
  cpe?: string;
  keyword?: string;
}

export interface WatchlistInput {
  organisationId?: number;
  name: string;
  delivery?: Delivery;
  items?: WatchItemInput[];
}

export interface WatchItemView {
  id: number;
  kind: WatchKind;
  vendor: string | null;
  product: string | null;
  range: string | null;
  cpe: string | null;
  keyword: string | null;
}

export interface WatchlistView {
  id: number;
  organisationId: number;
  name: string;
  delivery: Delivery;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  items: WatchItemView[];
}

/** An early warning: a record under embargo that matched a member's watchlist, and when it may be published. */
export interface EarlyWarningView {
  id: number;
  organisationId: number;
  watchlistId: number | null;
  vulnerabilityId: string;
  embargoUntil: string;
  matchReason: string;
  createdAt: string;
}

export interface AlertView {
  id: number;
  organisationId: number;
  watchlistId: number | null;
  watchlist: string | null;
  vulnerabilityId: string;
  title: string | null;
  severity: string | null;
  reason: AlertReason;
  delivery: Delivery;
  matchReason: string;
  createdAt: string;
  deliveredAt: string | null;
  digestSentAt: string | null;
}

const trimmed = (s: string | undefined): string | undefined => {
  const t = s?.normalize('NFKC').trim();
  return t ? t : undefined;
};

/** Check every item, naming the failing field (`items[1].range`), and give what the store keeps. */
export function prepareItems(items: WatchItemInput[], prefix = 'items'): store.NewItem[] {
  return items.map((raw, i) => {
    const field = `${prefix}[${i}]`;
    if (!(WATCH_KINDS as readonly string[]).includes(raw.kind))
      throw new AppError('invalid_input', `kind must be one of ${WATCH_KINDS.join(', ')}`, {
        field: `${field}.kind`,
      });
    const it: WatchItemInput = { kind: raw.kind };
    for (const k of ['vendor', 'product', 'range', 'cpe', 'keyword'] as const) {
      const v = trimmed(raw[k]);
      if (v !== undefined) it[k] = v;
    }
    validateItem(it, field);
    const vendor = it.kind === 'cpe' && it.cpe ? cpeNames(parseCpe(it.cpe)).vendor : it.vendor;
    const key = vendor ? compactName(vendor) : '';
    return {
      kind: it.kind,
      ...(it.kind === 'product' ? { vendor: it.vendor, product: it.product } : {}),
      ...(it.kind !== 'keyword' && it.range ? { range: it.range } : {}),
      ...(it.kind === 'cpe' ? { cpe: it.cpe } : {}),
      ...(it.kind === 'keyword' ? { keyword: it.keyword } : {}),
      ...(key ? { vendorKey: key } : {}),
    };
  });
}

function checkDelivery(d: string | undefined): Delivery | undefined {
  if (d === undefined) return undefined;
  if (!(DELIVERIES as readonly string[]).includes(d))
    throw new AppError('invalid_input', `delivery must be one of ${DELIVERIES.join(', ')}`, {
      field: 'delivery',
    });
  return d as Delivery;
}

function checkName(n: string | undefined): string | undefined {
  if (n === undefined) return undefined;
  const t = n.trim();
  if (!t || t.length > 200)
    throw new AppError('invalid_input', 'name must be 1 to 200 characters', { field: 'name' });
  return t;
}

export function createWatchlistService(deps: {
  db: Kysely<DB>;
  clock?: () => Date;
  /** Hour (Asia/Shanghai) of the daily digest; weekly digests go out on Monday at the same hour. */
  digestHour?: number;
}) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  /** The organisation p acts for: analysts any (the requested one), a recipient its own. */
  function ownOrg(p: Principal): number {
    requireAccess(p, 'watchlists:own');
    if (p.kind !== 'user' || p.organisationId === null)
      throw new AppError('forbidden', 'Watchlists belong to an organisation: sign in as one of its members');
    return p.organisationId;
  }

  async function visible(tx: Kysely<DB>, p: Principal, id: number, forUpdate = false) {
    requireAccess(p, 'watchlists:own');
    const w = await store.watchlistById(tx, id, forUpdate);
    const mine =
      w && (can(p, 'watchlists:manage_all') || (p.kind === 'user' && p.organisationId === w.organisation_id));
    if (!w || !mine) throw new AppError('not_found', `No watchlist ${id}`, { id });
    return w;
  }

  async function views(tx: Kysely<DB>, rows: store.WatchlistRow[]): Promise<WatchlistView[]> {
    const items = await store.itemsOf(
      tx,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      name: r.name,
      delivery: r.delivery as Delivery,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      items: items
        .filter((i) => i.watchlist_id === r.id)
        .map((i) => ({
          id: i.id,
          kind: i.kind as WatchKind,
          vendor: i.vendor,
          product: i.product,
          range: i.range,
          cpe: i.cpe,
          keyword: i.keyword,
        })),
    }));
  }

  async function one(tx: Kysely<DB>, id: number): Promise<WatchlistView> {
    const w = await store.watchlistById(tx, id);
    const [v] = w ? await views(tx, [w]) : [];
    if (!v) throw new AppError('not_found', `No watchlist ${id}`, { id });
    return v;
  }

  async function list(p: Principal, q: { organisationId?: number } = {}): Promise<WatchlistView[]> {
    const org = can(p, 'watchlists:manage_all') ? q.organisationId : ownOrg(p);
    return views(db, await store.listWatchlists(db, org));
  }

  async function create(p: Principal, input: WatchlistInput): Promise<WatchlistView> {
    let org: number;
    if (can(p, 'watchlists:manage_all')) {
      if (input.organisationId === undefined)
        throw new AppError('invalid_input', 'organisationId: whose watchlist is it?', {
          field: 'organisationId',
        });
      org = input.organisationId;
    } else {
      org = ownOrg(p);
      if (input.organisationId !== undefined && input.organisationId !== org)
        throw new AppError('forbidden', 'A recipient creates watchlists for its own organisation only', {
          field: 'organisationId',
        });
    }
    const name = checkName(input.name) ?? '';
    const delivery = checkDelivery(input.delivery) ?? 'immediate';
    const items = prepareItems(input.items ?? []);
    return db.transaction().execute(async (tx) => {
      if (!(await store.organisationExists(tx, org)))
        throw new AppError('invalid_input', `No organisation ${org}`, { field: 'organisationId' });
      const w = await store.insertWatchlist(tx, {
        organisationId: org,
        name,
        delivery,
        createdBy: actorName(p),
        at: clock().toISOString(),
      });
      await store.insertItems(tx, w.id, items);
      await store.bumpIndexVersion(tx);
      await audit(tx, p, {
        action: 'watchlist.created',
        targetKind: 'watchlist',
        targetId: w.id,
        detail: { organisationId: org, items: items.length },
      });
      return one(tx, w.id);
    });
  }

  async function get(p: Principal, id: number): Promise<WatchlistView> {
    await visible(db, p, id);
    return one(db, id);
  }

  async function update(p: Principal, id: number, patch: { name?: string; delivery?: Delivery }) {
    const name = checkName(patch.name);
    const delivery = checkDelivery(patch.delivery);
    return db.transaction().execute(async (tx) => {
      await visible(tx, p, id, true);
      await store.updateWatchlist(tx, id, {
        at: clock().toISOString(),
        ...(name !== undefined ? { name } : {}),
        ...(delivery !== undefined ? { delivery } : {}),
      });
      await store.bumpIndexVersion(tx);
      await audit(tx, p, {
        action: 'watchlist.updated',
        targetKind: 'watchlist',
        targetId: id,
        detail: patch,
      });
      return one(tx, id);
    });
  }

  async function remove(p: Principal, id: number): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await visible(tx, p, id, true);
      await store.deleteWatchlist(tx, id);
      await store.bumpIndexVersion(tx);
      await audit(tx, p, { action: 'watchlist.deleted', targetKind: 'watchlist', targetId: id });
    });
  }

  async function addItems(p: Principal, id: number, items: WatchItemInput[]): Promise<WatchlistView> {
    if (!items.length) throw new AppError('invalid_input', 'items must not be empty', { field: 'items' });
    const prepared = prepareItems(items);
    return db.transaction().execute(async (tx) => {
      await visible(tx, p, id, true);
      await store.insertItems(tx, id, prepared);
      await store.updateWatchlist(tx, id, { at: clock().toISOString() });
      await store.bumpIndexVersion(tx);
      return one(tx, id);
    });
  }

  async function removeItem(p: Principal, id: number, itemId: number): Promise<WatchlistView> {
    return db.transaction().execute(async (tx) => {
      await visible(tx, p, id, true);
      if (!(await store.deleteItem(tx, id, itemId)))
        throw new AppError('not_found', `No item ${itemId} in watchlist ${id}`, { id, itemId });
      await store.updateWatchlist(tx, id, { at: clock().toISOString() });
      await store.bumpIndexVersion(tx);
      return one(tx, id);
    });
  }

  /** Recent alerts, newest first: analysts any organisation's (or all), a recipient its own. */
  async function alerts(
    p: Principal,
    q: { organisationId?: number; limit?: number } = {},
  ): Promise<AlertView[]> {
    const org = can(p, 'watchlists:manage_all') ? q.organisationId : ownOrg(p);
    const rows = await store.listAlerts(db, {
      ...(org !== undefined ? { organisationId: org } : {}),
      limit: Math.min(Math.max(q.limit ?? 200, 1), 1000),
    });
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      watchlistId: r.watchlist_id,
      watchlist: r.watchlist,
      vulnerabilityId: r.vuln_id,
      title: r.title,
      severity: r.severity,
      reason: r.reason as AlertReason,
      delivery: r.delivery as Delivery,
      matchReason: r.match_reason,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      digestSentAt: r.digest_sent_at,
    }));
  }

  /** Send the daily / weekly digests that are due (the worker calls this every minute). */
  function digests(now: Date = clock()) {
    return sendDigests(db, now, deps.digestHour === undefined ? {} : { hour: deps.digestHour });
  }

  /** Early warnings of records under embargo to the active members' watchlists (the worker's sweep). */
  function earlyWarnings(now: Date = clock()) {
    return raiseEarlyWarnings(db, now);
  }

  /** The early warnings raised, newest first: analysts any organisation's (or all), a recipient its own. */
  async function listEarlyWarnings(
    p: Principal,
    q: { organisationId?: number; limit?: number } = {},
  ): Promise<EarlyWarningView[]> {
    const org = can(p, 'watchlists:manage_all') ? q.organisationId : ownOrg(p);
    const rows = await store.listEarlyWarnings(db, {
      ...(org !== undefined ? { organisationId: org } : {}),
      limit: Math.min(Math.max(q.limit ?? 200, 1), 1000),
    });
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      watchlistId: r.watchlist_id,
      vulnerabilityId: r.vuln_public_id,
      embargoUntil: r.embargo_until,
      matchReason: r.match_reason,
      createdAt: r.created_at,
    }));
  }

  return {
    list,
    create,
    get,
    update,
    remove,
    addItems,
    removeItem,
    alerts,
    sendDigests: digests,
    earlyWarnings,
    listEarlyWarnings,
  };
}

export type WatchlistService = ReturnType<typeof createWatchlistService>;
