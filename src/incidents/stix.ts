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
 * The legal fields: a responsible party is an `identity` (related-to the incident, its role in the
 * relationship's description); a measure or penalty a `course-of-action` (related-to the incident: STIX's
 * `mitigates` targets attack patterns and vulnerabilities, not incidents) whose description gives its legal
 * basis; a misused certificate an `x509-certificate` SCO (issuer, serial_number, subject, hashes) the incident
 * is related-to, its revocation (which STIX has no property for) in the relationship's description and the
 * extension.
 * Every SDO/SRO is marked with the incident's TLP 2.0 marking-definition (object_marking_refs) except the
 * producer identity and the extension-definition, which are public and marked TLP:CLEAR; the marking-definition
 * objects themselves carry no marking.
 */
import type { AttackStep, Incident, Measure } from './model.js';
import {
  LAWS,
  MEASURE_KINDS,
  RESPONSIBLE_ROLES,
  REVOCATION_STATUSES,
  SECTORS,
  vulnerabilityNamespace,
} from './tables.js';
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
  responsible: { source: 'identity', type: 'related-to', target: 'incident' },
  measure: { source: 'course-of-action', type: 'related-to', target: 'incident' },
  certificate: { source: 'incident', type: 'related-to', target: 'x509-certificate' },
} as const;

/** A measure's legal basis in words: 《中华人民共和国数据安全法》第二十七条; 网络安全等级保护制度. */
export const legalBasisText = (m: Pick<Measure, 'legalBasis'>): string =>
  m.legalBasis
    .map((b) => `${b.law === 'other' ? (b.text ?? '') : LAWS[b.law].zh}${b.article ?? ''}`)
    .join('；');

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
      'Plain-text definition: properties status, vector, tlp, discovered_at, started_at, ended_at, data_taken, vulnshare_id, victims[{name, sector, organisation_id, identity_ref}], attack_chain[{order, phase, description, technique_ids, vulnerability_ids, assets}], assets[{kind, count}], indicators[{type, value, description, indicator_ref}], attribution{actor, confidence}, responsible_parties[{name, role, description, identity_ref}], measures[{kind, description, legal_basis[{law, article, text}], against, authority, amount_cny, decided_at, course_of_action_ref}], certificates[{issuer, serial_number, subject, thumbprint_sha256, thumbprint_sha1, revocation, revoked_at, x509_certificate_ref}], shared_with_organisation_ids; codes as in vulnshare src/incidents/tables.ts.',
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

  const parties = (incident.responsibleParties ?? []).map((r) => {
    const id = scoped('identity', `responsible|${r.name}`);
    const role = RESPONSIBLE_ROLES[r.role];
    objects.push({
      type: 'identity',
      id,
      ...common,
      name: r.name,
      description: r.description,
      identity_class: role.stixClass,
    });
    relate('responsible', id, incidentId, { description: `responsible party: ${role.en} (${role.zh})` });
    return { name: r.name, role: r.role, description: r.description, identity_ref: id };
  });

  const measures = (incident.measures ?? []).map((m, i) => {
    const id = scoped('course-of-action', `measure|${i}|${m.kind}`);
    const kind = MEASURE_KINDS[m.kind];
    const lines = [
      m.description,
      `依据 / legal basis: ${legalBasisText(m)}`,
      m.against ? `对象 / against: ${m.against}` : undefined,
      m.authority ? `决定机关 / authority: ${m.authority}` : undefined,
      m.amountCny !== undefined ? `金额 / amount: ${m.amountCny} CNY` : undefined,
      m.decidedAt ? `日期 / decided: ${m.decidedAt}` : undefined,
    ];
    objects.push({
      type: 'course-of-action',
      id,
      ...common,
      name: `${kind.zh} / ${kind.en}`,
      description: lines.filter(Boolean).join('\n'),
    });
    relate('measure', id, incidentId);
    return {
      kind: m.kind,
      description: m.description,
      legal_basis: m.legalBasis,
      against: m.against,
      authority: m.authority,
      amount_cny: m.amountCny,
      decided_at: m.decidedAt,
      course_of_action_ref: id,
    };
  });

  const certificates = (incident.certificates ?? []).map((c) => {
    const id = scoped('x509-certificate', `${c.issuer}|${c.serialNumber}`);
    const hashes = {
      ...(c.thumbprintSha256 ? { 'SHA-256': c.thumbprintSha256 } : {}),
      ...(c.thumbprintSha1 ? { 'SHA-1': c.thumbprintSha1 } : {}),
    };
    // an SCO: no created/modified/created_by_ref (STIX 2.1 §6)
    objects.push({
      type: 'x509-certificate',
      spec_version: '2.1',
      id,
      object_marking_refs: common.object_marking_refs,
      issuer: c.issuer,
      serial_number: c.serialNumber,
      subject: c.subject,
      hashes: Object.keys(hashes).length > 0 ? hashes : undefined,
    });
    const status = REVOCATION_STATUSES[c.revocation];
    relate('certificate', incidentId, id, {
      description: `misused certificate; ${status.en} (${status.zh})${c.revokedAt ? ` ${c.revokedAt}` : ''}`,
    });
    return {
      issuer: c.issuer,
      serial_number: c.serialNumber,
      subject: c.subject,
      thumbprint_sha256: c.thumbprintSha256,
      thumbprint_sha1: c.thumbprintSha1,
      revocation: c.revocation,
      revoked_at: c.revokedAt,
      x509_certificate_ref: id,
    };
  });

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
    responsible_parties: nonEmpty(parties),
    measures: nonEmpty(measures),
    certificates: nonEmpty(certificates),
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
