/** `vulnshare import <format> <paths...>`: the import pipeline over files and folders; exit 1 when a record was rejected. */
import { InvalidArgumentError, type Command } from 'commander';
import { setExitCode, streams, withDatabase } from '../cli/context.js';
import { progressReporter } from '../cli/output.js';
import { AppError } from '../errors.js';
import { IMPORT_FORMATS } from './formats.js';
import { importPlan, parseForImport } from './parallel.js';
import { importItems, type ImportCounts } from './pipeline.js';

export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description(
      `import records: ${Object.entries(IMPORT_FORMATS)
        .map(([k, f]) => `${k} (${f.description})`)
        .join('; ')}`,
    )
    .argument('<format>', `one of ${Object.keys(IMPORT_FORMATS).join(', ')}`)
    .argument('<paths...>', 'files or folders')
    .option('--json', 'print the summary as JSON')
    .option('--batch <n>', 'records per transaction', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
      return n;
    })
    .action(async (format: string, paths: string[], o: { json?: boolean; batch?: number }, cmd: Command) => {
      const { print, err } = streams(cmd);
      const fmt = IMPORT_FORMATS[format];
      if (!fmt)
        throw new AppError(
          'invalid_parameter',
          `unknown format "${format}"; use one of ${Object.keys(IMPORT_FORMATS).join(', ')}`,
        );
      await withDatabase(cmd, async (d, config) => {
        const progress = progressReporter(err, !o.json);
        // files are parsed and prepared in worker threads while this thread writes (./parallel.ts); an input of
        // at most one batch goes in smaller batches, so one is parsed while the one before is written
        const plan =
          o.batch === undefined
            ? await importPlan(format, paths, {
                batchSize: config.importBatchSize,
                workers: config.importWorkers,
                databaseInThisThread: d.kind === 'pglite' && d.via === 'owner',
              })
            : { batchSize: o.batch, workers: config.importWorkers };
        const batchSize = plan.batchSize;
        const items = parseForImport(format, paths, {
          workers: plan.workers,
          cveSchemaFile: config.cveSchemaFile,
          batchSize,
        });
        const summary = await importItems(d, items, {
          format,
          paths,
          batchSize,
          onProgress: (c: ImportCounts) => progress.update(c),
        });
        progress.stop();
        if (o.json) print(JSON.stringify(summary, null, 2));
        else {
          for (const i of summary.issues.slice(0, 200))
            err.write(
              `error: ${i.file}${i.record ? ` record ${i.record}` : ''}${i.field ? ` field ${i.field}` : ''}: ${i.message}\n`,
            );
          if (summary.issues.length > 200)
            err.write(`… and ${summary.issues.length - 200} more errors (use --json for all)\n`);
          for (const w of summary.warnings.slice(0, 50))
            err.write(
              `warning: ${w.file}${w.record ? ` record ${w.record}` : ''}${w.field ? ` field ${w.field}` : ''}: ${w.message}\n`,
            );
          print(
            `${format}: ${summary.read} read, ${summary.imported} imported, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected} rejected` +
              ` (${summary.vulnerabilitiesCreated} vulnerabilities created, ${summary.vulnerabilitiesChanged} changed) in ${(summary.durationMs / 1000).toFixed(1)} s`,
          );
        }
        if (summary.rejected > 0) setExitCode(cmd, 1);
      });
    });
}
