/** The `vulnshare` command line: thin commands over the same services the API uses. */
import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { migrate } from '../db/migrate.js';
import { AppError, isAppError } from '../errors.js';
import { buildApp } from '../http/app.js';
import { exportCsv } from '../search/export-csv.js';
import {
  BULK_FORMATS,
  directorySink,
  exportBulk,
  exportVulnerabilities,
  parseBulkFormat,
} from '../exports/bulk.js';
import { cnvdXmlFile } from '../exports/cnvd-xml.js';
import { zipSink } from '../exports/zip-sink.js';
import { parseSearchParams } from '../search/query.js';
import { searchVulns } from '../search/store.js';
import { toCve5 } from '../vulns/export-cve5.js';
import { csafDocuments } from '../csaf/service.js';
import { getStats, getVulnerability, getVulnerabilityRecords } from '../vulns/store.js';
import { exportProgressReporter, formatTable } from './output.js';
import {
  collect,
  configOf,
  exitCodeSet,
  openConfigured,
  useStreams,
  withDatabase,
  withPlatform,
} from './context.js';
import { registerReportCommands } from '../reports/cli.js';
import { registerAccountCommands } from '../accounts/cli.js';
import { registerSubmissionCommands } from '../submissions/cli.js';
import { registerImportCommands } from '../imports/cli.js';
import { registerIncidentCommands } from '../incidents/cli.js';
import { registerFeedCommands } from '../feeds/cli.js';
import { registerWatchlistCommands } from '../watchlists/cli.js';
import { createPlatform } from '../app/platform.js';
import { drainOutbox, startWorker } from '../app/worker.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Exit codes: 0 ok, 1 some input rejected, 2 usage / invalid parameter, 3 not found, 4 not allowed, 70 internal, 75 unavailable. */
export function exitCodeOf(e: unknown): number {
  if (!isAppError(e)) return 70;
  const status = e.status;
  if (status === 404) return 3;
  if (status === 401 || status === 403) return 4;
  if (status === 429 || status === 503) return 75;
  if (status >= 400 && status < 500) return 2;
  return 70;
}

export function buildCli(
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Command {
  const print = (s: string) => out.write(s.endsWith('\n') ? s : `${s}\n`);
  const program = new Command('vulnshare')
    .description('vulnshare: collect, verify, coordinate and publish vulnerabilities')
    .version(pkg.version)
    .option('--data <dir>', 'embedded database directory (env VULNSHARE_DATA, default ./data)')
    .option(
      '--database-url <url>',
      'PostgreSQL server URL instead of the embedded database (env DATABASE_URL)',
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .exitOverride();
  useStreams(program, out, err);

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async (_o, cmd: Command) => {
      await withDatabase(
        cmd,
        async (d) => {
          const applied = await migrate(d);
          print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        },
        { migrate: false },
      );
    });

  program
    .command('serve')
    .description('start the HTTP API (and docs at /api/docs)')
    .option('--host <host>', 'listen address (env VULNSHARE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'listen port (env VULNSHARE_PORT, default 8080)')
    .action(async (o: { host?: string; port?: string }, cmd: Command) => {
      const config = configOf(cmd, { host: o.host, port: o.port }); // every bad setting named, before anything opens
      // listen for the stop signal first: a SIGTERM during start-up still closes the database cleanly
      const signalled = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const database = await openConfigured(cmd, config);
      const platform = createPlatform(database, config);
      const app = await buildApp({ database, config, platform, version: pkg.version });
      const worker = config.worker ? startWorker(platform, (s) => err.write(`${s}\n`)) : null;
      app.addHook('onClose', async () => {
        await worker?.stop();
        await platform.close();
      });
      const address = await app.listen({ host: config.host, port: config.port });
      err.write(
        `vulnshare ${pkg.version} listening on ${address} (${database.kind === 'pglite' ? `embedded PostgreSQL at ${config.dataDir}; other vulnshare commands on this directory work through this process` : 'PostgreSQL server'}); API docs at ${address}/api/docs\n`,
      );
      await signalled;
      await app.close();
      await database.close();
    });

  program
    .command('search')
    .description('search vulnerabilities (same parameters as GET /api/v1/vulnerabilities)')
    .argument('[query...]', 'words or an id')
    .option('--severity <s>', 'high, medium, low (repeatable)', collect)
    .option('--vendor <v>', 'vendor (repeatable)', collect)
    .option('--product <p>', 'product (repeatable)', collect)
    .option('--object-type <t>', 'affected object type (repeatable)', collect)
    .option('--industry <i>', 'telecom, mobile_internet, ics (repeatable)', collect)
    .option('--cwe <id>', 'CWE id (repeatable)', collect)
    .option('--kind <k>', 'general or event')
    .option('--exploited', 'only KEV-listed')
    .option('--zero-day', 'only zero-day')
    .option('--score-min <n>')
    .option('--score-max <n>')
    .option('--published-from <date>')
    .option('--published-to <date>')
    .option('--sort <s>', 'relevance, date, score')
    .option('--limit <n>', 'rows (1-100)', '20')
    .option('--cursor <c>', 'next page cursor')
    .option('--facets <list>', 'comma-separated facet names')
    .option('--json', 'print JSON')
    .action(
      async (query: string[], o: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
        const raw: Record<string, string | string[] | undefined> = {
          q: query.join(' ') || undefined,
          severity: o.severity as string[] | undefined,
          vendor: o.vendor as string[] | undefined,
          product: o.product as string[] | undefined,
          objectType: o.objectType as string[] | undefined,
          industry: o.industry as string[] | undefined,
          cwe: o.cwe as string[] | undefined,
          kind: o.kind as string | undefined,
          exploited: o.exploited ? 'true' : undefined,
          zeroDay: o.zeroDay ? 'true' : undefined,
          scoreMin: o.scoreMin as string | undefined,
          scoreMax: o.scoreMax as string | undefined,
          publishedFrom: o.publishedFrom as string | undefined,
          publishedTo: o.publishedTo as string | undefined,
          sort: o.sort as string | undefined,
          limit: o.limit as string | undefined,
          cursor: o.cursor as string | undefined,
          facets: o.facets as string | undefined,
        };
        const params = parseSearchParams(raw);
        await withDatabase(cmd, async (d) => {
          const r = await searchVulns(d.db, params);
          if (o.json) return void print(JSON.stringify(r, null, 2));
          print(
            formatTable(
              ['id', 'severity', 'score', 'published', 'title'],
              r.items.map((i) => [
                i.id,
                i.severity ?? '',
                i.score?.toFixed(1) ?? '',
                i.published ?? '',
                i.title.zh ?? i.title.en ?? '',
              ]),
            ),
          );
          print(
            `${r.total}${r.totalIsExact ? '' : '+'} found${r.nextCursor ? `; next page: --cursor ${r.nextCursor}` : ''}`,
          );
        });
      },
    );

  program
    .command('show')
    .description('one vulnerability by any id (CNVD-…, CVE-…, BID-…)')
    .argument('<id>')
    .option('--cve5', 'print as a CVE JSON 5 record')
    .option('--raw', "include the sources' verbatim records")
    .action(async (id: string, o: { cve5?: boolean; raw?: boolean }, cmd: Command) => {
      await withDatabase(cmd, async (d, config) => {
        const detail = await getVulnerability(d.db, id, { withRaw: !!o.raw });
        print(
          JSON.stringify(
            o.cve5
              ? toCve5(await getVulnerabilityRecords(d.db, id), {
                  org: config.platformOrg,
                  requestedId: id,
                  publicUrl: config.publicUrl,
                })
              : o.raw
                ? detail
                : { ...detail, sources: detail.sources.map((s) => ({ ...s, raw: undefined })) },
            null,
            2,
          ),
        );
      });
    });

  program
    .command('export')
    .description(
      'export a search (or, without query and filters, every record) as CSV, CVE JSON 5, OSV, CNVD share XML or CSAF 2.0',
    )
    .argument('[query...]', 'words or an id')
    .option('--format <format>', `one of ${BULK_FORMATS.join(', ')}`, 'csv')
    .option('--severity <s>', 'high, medium, low (repeatable)', collect)
    .option('--vendor <v>', 'vendor (repeatable)', collect)
    .option('--published-from <date>')
    .option('--published-to <date>')
    .option(
      '--out <dir|file.zip>',
      'write a mirror: one entry per record (cve5, osv, csaf) or per file (cnvd-xml, csv) into DIR or one .zip',
    )
    .option('-o, --output <file>', 'csv, cnvd-xml: one file instead of standard output')
    .action(
      async (
        query: string[],
        o: {
          format: string;
          severity?: string[];
          vendor?: string[];
          publishedFrom?: string;
          publishedTo?: string;
          out?: string;
          output?: string;
        },
        cmd: Command,
      ) => {
        const format = parseBulkFormat(o.format);
        const filtered = query.length > 0 || !!(o.severity ?? o.vendor ?? o.publishedFrom ?? o.publishedTo);
        const params = parseSearchParams({
          q: query.join(' ') || undefined,
          severity: o.severity,
          vendor: o.vendor,
          publishedFrom: o.publishedFrom,
          publishedTo: o.publishedTo,
        });
        if (o.out && o.output) throw new AppError('invalid_parameter', 'use --out DIR or -o FILE, not both');
        if (!o.out && (format === 'cve5' || format === 'osv' || format === 'csaf'))
          throw new AppError(
            'invalid_parameter',
            `--format ${format} writes one file per record: give --out DIR`,
          );
        await withDatabase(cmd, async (d, config) => {
          if (!o.out) {
            const target = o.output ? createWriteStream(o.output) : out;
            const chunks =
              format === 'csv'
                ? exportCsv(d.db, params)
                : cnvdXmlFile(exportVulnerabilities(d.db, filtered ? params : undefined));
            for await (const chunk of chunks) if (!target.write(chunk)) await once(target, 'drain');
            if (o.output)
              await new Promise<void>((r) => (target as ReturnType<typeof createWriteStream>).end(r));
            return;
          }
          const progress = exportProgressReporter(err);
          const sink = /\.zip$/i.test(o.out) ? zipSink(o.out) : directorySink(o.out);
          const s = await exportBulk(d.db, sink, {
            format,
            ...(filtered ? { search: params } : {}),
            cve5: (m, cveId) =>
              toCve5(m, { org: config.platformOrg, requestedId: cveId, publicUrl: config.publicUrl }),
            csaf: (rows) =>
              csafDocuments(d.db, rows, {
                publisher: { name: config.platformOrg.shortName, namespace: config.publicUrl },
              }),
            onProgress: (p) => progress.update(p),
          });
          progress.stop();
          const why = Object.entries(s.skippedWhy).map(([k, n]) => `${n} ${k}`);
          err.write(
            `${format}: ${s.written} records written as ${s.entries} ${s.entries === 1 ? 'entry' : 'entries'} in ${o.out}` +
              `${s.skipped ? `; ${s.skipped} skipped (${why.join(', ')})` : ''} in ${s.seconds.toFixed(1)} s\n`,
          );
        });
      },
    );

  program
    .command('stats')
    .description('counts per week, severity, object type, kind, source and vendor')
    .option('--weeks <n>', 'weeks to list', '12')
    .option('--json', 'print JSON')
    .action(async (o: { weeks: string; json?: boolean }, cmd: Command) => {
      const weeks = Number(o.weeks);
      if (!Number.isInteger(weeks) || weeks < 1)
        throw new AppError('invalid_parameter', '--weeks must be a positive integer');
      await withDatabase(cmd, async (d) => {
        const s = await getStats(d.db, { weeks });
        if (o.json) return void print(JSON.stringify(s, null, 2));
        print(`total ${s.total}; exploited ${s.exploited}; zero-day ${s.zeroDay}`);
        print(
          `severity: ${Object.entries(s.bySeverity)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
        print(
          formatTable(
            ['week', 'start', 'total', 'high', 'medium', 'low', 'avg score'],
            s.byWeek.map((w) => [
              w.week,
              w.start,
              String(w.total),
              String(w.high),
              String(w.medium),
              String(w.low),
              w.averageScore?.toFixed(2) ?? '',
            ]),
          ),
        );
        print(
          formatTable(
            ['vendor', 'count', 'high'],
            s.topVendors.map((v) => [v.vendor, String(v.count), String(v.high)]),
          ),
        );
      });
    });

  program
    .command('worker')
    .description(
      'deliver queued notifications (e-mail, webhook, inbox) with retries, and send reminders / escalate overdue ones',
    )
    .option('--once', 'deliver what is due now and exit')
    .action(async (o: { once?: boolean }, cmd: Command) => {
      await withPlatform(cmd, async (p) => {
        if (o.once) {
          const total = await drainOutbox(p);
          print(`sent ${total.sent}, failed ${total.failed}`);
          return;
        }
        const w = startWorker(p, (s) => err.write(`${s}\n`));
        err.write('worker running; stop with Ctrl-C\n');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await w.stop();
      });
    });

  registerReportCommands(program);
  registerAccountCommands(program);
  registerSubmissionCommands(program);
  registerImportCommands(program);
  registerIncidentCommands(program);
  registerFeedCommands(program);
  registerWatchlistCommands(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const program = buildCli(out, err);
  try {
    await program.parseAsync(argv);
    return exitCodeSet(program);
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' ||
        ce.code === 'commander.version' ||
        ce.code === 'commander.help'
        ? 0
        : 2;
    }
    err.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeOf(e);
  }
}
