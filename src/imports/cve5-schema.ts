/**
 * The CVE Record Format validator (ajv). Compiling the bundled 5.1.1 schema takes ~260 ms, paid by every process
 * and every import worker thread that reads a CVE record — most of a small import's start. The build therefore
 * writes the same validator as plain code (ajv's standalone output, `npm run build` → dist/imports/
 * cve5-validator.cjs) and the shipped platform loads that; it is used only when it was made from the very
 * schema file in use (its SHA-256 is written beside the code), otherwise the schema is compiled as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';

const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
const standaloneCode = standaloneCodeModule as unknown as (ajv: Ajv, validate: ValidateFunction) => string;

/** Where the build puts the precompiled validator: beside this module (dist/imports/, absent under src/). */
export const PRECOMPILED_CVE_VALIDATOR = new URL('./cve5-validator.cjs', import.meta.url);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function newAjv(source: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, code: { source } });
  addFormats(ajv);
  return ajv;
}

/** Compile the schema file (the slow path). */
export function compileCveValidator(schemaPath: string): ValidateFunction {
  return newAjv(false).compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
}

/** The validator as CommonJS code, stamped with the schema file's SHA-256. */
export function cveValidatorSource(schemaPath: string): string {
  const text = readFileSync(schemaPath, 'utf8');
  const ajv = newAjv(true);
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(text) as object));
  return `${code}\nmodule.exports.schemaSha256 = ${JSON.stringify(sha256(text))};\n`;
}

/** Write the precompiled validator of a schema file to `out` (the build does this for the bundled schema). */
export function writeCveValidator(schemaPath: string, out: URL | string = PRECOMPILED_CVE_VALIDATOR): void {
  writeFileSync(out, cveValidatorSource(schemaPath));
}

/**
 * The precompiled validator at `file` if it was made from `schemaPath` as it is now, else null. Loading it takes
 * a few milliseconds.
 */
export function loadPrecompiledCveValidator(
  schemaPath: string,
  file: URL | string = PRECOMPILED_CVE_VALIDATOR,
): ValidateFunction | null {
  if (!existsSync(file)) return null;
  const mod = createRequire(import.meta.url)(typeof file === 'string' ? file : fileURLToPath(file)) as {
    default?: ValidateFunction;
    schemaSha256?: string;
  };
  if (!mod.default || mod.schemaSha256 !== sha256(readFileSync(schemaPath, 'utf8'))) return null;
  return mod.default;
}
