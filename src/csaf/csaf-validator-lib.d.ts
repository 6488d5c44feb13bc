/**
 * Types of the parts of @secvisogram/csaf-validator-lib (plain JavaScript, no declarations of its own) that
 * vulnshare calls: the strict validate function, the CSAF 2.0 schema and mandatory tests, the CWE catalogue.
 */
declare module '@secvisogram/csaf-validator-lib/validateStrict.js' {
  export interface CsafFinding {
    message: string;
    instancePath: string;
  }
  export interface CsafTestResult {
    name: string;
    isValid: boolean;
    errors: CsafFinding[];
    warnings: CsafFinding[];
    infos: CsafFinding[];
  }
  /** A test of the library; its identifier is the function's name (mandatoryTest_6_1_1, csaf_2_0_strict). */
  export type CsafDocumentTest = (doc: unknown) => unknown;
  export default function validateStrict(
    tests: CsafDocumentTest[],
    doc: unknown,
  ): Promise<{ tests: CsafTestResult[]; isValid: boolean }>;
}

declare module '@secvisogram/csaf-validator-lib/mandatoryTests.js' {
  import type { CsafDocumentTest } from '@secvisogram/csaf-validator-lib/validateStrict.js';
  const tests: Record<string, CsafDocumentTest>;
  export = tests;
}

declare module '@secvisogram/csaf-validator-lib/schemaTests.js' {
  import type { CsafDocumentTest } from '@secvisogram/csaf-validator-lib/validateStrict.js';
  export const csaf_2_0: CsafDocumentTest;
  export const csaf_2_0_strict: CsafDocumentTest;
}

declare module '@secvisogram/csaf-validator-lib/cwe.js' {
  export const weaknesses: Array<{ id: string; name: string; status: string; usage?: string }>;
}

declare module '@secvisogram/csaf-validator-lib/lib/schemaTests/csaf_2_0/schema.js' {
  const schema: Record<string, unknown>;
  export default schema;
}

declare module '@secvisogram/csaf-validator-lib/schemas/cvss-v2.0.js' {
  const schema: Record<string, unknown>;
  export default schema;
}

declare module '@secvisogram/csaf-validator-lib/schemas/cvss-v3.0.js' {
  const schema: Record<string, unknown>;
  export default schema;
}

declare module '@secvisogram/csaf-validator-lib/schemas/cvss-v3.1.js' {
  const schema: Record<string, unknown>;
  export default schema;
}
