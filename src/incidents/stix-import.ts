/**
 * STIX 2.1 bundle → incident. A bundle vulnshare exported carries the whole record in its property-extension
 * and comes back unchanged. A bundle from another tool (an incident with relationships, no extension) is
 * recovered as far as its relationships allow; every default taken and every object left out is a warning.
 */
import { AppError } from '../errors.js';
import type { AttackStep, IncidentInput, Victim } from './model.js';
import {
  ATTACK_PHASES,
  isKeyOf,
  SECTORS,
  TECHNIQUE_ID,
  VULNERABILITY_ID_FORMS,
  type SectorCode,
} from './tables.js';
import { CONFIDENCE_SCALE, INCIDENT_EXTENSION_ID, tlpOfMarking } from './stix-ids.js';
import { indicatorFromPattern } from './stix-patterns.js';
import { validateIncidentInput } from './validate.js';

export interface StixImport {
  incident: IncidentInput;
  /** The vulnshare id the bundle was exported under, if any (the store assigns ids; this is for matching). */
  sourceId?: string;
  /** The incident object's STIX id: stable across versions of the same incident, what re-imports match on. */
  stixId: string;
  warnings: string[];
}

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const objs = (v: unknown): J[] => arr(v).filter(isObj);

const snakeToCamel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** Extension properties are the model's fields in snake_case; *_ref members are STIX links, not data. */
function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (!isObj(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.endsWith('_ref') && k !== 'extension_type')
      .map(([k, x]) => [snakeToCamel(k), camel(x)]),
  );
}

function fromExtension(inc: J, ext: J): { candidate: J; sourceId?: string } {
  const { vulnshareId, ...fields } = camel(ext) as J;
  const candidate: J = {
    ...fields,
    title: inc.name,
    summary: inc.description,
    createdAt: inc.created,
    updatedAt: inc.modified,
  };
  return typeof vulnshareId === 'string' ? { candidate, sourceId: vulnshareId } : { candidate };
}

const STIX_TO_SECTOR = new Map<string, SectorCode>(
  (Object.keys(SECTORS) as SectorCode[]).flatMap((c) => {
    const s = SECTORS[c].stix;
    return s ? [[s, c] as const] : [];
  }),
);

function confidenceBand(v: unknown): 'low' | 'medium' | 'high' | undefined {
  if (typeof v !== 'number') return undefined;
  return (['low', 'medium', 'high'] as const).find(
    (c) => v >= CONFIDENCE_SCALE[c].min && v <= CONFIDENCE_SCALE[c].max,
  );
}

const externalId = (o: J, source: string): string | undefined =>
  objs(o.external_references)
    .filter((r) => r.source_name === source)
    .map((r) => str(r.external_id))
    .find(Boolean);

function phaseOf(ap: J): keyof typeof ATTACK_PHASES | undefined {
  const p = objs(ap.kill_chain_phases).find(
    (k) => k.kill_chain_name === 'mitre-attack' && isKeyOf(ATTACK_PHASES, k.phase_name),
  );
  return p && isKeyOf(ATTACK_PHASES, p.phase_name) ? p.phase_name : undefined;
}

/** Reads what relationships say about an incident that has no vulnshare extension. */
function fromRelationships(
  inc: J,
  byId: Map<string, J>,
  relationships: J[],
  warn: (m: string) => void,
  used: Set<string>,
): J {
  const incId = String(inc.id);
  const victims: Victim[] = [];
  const indicators: J[] = [];
  const vulnIds: string[] = [];
  const byPhase = new Map<keyof typeof ATTACK_PHASES, string[]>();
  let attribution: J | undefined;
  for (const rel of relationships) {
    const other =
      rel.source_ref === incId ? rel.target_ref : rel.target_ref === incId ? rel.source_ref : undefined;
    const o = typeof other === 'string' ? byId.get(other) : undefined;
    if (!o) continue;
    used.add(String(rel.id));
    used.add(String(o.id));
    const kind = `${String(rel.relationship_type)} ${String(o.type)}`;
    if (kind === 'targets identity') {
      const sector = arr(o.sectors)
        .map((s) => STIX_TO_SECTOR.get(String(s)))
        .find(Boolean);
      if (!sector) warn(`identity ${String(o.name)}: no sector that maps; recorded as other`);
      victims.push({ name: String(o.name), sector: sector ?? 'other' });
    } else if (kind === 'uses attack-pattern') {
      const t = externalId(o, 'mitre-attack');
      const phase = phaseOf(o);
      if (!t || !TECHNIQUE_ID.test(t) || !phase) {
        warn(`attack-pattern ${String(o.name)}: no ATT&CK technique id or tactic; ignored`);
        continue;
      }
      byPhase.set(phase, [...(byPhase.get(phase) ?? []), t]);
    } else if (kind === 'targets vulnerability') {
      const id = [externalId(o, 'cve'), externalId(o, 'cnvd'), externalId(o, 'vulnshare'), str(o.name)].find(
        (x) => x && VULNERABILITY_ID_FORMS.some((f) => f.pattern.test(x)),
      );
      if (id) vulnIds.push(id);
      else warn(`vulnerability ${String(o.name)}: no CVE, CNVD or VS id; ignored`);
    } else if (kind === 'indicates indicator') {
      const parsed = o.pattern_type === 'stix' ? indicatorFromPattern(String(o.pattern)) : undefined;
      if (parsed) indicators.push({ ...parsed, description: str(o.description) });
      else warn(`indicator ${String(o.id)}: pattern is not a single comparison vulnshare reads; ignored`);
    } else if (kind === 'attributed-to threat-actor' || kind === 'attributed-to intrusion-set') {
      const confidence = confidenceBand(rel.confidence);
      if (!confidence) warn(`attribution to ${String(o.name)}: no confidence given; recorded as low`);
      attribution = { actor: o.name, confidence: confidence ?? 'low' };
    } else {
      used.delete(String(o.id));
      warn(`relationship ${kind}: not part of the incident model; ignored`);
    }
  }
  const phases = (Object.keys(ATTACK_PHASES) as Array<keyof typeof ATTACK_PHASES>).filter((p) =>
    byPhase.has(p),
  );
  const attackChain: AttackStep[] = phases.map((phase, i) => ({
    order: i + 1,
    phase,
    description: `${ATTACK_PHASES[phase].en} (imported from STIX)`,
    techniqueIds: byPhase.get(phase) ?? [],
    vulnerabilityIds: [],
  }));
  if (vulnIds.length > 0) {
    const first = attackChain[0];
    if (first) first.vulnerabilityIds = vulnIds;
    else {
      warn('vulnerabilities without an attack chain: put on an initial-access step');
      attackChain.push({
        order: 1,
        phase: 'initial-access',
        description: 'Initial access (imported from STIX)',
        techniqueIds: [],
        vulnerabilityIds: vulnIds,
      });
    }
  }
  return { victims, indicators, attackChain, attribution };
}

function foreignCandidate(
  inc: J,
  byId: Map<string, J>,
  relationships: J[],
  warn: (m: string) => void,
  used: Set<string>,
): J {
  const tlp = arr(inc.object_marking_refs)
    .map((m) => tlpOfMarking(String(m)))
    .find(Boolean);
  if (!tlp) warn('no TLP marking on the incident: recorded as amber');
  const created = str(inc.created);
  warn('no vulnshare extension: status open, vector other, discoveredAt from the created timestamp');
  if (!str(inc.description)) warn('incident has no description: the summary repeats its name');
  return {
    title: inc.name,
    summary: str(inc.description) ?? inc.name,
    discoveredAt: created?.slice(0, 10),
    status: 'open',
    vector: 'other',
    tlp: tlp ?? 'amber',
    assets: [],
    createdAt: inc.created,
    updatedAt: inc.modified,
    ...fromRelationships(inc, byId, relationships, warn, used),
  };
}

export function fromStixBundle(bundle: unknown, now: () => Date = () => new Date()): StixImport {
  if (!isObj(bundle) || bundle.type !== 'bundle' || !Array.isArray(bundle.objects))
    throw new AppError(
      'invalid_input',
      'Not a STIX 2.1 bundle (expected type "bundle" with an objects array)',
    );
  const objects = objs(bundle.objects);
  const incidents = objects.filter((o) => o.type === 'incident');
  const inc = incidents[0];
  if (!inc) throw new AppError('invalid_input', 'The STIX bundle contains no incident object');
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  if (incidents.length > 1)
    warn(`${incidents.length} incident objects: only the first (${String(inc.id)}) was read`);

  const ext = isObj(inc.extensions) ? inc.extensions[INCIDENT_EXTENSION_ID] : undefined;
  const byId = new Map(objects.map((o) => [String(o.id), o]));
  const relationships = objects.filter((o) => o.type === 'relationship');
  const used = new Set<string>([String(inc.id)]);
  let candidate: J;
  let sourceId: string | undefined;
  if (isObj(ext)) {
    ({ candidate, sourceId } = fromExtension(inc, ext));
    objects.forEach((o) => used.add(String(o.id)));
  } else {
    candidate = foreignCandidate(inc, byId, relationships, warn, used);
    sourceId = externalId(inc, 'vulnshare');
    const ignored = objects.filter((o) => !used.has(String(o.id)) && o.type !== 'marking-definition');
    const types = [...new Set(ignored.map((o) => String(o.type)))];
    if (ignored.length > 0)
      warn(`${ignored.length} object(s) not linked to the incident ignored: ${types.join(', ')}`);
  }
  const incident = validateIncidentInput(candidate, now);
  const stixId = String(inc.id);
  return sourceId === undefined ? { incident, stixId, warnings } : { incident, sourceId, stixId, warnings };
}
