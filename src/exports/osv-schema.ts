/**
 * Test support: the OSV project's own JSON Schema (draft 2020-12, from ../shared/data/osv-schema) compiled
 * with Ajv and ajv-formats, so exports are checked by the field's validator, not by ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// (CommonJS: its default export sits one level down under NodeNext)
const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;

export function osvValidator(schemaDir: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(schemaDir, 'schema.json'), 'utf8')) as object);
}

export const errorsOf = (v: ValidateFunction) =>
  (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`).join('; ');
