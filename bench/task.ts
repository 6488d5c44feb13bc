/**
 * One benchmark measurement in its own process (so peak RSS is the task's own). Prints one JSON line.
 *   node --import tsx bench/task.ts <task> <backend> <dbTarget> [args…]
 * tasks: import-cnvd, import-cve5 <corpus>, search <queriesFile>, web <queriesFile>, floor <corpus>, bulletin, intake,
 *        import-cve5-watch <corpus> (import-cve5 with 1,000 watchlists of 200 organisations in place),
 *        export <format> (vulnshare export --format <format> --out DIR of every record of the loaded store),
 *        read-throughput <replicaUrl> <queriesFile> (target: the primary; bench/read-throughput.ts),
 *        federation [count] (national on this target, a sector on PGlite; bench/federation.ts)
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { gzipSync } from 'node:zlib';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { IMPORT_FORMATS } from '../src/imports/formats.js';
import { importItems } from '../src/imports/pipeline.js';
import { parseSearchParams } from '../src/search/query.js';
import { searchVulns } from '../src/search/store.js';
import { createPdfRenderer } from '../src/reports/pdf.js';
import { bulletinWeek } from './bulletin-week.js';
import { buildApp } from '../src/http/app.js';
import { CLI } from '../src/accounts/model.js';
import { createAccountService } from '../src/accounts/service.js';
import { createWatchlistService, type WatchItemInput } from '../src/watchlists/service.js';
import { parseRange } from '../src/watchlists/range.js';
import { parseCpe } from '../src/watchlists/cpe.js';
import { completeConfig, createPlatform } from '../src/app/platform.js';
import { directorySink, exportBulk, parseBulkFormat } from '../src/exports/bulk.js';
import { platformWriters } from '../src/exports/writers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readThroughput } from './read-throughput.js';
import { replicaLag } from './replica-lag.js';
import { spawn, spawnSync } from 'node:child_process';

/** Another task of this file in its own process; resolves to its result (the last line it prints). */
function childTask(argv: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, ...argv], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>)
        : reject(new Error(`${argv.join(' ')} exited with ${String(code)}`)),
    );
  });
}
import { floor } from './floor.js';
import { capturing, explain } from './explain.js';
import { writeDelta } from './delta.js';
import { federationBench } from './federation.js';

const [task, backend, target, ...args] = process.argv.slice(2);
if (!task || !backend || !target) throw new Error('usage: task backend target [args]');

const open = () => openDatabase(backend === 'postgres' ? { databaseUrl: target } : { dataDir: target });
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

const cliPath = fileURLToPath(new URL('../bin/vulnshare.js', import.meta.url));

/** The shipped CLI (`npm run build` first) in its own process against this task's store; peak RSS by GNU time. */
function shippedCli(cliArgs: string[]): { wallSeconds: number; maxRssKb: number } {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))))
    throw new Error('the benchmark runs the shipped CLI: npm run build first');
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (backend === 'postgres') env.DATABASE_URL = target;
  else env.VULNSHARE_DATA = target;
  if (process.env.BENCH_IMPORT_WORKERS) env.VULNSHARE_IMPORT_WORKERS = process.env.BENCH_IMPORT_WORKERS;
  // peak RSS of the CLI's process by GNU time where it is installed (Debian's `time` package)
  const timed = existsSync('/usr/bin/time');
  const argv = [process.execPath, cliPath, ...cliArgs];
  const t0 = performance.now();
  const r = timed
    ? spawnSync('/usr/bin/time', ['-f', 'maxrss-kb=%M', ...argv], {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      })
    : spawnSync(argv[0] as string, argv.slice(1), { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`vulnshare ${cliArgs[0] ?? ''} failed (${String(r.status)}): ${r.stderr.slice(-4000)}`);
  return { wallSeconds, maxRssKb: Number(/maxrss-kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN) };
}

/**
 * `vulnshare import FORMAT PATHS…` by the shipped CLI. `seconds` is the import as the CLI times it
 * (import_runs.counts.durationMs: the run's first statement to its last); `wallSeconds` adds the process's
 * start and the store's opening.
 */
async function shippedImport(format: string, paths: string[]): Promise<Record<string, unknown>> {
  const { wallSeconds, maxRssKb } = shippedCli(['import', format, ...paths]);
  const d = await open();
  const run = await sql<{ counts: Record<string, number | boolean> }>`
    SELECT counts FROM import_runs ORDER BY id DESC LIMIT 1`.execute(d.db);
  await d.close();
  const counts = run.rows[0]?.counts ?? {};
  return {
    seconds: Number(counts.durationMs) / 1000,
    wallSeconds,
    read: counts.read,
    imported: counts.imported,
    updated: counts.updated,
    unchanged: counts.unchanged,
    rejected: counts.rejected,
    analyzed: counts.analyzed === true,
    ...(Number.isFinite(maxRssKb) ? { peakRssMb: Math.round(maxRssKb / 102.4) / 10 } : {}),
  };
}

async function main(): Promise<Record<string, unknown>> {
  switch (task) {
    case 'import-cnvd':
    case 'import-cve5': {
      // (a) and (b): `vulnshare import` as a user runs it, the shipped CLI in its own process (its launcher and
      // heap limit included); the store migrated first by `vulnshare migrate`, outside the timed import
      const format = task === 'import-cnvd' ? 'cnvd-xml' : 'cve5';
      shippedCli(['migrate']);
      const r = await shippedImport(format, args);
      return { ...r, recordsPerSecond: Math.round(Number(r.read) / Number(r.seconds)) };
    }
    case 'import-cve5-watch': {
      // (h): the (b) import with 1,000 watchlists (200 organisations, each with an e-mail contact) in place;
      // only the import is timed, as in (b)
      const d = await open();
      await migrate(d);
      const setup = await createBenchWatchlists(d.db, args[0] ?? '');
      const fmt = IMPORT_FORMATS.cve5;
      if (!fmt) throw new Error('cve5');
      const t0 = performance.now();
      const s = await importItems(d, fmt.parse(args), { format: 'cve5', paths: args, batchSize: 1000 });
      const seconds = (performance.now() - t0) / 1000;
      const count = async (t: 'watch_alerts' | 'outbox') =>
        Number(
          (
            await d.db
              .selectFrom(t)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const alerts = await count('watch_alerts');
      const messages = await count('outbox');
      await d.close();
      return {
        seconds,
        read: s.read,
        imported: s.imported,
        rejected: s.rejected,
        recordsPerSecond: Math.round(s.read / seconds),
        ...setup,
        alerts,
        messages,
        peakRssMb: peakRssMb(),
      };
    }
    case 'bulletin': {
      const d = await open();
      await migrate(d);
      const s = await importItems(d, bulletinWeek(), { format: 'synthetic', paths: [] });
      const pdf = createPdfRenderer();
      const service = createPlatform(d, completeConfig(), { pdf }).bulletins;
      const time = async (fn: () => Promise<unknown>, n: number) => {
        await fn(); // warm-up (first Chromium start, JIT), not timed
        const t: number[] = [];
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          await fn();
          t.push(performance.now() - t0);
        }
        t.sort((a, b) => a - b);
        return Math.round((t[Math.floor((n - 1) / 2)] ?? 0) * 10) / 10;
      };
      const htmlMs = await time(() => service.render('2024-W04', 'zh', 'html'), 7);
      const pdfMs = await time(() => service.render('2024-W04', 'zh', 'pdf'), 5);
      const pages = await service.render('2024-W04', 'zh', 'pdf');
      const { data } = await service.get(CLI, '2024-W04');
      await pdf.close();
      await d.close();
      return {
        records: s.read,
        general: data.overview.total,
        events: data.overview.event.thisWeek,
        htmlMs,
        pdfMs,
        pdfBytes: pages.body.length,
        peakRssMb: peakRssMb(),
      };
    }
    case 'intake': {
      // submissions over real HTTP with API tokens: 50 reporters, 32 requests in flight, N submissions
      const d = await open();
      await migrate(d);
      const n = Number(args[0] ?? 6000);
      const accounts = createAccountService({ db: d.db });
      const tokens: string[] = [];
      for (let i = 0; i < 50; i++) {
        await accounts.createUser(CLI, {
          email: `r${i}@bench.example`,
          displayName: `r${i}`,
          password: 'bench password 0000',
          role: 'reporter',
        });
        const s = await accounts.resolveSession(
          (await accounts.login({ email: `r${i}@bench.example`, password: 'bench password 0000' })).session,
        );
        if (!s) throw new Error('session');
        tokens.push(
          (await accounts.createApiToken(s.principal, { name: 'bench', scopes: ['submissions:create'] }))
            .token,
        );
      }
      const app = await buildApp({
        database: d,
        config: { rateLimitPerMinute: 10_000_000, logLevel: 'silent' },
      });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      let next = 0;
      let ok = 0;
      let failed = 0;
      const latencies: number[] = [];
      const t0 = performance.now();
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          const event = i % 3 !== 0; // CNVD: most reports are event-type
          const body = event
            ? {
                kind: 'event',
                title: `某单位门户网站存在SQL注入漏洞 #${i}`,
                affectedOrganisation: `某单位${i % 500}`,
                affectedSystem: `https://site${i % 500}.example.cn/news.php?id=${i}`,
                description: 'id 参数存在SQL注入，可获取数据库敏感信息。',
                reproduction: "sqlmap -u 'https://…?id=1'",
                originality: 'original',
                cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
              }
            : {
                kind: 'general',
                title: `Tenda AC${i % 20} formSetFirewallCfg 函数缓冲区溢出漏洞`,
                vendor: 'Tenda',
                product: `AC${i % 20}`,
                version: '15.03.06.44',
                description: 'formSetFirewallCfg 函数存在栈溢出。',
                originality: 'original',
              };
          const s = performance.now();
          const r = await fetch(`${base}/api/v1/submissions`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${tokens[i % tokens.length] ?? ''}`,
            },
            body: JSON.stringify(body),
          });
          await r.arrayBuffer();
          latencies.push(performance.now() - s);
          if (r.status === 201) ok++;
          else failed++;
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      const seconds = (performance.now() - t0) / 1000;
      const stored = await d.db
        .selectFrom('submissions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await app.close();
      await d.close();
      latencies.sort((a, b) => a - b);
      const pct = (q: number) =>
        Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) /
        10;
      return {
        submissions: n,
        ok,
        failed,
        stored: Number(stored.n),
        seconds,
        perSecond: Math.round(n / seconds),
        p50: pct(0.5),
        p95: pct(0.95),
        p99: pct(0.99),
        peakRssMb: peakRssMb(),
      };
    }
    case 'search': {
      const d = await open();
      await migrate(d);
      const queries = JSON.parse(await readFile(args[0] ?? '', 'utf8')) as Array<Record<string, string>>;
      // warm-up: first 50 queries, not timed
      const params = (q: Record<string, string>) =>
        parseSearchParams(Object.fromEntries(Object.entries(q).filter(([k]) => k !== 'label')));
      for (const q of queries.slice(0, 50)) await searchVulns(d.db, params(q));
      const times: number[] = [];
      const byKind: Record<string, number[]> = {};
      const timed: Array<{ q: Record<string, string>; ms: number }> = [];
      for (const q of queries) {
        const t0 = performance.now();
        await searchVulns(d.db, params(q));
        const ms = performance.now() - t0;
        times.push(ms);
        timed.push({ q, ms });
        (byKind[q.label ?? 'other'] ??= []).push(ms);
      }
      // the slowest 10, run again with their statements captured, and the plan of each
      const cap = capturing(d.db);
      const slowest: Array<{ query: Record<string, string>; ms: number; plans: string[] }> = [];
      for (const { q, ms } of [...timed].sort((a, b) => b.ms - a.ms).slice(0, 10)) {
        cap.take();
        await searchVulns(cap.db, params(q));
        slowest.push({ query: q, ms: Math.round(ms * 10) / 10, plans: await explain(d.db, cap.take()) });
      }
      await d.close();
      const pct = (xs: number[], p: number) => {
        const s = [...xs].sort((a, b) => a - b);
        return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
      };
      return {
        queries: times.length,
        p50: pct(times, 50),
        p95: pct(times, 95),
        p99: pct(times, 99),
        byKind: Object.fromEntries(
          Object.entries(byKind).map(([k, v]) => [
            k,
            { n: v.length, p50: pct(v, 50), p95: pct(v, 95), p99: pct(v, 99) },
          ]),
        ),
        slowest,
        peakRssMb: peakRssMb(),
      };
    }
    case 'delta': {
      // (l) a daily delta: 1,000 changed records into the loaded store (bench/delta.ts), imported as a user does
      // it: the shipped CLI (`npm run build` first), in its own process. `seconds` is the import as the CLI
      // times it (import_runs.counts.durationMs: the run's first statement to its last); `wallSeconds` adds
      // the process's start and the store's opening.
      const [corpus, round] = args;
      const dir = await writeDelta(corpus ?? '', Number(round ?? 1));
      try {
        return await shippedImport('cve5', [dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    case 'floor': {
      // (d) the floor: reading and parsing overlapped with a COPY into a bare jsonb table (bench/floor.ts)
      const d = await open();
      const t0 = performance.now();
      const { records } = await floor(d, args);
      const seconds = (performance.now() - t0) / 1000;
      await d.close();
      return {
        seconds,
        records,
        recordsPerSecond: Math.round(records / seconds),
        pipeline: 'overlapped',
        peakRssMb: peakRssMb(),
      };
    }
    case 'web': {
      // The public pages against the loaded corpus, in Debian's Chromium: the list's first render (navigation
      // start → first result row painted) and search-as-you-type (last keystroke → the new results shown).
      const [queryFile] = args;
      const d = await open();
      const app = await buildApp({
        database: d,
        config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent' },
      });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
      const firstRender: number[] = [];
      for (let i = 0; i < 11; i++) {
        const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
        const p = await ctx.newPage();
        const t0 = Date.now();
        await p.goto(`${base}/vulnerabilities`, { waitUntil: 'commit' });
        await p.locator('li.vuln').first().waitFor();
        if (i > 0) firstRender.push(Date.now() - t0); // the first visit warms the server, not timed
        await ctx.close();
      }
      const words = (JSON.parse(await readFile(queryFile ?? '', 'utf8')) as Array<Record<string, string>>)
        .map((q) => q.q)
        .filter((q): q is string => !!q && q.length >= 3)
        .slice(0, 40);
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const p = await ctx.newPage();
      // Timed in the page: from the last keystroke's input event to the animation frame that paints the new
      // results (the list marks the query on screen in data-shown-query). Timed from the driver, the same span
      // also holds the automation's own latency — the CDP round trip of the last key and the polling of the
      // wait — 50–150 ms on two shared cores, which no user's keystroke has; it is reported beside.
      // (page code as text: this file is compiled without the DOM's types)
      await p.addInitScript({
        content: `window.vsShownAt = new Map();
          document.addEventListener('input', () => { window.vsLastInput = performance.now(); }, true);
          new MutationObserver(() => {
            const q = document.querySelector('section[data-shown-query]')?.getAttribute('data-shown-query');
            if (q != null && !window.vsShownAt.has(q)) {
              window.vsShownAt.set(q, -1);
              requestAnimationFrame(() => window.vsShownAt.set(q, performance.now()));
            }
          }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-shown-query'] });`,
      });
      await p.goto(`${base}/vulnerabilities`);
      await p.locator('li.vuln').first().waitFor();
      const afterTyping: number[] = [];
      const byDriver: number[] = [];
      for (const w of words) {
        const box = p.getByRole('searchbox');
        await box.fill('');
        await p.locator('section[data-shown-query=""]').waitFor();
        await p.evaluate('window.vsShownAt.clear()');
        await box.pressSequentially(w, { delay: 40 });
        const t0 = Date.now();
        await p.locator(`section[data-shown-query="${w.replace(/["\\]/g, '\\$&')}"]`).waitFor();
        byDriver.push(Date.now() - t0);
        const inPage = await p.waitForFunction(
          `(() => { const at = window.vsShownAt.get(${JSON.stringify(w)});
                    return at !== undefined && at >= 0 ? at - window.vsLastInput : false; })()`,
        );
        afterTyping.push(Math.round(Number(await inPage.jsonValue())));
      }
      await ctx.close();
      await browser.close();
      await app.close();
      await d.close();
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      const pct = (xs: number[], q: number) =>
        sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
      const bundle = webBundleSizes();
      return {
        firstRenderMedianMs: pct(firstRender, 0.5),
        firstRenderP95Ms: pct(firstRender, 0.95),
        searchAfterTypingMedianMs: pct(afterTyping, 0.5),
        searchAfterTypingP95Ms: pct(afterTyping, 0.95),
        searchAfterTypingByDriverMedianMs: pct(byDriver, 0.5),
        searchAfterTypingByDriverP95Ms: pct(byDriver, 0.95),
        searches: afterTyping.length,
        // each search in typing order, with its word: where a p95 of 40 comes from
        afterTyping: words.map((w, i) => ({ q: w, ms: afterTyping[i], byDriverMs: byDriver[i] })),
        ...bundle,
        peakRssMb: peakRssMb(),
      };
    }
    case 'export': {
      // every record of the loaded store into a temporary folder, as `vulnshare export --out DIR` writes it;
      // peak RSS against the RSS once the store is open shows whether memory stays flat in corpus size
      const d = await open();
      await migrate(d);
      const format = parseBulkFormat(args[0] ?? 'osv');
      const openRssMb = peakRssMb();
      const dir = mkdtempSync(join(tmpdir(), `vulnshare-bench-export-${format}-`));
      const t0 = performance.now();
      const s = await exportBulk(d.db, directorySink(dir), {
        format,
        ...platformWriters(d.db, completeConfig()),
      });
      const seconds = (performance.now() - t0) / 1000;
      rmSync(dir, { recursive: true, force: true });
      await d.close();
      return {
        format,
        records: s.written + s.skipped,
        written: s.written,
        skipped: s.skipped,
        entries: s.entries,
        seconds,
        recordsPerSecond: Math.round((s.written + s.skipped) / seconds),
        openRssMb,
        peakRssMb: peakRssMb(),
      };
    }
    case 'read-throughput': {
      // (j) public reads through `vulnshare serve` processes (dist/): 1 + primary, 2 + primary, 2 + replica
      const [replicaUrl, queryFile] = args;
      const queries = JSON.parse(await readFile(queryFile ?? '', 'utf8')) as Array<Record<string, string>>;
      const runs = await readThroughput({
        root: join(import.meta.dirname, '..'),
        primaryUrl: target ?? '',
        replicaUrl: replicaUrl ?? '',
        queries,
        seconds: Number(process.env.BENCH_READ_SECONDS ?? 30),
        warmupSeconds: Number(process.env.BENCH_READ_WARMUP_SECONDS ?? 5),
        concurrency: 32,
      });
      const base = runs[0]?.perSecond ?? 0;
      return {
        runs: runs.map((r) => ({
          ...r,
          ratioTo1: base ? Math.round((r.perSecond / base) * 100) / 100 : null,
        })),
        peakRssMb: peakRssMb(),
      };
    }
    case 'federation': {
      // (k) national (this backend) → sector (PGlite): the full pull of BENCH_FED_COUNT records, and the lag of
      // one new record under a steady import (bench/federation.ts)
      const r = await federationBench({
        national: await open(),
        sectorDir: join(tmpdir(), 'vulnshare-bench-fed-sector'),
        count: Number(args[0] ?? 10_000),
        intervalMs: Number(process.env.BENCH_FED_INTERVAL_MS ?? 500),
        probes: Number(process.env.BENCH_FED_PROBES ?? 10),
        steadyBatch: 100,
        steadyPerSecond: Number(process.env.BENCH_FED_STEADY_PER_S ?? 100),
      });
      return { ...r, peakRssMb: peakRssMb() };
    }
    case 'replica-lag': {
      // (j) lag of a hot standby while the corpus is imported into the primary (bench/replica-lag.ts); the import
      // is the import-cve5 task in its own process, as (b) runs it
      const [replicaUrl, corpus] = args;
      return replicaLag({
        primaryUrl: target ?? '',
        replicaUrl: replicaUrl ?? '',
        runImport: () => childTask(['import-cve5', backend ?? 'postgres', target ?? '', corpus ?? '']),
      });
    }
    case undefined:
    default:
      throw new Error(`unknown task ${task ?? ''}`);
  }
}

main().then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);

/** Gzipped sizes of the built web assets: what a public visitor loads vs the console's own chunk. */
function webBundleSizes() {
  const dir = join(import.meta.dirname, '..', 'dist', 'web', 'assets');
  const kb = (f: string) =>
    Math.round(gzipSync(readFileSync(join(dir, f)), { level: 9 }).length / 102.4) / 10;
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const consoleJs = files.filter((f) => f.startsWith('console-'));
  const chart = files.filter((f) => f.startsWith('Chart-'));
  const entry = files.filter((f) => !consoleJs.includes(f) && !chart.includes(f));
  const sum = (fs: string[]) => Math.round(fs.reduce((a, f) => a + kb(f), 0) * 10) / 10;
  return {
    publicEntryJsKbGz: sum(entry),
    publicChartJsKbGz: sum(chart),
    publicJsKbGz: sum([...entry, ...chart]),
    consoleJsKbGz: sum(consoleJs),
  };
}

/**
 * 1,000 watchlists across 200 organisations (each with an e-mail contact), drawn from the corpus's own
 * vocabulary: vendors and products of its records' affected[] (a sample of files), half with a version range
 * built from a version the record names, one in five with a CPE of the corpus, one in five with a keyword (a
 * product name of the corpus, or a Chinese word).
 * Delivery: 70% immediate, 20% daily, 10% weekly. Seeded, so every run builds the same lists.
 */
async function createBenchWatchlists(
  db: Parameters<typeof createWatchlistService>[0]['db'],
  corpus: string,
): Promise<{ organisations: number; watchlists: number; watchItems: number }> {
  let seed = 7;
  const rand = () => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  type Affected = {
    vendor?: string;
    product?: string;
    versions?: Array<{ version?: string; lessThan?: string; status?: string }>;
    cpes?: string[];
  };
  const products: Array<{ vendor: string; product: string; version?: string }> = [];
  const cpes: string[] = [];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (files.length >= 4000) return;
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.startsWith('CVE-') && e.name.endsWith('.json')) files.push(join(dir, e.name));
    }
  };
  walk(corpus);
  for (const f of files) {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as { containers?: { cna?: { affected?: Affected[] } } };
    for (const a of doc.containers?.cna?.affected ?? []) {
      if (!a.vendor || !a.product || /^n\/a$/i.test(a.vendor) || /^n\/a$/i.test(a.product)) continue;
      const v = a.versions?.find((x) => x.status === 'affected');
      const version = v?.lessThan ?? v?.version;
      products.push({ vendor: a.vendor, product: a.product, ...(version ? { version } : {}) });
      for (const c of a.cpes ?? []) cpes.push(c);
    }
  }
  // keywords: product names of the corpus (one to three words), and now and then a Chinese one
  const names = Array.from(new Set(products.map((p) => p.product))).filter(
    (n) => n.length >= 3 && n.split(/\s+/).length <= 3,
  );
  const keyword = () => (rand() < 0.1 ? pick(['路由器', '摄像头', '弱口令']) : pick(names));
  const range = (version: string | undefined): string | undefined => {
    if (!version || rand() < 0.5) return undefined;
    const r = pick([`<= ${version}`, `>= ${version}`, `< ${version}`]);
    try {
      parseRange(r);
      return r;
    } catch {
      return undefined;
    }
  };
  const accounts = createAccountService({ db });
  const watchlists = createWatchlistService({ db });
  const orgs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const o = await accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: `Bench Org ${i}`,
      sector: 'energy',
    });
    await accounts.addContact(CLI, o.id, { name: 'SOC', email: `soc${i}@bench.example`, portal: false });
    orgs.push(o.id);
  }
  let items = 0;
  for (let i = 0; i < 1000; i++) {
    const list: WatchItemInput[] = [];
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
      const p = pick(products);
      const r = range(p.version);
      list.push({ kind: 'product', vendor: p.vendor, product: p.product, ...(r ? { range: r } : {}) });
    }
    if (cpes.length && rand() < 0.2) {
      const c = pick(cpes);
      try {
        parseCpe(c);
        list.push({ kind: 'cpe', cpe: c });
      } catch {
        // an unreadable CPE of the corpus: skipped
      }
    }
    if (rand() < 0.2) list.push({ kind: 'keyword', keyword: keyword() });
    const x = rand();
    await watchlists.create(CLI, {
      organisationId: orgs[i % orgs.length] ?? 0,
      name: `bench ${i}`,
      delivery: x < 0.7 ? 'immediate' : x < 0.9 ? 'daily' : 'weekly',
      items: list,
    });
    items += list.length;
  }
  return { organisations: orgs.length, watchlists: 1000, watchItems: items };
}
