import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cameraIncident,
  codeSigningIncident,
  exchangeIncident,
  SEED_INCIDENTS,
  supplyChainIncident,
} from '../test-support/incidents.js';
import { validateIncidentInput, type Incident } from './model.js';
import { INCIDENT_EXTENSION_ID, PRODUCER_ID, TLP2_MARKINGS, uuidv5 } from './stix-ids.js';
import { indicatorFromPattern, stixPattern } from './stix-patterns.js';
import { STIX_SCHEMA_DIR, stixBundleValidator } from './stix-validate.js';
import { fromStixBundle, toStixBundle, type StixBundle } from './stix.js';

const NOW = () => new Date('2026-03-01T00:00:00Z');
type O = Record<string, unknown>;

function incidentOf(make: (over?: O) => O): Incident {
  const raw = make();
  const input = validateIncidentInput(raw, NOW);
  return typeof raw.id === 'string' ? { id: raw.id, ...input } : input;
}
const objectsOf = (b: StixBundle, type: string): O[] => b.objects.filter((o) => o.type === type);
const only = (b: StixBundle, type: string): O => {
  const [o] = objectsOf(b, type);
  if (!o) throw new Error(`no ${type} in bundle`);
  return o;
};
const validate = stixBundleValidator();

describe('the vendored OASIS schemas', () => {
  it('are byte-for-byte the files listed in SHA256SUMS (a formatter must not touch them)', () => {
    const lines = readFileSync(join(STIX_SCHEMA_DIR, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(25);
    for (const line of lines) {
      const [sum, file = ''] = line.split(/\s+/);
      const actual = createHash('sha256')
        .update(readFileSync(join(STIX_SCHEMA_DIR, file)))
        .digest('hex');
      expect(`${file} ${actual}`).toBe(`${file} ${sum}`);
    }
  });
});

describe('toStixBundle', () => {
  it.each(Object.entries(SEED_INCIDENTS))(
    'exports the %s incident as a schema-valid STIX 2.1 bundle',
    (_, make) => {
      expect(validate(toStixBundle(incidentOf(make)))).toEqual([]);
    },
  );

  it('rejects a deliberately broken bundle, so the schema test can fail', () => {
    const bundle = toStixBundle(incidentOf(supplyChainIncident));
    const indicator = only(bundle, 'indicator');
    delete indicator.pattern_type;
    only(bundle, 'incident').created = '2024-12-18T02:00:00Z'; // no milliseconds
    only(bundle, 'relationship').relationship_type = 'Targets Badly';
    const messages = validate(bundle).map((p) => `${p.object.split(' ')[1] ?? ''} ${p.message}`);
    expect(messages.some((m) => m.startsWith('indicator--') && m.includes('pattern_type'))).toBe(true);
    expect(messages.some((m) => m.startsWith('incident--') && m.includes('/created'))).toBe(true);
    expect(messages.some((m) => m.startsWith('relationship--') && m.includes('/relationship_type'))).toBe(
      true,
    );
    expect(validate({ type: 'bundle', id: 'bundle--x', objects: [] })).toHaveLength(2);
  });

  it('exports the same incident to the same ids every time, and another incident to other ids', () => {
    const ids = (b: StixBundle) => b.objects.map((o) => o.id);
    const a = toStixBundle(incidentOf(exchangeIncident));
    expect(ids(toStixBundle(incidentOf(exchangeIncident)))).toEqual(ids(a));
    expect(toStixBundle(incidentOf(exchangeIncident)).id).toBe(a.id);
    const other = new Set(ids(toStixBundle(incidentOf(cameraIncident))));
    const shared = ids(a).filter((id) => other.has(id));
    expect(shared).toEqual([
      TLP2_MARKINGS.clear.id,
      expect.stringMatching(/^identity--/),
      INCIDENT_EXTENSION_ID,
    ]);
  });

  it('computes UUIDv5 as RFC 9562 does (DNS namespace, "www.example.com")', () => {
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('marks every SDO and SRO with the incident TLP 2.0 marking, and includes that marking', () => {
    const bundle = toStixBundle(incidentOf(cameraIncident));
    const strict = TLP2_MARKINGS['amber+strict'].id;
    expect(strict).toBe('marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003');
    expect(objectsOf(bundle, 'marking-definition').map((m) => m.id)).toContain(strict);
    for (const o of bundle.objects) {
      if (o.type === 'marking-definition') expect(o).not.toHaveProperty('object_marking_refs');
      else if (o.id === PRODUCER_ID || o.type === 'extension-definition')
        expect(o.object_marking_refs).toEqual([TLP2_MARKINGS.clear.id]);
      else expect(o.object_marking_refs).toEqual([strict]);
    }
  });

  it('carries the record in a property-extension defined by an extension-definition SDO', () => {
    const bundle = toStixBundle(incidentOf(supplyChainIncident));
    expect(only(bundle, 'extension-definition')).toMatchObject({
      id: INCIDENT_EXTENSION_ID,
      extension_types: ['property-extension'],
    });
    const ext = (only(bundle, 'incident').extensions as O)[INCIDENT_EXTENSION_ID] as O;
    expect(ext).toMatchObject({
      extension_type: 'property-extension',
      status: 'closed',
      vulnshare_id: 'INC-2024-0031',
    });
  });

  it('maps victims to identities with STIX industry sectors, and targets them from the incident', () => {
    const bundle = toStixBundle(incidentOf(cameraIncident));
    const victims = objectsOf(bundle, 'identity').filter((i) => i.name !== 'vulnshare');
    expect(victims.map((v) => [v.name, v.sectors])).toEqual([
      ['Ningbo chemical plant', ['chemical']],
      ['Platform contractor', undefined],
    ]);
    const targets = objectsOf(bundle, 'relationship').filter((r) => r.target_ref === victims[0]?.id);
    expect(targets).toEqual([
      expect.objectContaining({ relationship_type: 'targets', source_ref: only(bundle, 'incident').id }),
    ]);
  });

  it('exports ATT&CK techniques and CVE ids with their external references', () => {
    const bundle = toStixBundle(incidentOf(exchangeIncident));
    expect(objectsOf(bundle, 'attack-pattern').map((a) => (a.external_references as O[])[0])).toContainEqual({
      source_name: 'mitre-attack',
      external_id: 'T1505.003',
      url: 'https://attack.mitre.org/techniques/T1505/003/',
    });
    expect(
      objectsOf(bundle, 'vulnerability').map((v) => (v.external_references as O[])[0]?.source_name),
    ).toEqual(['cve', 'cve']);
  });

  it('writes STIX patterns for every indicator type', () => {
    const patterns = objectsOf(toStixBundle(incidentOf(codeSigningIncident)), 'indicator').map(
      (i) => i.pattern,
    );
    expect(patterns).toEqual([
      "[x509-certificate:serial_number = '0a1b2c3d4e5f60718293']",
      "[x509-certificate:hashes.'SHA-1' = '5fa19c3b22d08e7f6144abcdef01234567899abc']",
      "[x509-certificate:hashes.'SHA-256' = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08']",
      expect.stringMatching(/^\[file:hashes\.'SHA-512' = '[0-9a-f]{128}'\]$/),
    ]);
    expect(stixPattern('ipv4', '1.2.3.4')).toBe("[ipv4-addr:value = '1.2.3.4']");
    expect(stixPattern('url', "http://x.example/it's")).toBe("[url:value = 'http://x.example/it\\'s']");
    expect(indicatorFromPattern("[url:value = 'http://x.example/it\\'s']")).toEqual({
      type: 'url',
      value: "http://x.example/it's",
    });
  });

  it('attributes the incident to a threat actor with a 0–100 confidence', () => {
    const bundle = toStixBundle(incidentOf(exchangeIncident));
    const actor = only(bundle, 'threat-actor');
    const rel = objectsOf(bundle, 'relationship').find((r) => r.target_ref === actor.id);
    expect(rel).toMatchObject({ relationship_type: 'attributed-to', confidence: 85 });
  });
});

describe('fromStixBundle', () => {
  it.each(Object.entries(SEED_INCIDENTS))(
    'round-trips the %s incident without losing anything',
    (_, make) => {
      const incident = incidentOf(make);
      const { id, ...expected } = incident;
      const back = fromStixBundle(JSON.parse(JSON.stringify(toStixBundle(incident))), NOW);
      expect(back.incident).toEqual(expected);
      expect(back.sourceId).toBe(id);
      expect(back.warnings).toEqual([]);
    },
  );

  it('recovers what it can from another tool’s bundle and lists what it ignored', () => {
    const created = '2024-05-02T03:04:05.000Z';
    const common = { spec_version: '2.1', created, modified: created };
    const bundle = {
      type: 'bundle',
      id: 'bundle--6b2b5a56-0c9c-4bd5-9a8d-1f0c1b7d8e11',
      objects: [
        {
          type: 'incident',
          id: 'incident--11111111-1111-4111-8111-111111111111',
          ...common,
          name: 'Phishing wave',
          object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
        },
        {
          type: 'identity',
          id: 'identity--22222222-2222-4222-8222-222222222222',
          ...common,
          name: 'City hospital',
          sectors: ['healthcare'],
        },
        {
          type: 'indicator',
          id: 'indicator--33333333-3333-4333-8333-333333333333',
          ...common,
          pattern: "[domain-name:value = 'Login-Portal.example']",
          pattern_type: 'stix',
          valid_from: created,
        },
        {
          type: 'indicator',
          id: 'indicator--44444444-4444-4444-8444-444444444444',
          ...common,
          pattern: "[file:name = 'a.exe'] OR [file:size > 10]",
          pattern_type: 'stix',
          valid_from: created,
        },
        {
          type: 'attack-pattern',
          id: 'attack-pattern--55555555-5555-4555-8555-555555555555',
          ...common,
          name: 'Spearphishing Link',
          kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'initial-access' }],
          external_references: [{ source_name: 'mitre-attack', external_id: 'T1566.002' }],
        },
        {
          type: 'vulnerability',
          id: 'vulnerability--66666666-6666-4666-8666-666666666666',
          ...common,
          name: 'CVE-2023-23397',
          external_references: [{ source_name: 'cve', external_id: 'CVE-2023-23397' }],
        },
        {
          type: 'threat-actor',
          id: 'threat-actor--77777777-7777-4777-8777-777777777777',
          ...common,
          name: 'Group X',
        },
        {
          type: 'malware',
          id: 'malware--88888888-8888-4888-8888-888888888888',
          ...common,
          name: 'Loader',
          is_family: true,
        },
        {
          type: 'relationship',
          id: 'relationship--a1111111-1111-4111-8111-111111111111',
          ...common,
          relationship_type: 'targets',
          source_ref: 'incident--11111111-1111-4111-8111-111111111111',
          target_ref: 'identity--22222222-2222-4222-8222-222222222222',
        },
        {
          type: 'relationship',
          id: 'relationship--a2222222-2222-4222-8222-222222222222',
          ...common,
          relationship_type: 'indicates',
          source_ref: 'indicator--33333333-3333-4333-8333-333333333333',
          target_ref: 'incident--11111111-1111-4111-8111-111111111111',
        },
        {
          type: 'relationship',
          id: 'relationship--a3333333-3333-4333-8333-333333333333',
          ...common,
          relationship_type: 'indicates',
          source_ref: 'indicator--44444444-4444-4444-8444-444444444444',
          target_ref: 'incident--11111111-1111-4111-8111-111111111111',
        },
        {
          type: 'relationship',
          id: 'relationship--a4444444-4444-4444-8444-444444444444',
          ...common,
          relationship_type: 'uses',
          source_ref: 'incident--11111111-1111-4111-8111-111111111111',
          target_ref: 'attack-pattern--55555555-5555-4555-8555-555555555555',
        },
        {
          type: 'relationship',
          id: 'relationship--a5555555-5555-4555-8555-555555555555',
          ...common,
          relationship_type: 'targets',
          source_ref: 'incident--11111111-1111-4111-8111-111111111111',
          target_ref: 'vulnerability--66666666-6666-4666-8666-666666666666',
        },
        {
          type: 'relationship',
          id: 'relationship--a6666666-6666-4666-8666-666666666666',
          ...common,
          relationship_type: 'attributed-to',
          source_ref: 'incident--11111111-1111-4111-8111-111111111111',
          target_ref: 'threat-actor--77777777-7777-4777-8777-777777777777',
          confidence: 40,
        },
      ],
    };
    const { incident, warnings, sourceId } = fromStixBundle(bundle, NOW);
    expect(sourceId).toBeUndefined();
    expect(incident).toEqual({
      title: 'Phishing wave',
      summary: 'Phishing wave',
      victims: [{ name: 'City hospital', sector: 'healthcare' }],
      discoveredAt: '2024-05-02',
      status: 'open',
      attackChain: [
        {
          order: 1,
          phase: 'initial-access',
          description: 'Initial Access (imported from STIX)',
          techniqueIds: ['T1566.002'],
          vulnerabilityIds: ['CVE-2023-23397'],
        },
      ],
      assets: [],
      indicators: [{ type: 'domain', value: 'login-portal.example' }],
      attribution: { actor: 'Group X', confidence: 'medium' },
      vector: 'other',
      tlp: 'green',
      createdAt: created,
      updatedAt: created,
    });
    expect(warnings).toEqual([
      'no vulnshare extension: status open, vector other, discoveredAt from the created timestamp',
      'incident has no description: the summary repeats its name',
      'indicator indicator--44444444-4444-4444-8444-444444444444: pattern is not a single comparison vulnshare reads; ignored',
      '1 object(s) not linked to the incident ignored: malware',
    ]);
  });

  it('refuses input that is not a bundle with an incident', () => {
    expect(() => fromStixBundle({ type: 'bundle', objects: [] })).toThrow(/no incident/);
    expect(() => fromStixBundle([1, 2])).toThrow(/Not a STIX 2.1 bundle/);
  });
});
