/**
 * Deterministic STIX identifiers (UUIDv5, RFC 9562 §5.5, over a fixed vulnshare namespace) and the fixed
 * objects every export refers to: the TLP 2.0 marking definitions and vulnshare's property-extension.
 */
import { createHash } from 'node:crypto';
import type { AttributionConfidence, Tlp } from './tables.js';

/** vulnshare's UUIDv5 namespace for STIX ids. Never change it: ids already shared would no longer match. */
export const STIX_NAMESPACE = 'b96ed90e-5092-4614-9dbe-f4cb62f201c5';

export function uuidv5(name: string, namespace = STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  /* eslint-disable @typescript-eslint/no-non-null-assertion -- indices 6 and 8 exist in a 16-byte digest slice */
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  /* eslint-enable @typescript-eslint/no-non-null-assertion */
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const stixId = (type: string, name: string): string => `${type}--${uuidv5(`${type}:${name}`)}`;

/**
 * The TLP 2.0 marking definitions published by OASIS with the TLP 2.0 extension
 * (cti-stix-common-objects, extension-definition-specifications/tlp-2.0). They are referenced, and also
 * included in every bundle so a consumer without them can resolve object_marking_refs.
 */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP2_MARKINGS: Readonly<Record<Tlp, { id: string; name: string }>> = {
  clear: { id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', name: 'TLP:CLEAR' },
  green: { id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', name: 'TLP:GREEN' },
  amber: { id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', name: 'TLP:AMBER' },
  'amber+strict': {
    id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
    name: 'TLP:AMBER+STRICT',
  },
  red: { id: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', name: 'TLP:RED' },
};
/** STIX 2.1 §7.2.1.4 predefined TLP 1.0 markings, read on import (WHITE is TLP 2.0's CLEAR). */
export const TLP1_MARKINGS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
};

export function tlpMarkingObject(tlp: Tlp): Record<string, unknown> {
  const m = TLP2_MARKINGS[tlp];
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: m.id,
    created: '2022-10-01T00:00:00.000Z',
    name: m.name,
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: tlp } },
  };
}

export function tlpOfMarking(id: string): Tlp | undefined {
  const v2 = (Object.keys(TLP2_MARKINGS) as Tlp[]).find((t) => TLP2_MARKINGS[t].id === id);
  return v2 ?? TLP1_MARKINGS[id];
}

/** The producer identity (created_by_ref of everything vulnshare exports). */
export const PRODUCER_ID = stixId('identity', 'producer:vulnshare');
export const FIXED_CREATED = '2026-01-01T00:00:00.000Z';

/** vulnshare's incident property-extension: carries what STIX 2.1's stub incident has no property for. */
export const INCIDENT_EXTENSION_ID = stixId('extension-definition', 'vulnshare-incident-v1');
export const INCIDENT_EXTENSION_VERSION = '1.0.0';

/** STIX 2.1 Appendix A, "Low/Med/High" scale: the value written, and the band read back. */
export const CONFIDENCE_SCALE: Readonly<
  Record<AttributionConfidence, { value: number; min: number; max: number }>
> = {
  low: { value: 15, min: 1, max: 29 },
  medium: { value: 50, min: 30, max: 69 },
  high: { value: 85, min: 70, max: 100 },
};
