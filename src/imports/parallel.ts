/**
 * Parse and prepare an import's input in worker threads (piscina) while the main thread merges and writes
 * (issue 16: the writer's second core was idle). The main thread only lists the input files; workers read,
 * parse, validate, classify and score them, a few files per task; results come back in input order, at most
 * `workers × 2` tasks in flight, so memory stays bounded whatever the corpus size.
 *
 * Only formats whose files are independent of each other take this path (the table below); the others, small
 * imports (one batch or one task: `batchSize` below) and `workers: 0` parse in-process exactly as before.
 */
import { basename } from 'node:path';
import { Piscina } from 'piscina';
import type { ImportIssue, ParseItem } from '../vulns/model.js';
import { isRecordName } from './cve5.js';
import { listInputFiles } from './files.js';
import { IMPORT_FORMATS } from './formats.js';
import { DEFAULT_BATCH_SIZE } from './pipeline.js';
import type { Prepared } from './prepare.js';
import type { PrepareResult, PrepareTask } from './prepare-worker.js';

/** A record parsed and prepared in a worker: the pipeline writes it without preparing it again. */
export interface PreparedItem {
  ok: true;
  file: string;
  index: number;
  prepared: Prepared;
  /** values the parser dropped, moved or repaired while keeping the record */
  warnings?: ImportIssue[];
}

/**
 * Formats that parse file by file: how their files are found, how many files make one task, and about how many
 * records a file holds (a zip counts as many).
 */
const PARALLEL_FORMATS: Record<
  string,
  {
    exts: string[];
    filesPerTask: number;
    recordsPerFile: number;
    keep: (file: string, given: boolean) => boolean;
  }
> = {
  // one record per file (a zip is one task of its own); other JSON of a cvelistV5 tree is skipped as parseCve5 does
  cve5: {
    exts: ['.json', '.zip'],
    filesPerTask: 64,
    recordsPerFile: 1,
    keep: (f, given) => given || f.toLowerCase().endsWith('.zip') || isRecordName(basename(f)),
  },
  // one week of records per file: 100 to 300 in the national platform's share files
  'cnvd-xml': { exts: ['.xml'], filesPerTask: 1, recordsPerFile: 150, keep: () => true },
};

export interface ParallelOptions {
  /** worker threads; 0 = parse in-process */
  workers: number;
  cveSchemaFile?: string | undefined;
  /**
   * The writer's batch size (default 1,000, as importItems). An input of about one batch or less is parsed
   * in-process: the writer waits for the whole batch either way, and a worker only adds its start (loading the
   * modules, compiling the CVE schema). A daily delta of 1,000 CVE records into a 60,000-record store on
   * PostgreSQL took 3.24 s with a worker and 2.76 s without (medians of 3). One task's worth of input (a single
   * zip) is parsed in-process too.
   */
  batchSize?: number;
  /** told of each task a worker finished: how many files, which thread */
  onTask?: (files: number, threadId: number) => void;
}

/** The worker module: the compiled .js next to this file, or the .ts source under tsx / vitest. */
function workerSpec(): { filename: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const filename = new URL(`./prepare-worker.${ts ? 'ts' : 'js'}`, import.meta.url).href;
  const execArgv =
    ts && !process.execArgv.includes('tsx') ? [...process.execArgv, '--import', 'tsx'] : process.execArgv;
  return { filename, execArgv };
}

async function* tasksOf(format: string, paths: string[], per: number): AsyncGenerator<string[]> {
  const spec = PARALLEL_FORMATS[format];
  if (!spec) return;
  let files: string[] = [];
  for await (const f of listInputFiles(paths, spec.exts)) {
    if (!spec.keep(f, paths.includes(f))) continue;
    // a zip always goes alone: it holds many records
    if (f.toLowerCase().endsWith('.zip')) {
      if (files.length) yield files;
      files = [];
      yield [f];
      continue;
    }
    files.push(f);
    if (files.length >= per) {
      yield files;
      files = [];
    }
  }
  if (files.length) yield files;
}

/** About how many records a task's files hold (a zip counts as many). */
const recordsIn = (files: string[], recordsPerFile: number): number =>
  files.reduce((n, f) => n + (f.toLowerCase().endsWith('.zip') ? Infinity : recordsPerFile), 0);

/**
 * Batches of an import of at most one batch (a daily delta), so that one is parsed while the batch before it is
 * written; in one batch the parsing and the writing had run one after the other.
 * - Into an embedded database this process owns, the database runs in the writer's own thread: a worker parses.
 *   A daily delta of 1,000 CVE records by the CLI in batches of 1,000 and of 250, alternating: into a
 *   60,000-record PGlite store, 12 pairs, median 2.98 → 2.68 s (2 of the 12 runs over 5 s → 1); into a
 *   300,000-record store after 40 deltas, 7 pairs, median 4.2 → 3.7 s.
 * - Through a PostgreSQL server or the owner's socket, the database works in another process while this thread
 *   parses the next batch; a worker there only adds its start. The same delta into a 300,000-record PostgreSQL
 *   store, 6 rounds of three alternating: one batch 3.35 s (median), 250 parsed in a worker 2.75 s, 250 parsed
 *   in-process 2.65 s (README, issue 16).
 */
export const SMALL_IMPORT_BATCH = 250;

/** How an import is split: records per batch, and the worker threads that parse them. */
export interface ImportPlan {
  batchSize: number;
  workers: number;
}

/**
 * The plan for an input (see SMALL_IMPORT_BATCH): batches of SMALL_IMPORT_BATCH when the input holds more than one
 * such batch but no more than `batchSize` records (by the same estimate as parseForImport's), parsed in a worker
 * only when the database runs in this thread; else `batchSize` and `workers` as given.
 */
export async function importPlan(
  format: string,
  paths: string[],
  opts: ImportPlan & { databaseInThisThread: boolean },
): Promise<ImportPlan> {
  const given = { batchSize: opts.batchSize, workers: opts.workers };
  const spec = PARALLEL_FORMATS[format];
  if (!spec || opts.batchSize <= SMALL_IMPORT_BATCH) return given;
  // in this thread with no worker to parse, smaller batches would only add statements
  if (opts.databaseInThisThread && opts.workers <= 0) return given;
  let records = 0;
  for await (const files of tasksOf(format, paths, spec.filesPerTask)) {
    records += recordsIn(files, spec.recordsPerFile);
    if (records > opts.batchSize) return given;
  }
  if (records <= SMALL_IMPORT_BATCH) return given;
  return { batchSize: SMALL_IMPORT_BATCH, workers: opts.databaseInThisThread ? opts.workers : 0 };
}

/** The import's items: parsed (and, in workers, prepared) in input order. */
export async function* parseForImport(
  format: string,
  paths: string[],
  opts: ParallelOptions,
): AsyncGenerator<ParseItem | PreparedItem> {
  const fmt = IMPORT_FORMATS[format];
  if (!fmt) throw new Error(`unknown import format ${format}`);
  const spec = PARALLEL_FORMATS[format];
  if (!spec || opts.workers <= 0) {
    yield* fmt.parse(paths, { cveSchemaFile: opts.cveSchemaFile });
    return;
  }
  const tasks = tasksOf(format, paths, spec.filesPerTask);
  // read ahead until the input is known to be larger than one batch and more than one task
  const oneBatch = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const ahead: string[][] = [];
  let records = 0;
  for (;;) {
    if (records > oneBatch && ahead.length > 1) break;
    const t = await tasks.next();
    if (t.done) break;
    ahead.push(t.value);
    records += recordsIn(t.value, spec.recordsPerFile);
  }
  if (records <= oneBatch || ahead.length <= 1) {
    yield* fmt.parse(ahead.flat(), { cveSchemaFile: opts.cveSchemaFile });
    return;
  }
  const pool = new Piscina<PrepareTask, PrepareResult>({
    ...workerSpec(),
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: 1_000,
  });
  const inFlight: Array<{ files: string[]; result: Promise<PrepareResult> }> = [];
  const submit = (files: string[]) => {
    const result = pool.run({ format, files, cveSchemaFile: opts.cveSchemaFile });
    result.catch(() => undefined); // surfaced when its turn comes
    inFlight.push({ files, result });
  };
  try {
    let index = 0;
    for (;;) {
      while (inFlight.length < opts.workers * 2) {
        const held = ahead.shift();
        if (held) {
          submit(held);
          continue;
        }
        const t = await tasks.next();
        if (t.done) break;
        submit(t.value);
      }
      const next = inFlight.shift();
      if (!next) break;
      let items: Array<PreparedItem | ParseItem>;
      try {
        const r = await next.result;
        opts.onTask?.(next.files.length, r.threadId);
        items = r.items;
      } catch (e) {
        // a worker that died on its input: those files are reported, the rest of the import goes on
        const why = `not read: ${e instanceof Error ? e.message : String(e)}`;
        items = next.files.map((file) => ({ ok: false, file, issue: { file, message: why } }));
      }
      // indices run over the whole import, as the in-process parser numbers them
      for (const it of items) yield it.index === undefined ? it : { ...it, index: ++index };
    }
  } finally {
    await pool.destroy();
  }
}
