/** `vulnshare export`: a search or every record as CSV, CVE JSON 5, OSV, CNVD share XML or CSAF 2.0. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { collect, streams, withDatabase } from '../cli/context.js';
import { exportProgressReporter } from '../cli/output.js';
import { AppError } from '../errors.js';
import { exportCsv } from '../search/export-csv.js';
import { parseSearchParams } from '../search/query.js';
import { BULK_FORMATS, directorySink, exportBulk, exportVulnerabilities, parseBulkFormat } from './bulk.js';
import { cnvdXmlFile } from './cnvd-xml.js';
import { platformWriters } from './writers.js';
import { zipSink } from './zip-sink.js';

export function registerExportCommands(program: Command): void {
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
        const { out, err } = streams(cmd);
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
            ...platformWriters(d.db, config),
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
}
