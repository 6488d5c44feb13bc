/**
 * Validates exported bundles against the vendored OASIS STIX 2.1 JSON schemas (stix-schemas/, see PROVENANCE.md).
 * Each object is checked against the schema of its type; the bundle envelope (type, id) is checked here, because
 * the published bundle.json $refs every SDO and SCO schema and only the ones vulnshare emits are vendored.
 *
 * Ajv options: draft 2020-12 (Ajv2020); validateSchema false, because several published files declare
 * "$schema": "http://json-schema.org/draft2020-12/schema#", a URI no meta-schema answers to; strict false,
 * because the schemas use the draft-04 style "definitions" and annotation keywords Ajv's strict mode rejects.
 * unicodeRegExp false, because core.json's type pattern escapes '-' outside a class (`\\-?$`), which is legal
 * in ECMA-262 without the 'u' flag and a SyntaxError with it. Formats (url-regex.json: "uri") from ajv-formats.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** Resolved from src/ or dist/ alike: both sit one level under the repository root. */
export const STIX_SCHEMA_DIR = fileURLToPath(new URL('../../src/incidents/stix-schemas/', import.meta.url));
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

const SCHEMA_OF_TYPE: Readonly<Record<string, string>> = {
  incident: 'sdos/incident.json',
  identity: 'sdos/identity.json',
  'attack-pattern': 'sdos/attack-pattern.json',
  vulnerability: 'sdos/vulnerability.json',
  indicator: 'sdos/indicator.json',
  'threat-actor': 'sdos/threat-actor.json',
  'course-of-action': 'sdos/course-of-action.json',
  'x509-certificate': 'observables/x509-certificate.json',
  relationship: 'sros/relationship.json',
  'marking-definition': 'common/marking-definition.json',
  'extension-definition': 'common/extension-definition.json',
};

function schemaFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return schemaFiles(full, `${prefix}${name}/`);
    return name.endsWith('.json') ? [`${prefix}${name}`] : [];
  });
}

export interface StixProblem {
  object: string;
  message: string;
}

let compiled: ((bundle: unknown) => StixProblem[]) | undefined;

export function stixBundleValidator(dir = STIX_SCHEMA_DIR): (bundle: unknown) => StixProblem[] {
  if (compiled && dir === STIX_SCHEMA_DIR) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
  (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
  for (const file of schemaFiles(dir))
    ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object);
  const validators = new Map<string, ValidateFunction>();
  for (const [type, file] of Object.entries(SCHEMA_OF_TYPE)) {
    const v = ajv.getSchema(BASE + file);
    if (!v) throw new Error(`STIX schema ${file} is missing from ${dir}`);
    validators.set(type, v);
  }
  const check = (bundle: unknown): StixProblem[] => {
    const b = bundle as { type?: unknown; id?: unknown; objects?: unknown };
    const problems: StixProblem[] = [];
    if (b?.type !== 'bundle') problems.push({ object: 'bundle', message: 'type must be "bundle"' });
    if (typeof b?.id !== 'string' || !/^bundle--[0-9a-f-]{36}$/.test(b.id))
      problems.push({ object: 'bundle', message: 'id must be bundle--<uuid>' });
    if (!Array.isArray(b?.objects) || b.objects.length === 0)
      return [...problems, { object: 'bundle', message: 'objects must be a non-empty array' }];
    const seen = new Set<string>();
    for (const [i, o] of (b.objects as unknown[]).entries()) {
      const obj = o as { type?: unknown; id?: unknown };
      const name = `objects[${i}] ${String(obj?.id)}`;
      const validate = typeof obj?.type === 'string' ? validators.get(obj.type) : undefined;
      if (!validate) {
        problems.push({ object: name, message: `no vendored schema for type ${String(obj?.type)}` });
        continue;
      }
      if (seen.has(String(obj.id))) problems.push({ object: name, message: 'duplicate id' });
      seen.add(String(obj.id));
      if (!validate(o))
        for (const e of validate.errors ?? [])
          problems.push({ object: name, message: `${e.instancePath} ${e.message ?? ''}` });
    }
    return problems;
  };
  if (dir === STIX_SCHEMA_DIR) compiled = check;
  return check;
}
