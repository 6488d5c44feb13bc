/**
 * Import preparation in worker threads (./parallel.ts) gives exactly what the in-process parser gives: the same
 * items in the same order, the same located issues for broken files, the same store — on both backends.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/gen-cve-corpus.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import type { ParseItem } from '../vulns/model.js';
import { importPlan, parseForImport, SMALL_IMPORT_BATCH, type PreparedItem } from './parallel.js';
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

  it('writes an input of one batch in smaller batches, parsed in a worker only when the database runs here', async () => {
    const delta = mkdtempSync(join(tmpdir(), 'vulnshare-delta-'));
    try {
      generateCorpus({ count: 400, out: delta, seed: 8 });
      const plan = (paths: string[], batchSize: number, workers = 1, format = 'cve5', here = true) =>
        importPlan(format, paths, { batchSize, workers, databaseInThisThread: here });
      const small = { batchSize: SMALL_IMPORT_BATCH, workers: 1 };
      // more than one small batch, no more than one batch: a worker parses beside the embedded database…
      expect(await plan([delta], 1000)).toEqual(small);
      // …and this thread beside a database in another process (a server, the owner's socket), workers or none
      expect(await plan([delta], 1000, 1, 'cve5', false)).toEqual({ ...small, workers: 0 });
      expect(await plan([delta], 1000, 0, 'cve5', false)).toEqual({ ...small, workers: 0 });
      // more than one batch; no more than one small batch; no workers beside the embedded database; a format
      // without workers: as given
      expect(await plan([delta], 300)).toEqual({ batchSize: 300, workers: 1 });
      expect(await plan([dir], 1000)).toEqual({ batchSize: 1000, workers: 1 });
      expect(await plan([dir], 1000, 2, 'cve5', false)).toEqual({ batchSize: 1000, workers: 2 });
      expect(await plan([delta], 1000, 0)).toEqual({ batchSize: 1000, workers: 0 });
      expect(await plan([delta], 1000, 1, 'kev', false)).toEqual({ batchSize: 1000, workers: 1 });
      // and at that size the input goes to the workers, which give what the in-process parser gives
      const threads = new Set<number>();
      const items = async (workers: number) => {
        const out: string[] = [];
        const onTask = (_files: number, t: number) => threads.add(t);
        for await (const it of parseForImport('cve5', [delta], {
          workers,
          onTask,
          batchSize: SMALL_IMPORT_BATCH,
        }))
          out.push(describeItem(it));
        return out;
      };
      expect(await items(1)).toEqual(await items(0));
      expect(threads.size).toBeGreaterThan(0);
    } finally {
      rmSync(delta, { recursive: true, force: true });
    }
  });

  it('parses an input of one batch in-process: a worker would only add its start', async () => {
    const threads = new Set<number>();
    const oneBatch = await collect(2, threads, 1000);
    expect(threads.size).toBe(0);
    expect(oneBatch).toEqual(await collect(0));
  });

  for (const backend of testBackends()) {
    it(`writes the same store as the in-process import, first load, enrichment and delta (${backend})`, async () => {
      // The delta changes 100 records, 30 of them enriched by KEV in between: whatever is prepared in a worker,
      // every column of every vulnerability and every history entry must be what the in-process import writes.
      const files = (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => /^CVE-\d+-\d+\.json$/.test(basename(f)) && !basename(f).startsWith('CVE-2099-'))
        .sort();
      const delta = mkdtempSync(join(tmpdir(), 'vulnshare-parallel-delta-'));
      const kev = join(delta, '..', `${basename(delta)}-kev.json`);
      const changed = files.slice(0, 100);
      for (const f of changed) {
        const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
          cveMetadata: { dateUpdated?: string };
          containers: { cna: { descriptions?: Array<{ value: string }> } };
        };
        rec.cveMetadata.dateUpdated = '2026-11-30T00:00:00.000Z';
        const d0 = rec.containers.cna.descriptions?.[0];
        if (d0) d0.value += ' The vendor has released a fix.';
        writeFileSync(join(delta, basename(f)), JSON.stringify(rec));
      }
      writeFileSync(
        kev,
        JSON.stringify({
          vulnerabilities: changed.slice(0, 30).map((f) => ({
            cveID: basename(f, '.json'),
            vendorProject: 'Example',
            product: 'Widget',
            vulnerabilityName: 'Example Widget flaw',
            dateAdded: '2026-11-20',
            shortDescription: 'Exploited in the wild.',
            requiredAction: 'Apply the update.',
            dueDate: '2026-12-11',
            knownRansomwareCampaignUse: 'Unknown',
          })),
        }),
      );
      const stores: string[][] = [];
      try {
        for (const workers of [0, 1]) {
          const d = await freshDatabase(backend);
          try {
            const run = (format: string, paths: string[]) =>
              importItems(d, parseForImport(format, paths, { workers, batchSize: 64 }), {
                format,
                paths,
                batchSize: 64,
              });
            const first = await run('cve5', [dir]);
            expect(first.imported).toBe(150);
            expect(first.rejected).toBe(2);
            const k = await run('kev', [kev]);
            expect(k.issues).toEqual([]);
            expect(k.imported).toBe(30);
            const second = await run('cve5', [delta]);
            expect(second.updated).toBe(100);
            const vulns = await sql<Record<string, unknown>>`
              SELECT public_id, identity, state, doc, doc_hash, aliases, vendors, products, object_type, industries,
                     cwes, sources, score, severity, kind, zero_day, exploited, poc_available, has_patch,
                     submitted_at::text, collected_at::text, published_at::text, updated_at::text, sort_date::text,
                     search::text
                FROM vulnerabilities ORDER BY public_id`.execute(d.db);
            const history = await sql<Record<string, unknown>>`
              SELECT v.public_id, h.change, h.source, h.source_key, h.fields
                FROM vuln_history h JOIN vulnerabilities v ON v.id = h.vuln_id
               ORDER BY v.public_id, h.id`.execute(d.db);
            stores.push([...vulns.rows, ...history.rows].map((r) => JSON.stringify(r)));
            const exploited = vulns.rows.filter((r) => r.exploited === true).length;
            expect(exploited).toBeGreaterThanOrEqual(30);
          } finally {
            await d.close();
          }
        }
      } finally {
        rmSync(delta, { recursive: true, force: true });
        rmSync(kev, { force: true });
      }
      expect(stores[0]?.length).toBeGreaterThan(150 + 150 + 100);
      expect(stores[1]).toEqual(stores[0]);
    });
  }
});
