/**
 * The OpenAPI document is the contract the web client is generated from: it passes `redocly lint` (the
 * recommended ruleset, redocly.yaml) without errors, and the committed docs/openapi.json is what the routes
 * produce today (`npm run openapi` regenerates it).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, formatOpenApiDocument } from './openapi-doc.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer?: string }>;
}

describe('the OpenAPI document', () => {
  let text = '';
  beforeAll(async () => {
    text = formatOpenApiDocument(await buildOpenApiDocument());
  }, 60_000);

  it('passes redocly lint with no errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vs-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, text);
      const bin = join(root, 'node_modules/.bin/redocly');
      // exit status 1 when there are errors: the JSON report is on stdout either way
      const stdout = await promisify(execFile)(
        bin,
        ['lint', '--format=json', '--max-problems=1000', `--config=${join(root, 'redocly.yaml')}`, file],
        { cwd: root, maxBuffer: 32 * 1024 * 1024 },
      ).then(
        (r) => r.stdout,
        (e: { stdout?: string }) => e.stdout ?? '',
      );
      const report = JSON.parse(stdout) as { problems: LintProblem[] };
      const errors = report.problems
        .filter((p) => p.severity === 'error')
        .map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
      expect(errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('is committed as docs/openapi.json as the routes describe it (npm run openapi)', async () => {
    const committed = await readFile(join(root, 'docs/openapi.json'), 'utf8');
    expect(committed === text, 'docs/openapi.json is stale: run npm run openapi').toBe(true);
  });

  it('names every operation and says who may call it', () => {
    const doc = JSON.parse(text) as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown }>>;
    };
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    const ids = ops.map((o) => o.operationId);
    expect(ids.filter((id) => !id || !/^[a-z][A-Za-z0-9]*$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.filter((o) => !Array.isArray(o.security))).toEqual([]);
  });
});
