/**
 * CSAF 2.0 validation with the field's own validator (@secvisogram/csaf-validator-lib): the JSON schema
 * (strict — no properties the schema does not define — for what vulnshare writes; the ordinary schema for
 * what it reads) and every mandatory test of the specification's section 6.1. Each problem names the test
 * (6.1.1 …, or "schema") and the JSON path it is about.
 *
 * Two places where the library and the OASIS test documents disagree are settled here, both in the
 * specification's favour:
 * - 6.1.21 sorts the revision history by date with a stable sort, so two entries of the same instant are
 *   judged in array order. The specification gives array order no meaning; entries of one instant are
 *   ordered by number before the library sees them (a copy — the document itself is not changed). The OASIS
 *   documents 6-1-14-12, 6-1-16-16 and 6-1-16-17 are valid only so.
 * - 6.1.26 compares a category only with the profile names without the csaf_ prefix; the specification
 *   compares it with the profile values too, so "csafsecurityadvisory" (6-1-26-04) is prohibited.
 */
import type { CsafDocumentTest, CsafTestResult } from '@secvisogram/csaf-validator-lib/validateStrict.js';

export interface CsafProblem {
  /** "6.1.1" … for a mandatory test, "schema" for the JSON schema. */
  test: string;
  /** JSON pointer into the document ("" = the document). */
  path: string;
  message: string;
}

export interface CsafValidation {
  valid: boolean;
  errors: CsafProblem[];
}

/**
 * The library, loaded on first use: importing it compiles its schemas (~20 s of CPU on a busy 2-core machine),
 * which every `vulnshare` command paid at start-up once the feeds could follow CSAF providers.
 */
let library:
  | Promise<{
      validateStrict: (tests: CsafDocumentTest[], doc: unknown) => Promise<{ tests: CsafTestResult[] }>;
      mandatory: CsafDocumentTest[];
      schema: CsafDocumentTest;
      strictSchema: CsafDocumentTest;
    }>
  | undefined;
const loadLibrary = () =>
  (library ??= Promise.all([
    import('@secvisogram/csaf-validator-lib/validateStrict.js'),
    import('@secvisogram/csaf-validator-lib/mandatoryTests.js'),
    import('@secvisogram/csaf-validator-lib/schemaTests.js'),
  ]).then(([v, mandatoryTests, schemas]) => ({
    validateStrict: v.default,
    // an ES module of named tests (the declaration's `export =` types the namespace as its default)
    mandatory: Object.values(mandatoryTests as unknown as Record<string, CsafDocumentTest>),
    schema: schemas.csaf_2_0,
    strictSchema: schemas.csaf_2_0_strict,
  })));

/** mandatoryTest_6_1_27_10 → 6.1.27.10; csaf_2_0_strict → schema. */
export function testId(name: string): string {
  const m = /^mandatoryTest_(\d+(?:_\d+)*)$/.exec(name);
  return m?.[1] ? m[1].replaceAll('_', '.') : 'schema';
}

const PROFILE_VALUES = [
  'csaf_base',
  'csaf_security_incident_response',
  'csaf_informational_advisory',
  'csaf_security_advisory',
  'csaf_vex',
];
const squash = (s: string) => s.replace(/[-_\s]+/g, '').toLowerCase();

/** 6.1.26 as the specification words it, beyond what the library checks: a profile value spelled otherwise. */
function categorySpelledLikeAProfile(doc: unknown): CsafProblem | null {
  const category = (doc as { document?: { category?: unknown } } | null)?.document?.category;
  if (typeof category !== 'string' || PROFILE_VALUES.includes(category)) return null;
  const other = PROFILE_VALUES.filter((v) => v !== 'csaf_base').map(squash);
  return other.includes(squash(category))
    ? {
        test: '6.1.26',
        path: '/document/category',
        message: 'value prohibited (a profile value spelled otherwise)',
      }
    : null;
}

interface Revision {
  date?: unknown;
  number?: unknown;
}

/** The document with revision-history entries of one instant ordered by number (a copy, when there are any). */
function tiesOrdered(doc: unknown): unknown {
  const history = (doc as { document?: { tracking?: { revision_history?: unknown } } } | null)?.document
    ?.tracking?.revision_history;
  if (!Array.isArray(history) || history.length < 2) return doc;
  const at = (r: Revision) => (typeof r.date === 'string' ? Date.parse(r.date) : NaN);
  const dates = (history as Revision[]).map(at);
  if (new Set(dates).size === dates.length) return doc;
  const num = (r: Revision) => (typeof r.number === 'string' ? r.number : '');
  const ordered = [...(history as Revision[])].sort((a, b) => {
    const d = at(a) - at(b);
    if (d !== 0 || Number.isNaN(d)) return Number.isNaN(d) ? 0 : d;
    return num(a).localeCompare(num(b), 'en', { numeric: true });
  });
  const copy = structuredClone(doc) as { document: { tracking: { revision_history: unknown } } };
  copy.document.tracking.revision_history = ordered;
  return copy;
}

/**
 * The schema and every mandatory test. `strict` (for documents vulnshare writes) uses the strict schema.
 */
export async function validateCsaf(doc: unknown, o: { strict?: boolean } = {}): Promise<CsafValidation> {
  const lib = await loadLibrary();
  const tests = [o.strict ? lib.strictSchema : lib.schema, ...lib.mandatory];
  const r = await lib.validateStrict(tests, tiesOrdered(doc));
  const errors: CsafProblem[] = r.tests.flatMap((t: CsafTestResult) =>
    t.errors.map((e) => ({ test: testId(t.name), path: e.instancePath, message: e.message })),
  );
  const extra = categorySpelledLikeAProfile(doc);
  if (extra && !errors.some((e) => e.test === '6.1.26')) errors.push(extra);
  return { valid: errors.length === 0, errors };
}

/** One line naming a problem: `6.1.1 at /vulnerabilities/0/product_status/fixed/0: …`. */
export const describeProblem = (p: CsafProblem): string =>
  `${p.test === 'schema' ? 'the CSAF 2.0 schema' : `mandatory test ${p.test}`} at ${p.path || '/'}: ${p.message}`;
