/**
 * Per-peer policy, as data: what a peer may receive from us and what we accept from it. One row per peer
 * (table peer_policies); two pure functions decide, item by item: mayReceive (sending) and mayAccept
 * (receiving). An analyst changes the row, never an `if`.
 */
import { AppError } from '../errors.js';
import { vendorKey } from '../classify/index.js';

/**
 * What flows between peers: published records (the change feed and its push hints), embargoed advance notices,
 * case hand-over, ID delegation. A message kind maps to one of them (messages.ts MESSAGE_ITEMS).
 */
export const ITEM_KINDS = ['record', 'advance_notice', 'case', 'ids'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** TLP 2.0, lower case as incidents/tables.ts has it. */
export const TLP = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP)[number];

export interface ReceivePolicy {
  /** the kinds of item it may receive */
  kinds: ItemKind[];
  /** the TLP levels it may receive */
  tlp: Tlp[];
  /** whether it may receive items still under embargo (advance notices) */
  embargoed: boolean;
  /** industries (vulns/model INDUSTRIES) an item must concern one of; null = any */
  sectors: string[] | null;
  /** vendors (by vendorKey) an item must name one of; null = any */
  vendors: string[] | null;
  /** vendors it never receives, whatever else says */
  excludeVendors: string[];
}

export interface AcceptPolicy {
  /** the kinds of item we store from it */
  kinds: ItemKind[];
  tlp: Tlp[];
  /**
   * whether we store items still under embargo from it (advance notices, kept under the sender's embargo until
   * it releases them); a record is never accepted under embargo
   */
  embargoed: boolean;
  /**
   * whether its stated severity is kept: false drops the peer's severity word (ours, or the score band, stands);
   * true keeps it where no source of ours states one (merge ranks peer sources after ours)
   */
  overrideSeverity: boolean;
  /** whether its object type, industries and kind are kept (false: they are dropped, ours stand) */
  overrideClassification: boolean;
}

export interface PeerPolicy {
  receive: ReceivePolicy;
  accept: AcceptPolicy;
}

/** A new peer receives published TLP:CLEAR records and nothing embargoed; we accept its published records. */
export const DEFAULT_POLICY: PeerPolicy = {
  receive: {
    kinds: ['record'],
    tlp: ['clear'],
    embargoed: false,
    sectors: null,
    vendors: null,
    excludeVendors: [],
  },
  accept: {
    kinds: ['record'],
    tlp: ['clear', 'green'],
    embargoed: false,
    overrideSeverity: true,
    overrideClassification: true,
  },
};

/** What a decision is about: one item we would send or have received. */
export interface PolicyItem {
  kind: ItemKind;
  tlp: Tlp;
  embargoed: boolean;
  /** industries it concerns */
  sectors: string[];
  /** vendor names (any spelling: compared by vendorKey) */
  vendors: string[];
}

export type Decision = { ok: true } | { ok: false; reason: string };
const no = (reason: string): Decision => ({ ok: false, reason });

export function mayReceive(policy: ReceivePolicy, item: PolicyItem): Decision {
  if (!policy.kinds.includes(item.kind)) return no(`kind ${item.kind} not sent to this peer`);
  if (!policy.tlp.includes(item.tlp)) return no(`TLP:${item.tlp.toUpperCase()} not sent to this peer`);
  if (item.embargoed && !policy.embargoed) return no('embargoed items are not sent to this peer');
  const vendors = item.vendors.map(vendorKey);
  const excluded = policy.excludeVendors.map(vendorKey);
  const hit = vendors.find((v) => excluded.includes(v));
  if (hit !== undefined) return no(`vendor ${hit} is excluded for this peer`);
  if (policy.vendors !== null) {
    const allowed = policy.vendors.map(vendorKey);
    if (!vendors.some((v) => allowed.includes(v))) return no('no vendor this peer receives');
  }
  if (policy.sectors !== null) {
    const sectors = policy.sectors;
    if (!item.sectors.some((s) => sectors.includes(s))) return no('no sector this peer receives');
  }
  return { ok: true };
}

export function mayAccept(policy: AcceptPolicy, item: PolicyItem): Decision {
  if (!policy.kinds.includes(item.kind)) return no(`kind ${item.kind} not accepted from this peer`);
  if (!policy.tlp.includes(item.tlp)) return no(`TLP:${item.tlp.toUpperCase()} not accepted from this peer`);
  // an advance notice keeps the sender's embargo (peer_notices, never a record) — only where the policy says so
  if (item.embargoed && item.kind === 'record') return no('embargoed items are not accepted as records');
  if (item.embargoed && !policy.embargoed) return no('embargoed items are not accepted from this peer');
  return { ok: true };
}

const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A policy from JSON (a partial one: what is left out takes DEFAULT_POLICY's value); every problem named at once.
 */
export function parsePolicy(input: unknown): PeerPolicy {
  const problems: string[] = [];
  const o = (input ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o))
    throw new AppError('invalid_parameter', 'policy: not an object');
  const r = (o.receive ?? {}) as Record<string, unknown>;
  const a = (o.accept ?? {}) as Record<string, unknown>;
  const d = DEFAULT_POLICY;
  const list = <T extends string>(where: string, v: unknown, dflt: T[], allowed?: readonly T[]): T[] => {
    if (v === undefined) return dflt;
    if (!isStrArr(v)) {
      problems.push(`${where}: a list of strings`);
      return dflt;
    }
    const bad = allowed ? v.filter((x) => !(allowed as readonly string[]).includes(x)) : [];
    if (bad.length) problems.push(`${where}: unknown ${bad.join(', ')} (use ${allowed?.join(', ')})`);
    return v as T[];
  };
  const nullableList = (where: string, v: unknown, dflt: string[] | null): string[] | null =>
    v === null ? null : v === undefined ? dflt : list(where, v, []);
  const bool = (where: string, v: unknown, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') problems.push(`${where}: true or false`);
    return v === true;
  };
  const policy: PeerPolicy = {
    receive: {
      kinds: list('receive.kinds', r.kinds, d.receive.kinds, ITEM_KINDS),
      tlp: list('receive.tlp', r.tlp, d.receive.tlp, TLP),
      embargoed: bool('receive.embargoed', r.embargoed, d.receive.embargoed),
      sectors: nullableList('receive.sectors', r.sectors, d.receive.sectors),
      vendors: nullableList('receive.vendors', r.vendors, d.receive.vendors),
      excludeVendors: list('receive.excludeVendors', r.excludeVendors, d.receive.excludeVendors),
    },
    accept: {
      kinds: list('accept.kinds', a.kinds, d.accept.kinds, ITEM_KINDS),
      tlp: list('accept.tlp', a.tlp, d.accept.tlp, TLP),
      embargoed: bool('accept.embargoed', a.embargoed, d.accept.embargoed),
      overrideSeverity: bool('accept.overrideSeverity', a.overrideSeverity, d.accept.overrideSeverity),
      overrideClassification: bool(
        'accept.overrideClassification',
        a.overrideClassification,
        d.accept.overrideClassification,
      ),
    },
  };
  if (problems.length)
    throw new AppError('invalid_parameter', `policy: ${problems.join('; ')}`, { problems });
  return policy;
}

/** A stored policy row with every field (a row written before a field existed takes its default). */
export function withDefaults(p: {
  receive: Partial<ReceivePolicy>;
  accept: Partial<AcceptPolicy>;
}): PeerPolicy {
  return {
    receive: { ...DEFAULT_POLICY.receive, ...p.receive },
    accept: { ...DEFAULT_POLICY.accept, ...p.accept },
  };
}
