/**
 * `npm run bench`: the foundation benchmark on PGlite and PostgreSQL.
 *   (a) import of all real CNVD XML (14,399 records)
 *   (b) import of a synthetic CVE JSON 5 corpus (300,000 records by default; BENCH_CVE_COUNT to change)
 *   (c) search latency p50/p95/p99 over 1,200 mixed queries on that corpus (bench/queries.ts; on PostgreSQL
 *       after a VACUUM, as autovacuum leaves a loaded store, so that its pass does not run in the middle of (c)
 *       and (g))
 *   (d) the floor: the fastest honest pipeline for the same bytes — reading and JSON.parse overlapped with a
 *       COPY of the records into a bare jsonb table (bench/floor.ts); the ratio (b) / (d) of the same run
 *   (l) a daily delta: 1,000 changed records of the corpus imported into the loaded (b) store (median of 3)
 *   (e) the weekly bulletin of a week with 500 vulnerabilities and 15,000 event-type reports: HTML and PDF
 *   (f) submission intake over HTTP: 6,000 submissions from 50 reporters, 32 in flight
 *   (g) the web app on the (b)+(a) corpus in Chromium: the list's first render, search after typing stops
 *       (timed in the page, last input event to the frame that paints the results; the driver's own timing
 *       beside), and the public JS size (gzipped) with the console chunk apart
 *   (h) the (b) import with 1,000 watchlists of 200 organisations in place (alerts raised and queued in each
 *       batch's transaction): seconds, alerts, messages, and the ratio to (b) (target ≤ 1.20×)
 *   (i) bulk export of the (b)+(a) corpus into a folder, per format (osv, cve5, cnvd-xml; BENCH_EXPORT_FORMATS):
 *       records/s and peak RSS beside the RSS with the store just open (memory flat in corpus size)
 *   (j) public read throughput (mixed search / detail / list, 32 in flight) of `vulnshare serve` over the (b)
 *       corpus on a throw-away primary + hot standby (src/test-support/pg-cluster.ts; root and the PostgreSQL
 *       server binaries, a built dist/): 1 process + primary, 2 processes + primary, 2 processes + replica;
 *       then the replica's lag (bytes, seconds) sampled every second during the (b) import into the primary
 *   (k) federation, national (this backend) → a sector on PGlite, two instances on loopback in one process: the
 *       sector's full pull of BENCH_FED_COUNT (10,000) records (seconds, records/s, pages), and the lag of one new
 *       record under a steady import on national (BENCH_FED_STEADY_PER_S, 100 records/s; the sector pulls on its
 *       scheduler every BENCH_FED_INTERVAL_MS, 500)
 * (a), (b) and (l) run the shipped CLI (`vulnshare import`, dist/ — `npm run build` first) in its own process, as
 * a user does: their seconds are the import as the CLI times it, wallSeconds adds the process's start.
 * Each measurement runs in its own process (peak RSS is its own). Results: bench/results/<stamp>.json and
 * bench/results/latest.md (a table), also printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { generateCorpus } from './gen-cve-corpus.js';
import { makeQueries } from './queries.js';
import { IMPORT_TABLES } from '../src/imports/store.js';
import { clusterUnavailable, startReplicatedCluster } from '../src/test-support/pg-cluster.js';

const root = resolve(import.meta.dirname, '..');
const shared = process.env.VULNSHARE_SHARED_DATA ?? resolve(root, '..', 'shared', 'data');
const PG_URL = process.env.VULNSHARE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const count = Number(process.env.BENCH_CVE_COUNT ?? 300_000);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',') as Array<'pglite' | 'postgres'>;
const only = process.env.BENCH_ONLY?.split(',');

type Result = Record<string, unknown>;

function runTask(task: string, backend: string, target: string, args: string[]): Result {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench', 'task.ts'), task, backend, target, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`${task} on ${backend} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Result;
}

async function freshTarget(
  backend: string,
  name: string,
): Promise<{ target: string; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const dir = join(tmpdir(), `vulnshare-bench-${name}`);
    rmSync(dir, { recursive: true, force: true });
    return { target: dir, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  }
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const db = `vulnshare_bench_${name.replace(/\W/g, '_')}`;
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = PG_URL.replace(/\/[^/]*$/, `/${db}`);
  return {
    target: url,
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await a.end();
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] ?? 0) : 0;
};
const want = (k: string) => !only || only.includes(k);

async function main() {
  if (process.argv[2] === '--into-latest') {
    const stored = JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')) as {
      machine: Record<string, unknown>;
      results: Record<string, Record<string, Result>>;
    };
    const keys = process.argv[4]?.split(',');
    const chosen = Object.fromEntries(
      Object.entries(stored.results).map(([backend, r]) => [
        backend,
        Object.fromEntries(Object.entries(r).filter(([k]) => !keys || keys.includes(k))),
      ]),
    );
    writeLatest(chosen, stored.machine);
    return;
  }
  const results: Record<string, Record<string, Result>> = {};
  const cnvdDirs = [join(shared, 'cnvd-share-xml', 'xml'), join(shared, 'cnvd-share-xml-dated-2020')];
  const corpus = join(root, 'bench', '.corpus', `cve5-${count}`);
  const realCve = join(shared, 'cve-json5-vulnrichment');
  if (want('b') || want('c') || want('d') || want('g') || want('h') || want('i') || want('j')) {
    if (!existsSync(realCve))
      console.warn(`[skip] ${realCve} absent: the generator still runs from its built-in vocabulary`);
    const t0 = performance.now();
    generateCorpus({ count, out: corpus, seed: 1 });
    console.log(`corpus: ${count} records at ${corpus} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  for (const backend of backends) {
    const r: Record<string, Result> = {};
    results[backend] = r;
    if (want('a')) {
      if (!cnvdDirs.every(existsSync)) console.warn('[skip] (a): ../shared/data CNVD XML absent');
      else {
        const runs: Result[] = [];
        for (let i = 0; i < repeats; i++) {
          const t = await freshTarget(backend, 'cnvd');
          runs.push(runTask('import-cnvd', backend, t.target, cnvdDirs));
          await t.drop();
        }
        r.a = {
          ...runs[0],
          seconds: median(runs.map((x) => Number(x.seconds))),
          runs: runs.map((x) => Number(x.seconds)),
          peakRssMb: Math.max(...runs.map((x) => Number(x.peakRssMb))),
        };
        console.log(backend, 'a', JSON.stringify(r.a));
      }
    }
    if (want('b') || want('c') || want('g') || want('i') || want('l')) {
      // (b) median of BENCH_REPEATS imports, each into a fresh store; the last store stays for (l), (c), (g), (i)
      const runs: Result[] = [];
      let t = await freshTarget(backend, 'cve5');
      for (let i = 0; i < (want('b') ? repeats : 1); i++) {
        if (i > 0) {
          await t.drop();
          t = await freshTarget(backend, 'cve5');
        }
        runs.push(runTask('import-cve5', backend, t.target, [corpus]));
      }
      r.b = {
        ...runs.at(-1),
        seconds: median(runs.map((x) => Number(x.seconds))),
        runs: runs.map((x) => Number(x.seconds)),
        peakRssMb: Math.max(...runs.map((x) => Number(x.peakRssMb))),
      };
      r.b.recordsPerSecond = Math.round(Number(r.b.read) / Number(r.b.seconds));
      console.log(backend, 'b', JSON.stringify(r.b));
      if (want('l')) {
        const deltas: Result[] = [];
        for (let i = 1; i <= repeats; i++)
          deltas.push(runTask('delta', backend, t.target, [corpus, String(i)]));
        r.l = {
          ...deltas.at(-1),
          seconds: median(deltas.map((x) => Number(x.seconds))),
          wallSeconds: median(deltas.map((x) => Number(x.wallSeconds))),
          runs: deltas.map((x) => Number(x.seconds)),
          analyzedRuns: deltas.filter((x) => x.analyzed === true).length,
        };
        console.log(backend, 'l', JSON.stringify(r.l));
      }
      if (want('c') || want('g') || want('i')) {
        // the CNVD records join the corpus so Chinese queries have Chinese text to find
        if (cnvdDirs.every(existsSync)) runTask('import-cnvd', backend, t.target, cnvdDirs);
        // A PostgreSQL server's autovacuum visits the freshly loaded tables within a minute or two of the import,
        // and on two cores its pass over 300,000 rows and six GIN indexes would run in the middle of (c) and (g):
        // the store is vacuumed first, as autovacuum leaves it, and the time that took is reported (a server with
        // autovacuum off, as this machine's CI server is, would otherwise be searched through unvacuumed GIN
        // pending lists, which no production server leaves). The embedded
        // database has no autovacuum; its import vacuums by itself (src/imports/store.ts analyzeTables).
        if (backend === 'postgres') {
          const settle = new pg.Client({ connectionString: t.target });
          await settle.connect();
          const t0 = performance.now();
          await settle.query(`VACUUM (ANALYZE) ${IMPORT_TABLES}`);
          r.settle = { vacuumSeconds: Math.round((performance.now() - t0) / 100) / 10 };
          await settle.end();
          console.log(backend, 'settle', JSON.stringify(r.settle));
        }
        const qfile = join(root, 'bench', '.corpus', 'queries.json');
        writeFileSync(qfile, JSON.stringify(makeQueries(corpus, 1000)));
        if (want('c')) {
          r.c = runTask('search', backend, t.target, [qfile]);
          console.log(backend, 'c', JSON.stringify(r.c));
        }
        if (want('g')) {
          if (!existsSync('/usr/bin/chromium') || !existsSync(join(root, 'dist', 'web', 'index.html')))
            console.warn('[skip] (g): needs /usr/bin/chromium and a built web app (npm run build)');
          else {
            r.g = runTask('web', backend, t.target, [qfile]);
            console.log(backend, 'g', JSON.stringify(r.g));
          }
        }
      }
      if (want('i')) {
        const formats = (process.env.BENCH_EXPORT_FORMATS ?? 'osv,cve5,cnvd-xml').split(',');
        const runs: Record<string, Result> = {};
        for (const f of formats) runs[f] = runTask('export', backend, t.target, [f]);
        r.i = runs;
        console.log(backend, 'i', JSON.stringify(r.i));
      }
      await t.drop();
    }
    if (want('h')) {
      const t = await freshTarget(backend, 'cve5-watch');
      const h = runTask('import-cve5-watch', backend, t.target, [corpus]);
      // the ratio to (b) of this run, else to the latest (b) of the same corpus size
      const b = r.b ?? readLatest()[backend]?.b;
      r.h = { ...h, ratioToB: b && b.read === h.read ? Number(h.seconds) / Number(b.seconds) : null };
      console.log(backend, 'h', JSON.stringify(r.h));
      await t.drop();
    }
    if (want('d')) {
      const runs: Result[] = [];
      for (let i = 0; i < repeats; i++) {
        const t = await freshTarget(backend, 'floor');
        runs.push(runTask('floor', backend, t.target, [corpus]));
        await t.drop();
      }
      r.d = {
        ...runs.at(-1),
        seconds: median(runs.map((x) => Number(x.seconds))),
        runs: runs.map((x) => Number(x.seconds)),
        peakRssMb: Math.max(...runs.map((x) => Number(x.peakRssMb))),
      };
      r.d.recordsPerSecond = Math.round(Number(r.d.records) / Number(r.d.seconds));
      console.log(backend, 'd', JSON.stringify(r.d));
    }
    if (want('f')) {
      const t = await freshTarget(backend, 'intake');
      r.f = runTask('intake', backend, t.target, [process.env.BENCH_INTAKE_COUNT ?? '6000']);
      console.log(backend, 'f', JSON.stringify(r.f));
      await t.drop();
    }
    if (want('j') && backend === 'postgres') {
      const why = clusterUnavailable();
      if (why) console.warn(`[skip] (j): ${why}`);
      else if (!existsSync(join(root, 'dist', 'cli', 'main.js')))
        console.warn('[skip] (j): needs a built dist/ (npm run build)');
      else {
        // reads: a store of every real CNVD record and BENCH_READ_CVE_COUNT (20,000) generated CVE, as (b)+(a)
        const readCount = Number(process.env.BENCH_READ_CVE_COUNT ?? 20_000);
        const readCorpus = join(root, 'bench', '.corpus', `cve5-${readCount}`);
        generateCorpus({ count: readCount, out: readCorpus, seed: 1 });
        const cluster = await startReplicatedCluster('vulnshare_bench_reads');
        try {
          const cnvd = cnvdDirs.every(existsSync)
            ? runTask('import-cnvd', backend, cluster.primaryUrl, cnvdDirs)
            : null;
          if (!cnvd)
            console.warn('[skip] (j): ../shared/data CNVD XML absent, the store has CVE records only');
          const cve = runTask('import-cve5', backend, cluster.primaryUrl, [readCorpus]);
          await cluster.caughtUp();
          const qfile = join(root, 'bench', '.corpus', 'queries-j.json');
          writeFileSync(qfile, JSON.stringify(makeQueries(readCorpus, 1000)));
          const reads = runTask('read-throughput', backend, cluster.primaryUrl, [cluster.replicaUrl, qfile]);
          r.j = { ...reads, store: Number(cnvd?.read ?? 0) + Number(cve.read) };
          console.log(backend, 'j', JSON.stringify(r.j));
        } finally {
          cluster.close();
        }
        // lag: the BENCH_CVE_COUNT corpus imported into an empty primary with its replica attached
        const lagCluster = await startReplicatedCluster('vulnshare_bench_lag');
        try {
          r.jLag = runTask('replica-lag', backend, lagCluster.primaryUrl, [lagCluster.replicaUrl, corpus]);
          console.log(backend, 'jLag', JSON.stringify(r.jLag));
        } finally {
          lagCluster.close();
        }
      }
    }
    if (want('k')) {
      const t = await freshTarget(backend, 'federation');
      r.k = runTask('federation', backend, t.target, [process.env.BENCH_FED_COUNT ?? '10000']);
      console.log(backend, 'k', JSON.stringify(r.k));
      await t.drop();
    }
    if (want('e')) {
      const t = await freshTarget(backend, 'bulletin');
      r.e = runTask('bulletin', backend, t.target, []);
      console.log(backend, 'e', JSON.stringify(r.e));
      await t.drop();
    }
  }
  const machine = {
    node: process.version,
    cpus: Number(execFileSync('nproc').toString().trim()),
    date: new Date().toISOString(),
    cveCount: count,
    repeats,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const stamp = machine.date.replace(/[:.]/g, '-');
  writeFileSync(
    join(root, 'bench', 'results', `${stamp}.json`),
    JSON.stringify({ machine, results }, null, 2),
  );
  writeLatest(results, machine);
}

/**
 * A partial run (BENCH_ONLY) updates its measurements in latest.json and keeps the others, then latest.md is
 * written from it. `npm run bench -- --into-latest <results.json> [a,c,…]` does the same with a stored run's
 * measurements (all, or those named), to put a chosen run in latest.md after a smaller one.
 */
function writeLatest(results: Record<string, Record<string, Result>>, machine: Record<string, unknown>) {
  const latestFile = join(root, 'bench', 'results', 'latest.json');
  const merged: Record<string, Record<string, Result>> = existsSync(latestFile)
    ? (JSON.parse(readFileSync(latestFile, 'utf8')) as { results: Record<string, Record<string, Result>> })
        .results
    : {};
  for (const [backend, r] of Object.entries(results)) merged[backend] = { ...merged[backend], ...r };
  writeFileSync(latestFile, JSON.stringify({ machine, results: merged }, null, 2));
  const table = renderTable(merged, machine);
  writeFileSync(join(root, 'bench', 'results', 'latest.md'), table);
  console.log(`\n${table}`);
}

/** The results in latest.json (a partial run compares with them). */
function readLatest(): Record<string, Record<string, Result>> {
  const f = join(root, 'bench', 'results', 'latest.json');
  return existsSync(f)
    ? (JSON.parse(readFileSync(f, 'utf8')) as { results: Record<string, Record<string, Result>> }).results
    : {};
}

const mib = (bytes: unknown) => `${(Number(bytes) / 1024 ** 2).toFixed(1)} MiB`;

function renderTable(
  results: Record<string, Record<string, Result>>,
  machine: Record<string, unknown>,
): string {
  const rows: string[] = [
    `Benchmark ${String(machine.date)} · Node ${String(machine.node)} · ${String(machine.cpus)} cores · ${String(machine.cveCount)} synthetic CVE records`,
    '',
    '| measurement | backend | result | target | peak RSS |',
    '|---|---|---|---|---|',
  ];
  for (const [backend, r] of Object.entries(results)) {
    const a = r.a;
    if (a)
      rows.push(
        `| (a) CNVD XML import, ${String(a.read)} records (median of ${String((a.runs as number[] | undefined)?.length ?? 1)}) | ${backend} | ${Number(a.seconds).toFixed(2)} s (${String(a.recordsPerSecond)}/s) | ≥ 5,000/s | ${String(a.peakRssMb)} MB |`,
      );
    const b = r.b;
    const d = r.d;
    const floorX = backend === 'postgres' ? 3 : 4;
    if (b) {
      const ratio = d ? ` · ${(Number(b.seconds) / Number(d.seconds)).toFixed(1)}× the floor` : '';
      rows.push(
        `| (b) CVE JSON 5 import, ${String(b.read)} records (median of ${String((b.runs as number[] | undefined)?.length ?? 1)}) | ${backend} | ${Number(b.seconds).toFixed(1)} s (${String(b.recordsPerSecond)}/s)${ratio} | ≤ ${floorX}× the floor | ${String(b.peakRssMb)} MB |`,
      );
    }
    const c = r.c;
    if (c) {
      const limit = backend === 'postgres' ? 30 : 60;
      rows.push(
        `| (c) search, ${String(c.queries)} mixed queries${r.settle ? ` (store vacuumed first, ${String(r.settle.vacuumSeconds)} s)` : ''} | ${backend} | p50 ${String(c.p50)} ms · p95 ${String(c.p95)} ms · p99 ${String(c.p99)} ms | p95 ≤ ${limit} ms | ${String(c.peakRssMb)} MB |`,
      );
      for (const [kind, k] of Object.entries((c.byKind ?? {}) as Record<string, Record<string, number>>))
        rows.push(
          `| (c) · ${kind} (${String(k.n)}) | ${backend} | p50 ${String(k.p50)} ms · p95 ${String(k.p95)} ms · p99 ${String(k.p99 ?? '—')} ms | p95 ≤ ${limit} ms | |`,
        );
    }
    if (d)
      rows.push(
        `| (d) floor: ${d.pipeline === 'overlapped' ? 'read ∥ JSON.parse ∥ COPY into a bare jsonb table' : 'read, JSON.parse, COPY one after another (the old floor)'} (median of ${String((d.runs as number[] | undefined)?.length ?? 1)}) | ${backend} | ${Number(d.seconds).toFixed(1)} s (${String(d.recordsPerSecond)}/s) | — | ${String(d.peakRssMb)} MB |`,
      );
    const l = r.l;
    if (l)
      rows.push(
        `| (l) daily delta: \`vulnshare import cve5\` of ${String(l.read)} changed records into the loaded store (median of ${String((l.runs as number[] | undefined)?.length ?? 1)}) | ${backend} | ${Number(l.seconds).toFixed(2)} s import · ${Number(l.wallSeconds).toFixed(2)} s with the process's start (${String(l.updated)} updated${Number(l.analyzedRuns) ? '; ' + String(l.analyzedRuns) + ' run(s) analysed' : ''}) | ≤ 2 s | ${String(l.peakRssMb)} MB |`,
      );
    const e = r.e;
    if (e)
      rows.push(
        `| (e) weekly bulletin, ${String(e.general)} vulnerabilities + ${String(e.events)} event reports (median) | ${backend} | HTML ${String(e.htmlMs)} ms · PDF ${String(e.pdfMs)} ms | HTML ≤ 1,000 ms · PDF ≤ 5,000 ms | ${String(e.peakRssMb)} MB |`,
      );
    const f = r.f;
    if (f)
      rows.push(
        `| (f) submission intake over HTTP, ${String(f.submissions)} (32 in flight) | ${backend} | ${String(f.perSecond)}/s · p95 ${String(f.p95)} ms · ${String(f.stored)} stored, ${String(f.failed)} failed | ≥ 200/s, 0 lost | ${String(f.peakRssMb)} MB |`,
      );
    const g = r.g;
    if (g)
      rows.push(
        `| (g) web on the loaded corpus: list first render · search after typing stops (median / p95) · public JS gz | ${backend} | ${String(g.firstRenderMedianMs)} / ${String(g.firstRenderP95Ms)} ms · ${String(g.searchAfterTypingMedianMs)} / ${String(g.searchAfterTypingP95Ms)} ms${g.searchAfterTypingByDriverP95Ms === undefined ? '' : ` (timed in the page; from the driver ${Number(g.searchAfterTypingByDriverMedianMs)} / ${Number(g.searchAfterTypingByDriverP95Ms)} ms)`} · ${String(g.publicJsKbGz)} KB (entry ${String(g.publicEntryJsKbGz)} + chart ${String(g.publicChartJsKbGz)}; console ${String(g.consoleJsKbGz)} KB apart) | ≤ 1,500 ms · ≤ 300 ms · ≤ 300 KB | ${String(g.peakRssMb)} MB |`,
      );
    const h = r.h;
    if (h)
      rows.push(
        `| (h) CVE JSON 5 import with ${String(h.watchlists)} watchlists (${String(h.watchItems)} items, ${String(h.organisations)} organisations) | ${backend} | ${Number(h.seconds).toFixed(1)} s · ${String(h.alerts)} alerts, ${String(h.messages)} messages queued · ${h.ratioToB === null || h.ratioToB === undefined ? '—' : `${Number(h.ratioToB).toFixed(2)}× (b)`} | ≤ 1.20× (b) | ${String(h.peakRssMb)} MB |`,
      );
    const i = r.i as Record<string, Result> | undefined;
    for (const [f, x] of Object.entries(i ?? {}))
      rows.push(
        `| (i) export --format ${f} --out DIR, ${String(x.records)} records (${String(x.written)} written, ${String(x.entries)} entries) | ${backend} | ${Number(x.seconds).toFixed(1)} s (${String(x.recordsPerSecond)}/s) | flat memory | ${String(x.peakRssMb)} MB (${String(x.openRssMb)} MB open) |`,
      );
    const j = r.j as { runs?: Array<Record<string, unknown>>; store?: number } | undefined;
    for (const x of j?.runs ?? [])
      rows.push(
        `| (j) public reads (search incl. CJK / detail / list, 32 in flight, ${Number(x.seconds)} s), ${String(j?.store ?? '?')} records, ${String(x.deployment)} | ${backend} | ${String(x.perSecond)}/s (${String(x.ratioTo1)}× 1 process) · p50 ${String(x.p50)} ms · p95 ${String(x.p95)} ms · p99 ${String(x.p99)} ms · ${String(x.failed)} failed · ${Math.round(Number(x.fromReplica) * 100)}% from the replica · load ${(x.loadAverage as number[] | undefined)?.join('→') ?? '?'} | ratios (2 cores) | — |`,
      );
    const jl = r.jLag;
    if (jl) {
      const imp = jl.import as Record<string, unknown>;
      const load = jl.loadAverage as { min: number; max: number };
      rows.push(
        `| (j) replica lag during a CVE JSON 5 import of ${String(imp.read)} records (sampled every 1 s) | ${backend} | bytes max ${mib(jl.lagBytesMax)} · p95 ${mib(jl.lagBytesP95)} · at end ${mib(jl.lagBytesAtEnd)}; seconds max ${String(jl.lagSecondsMax)} · p95 ${String(jl.lagSecondsP95)} · at end ${String(jl.lagSecondsAtEnd)}; caught up ${String(jl.catchUpSeconds)} s after · import ${Number(imp.seconds).toFixed(1)} s (${String(imp.recordsPerSecond)}/s) · load ${String(load.min)}–${String(load.max)} | — | ${String(imp.peakRssMb)} MB |`,
      );
    }
    const k = r.k;
    if (k)
      rows.push(
        `| (k) federation national → sector (PGlite): full pull of ${String(k.records)} records · lag of one new record under a steady import (${String(k.lagMode)}, median / max of ${String(k.probes)}) | ${backend} | ${Number(k.pullSeconds).toFixed(1)} s (${String(k.recordsPerSecond)}/s, ${String(k.pages)} pages) · ${String(k.lagMedianMs)} / ${String(k.lagMaxMs)} ms (steady import ${String(k.steadyImportPerSecond)}/s) | — | ${String(k.peakRssMb)} MB |`,
      );
  }
  return rows.join('\n') + '\n';
}

await main();
