/**
 * validateIncidentInput: unknown JSON → IncidentInput, reporting every problem at once with its field path
 * (`attackChain[2].techniqueIds[0]`). Indicator values come back normalised (refanged, lower-cased…).
 */
import { AppError } from '../errors.js';
import { isIndicatorType, parseIndicator, INDICATOR_TYPES } from './indicators.js';
import type {
  AssetCount,
  AttackStep,
  Attribution,
  Indicator,
  IncidentInput,
  LegalBasis,
  Measure,
  MisusedCertificate,
  ResponsibleParty,
  Victim,
} from './model.js';
import {
  ASSET_KINDS,
  ATTACK_PHASES,
  ATTRIBUTION_CONFIDENCES,
  isKeyOf,
  LAWS,
  MEASURE_KINDS,
  RESPONSIBLE_ROLES,
  REVOCATION_STATUSES,
  SECTORS,
  STATUSES,
  TECHNIQUE_ID,
  TLP_LEVELS,
  VECTORS,
  VULNERABILITY_ID_FORMS,
} from './tables.js';

export interface Problem {
  field: string;
  message: string;
}

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Collects problems while reading fields. */
class Reader {
  readonly problems: Problem[] = [];
  report(field: string, message: string): void {
    this.problems.push({ field, message });
  }
  text(o: J, key: string, path: string, required: boolean, max = 20_000): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.report(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') return void this.report(path, 'must be a string');
    const t = v.trim();
    if (!t) return void (required ? this.report(path, 'must not be empty') : undefined);
    if (t.length > max) return void this.report(path, `must be at most ${max} characters`);
    return t;
  }
  code<T extends object>(o: J, key: string, path: string, table: T): (keyof T & string) | undefined {
    const v = o[key];
    if (v === undefined || v === null) return void this.report(path, 'is required');
    if (isKeyOf(table, v)) return v;
    this.report(path, `must be one of: ${Object.keys(table).join(', ')}`);
    return undefined;
  }
  date(o: J, key: string, path: string, required: boolean): string | undefined {
    const v = this.text(o, key, path, required, 40);
    if (v === undefined) return undefined;
    if (!DATE.test(v) || Number.isNaN(Date.parse(v)))
      return void this.report(
        path,
        'must be an ISO 8601 date (2024-08-01) or date-time (2024-08-01T09:30:00Z)',
      );
    return v;
  }
  timestamp(o: J, key: string, path: string, fallback: string): string {
    const v = this.date(o, key, path, false);
    return v === undefined ? fallback : new Date(v).toISOString();
  }
  list(o: J, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.report(path, 'must be an array');
    return [];
  }
  orgId(v: unknown, path: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
    return void this.report(path, 'must be a positive integer');
  }
}

function readVictim(r: Reader, v: unknown, path: string): Victim | undefined {
  if (!isObj(v)) return void r.report(path, 'must be an object');
  const name = r.text(v, 'name', `${path}.name`, true, 300);
  const sector = r.code(v, 'sector', `${path}.sector`, SECTORS);
  const organisationId = r.orgId(v.organisationId, `${path}.organisationId`);
  if (name === undefined || sector === undefined) return undefined;
  return organisationId === undefined ? { name, sector } : { name, sector, organisationId };
}

function readIds(
  r: Reader,
  o: J,
  key: string,
  path: string,
  check: (id: string) => string | undefined,
): string[] {
  const out: string[] = [];
  r.list(o, key, `${path}.${key}`).forEach((raw, i) => {
    const p = `${path}.${key}[${i}]`;
    if (typeof raw !== 'string') return r.report(p, 'must be a string');
    const id = raw.trim().toUpperCase();
    const problem = check(id);
    if (problem) return r.report(p, problem);
    if (!out.includes(id)) out.push(id);
  });
  return out;
}

const techniqueProblem = (id: string): string | undefined =>
  TECHNIQUE_ID.test(id) ? undefined : 'must be an ATT&CK technique id such as T1190 or T1078.001';
const vulnerabilityProblem = (id: string): string | undefined =>
  VULNERABILITY_ID_FORMS.some((f) => f.pattern.test(id))
    ? undefined
    : `must be a vulnerability id such as ${VULNERABILITY_ID_FORMS.map((f) => f.example).join(', ')}`;

function readStep(r: Reader, s: unknown, path: string): AttackStep | undefined {
  if (!isObj(s)) return void r.report(path, 'must be an object');
  let order: number | undefined;
  if (typeof s.order === 'number' && Number.isSafeInteger(s.order) && s.order > 0) order = s.order;
  else r.report(`${path}.order`, 'must be a positive integer');
  const phase = r.code(s, 'phase', `${path}.phase`, ATTACK_PHASES);
  const description = r.text(s, 'description', `${path}.description`, true);
  const techniqueIds = readIds(r, s, 'techniqueIds', path, techniqueProblem);
  const vulnerabilityIds = readIds(r, s, 'vulnerabilityIds', path, vulnerabilityProblem);
  const assets = r.text(s, 'assets', `${path}.assets`, false, 2000);
  if (order === undefined || phase === undefined || description === undefined) return undefined;
  const step: AttackStep = { order, phase, description, techniqueIds, vulnerabilityIds };
  if (assets !== undefined) step.assets = assets;
  return step;
}

function readAsset(r: Reader, a: unknown, path: string): AssetCount | undefined {
  if (!isObj(a)) return void r.report(path, 'must be an object');
  const kind = r.code(a, 'kind', `${path}.kind`, ASSET_KINDS);
  const count = a.count;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1)
    return void r.report(`${path}.count`, 'must be a positive integer');
  return kind === undefined ? undefined : { kind, count };
}

function readIndicator(r: Reader, x: unknown, path: string): Indicator | undefined {
  if (!isObj(x)) return void r.report(path, 'must be an object');
  const type = x.type;
  if (!isIndicatorType(type)) r.report(`${path}.type`, `must be one of: ${INDICATOR_TYPES.join(', ')}`);
  const raw = r.text(x, 'value', `${path}.value`, true, 8000);
  const description = r.text(x, 'description', `${path}.description`, false, 2000);
  if (!isIndicatorType(type) || raw === undefined) return undefined;
  const parsed = parseIndicator(type, raw);
  if (!parsed.ok) return void r.report(`${path}.value`, `"${raw.slice(0, 100)}" ${parsed.message}`);
  return description === undefined
    ? { type, value: parsed.value }
    : { type, value: parsed.value, description };
}

function readAttribution(r: Reader, v: unknown): Attribution | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) return void r.report('attribution', 'must be an object');
  const actor = r.text(v, 'actor', 'attribution.actor', true, 300);
  const c = v.confidence;
  const confidence = ATTRIBUTION_CONFIDENCES.find((x) => x === c);
  if (!confidence)
    r.report('attribution.confidence', `must be one of: ${ATTRIBUTION_CONFIDENCES.join(', ')}`);
  return actor === undefined || confidence === undefined ? undefined : { actor, confidence };
}

function readParty(r: Reader, v: unknown, path: string): ResponsibleParty | undefined {
  if (!isObj(v)) return void r.report(path, 'must be an object');
  const name = r.text(v, 'name', `${path}.name`, true, 300);
  const role = r.code(v, 'role', `${path}.role`, RESPONSIBLE_ROLES);
  const description = r.text(v, 'description', `${path}.description`, false, 2000);
  if (name === undefined || role === undefined) return undefined;
  return description === undefined ? { name, role } : { name, role, description };
}

function readBasis(r: Reader, v: unknown, path: string): LegalBasis | undefined {
  if (!isObj(v)) return void r.report(path, 'must be an object');
  const law = r.code(v, 'law', `${path}.law`, LAWS);
  const article = r.text(v, 'article', `${path}.article`, false, 200);
  const text = r.text(v, 'text', `${path}.text`, law === 'other', 300);
  if (law === undefined || (law === 'other' && text === undefined)) return undefined;
  const b: LegalBasis = { law };
  if (article !== undefined) b.article = article;
  if (text !== undefined) b.text = text;
  return b;
}

function readMeasure(r: Reader, v: unknown, path: string): Measure | undefined {
  if (!isObj(v)) return void r.report(path, 'must be an object');
  const kind = r.code(v, 'kind', `${path}.kind`, MEASURE_KINDS);
  const description = r.text(v, 'description', `${path}.description`, true, 4000);
  const legalBasis = readItems(r, v, 'legalBasis', readBasis, path);
  if (legalBasis.length === 0 && !r.problems.some((p) => p.field.startsWith(`${path}.legalBasis`)))
    r.report(`${path}.legalBasis`, 'must name at least one law or system the measure is based on');
  const against = r.text(v, 'against', `${path}.against`, false, 300);
  const authority = r.text(v, 'authority', `${path}.authority`, false, 300);
  const decidedAt = r.date(v, 'decidedAt', `${path}.decidedAt`, false);
  let amountCny: number | undefined;
  if (v.amountCny !== undefined && v.amountCny !== null) {
    if (typeof v.amountCny === 'number' && Number.isFinite(v.amountCny) && v.amountCny > 0)
      amountCny = v.amountCny;
    else r.report(`${path}.amountCny`, 'must be a positive amount in yuan');
  }
  if (kind === undefined || description === undefined || legalBasis.length === 0) return undefined;
  const m: Measure = { kind, description, legalBasis };
  if (against !== undefined) m.against = against;
  if (authority !== undefined) m.authority = authority;
  if (amountCny !== undefined) m.amountCny = amountCny;
  if (decidedAt !== undefined) m.decidedAt = decidedAt;
  return m;
}

const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);
/** A thumbprint as tools print it (AB:CD:…, spaced, upper-case) in plain lower-case hex, or undefined. */
function readThumbprint(r: Reader, v: J, key: string, path: string, hexChars: number): string | undefined {
  const raw = r.text(v, key, `${path}.${key}`, false, 200);
  if (raw === undefined) return undefined;
  const hex = raw.replace(/[\s:]/g, '').toLowerCase();
  if (HEX(hexChars).test(hex)) return hex;
  return void r.report(`${path}.${key}`, `must be ${hexChars} hexadecimal digits`);
}

function readCertificate(r: Reader, v: unknown, path: string): MisusedCertificate | undefined {
  if (!isObj(v)) return void r.report(path, 'must be an object');
  const issuer = r.text(v, 'issuer', `${path}.issuer`, true, 1000);
  const serial = r.text(v, 'serialNumber', `${path}.serialNumber`, true, 200);
  const serialNumber = serial?.replace(/[\s]/g, '').toLowerCase();
  if (serialNumber !== undefined && !/^[0-9a-f:]+$/.test(serialNumber))
    r.report(`${path}.serialNumber`, 'must be the serial number in hexadecimal (01:a3:… or 01a3…)');
  const subject = r.text(v, 'subject', `${path}.subject`, false, 1000);
  const thumbprintSha256 = readThumbprint(r, v, 'thumbprintSha256', path, 64);
  const thumbprintSha1 = readThumbprint(r, v, 'thumbprintSha1', path, 40);
  const revocation = r.code(v, 'revocation', `${path}.revocation`, REVOCATION_STATUSES);
  const revokedAt = r.date(v, 'revokedAt', `${path}.revokedAt`, false);
  if (revokedAt !== undefined && revocation !== 'revoked')
    r.report(`${path}.revokedAt`, 'is for a revoked certificate (revocation: revoked)');
  if (issuer === undefined || serialNumber === undefined || revocation === undefined) return undefined;
  const c: MisusedCertificate = { issuer, serialNumber, revocation };
  if (subject !== undefined) c.subject = subject;
  if (thumbprintSha256 !== undefined) c.thumbprintSha256 = thumbprintSha256;
  if (thumbprintSha1 !== undefined) c.thumbprintSha1 = thumbprintSha1;
  if (revokedAt !== undefined) c.revokedAt = revokedAt;
  return c;
}

function readItems<T>(
  r: Reader,
  o: J,
  key: string,
  read: (r: Reader, v: unknown, path: string) => T | undefined,
  parent?: string,
): T[] {
  const at = parent === undefined ? key : `${parent}.${key}`;
  return r.list(o, key, at).flatMap((v, i) => {
    const item = read(r, v, `${at}[${i}]`);
    return item === undefined ? [] : [item];
  });
}

function checkChainOrder(r: Reader, steps: AttackStep[]): void {
  const seen = new Set<number>();
  for (const [i, s] of steps.entries()) {
    if (seen.has(s.order)) r.report(`attackChain[${i}].order`, `repeats order ${s.order}`);
    seen.add(s.order);
  }
  steps.sort((a, b) => a.order - b.order);
}

/**
 * Validate an incident as submitted (an id, if present, is ignored: the store assigns it). status defaults to
 * open; createdAt/updatedAt default to `now`. Throws AppError('invalid_input', …, { problems }) listing every
 * problem found.
 */
export function validateIncidentInput(input: unknown, now: () => Date = () => new Date()): IncidentInput {
  const r = new Reader();
  if (!isObj(input)) {
    r.report('', 'must be a JSON object');
    throw new AppError('invalid_input', 'The incident is not valid: must be a JSON object', {
      problems: r.problems,
    });
  }
  const at = now().toISOString();
  const title = r.text(input, 'title', 'title', true, 300);
  const summary = r.text(input, 'summary', 'summary', true);
  const victims = readItems(r, input, 'victims', readVictim);
  const discoveredAt = r.date(input, 'discoveredAt', 'discoveredAt', true);
  const startedAt = r.date(input, 'startedAt', 'startedAt', false);
  const endedAt = r.date(input, 'endedAt', 'endedAt', false);
  if (startedAt && endedAt && Date.parse(endedAt) < Date.parse(startedAt))
    r.report('endedAt', 'must not be before startedAt');
  const status = input.status === undefined ? 'open' : r.code(input, 'status', 'status', STATUSES);
  const attackChain = readItems(r, input, 'attackChain', readStep);
  checkChainOrder(r, attackChain);
  const assets = readItems(r, input, 'assets', readAsset);
  const dataTaken = r.text(input, 'dataTaken', 'dataTaken', false);
  const indicators = readItems(r, input, 'indicators', readIndicator).filter(
    (x, i, all) => all.findIndex((y) => y.type === x.type && y.value === x.value) === i,
  );
  const attribution = readAttribution(r, input.attribution);
  const responsibleParties = readItems(r, input, 'responsibleParties', readParty);
  const measures = readItems(r, input, 'measures', readMeasure);
  const certificates = readItems(r, input, 'certificates', readCertificate);
  const vector = r.code(input, 'vector', 'vector', VECTORS);
  const tlp = r.code(input, 'tlp', 'tlp', TLP_LEVELS);
  const shared = r
    .list(input, 'sharedWithOrganisationIds', 'sharedWithOrganisationIds')
    .flatMap((v, i) => r.orgId(v, `sharedWithOrganisationIds[${i}]`) ?? []);
  const createdAt = r.timestamp(input, 'createdAt', 'createdAt', at);
  const updatedAt = r.timestamp(input, 'updatedAt', 'updatedAt', at);

  if (
    r.problems.length > 0 ||
    title === undefined ||
    summary === undefined ||
    discoveredAt === undefined ||
    status === undefined ||
    vector === undefined ||
    tlp === undefined
  ) {
    const first = r.problems[0];
    const message = `The incident is not valid (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})${
      first ? `: ${first.field} ${first.message}` : ''
    }`;
    throw new AppError('invalid_input', message, { problems: r.problems });
  }
  const incident: IncidentInput = {
    title,
    summary,
    victims,
    discoveredAt,
    status,
    attackChain,
    assets,
    indicators,
    vector,
    tlp,
    createdAt,
    updatedAt,
  };
  if (startedAt !== undefined) incident.startedAt = startedAt;
  if (endedAt !== undefined) incident.endedAt = endedAt;
  if (dataTaken !== undefined) incident.dataTaken = dataTaken;
  if (attribution !== undefined) incident.attribution = attribution;
  if (responsibleParties.length > 0) incident.responsibleParties = responsibleParties;
  if (measures.length > 0) incident.measures = measures;
  if (certificates.length > 0) incident.certificates = certificates;
  if (shared.length > 0) incident.sharedWithOrganisationIds = [...new Set(shared)];
  return incident;
}
