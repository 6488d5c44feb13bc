/**
 * One benchmark measurement in its own process (so peak RSS is the task's own). Prints one JSON line.
 *   node --import tsx bench/task.ts <task> <backend> <dbTarget> [args…]
 * tasks: import-cnvd, import-cve5 <corpus>, search <queriesFile>, floor <corpus>, bulletin
 */
import { readFile } from 'node:fs/promises';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { IMPORT_FORMATS } from '../src/imports/formats.js';
import { listInputFiles } from '../src/imports/files.js';
import { importItems } from '../src/imports/pipeline.js';
import { parseSearchParams } from '../src/search/query.js';
import { searchVulns } from '../src/search/store.js';
import { createPdfRenderer } from '../src/reports/pdf.js';
import { createBulletinService, defaultSettings } from '../src/reports/service.js';
import { bulletinWeek } from './bulletin-week.js';

const [task, backend, target, ...args] = process.argv.slice(2);
if (!task || !backend || !target) throw new Error('usage: task backend target [args]');

const open = () => openDatabase(backend === 'postgres' ? { databaseUrl: target } : { dataDir: target });
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

async function main(): Promise<Record<string, unknown>> {
  switch (task) {
    case 'import-cnvd':
    case 'import-cve5': {
      const d = await open();
      await migrate(d);
      const format = task === 'import-cnvd' ? 'cnvd-xml' : 'cve5';
      const fmt = IMPORT_FORMATS[format];
      if (!fmt) throw new Error(format);
      const t0 = performance.now();
      const s = await importItems(d, fmt.parse(args), { format, paths: args, batchSize: 1000 });
      const seconds = (performance.now() - t0) / 1000;
      await d.close();
      return {
        seconds,
        read: s.read,
        imported: s.imported,
        rejected: s.rejected,
        recordsPerSecond: Math.round(s.read / seconds),
        peakRssMb: peakRssMb(),
      };
    }
    case 'bulletin': {
      const d = await open();
      await migrate(d);
      const s = await importItems(d, bulletinWeek(), { format: 'synthetic', paths: [] });
      const pdf = createPdfRenderer();
      const service = createBulletinService({
        db: d.db,
        settings: defaultSettings('http://127.0.0.1:8080'),
        pdf,
      });
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
      const { data } = await service.get('2024-W04');
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
      for (const q of queries) {
        const t0 = performance.now();
        await searchVulns(d.db, params(q));
        const ms = performance.now() - t0;
        times.push(ms);
        (byKind[q.label ?? 'other'] ??= []).push(ms);
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
          Object.entries(byKind).map(([k, v]) => [k, { n: v.length, p50: pct(v, 50), p95: pct(v, 95) }]),
        ),
        peakRssMb: peakRssMb(),
      };
    }
    case 'floor': {
      // The floor: read + JSON.parse every record, and COPY the raw text into a bare table.
      const d = await open();
      await d.exec('DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor (key text, raw jsonb)');
      const t0 = performance.now();
      let n = 0;
      async function* rows() {
        for await (const f of listInputFiles(args, ['.json'])) {
          const text = await readFile(f, 'utf8');
          const o = JSON.parse(text) as { cveMetadata?: { cveId?: string } };
          n++;
          yield `${o.cveMetadata?.cveId ?? f}\t${text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}\n`;
        }
      }
      let chunk: string[] = [];
      for await (const r of rows()) {
        chunk.push(r);
        if (chunk.length >= 5000) {
          await d.copyFrom('COPY bench_floor (key, raw) FROM STDIN', chunk.join(''));
          chunk = [];
        }
      }
      if (chunk.length) await d.copyFrom('COPY bench_floor (key, raw) FROM STDIN', chunk.join(''));
      const seconds = (performance.now() - t0) / 1000;
      await d.close();
      return { seconds, records: n, recordsPerSecond: Math.round(n / seconds), peakRssMb: peakRssMb() };
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
