/**
 * Incidents (安全事件): record, edit and move through TLP-guarded statuses; list and search what the viewer may
 * see; export to and import from STIX 2.1; count for the weekly bulletin and the annual summary; and hand an
 * incident to disposal as an event-type (事件型) case so its victims and sector units are notified with
 * deadlines. Every function checks access first; every change writes its history and audit rows in the same
 * transaction.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Principal } from '../accounts/model.js';
import { can, requireAccess } from '../accounts/policy.js';
import { allows, authorize } from '../accounts/resource-policy.js';
import { audit } from '../audit/audit.js';
import { calendarDay, parseWeekId } from '../vulns/calendar.js';
import type { CoordinationService } from '../coordination/service.js';
import { RECIPIENT_CATEGORIES } from '../coordination/rules.js';
import { refang } from './indicators.js';
import { audienceOf, type Incident, type IncidentInput } from './model.js';
import { openCase } from './case.js';
import { toStixBundle, fromStixBundle, ownIncidentStixId, type StixBundle } from './stix.js';
import { stixBundleValidator } from './stix-validate.js';
import {
  isKeyOf,
  SECTORS,
  STATUSES,
  STATUS_CODES,
  TLP_LEVELS,
  TRANSITIONS,
  VECTORS,
  canTransition,
  type IncidentStatus,
  type SectorCode,
  type Tlp,
  type VectorCode,
} from './tables.js';
import { validateIncidentInput } from './validate.js';
import { viewerOf, visibilityOf } from './visibility.js';
import * as store from './store.js';
import { assertTransition } from '../workflow/state-machine.js';

/** An incident as stored: the model with its INC id. */
export type StoredIncident = Incident & { id: string };

export interface HistoryEntry {
  at: string;
  actor: string;
  /** created | imported | edited | status | case | notified — `change` says it in English for logs and the CLI */
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  fields: string[];
  change: string;
  note: string | null;
}

export interface IncidentView extends StoredIncident {
  /** The disposal case (event-type submission) the incident was handed to; shown to staff only. */
  caseTrackingNo: string | null;
  history: HistoryEntry[];
}

export interface IncidentSummary {
  id: string;
  title: string;
  status: IncidentStatus;
  tlp: Tlp;
  vector: VectorCode;
  sectors: SectorCode[];
  victims: string[];
  discoveredAt: string;
  updatedAt: string;
}

export interface ListQuery {
  q?: string;
  status?: string;
  sector?: string;
  vector?: string;
  tlp?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const PERIODS = ['week', 'month', 'year'] as const;
export type Period = (typeof PERIODS)[number];

export interface IncidentFigures {
  period: Period;
  /** "2026-W47", "2026-11" or "2026" */
  id: string;
  /** Calendar dates (Asia/Shanghai), inclusive. */
  from: string;
  to: string;
  /** Incidents discovered in the period. */
  total: number;
  /** Incidents registered on the platform in the period (whenever discovered). */
  opened: number;
  /** Incidents closed in the period (whenever discovered). */
  closed: number;
  /** Of the incidents discovered: per victim sector (an incident hitting two sectors counts in both). */
  bySector: Record<SectorCode, number>;
  byVector: Record<VectorCode, number>;
  /** Current status of the incidents discovered in the period. */
  byStatus: Record<IncidentStatus, number>;
  byTlp: Record<Tlp, number>;
  /** period 'year' only: incidents discovered per month, January first. */
  byMonth?: number[];
}

export const LIST_LIMIT = { default: 50, max: 200 } as const;

/** The fields an edit replaces (status moves through TRANSITIONS; id and timestamps belong to the store). */
const EDITABLE = [
  'title',
  'summary',
  'victims',
  'discoveredAt',
  'startedAt',
  'endedAt',
  'attackChain',
  'assets',
  'dataTaken',
  'indicators',
  'attribution',
  'responsibleParties',
  'measures',
  'certificates',
  'vector',
  'tlp',
  'sharedWithOrganisationIds',
] as const satisfies ReadonlyArray<keyof IncidentInput>;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day: 2024-02-30 matches DATE_ONLY but is no day (and PostgreSQL refuses it). */
const isDay = (v: string): boolean => {
  const t = Date.parse(`${v}T00:00:00Z`);
  return DATE_ONLY.test(v) && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
};

export interface IncidentServiceDeps {
  db: Kysely<DB>;
  clock?: () => Date;
  /** Disposal: needed by notify only. */
  coordination?: Pick<CoordinationService, 'notify'>;
}

/** Lower-cased text searched by `q`: title, summary, victims, indicators, technique and vulnerability ids. */
export function searchText(i: IncidentInput): string {
  return [
    i.title,
    i.summary,
    ...i.victims.map((v) => v.name),
    ...i.indicators.map((x) => x.value),
    ...i.attackChain.flatMap((s) => [...s.techniqueIds, ...s.vulnerabilityIds]),
    i.attribution?.actor ?? '',
  ]
    .join('\n')
    .toLowerCase();
}

function columnsOf(i: IncidentInput): store.IncidentColumns {
  const audience = audienceOf(i);
  return {
    title: i.title,
    status: i.status,
    tlp: i.tlp,
    vector: i.vector,
    sectors: [...new Set(i.victims.map((v) => v.sector))],
    victim_org_ids: [...new Set(audience.victimOrganisationIds)],
    shared_org_ids: [...new Set(audience.sharedWithOrganisationIds)],
    discovered_at: calendarDay(i.discoveredAt),
    search: searchText(i),
  };
}

/** The incident of a row: the document, with the store's id, status and timestamps. */
function incidentOf(row: store.IncidentRow): StoredIncident {
  const doc = row.doc as unknown as IncidentInput;
  return {
    id: row.public_id,
    ...doc,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const actorOf = (p: Principal) =>
  p.kind === 'user' ? { actor_id: p.userId, actor: p.email } : { actor_id: null, actor: p.kind };

function describeEvent(e: store.IncidentEventRow): string {
  switch (e.kind) {
    case 'created':
      return `created (${e.to_status ?? ''})`;
    case 'imported':
      return `imported from STIX (${e.to_status ?? ''})`;
    case 'edited':
      return `edited: ${e.fields.join(', ')}`;
    case 'status':
      return `status: ${e.from_status ?? ''} → ${e.to_status ?? ''}`;
    case 'case':
      return 'handed to disposal';
    case 'notified':
      return 'recipients notified';
    default:
      return e.kind;
  }
}

const cursorOf = (row: store.IncidentRow): string =>
  Buffer.from(`${row.discovered_at}|${row.id}`).toString('base64url');

function parseCursor(c: string): { discoveredAt: string; id: number } {
  const [day, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const n = Number(id);
  if (!day || !isDay(day) || !Number.isSafeInteger(n) || n <= 0)
    throw new AppError('invalid_parameter', 'cursor is not one this API returned', { parameter: 'cursor' });
  return { discoveredAt: day, id: n };
}

function code<T extends object>(
  table: T,
  v: string | undefined,
  parameter: string,
): (keyof T & string) | undefined {
  if (v === undefined || v === '') return undefined;
  if (isKeyOf(table, v)) return v;
  throw new AppError('invalid_parameter', `${parameter} must be one of ${Object.keys(table).join(', ')}`, {
    parameter,
  });
}

function day(v: string | undefined, parameter: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (isDay(v)) return v;
  throw new AppError('invalid_parameter', `${parameter} must be a date such as 2026-01-31`, { parameter });
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const fill = <K extends string>(keys: readonly K[], counts: Record<string, number>): Record<K, number> => {
  const out = zeros(keys);
  for (const k of keys) out[k] = counts[k] ?? 0;
  return out;
};

/** A period id → its first and last calendar day. */
export function periodRange(
  period: string,
  at: string,
): { period: Period; id: string; from: string; to: string } {
  const p = PERIODS.find((x) => x === period);
  if (!p)
    throw new AppError('invalid_parameter', `period must be one of ${PERIODS.join(', ')}`, {
      parameter: 'period',
    });
  const a = at.trim();
  if (p === 'week') {
    const w = parseWeekId(a, 'at');
    return { period: p, id: w.id, from: w.start, to: w.end };
  }
  if (p === 'month') {
    const m = /^(\d{4})-(\d{2})$/.exec(a);
    const year = Number(m?.[1]);
    const month = Number(m?.[2]);
    if (!m || month < 1 || month > 12 || year < 1990 || year > 2200)
      throw new AppError('invalid_parameter', `at must be a month such as 2026-11 (got "${at}")`, {
        parameter: 'at',
      });
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return { period: p, id: a, from: `${a}-01`, to: `${a}-${String(last).padStart(2, '0')}` };
  }
  if (!/^\d{4}$/.test(a) || Number(a) < 1990 || Number(a) > 2200)
    throw new AppError('invalid_parameter', `at must be a year such as 2026 (got "${at}")`, {
      parameter: 'at',
    });
  return { period: p, id: a, from: `${a}-01-01`, to: `${a}-12-31` };
}

export function createIncidentService(deps: IncidentServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  /** The incident as the TLP rule of accounts/resource-policy.ts sees it. */
  const resourceOf = (row: store.IncidentRow) => ({
    type: 'incident' as const,
    id: row.public_id,
    tlp: row.tlp as Tlp,
    audience: audienceOf(row.doc as unknown as IncidentInput),
  });

  /** The row if p may see it (the incident rule); not_found otherwise, whether it exists or not. */
  async function visibleRow(tx: Kysely<DB>, p: Principal, id: string, forUpdate = false) {
    const row = await store.byPublicId(tx, id, forUpdate);
    if (!row) throw new AppError('not_found', `No incident ${id}`, { id });
    authorize(p, 'read', resourceOf(row));
    return row;
  }

  async function insert(
    p: Principal,
    input: IncidentInput,
    kind: 'created' | 'imported',
    note: string | null,
    importedStixId?: string,
  ): Promise<StoredIncident> {
    const at = clock().toISOString();
    const doc: IncidentInput = { ...input, createdAt: at, updatedAt: at };
    return db.transaction().execute(async (tx) => {
      const year = Number(calendarDay(at).slice(0, 4));
      const n = await store.nextNumber(tx, year);
      const publicId = `INC-${year}-${String(n).padStart(4, '0')}`;
      const row = await store.insertIncident(tx, {
        ...columnsOf(doc),
        public_id: publicId,
        doc: JSON.stringify(doc),
        stix_id: importedStixId ?? ownIncidentStixId(publicId),
        created_by: actorOf(p).actor,
        created_at: at,
        updated_at: at,
      });
      await store.addEvent(tx, { incident_id: row.id, at, ...actorOf(p), kind, to_status: doc.status, note });
      await audit(tx, p, {
        action: `incident.${kind}`,
        targetKind: 'incident',
        targetId: publicId,
        detail: { tlp: doc.tlp, status: doc.status },
      });
      return incidentOf(row);
    });
  }

  async function create(p: Principal, raw: unknown): Promise<StoredIncident> {
    requireAccess(p, 'incidents:write');
    return insert(p, validateIncidentInput(raw, clock), 'created', null);
  }

  /**
   * Replace the editable fields. The status stays unless the input names another one the transition table
   * allows (an input without status keeps it; a status it does not allow is a conflict).
   */
  async function update(p: Principal, id: string, raw: unknown): Promise<StoredIncident> {
    requireAccess(p, 'incidents:write');
    const input = validateIncidentInput(raw, clock);
    const statusGiven =
      typeof raw === 'object' &&
      raw !== null &&
      (raw as { status?: unknown }).status !== undefined &&
      (raw as { status?: unknown }).status !== null;
    return db.transaction().execute(async (tx) => {
      const row = await visibleRow(tx, p, id, true);
      const current = incidentOf(row);
      const from = current.status;
      const to = statusGiven ? input.status : from;
      if (to !== from) assertTransition(TRANSITIONS, from, to, 'An incident in status');
      const changed = EDITABLE.filter((f) => !isDeepStrictEqual(current[f], input[f]));
      if (changed.length === 0 && to === from) return current;
      const at = clock().toISOString();
      const doc: IncidentInput = { ...input, status: to, createdAt: current.createdAt, updatedAt: at };
      const updated = await store.updateIncident(tx, row.id, {
        ...columnsOf(doc),
        doc: JSON.stringify(doc),
        updated_at: at,
      });
      if (changed.length > 0)
        await store.addEvent(tx, { incident_id: row.id, at, ...actorOf(p), kind: 'edited', fields: changed });
      if (to !== from)
        await store.addEvent(tx, {
          incident_id: row.id,
          at,
          ...actorOf(p),
          kind: 'status',
          from_status: from,
          to_status: to,
        });
      await audit(tx, p, {
        action: 'incident.updated',
        targetKind: 'incident',
        targetId: id,
        detail: { fields: changed, ...(to !== from ? { from, to } : {}) },
      });
      return incidentOf(updated);
    });
  }

  async function transition(p: Principal, id: string, to: string, note?: string): Promise<StoredIncident> {
    requireAccess(p, 'incidents:write');
    if (!isKeyOf(STATUSES, to))
      throw new AppError('invalid_parameter', `to must be one of ${Object.keys(STATUSES).join(', ')}`, {
        parameter: 'to',
      });
    return db.transaction().execute(async (tx) => {
      const row = await visibleRow(tx, p, id, true);
      const current = incidentOf(row);
      const from = current.status;
      assertTransition(TRANSITIONS, from, to, 'An incident in status');
      const at = clock().toISOString();
      const { id: _id, ...fields } = current;
      void _id;
      const doc: IncidentInput = { ...fields, status: to, updatedAt: at };
      const updated = await store.updateIncident(tx, row.id, {
        ...columnsOf(doc),
        doc: JSON.stringify(doc),
        updated_at: at,
      });
      await store.addEvent(tx, {
        incident_id: row.id,
        at,
        ...actorOf(p),
        kind: 'status',
        from_status: from,
        to_status: to,
        note: note?.trim() || null,
      });
      await audit(tx, p, {
        action: 'incident.status',
        targetKind: 'incident',
        targetId: id,
        detail: { from, to },
      });
      return incidentOf(updated);
    });
  }

  async function get(p: Principal, id: string): Promise<IncidentView> {
    const row = await visibleRow(db, p, id);
    const staff = can(p, 'incidents:read_all');
    const history = (await store.events(db, row.id)).map((e) => ({
      at: e.at,
      // others see that the coordinator acted, not who
      actor: staff ? e.actor : 'coordinator',
      kind: e.kind,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      fields: e.fields,
      change: describeEvent(e),
      note: staff ? e.note : null,
    }));
    const caseTrackingNo =
      staff && row.case_submission_id !== null ? await store.trackingNoOf(db, row.case_submission_id) : null;
    return { ...incidentOf(row), caseTrackingNo, history };
  }

  async function list(
    p: Principal,
    f: ListQuery = {},
  ): Promise<{ items: IncidentSummary[]; nextCursor: string | null }> {
    const limit = f.limit ?? LIST_LIMIT.default;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT.max)
      throw new AppError('invalid_parameter', `limit must be an integer from 1 to ${LIST_LIMIT.max}`, {
        parameter: 'limit',
      });
    const terms = (f.q ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 10)
      .map((t) => refang(t).value.toLowerCase());
    const status = code(STATUSES, f.status, 'status');
    const sector = code(SECTORS, f.sector, 'sector');
    const vector = code(VECTORS, f.vector, 'vector');
    const tlp = code(TLP_LEVELS, f.tlp, 'tlp');
    const from = day(f.from, 'from');
    const to = day(f.to, 'to');
    const rows = await store.list(db, {
      visibility: visibilityOf(viewerOf(p)),
      terms,
      limit: limit + 1,
      ...(status ? { status } : {}),
      ...(sector ? { sector } : {}),
      ...(vector ? { vector } : {}),
      ...(tlp ? { tlp } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(f.cursor ? { after: parseCursor(f.cursor) } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => {
        const i = incidentOf(row);
        return {
          id: i.id,
          title: i.title,
          status: i.status,
          tlp: i.tlp,
          vector: i.vector,
          sectors: row.sectors as SectorCode[],
          victims: i.victims.map((v) => v.name),
          discoveredAt: i.discoveredAt,
          updatedAt: i.updatedAt,
        };
      }),
      nextCursor: rows.length > limit && last ? cursorOf(last) : null,
    };
  }

  async function exportStix(p: Principal, id: string): Promise<StixBundle> {
    const row = await visibleRow(db, p, id);
    const incident = incidentOf(row);
    if (incident.tlp !== 'clear')
      await audit(db, p, {
        action: 'incident.exported',
        targetKind: 'incident',
        targetId: id,
        detail: { tlp: incident.tlp },
      });
    return toStixBundle(incident, row.stix_id ?? undefined);
  }

  /**
   * Import a STIX 2.1 bundle. The bundle is checked against the vendored OASIS schemas first and refused with
   * every problem listed; objects of types vulnshare has no schema for are not refused (the importer leaves
   * them out, with a warning). Idempotent by the incident's STIX id: a bundle whose incident is known here
   * (imported before, or exported from here) updates that incident, or leaves it unchanged — never a second
   * one; the unique index on the STIX id stops two concurrent imports from both inserting.
   */
  async function importStix(
    p: Principal,
    bundle: unknown,
  ): Promise<{ incident: StoredIncident; outcome: 'created' | 'updated' | 'unchanged'; warnings: string[] }> {
    requireAccess(p, 'incidents:write');
    const all = stixBundleValidator()(bundle);
    const unknownType = (m: string) =>
      m.startsWith('no vendored schema for type ') && !m.endsWith(' undefined');
    const problems = all.filter((x) => !unknownType(x.message));
    if (problems.length > 0) {
      const first = problems[0];
      throw new AppError(
        'invalid_input',
        `The STIX bundle is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'})${
          first ? `: ${first.object} ${first.message}` : ''
        }`,
        { problems: problems.map((x) => ({ field: x.object, message: x.message })) },
      );
    }
    const parsed = fromStixBundle(bundle, clock);
    const warnings = [...parsed.warnings];
    for (const x of all.filter((y) => unknownType(y.message))) warnings.push(`${x.object}: ${x.message}`);
    const legacy = parsed.sourceId
      ? { publicId: parsed.sourceId, stixId: ownIncidentStixId(parsed.sourceId) }
      : undefined;
    const note = parsed.sourceId ? `exported as ${parsed.sourceId}` : null;
    for (let attempt = 0; ; attempt++) {
      const existing = await store.byStixId(db, parsed.stixId, legacy);
      if (existing) {
        const r = await reimport(p, existing.id, parsed.stixId, legacy, parsed.incident, warnings);
        return { ...r, warnings };
      }
      try {
        const incident = await insert(p, parsed.incident, 'imported', note, parsed.stixId);
        return { incident, outcome: 'created', warnings };
      } catch (e) {
        // a concurrent import of the same bundle inserted it first: read that one
        if (attempt === 0 && store.isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  /** A known incident imported again: the bundle's fields replace the stored ones, or nothing changes. */
  async function reimport(
    p: Principal,
    rowId: number,
    stixId: string,
    legacy: { publicId: string; stixId: string } | undefined,
    input: IncidentInput,
    warnings: string[],
  ): Promise<{ incident: StoredIncident; outcome: 'updated' | 'unchanged' }> {
    return db.transaction().execute(async (tx) => {
      const row = await store.byStixId(tx, stixId, legacy, true);
      if (!row || row.id !== rowId)
        throw new AppError('changed_meanwhile', 'The incident changed meanwhile; import again');
      if (!allows(p, 'read', resourceOf(row)))
        throw new AppError('stix_id_taken', 'An incident with this STIX id exists and you may not see it', {
          stixId,
        });
      const current = incidentOf(row);
      const from = current.status;
      let to = input.status;
      if (to !== from && !canTransition(from, to)) {
        warnings.push(`status ${to} in the bundle does not follow ${from} here: kept ${from}`);
        to = from;
      }
      if (row.stix_id === null) await store.setStixId(tx, row.id, stixId); // recorded before STIX ids were
      const changed = EDITABLE.filter((f) => !isDeepStrictEqual(current[f], input[f]));
      if (changed.length === 0 && to === from) return { incident: current, outcome: 'unchanged' };
      const at = clock().toISOString();
      const doc: IncidentInput = { ...input, status: to, createdAt: current.createdAt, updatedAt: at };
      const updated = await store.updateIncident(tx, row.id, {
        ...columnsOf(doc),
        doc: JSON.stringify(doc),
        updated_at: at,
        stix_id: stixId,
      });
      await store.addEvent(tx, {
        incident_id: row.id,
        at,
        ...actorOf(p),
        kind: 'imported',
        from_status: from,
        to_status: to,
        fields: changed,
        note: `updated from STIX ${stixId}`,
      });
      await audit(tx, p, {
        action: 'incident.reimported',
        targetKind: 'incident',
        targetId: row.public_id,
        detail: { fields: changed, ...(to !== from ? { from, to } : {}) },
      });
      return { incident: incidentOf(updated), outcome: 'updated' };
    });
  }

  async function figures(p: Principal, q: { period: string; at: string }): Promise<IncidentFigures> {
    const r = periodRange(q.period, q.at);
    // Asia/Shanghai keeps +08:00 all year (as calendar.ts weekMoments)
    const moments = { from: `${r.from}T00:00:00+08:00`, to: `${r.to}T23:59:59.999+08:00` };
    const c = await store.periodCounts(db, visibilityOf(viewerOf(p)), r, moments);
    const out: IncidentFigures = {
      ...r,
      total: c.total,
      opened: c.opened,
      closed: c.closed,
      bySector: fill(Object.keys(SECTORS) as SectorCode[], c.bySector),
      byVector: fill(Object.keys(VECTORS) as VectorCode[], c.byVector),
      byStatus: fill(STATUS_CODES, c.byStatus),
      byTlp: fill(Object.keys(TLP_LEVELS) as Tlp[], c.byTlp),
    };
    if (r.period === 'year')
      out.byMonth = Array.from(
        { length: 12 },
        (_, m) => c.byMonth[`${r.id}-${String(m + 1).padStart(2, '0')}`] ?? 0,
      );
    return out;
  }

  /**
   * Hand the incident to disposal and notify recipients, in one transaction: the first time, an event-type case
   * is opened for it with the link (see case.ts); the coordination service notifies in the same transaction
   * (deadlines, links, outbox), and the incident's history records it. Later calls notify more recipients on
   * the same case. A refused notification leaves no case behind.
   */
  async function notify(
    p: Principal,
    id: string,
    recipients: Array<{ organisationId: number; category: string }>,
  ) {
    requireAccess(p, 'incidents:write');
    requireAccess(p, 'disposal:notify');
    const coordination = deps.coordination;
    if (!coordination) throw new AppError('unavailable', 'Disposal is not configured for incidents');
    if (!Array.isArray(recipients) || recipients.length === 0)
      throw new AppError('invalid_parameter', 'recipients must not be empty', { parameter: 'recipients' });
    const checked = recipients.map((r, i) => {
      if (!Number.isSafeInteger(r.organisationId) || r.organisationId <= 0)
        throw new AppError(
          'invalid_parameter',
          `recipients[${i}].organisationId must be a positive integer`,
          {
            parameter: 'organisationId',
          },
        );
      const category = RECIPIENT_CATEGORIES.find((c) => c === r.category);
      if (!category)
        throw new AppError(
          'invalid_parameter',
          `recipients[${i}].category must be one of ${RECIPIENT_CATEGORIES.join(', ')}`,
          { parameter: 'category' },
        );
      return { organisationId: r.organisationId, category };
    });
    return db.transaction().execute(async (tx) => {
      const row = await visibleRow(tx, p, id, true);
      const trackingNo = await caseOf(tx, p, row, id);
      const r = await coordination.notify(p, trackingNo, checked, { tx });
      await store.addEvent(tx, {
        incident_id: row.id,
        at: clock().toISOString(),
        ...actorOf(p),
        kind: 'notified',
        note: `${trackingNo}: ${checked.map((c) => `${c.organisationId}:${c.category}`).join(', ')}`,
      });
      return { trackingNo, notifications: r.notifications };
    });
  }

  /** The incident's disposal case: the one it was handed to, or a new one opened now. */
  async function caseOf(tx: Kysely<DB>, p: Principal, row: store.IncidentRow, id: string): Promise<string> {
    if (row.case_submission_id !== null) {
      const existing = await store.trackingNoOf(tx, row.case_submission_id);
      if (existing) return existing;
    }
    const at = clock().toISOString();
    const opened = await openCase(tx, p, incidentOf(row), at);
    await store.setCase(tx, row.id, opened.submissionId);
    await store.addEvent(tx, {
      incident_id: row.id,
      at,
      ...actorOf(p),
      kind: 'case',
      note: opened.trackingNo,
    });
    await audit(tx, p, {
      action: 'incident.case_opened',
      targetKind: 'incident',
      targetId: id,
      detail: { trackingNo: opened.trackingNo },
    });
    return opened.trackingNo;
  }

  return { create, update, transition, get, list, exportStix, importStix, figures, notify };
}

export type IncidentService = ReturnType<typeof createIncidentService>;
