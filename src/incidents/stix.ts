/**
 * Incident → STIX 2.1 bundle. Ids are deterministic (UUIDv5): the same incident always exports to the same ids.
 *
 * Objects: the incident SDO (STIX 2.1's stub: name, description) carrying the whole vulnshare record in a
 * property-extension defined by an `extension-definition` SDO; an `identity` per victim (industry sectors mapped
 * to industry-sector-ov); an `attack-pattern` per ATT&CK technique (external_references mitre-attack); a
 * `vulnerability` per linked id (CVE ids with source_name `cve`); an `indicator` per indicator (STIX pattern);
 * a `threat-actor` for the attribution. Relationships (STIX 2.1 defines none for the stub incident, so these
 * follow the closest defined uses — campaign/intrusion-set — and are listed in RELATIONSHIP_TYPES):
 *   incident targets identity · incident uses attack-pattern · incident targets vulnerability ·
 *   indicator indicates incident · incident attributed-to threat-actor (confidence 15/50/85, STIX Appendix A).
 * Every SDO/SRO is marked with the incident's TLP 2.0 marking-definition (object_marking_refs) except the
 * producer identity and the extension-definition, which are public and marked TLP:CLEAR; the marking-definition
 * objects themselves carry no marking.
 */
import type { AttackStep, Incident } from './model.js';
import { SECTORS, vulnerabilityNamespace } from './tables.js';
import {
  CONFIDENCE_SCALE,
  FIXED_CREATED,
  INCIDENT_EXTENSION_ID,
  INCIDENT_EXTENSION_VERSION,
  PRODUCER_ID,
  stixId,
  TLP2_MARKINGS,
  tlpMarkingObject,
} from './stix-ids.js';
import { stixPattern } from './stix-patterns.js';

export { fromStixBundle, type StixImport } from './stix-import.js';

type StixObject = Record<string, unknown>;
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export const RELATIONSHIP_TYPES = {
  victim: { source: 'incident', type: 'targets', target: 'identity' },
  technique: { source: 'incident', type: 'uses', target: 'attack-pattern' },
  vulnerability: { source: 'incident', type: 'targets', target: 'vulnerability' },
  indicator: { source: 'indicator', type: 'indicates', target: 'incident' },
  attribution: { source: 'incident', type: 'attributed-to', target: 'threat-actor' },
} as const;

const nonEmpty = <T>(xs: T[] | undefined): T[] | undefined => (xs && xs.length > 0 ? xs : undefined);
/** JSON without undefined members (STIX forbids empty lists; absent is absent). */
const clean = (o: StixObject): StixObject => JSON.parse(JSON.stringify(o)) as StixObject;

export const stixTimestamp = (d: string): string =>
  /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00.000Z` : new Date(d).toISOString();

export const incidentKey = (i: Pick<Incident, 'id' | 'title' | 'discoveredAt' | 'createdAt'>): string =>
  i.id ?? `${i.title}|${i.discoveredAt}|${i.createdAt}`;

function extensionDefinition(): StixObject {
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: INCIDENT_EXTENSION_ID,
    created_by_ref: PRODUCER_ID,
    created: FIXED_CREATED,
    modified: FIXED_CREATED,
    name: 'vulnshare incident',
    description:
      'The vulnshare incident record on the STIX 2.1 incident stub: status, dates, victims, the ordered ATT&CK attack chain with linked vulnerability ids, affected assets, indicators, attribution, initial vector and TLP 2.0 level.',
    schema:
      'Plain-text definition: properties status, vector, tlp, discovered_at, started_at, ended_at, data_taken, vulnshare_id, victims[{name, sector, organisation_id, identity_ref}], attack_chain[{order, phase, description, technique_ids, vulnerability_ids, assets}], assets[{kind, count}], indicators[{type, value, description, indicator_ref}], attribution{actor, confidence}, shared_with_organisation_ids; codes as in vulnshare src/incidents/tables.ts.',
    version: INCIDENT_EXTENSION_VERSION,
    extension_types: ['property-extension'],
    object_marking_refs: [TLP2_MARKINGS.clear.id],
  };
}

function producer(): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: PRODUCER_ID,
    created: FIXED_CREATED,
    modified: FIXED_CREATED,
    name: 'vulnshare',
    identity_class: 'organization',
    object_marking_refs: [TLP2_MARKINGS.clear.id],
  };
}

const stepExtension = (s: AttackStep): StixObject => ({
  order: s.order,
  phase: s.phase,
  description: s.description,
  technique_ids: nonEmpty(s.techniqueIds),
  vulnerability_ids: nonEmpty(s.vulnerabilityIds),
  assets: s.assets,
});

const MITRE_URL = (t: string): string => `https://attack.mitre.org/techniques/${t.replace('.', '/')}/`;

function vulnerabilityReference(id: string): StixObject {
  switch (vulnerabilityNamespace(id)) {
    case 'cve':
      return { source_name: 'cve', external_id: id, url: `https://www.cve.org/CVERecord?id=${id}` };
    case 'cnvd':
      return { source_name: 'cnvd', external_id: id, url: `https://www.cnvd.org.cn/flaw/show/${id}` };
    case 'vulnshare':
    case undefined:
      return { source_name: 'vulnshare', external_id: id };
  }
}

/** The STIX id vulnshare gives an incident recorded here (derived from its INC id, so stable). */
export const ownIncidentStixId = (publicId: string): string => stixId('incident', `${publicId}|incident`);

/**
 * The incident as a STIX 2.1 bundle. `incidentStixId` is the id it is known by when it came from elsewhere
 * (an imported bundle's incident id), so that the source and a re-import recognise it.
 */
export function toStixBundle(incident: Incident, incidentStixId?: string): StixBundle {
  const key = incidentKey(incident);
  const scoped = (type: string, name: string): string => stixId(type, `${key}|${name}`);
  const common = {
    spec_version: '2.1',
    created_by_ref: PRODUCER_ID,
    created: incident.createdAt,
    modified: incident.updatedAt,
    object_marking_refs: [TLP2_MARKINGS[incident.tlp].id],
  };
  const incidentId = incidentStixId ?? scoped('incident', 'incident');
  const objects: StixObject[] = [];
  const relationships: StixObject[] = [];
  const relate = (
    kind: keyof typeof RELATIONSHIP_TYPES,
    source: string,
    target: string,
    extra: StixObject = {},
  ) => {
    const type = RELATIONSHIP_TYPES[kind].type;
    relationships.push({
      type: 'relationship',
      id: scoped('relationship', `${type}|${source}|${target}`),
      ...common,
      relationship_type: type,
      source_ref: source,
      target_ref: target,
      ...extra,
    });
  };

  const victims = incident.victims.map((v) => {
    const id = scoped('identity', `victim|${v.name}`);
    const sector = SECTORS[v.sector].stix;
    objects.push({
      type: 'identity',
      id,
      ...common,
      name: v.name,
      identity_class: 'organization',
      sectors: sector && [sector],
    });
    relate('victim', incidentId, id);
    return { name: v.name, sector: v.sector, organisation_id: v.organisationId, identity_ref: id };
  });

  const techniques = [...new Set(incident.attackChain.flatMap((s) => s.techniqueIds))];
  for (const t of techniques) {
    const id = scoped('attack-pattern', t);
    const ref = { source_name: 'mitre-attack', external_id: t, url: MITRE_URL(t) };
    objects.push({ type: 'attack-pattern', id, ...common, name: t, external_references: [ref] });
    relate('technique', incidentId, id);
  }

  const vulnerabilities = [...new Set(incident.attackChain.flatMap((s) => s.vulnerabilityIds))];
  for (const v of vulnerabilities) {
    const id = scoped('vulnerability', v);
    objects.push({
      type: 'vulnerability',
      id,
      ...common,
      name: v,
      external_references: [vulnerabilityReference(v)],
    });
    relate('vulnerability', incidentId, id);
  }

  const indicators = incident.indicators.map((x) => {
    const id = scoped('indicator', `${x.type}|${x.value}`);
    objects.push({
      type: 'indicator',
      id,
      ...common,
      name: `${x.type}: ${x.value}`,
      description: x.description,
      indicator_types: ['malicious-activity'],
      pattern: stixPattern(x.type, x.value),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: stixTimestamp(incident.discoveredAt),
    });
    relate('indicator', id, incidentId);
    return { type: x.type, value: x.value, description: x.description, indicator_ref: id };
  });

  if (incident.attribution) {
    const { actor, confidence } = incident.attribution;
    const id = scoped('threat-actor', actor);
    objects.push({ type: 'threat-actor', id, ...common, name: actor });
    relate('attribution', incidentId, id, { confidence: CONFIDENCE_SCALE[confidence].value });
  }

  const extension: StixObject = {
    extension_type: 'property-extension',
    vulnshare_id: incident.id,
    status: incident.status,
    vector: incident.vector,
    tlp: incident.tlp,
    discovered_at: incident.discoveredAt,
    started_at: incident.startedAt,
    ended_at: incident.endedAt,
    data_taken: incident.dataTaken,
    victims: nonEmpty(victims),
    attack_chain: nonEmpty(incident.attackChain.map(stepExtension)),
    assets: nonEmpty(incident.assets),
    indicators: nonEmpty(indicators),
    attribution: incident.attribution,
    shared_with_organisation_ids: nonEmpty(incident.sharedWithOrganisationIds),
  };
  const incidentObject: StixObject = {
    type: 'incident',
    id: incidentId,
    ...common,
    name: incident.title,
    description: incident.summary,
    external_references: incident.id ? [{ source_name: 'vulnshare', external_id: incident.id }] : undefined,
    extensions: { [INCIDENT_EXTENSION_ID]: extension },
  };

  return {
    type: 'bundle',
    id: stixId('bundle', `${key}|${incident.updatedAt}`),
    objects: [
      tlpMarkingObject('clear'),
      ...(incident.tlp === 'clear' ? [] : [tlpMarkingObject(incident.tlp)]),
      producer(),
      extensionDefinition(),
      incidentObject,
      ...objects,
      ...relationships,
    ].map(clean),
  };
}
