/**
 * The precompiled CVE validator (ajv standalone code, written by the build) judges records exactly as the schema
 * compiled at run time does — on the real Vulnrichment records and on broken copies of them — and the build's
 * own file is the one the shipped platform loads.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../test-support/shared-data.js';
import {
  compileCveValidator,
  cveValidatorSource,
  loadPrecompiledCveValidator,
  writeCveValidator,
} from './cve5-schema.js';
import { DEFAULT_CVE_SCHEMA } from './cve5.js';

// inside the checkout: the generated code requires ajv's runtime, found through node_modules from where it lies
const cache = fileURLToPath(new URL('../../node_modules/.cache', import.meta.url));
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'vulnshare-cve-validator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function* records(root: string): Generator<string> {
  for (const e of readdirSync(root).sort()) {
    const p = join(root, e);
    if (statSync(p).isDirectory()) yield* records(p);
    else if (/^CVE-.*\.json$/.test(e)) yield p;
  }
}

/** Copies of a record broken in the ways real files are: a missing field, a wrong type, a bad date, an extra key. */
function broken(rec: Record<string, unknown>): unknown[] {
  const meta = rec.cveMetadata as Record<string, unknown>;
  return [
    { ...rec, dataType: undefined },
    { ...rec, dataVersion: 5 },
    { ...rec, cveMetadata: { ...meta, datePublished: 'last Tuesday' } },
    { ...rec, cveMetadata: { ...meta, cveId: 'CVE-24-1' } },
    { ...rec, surprise: true },
    { ...rec, containers: {} },
  ];
}

describe('the precompiled CVE validator', () => {
  it('is used only when made from the schema file as it is now', () => {
    const good = join(dir, 'good.cjs');
    writeCveValidator(DEFAULT_CVE_SCHEMA, good);
    expect(loadPrecompiledCveValidator(DEFAULT_CVE_SCHEMA, good)).toBeTypeOf('function');
    const stale = join(dir, 'stale.cjs');
    writeFileSync(
      stale,
      cveValidatorSource(DEFAULT_CVE_SCHEMA).replace(/schemaSha256 = "[0-9a-f]+"/, 'schemaSha256 = "0"'),
    );
    expect(loadPrecompiledCveValidator(DEFAULT_CVE_SCHEMA, stale)).toBeNull();
    expect(loadPrecompiledCveValidator(DEFAULT_CVE_SCHEMA, join(dir, 'absent.cjs'))).toBeNull();
  });

  it('ships in the build: dist/imports/cve5-validator.cjs is the bundled schema, precompiled', () => {
    const shipped = fileURLToPath(new URL('../../dist/imports/cve5-validator.cjs', import.meta.url));
    expect(loadPrecompiledCveValidator(DEFAULT_CVE_SCHEMA, shipped)).toBeTypeOf('function');
  });

  const real = sharedData('cve-json5-vulnrichment');
  it.skipIf(!real)('judges every real record and its broken copies as the compiled schema does', () => {
    const file = join(dir, 'same.cjs');
    writeCveValidator(DEFAULT_CVE_SCHEMA, file);
    const pre = loadPrecompiledCveValidator(DEFAULT_CVE_SCHEMA, file);
    const compiled = compileCveValidator(DEFAULT_CVE_SCHEMA);
    if (!pre) throw new Error('precompiled validator not loaded');
    let n = 0;
    let invalid = 0;
    for (const f of records(real ?? '')) {
      const rec = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
      for (const doc of [rec, ...broken(rec)]) {
        const a = pre(doc);
        const b = compiled(doc);
        expect(a, f).toBe(b);
        expect(pre.errors?.[0]?.instancePath, f).toBe(compiled.errors?.[0]?.instancePath);
        expect(pre.errors?.[0]?.message, f).toBe(compiled.errors?.[0]?.message);
        n++;
        if (!a) invalid++;
      }
    }
    expect(n).toBeGreaterThan(10_000);
    // every broken copy fails; the real records are valid or not as the schema says
    expect(invalid).toBeGreaterThanOrEqual((n / 7) * 6);
  });
});
