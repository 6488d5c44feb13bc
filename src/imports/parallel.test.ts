/**
 * Import preparation in worker threads (./parallel.ts) gives exactly what the in-process parser gives: the same
 * items in the same order, the same located issues for broken files, the same store — on both backends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/gen-cve-corpus.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import type { ParseItem } from '../vulns/model.js';
import { parseForImport, type PreparedItem } from './parallel.js';
import { importItems } from './pipeline.js';
import { prepareRecord } from './prepare.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vulnshare-parallel-'));
  generateCorpus({ count: 150, out: dir, seed: 7 });
  // two broken record files among the good ones: each must come back as a located issue, in its place
  writeFileSync(join(dir, 'CVE-2099-0001.json'), '{ not json');
  writeFileSync(join(dir, 'CVE-2099-0002.json'), JSON.stringify({ dataType: 'CVE_RECORD' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What an item says, independent of where it was prepared. */
function describeItem(it: ParseItem | PreparedItem): string {
  if (!it.ok) return `issue ${it.issue.file} ${it.issue.message}`;
  const p = 'prepared' in it ? it.prepared : prepareRecord(it.record, it.file);
  return `record ${it.file} ${p.prepared.key} ${p.hash} ${JSON.stringify(p.warnings)}`;
}

async function collect(workers: number, threads?: Set<number>, batchSize = 64): Promise<string[]> {
  const out: string[] = [];
  const onTask = (_files: number, t: number) => threads?.add(t);
  for await (const it of parseForImport('cve5', [dir], { workers, onTask, batchSize }))
    out.push(describeItem(it));
  return out;
}

describe('import preparation in worker threads', { timeout: 120_000 }, () => {
  it('yields the in-process items, in order, with the broken files located — prepared off the main thread', async () => {
    const threads = new Set<number>();
    const inProcess = await collect(0);
    const parallel = await collect(2, threads);
    expect(parallel).toEqual(inProcess);
    expect(inProcess.filter((l) => l.startsWith('record '))).toHaveLength(150);
    const issues = inProcess.filter((l) => l.startsWith('issue '));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toContain('CVE-2099-0001.json');
    expect(issues[1]).toMatch(/CVE-2099-0002\.json .*schema/);
    // the work really ran in worker threads, not on this one
    expect(threads.size).toBeGreaterThan(0);
    expect(threads.has(threadId)).toBe(false);
  });

  it('parses an input of one batch in-process: a worker would only add its start', async () => {
    const threads = new Set<number>();
    const oneBatch = await collect(2, threads, 1000);
    expect(threads.size).toBe(0);
    expect(oneBatch).toEqual(await collect(0));
  });

  for (const backend of testBackends()) {
    it(`writes the same store as the in-process import (${backend})`, async () => {
      const stores: string[][] = [];
      for (const workers of [0, 1]) {
        const d = await freshDatabase(backend);
        try {
          const s = await importItems(d, parseForImport('cve5', [dir], { workers, batchSize: 64 }), {
            format: 'cve5',
            paths: [dir],
            batchSize: 64,
          });
          expect(s.imported).toBe(150);
          expect(s.rejected).toBe(2);
          const rows = await sql<{ id: string; doc_hash: string }>`
            SELECT v.public_id AS id, v.doc_hash FROM vulnerabilities v ORDER BY 1`.execute(d.db);
          stores.push(rows.rows.map((r) => `${r.id} ${r.doc_hash}`));
        } finally {
          await d.close();
        }
      }
      expect(stores[0]).toHaveLength(150);
      expect(stores[1]).toEqual(stores[0]);
    });
  }
});
