/**
 * Bulletin commands: `report weekly` (render, or publish and render), `report edit`, `report list`; the monthly
 * and annual reports: `report monthly 2023-12`, `report annual 2023` (same options as weekly).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { AppError, isAppError } from '../errors.js';
import { FORMATS, parseFormat, parseLang } from './service.js';
import type { PeriodKind } from './period.js';

export function registerReportCommands(program: Command): void {
  const report = program
    .command('report')
    .description('the weekly bulletin (信息安全漏洞周报), the monthly and annual reports (月报 / 年报)');
  report
    .command('weekly')
    .description(
      'build a week’s bulletin from the store: a live draft, or the frozen one once published (--publish freezes it)',
    )
    .option('--week <week>', 'ISO week, e.g. 2023-W49 (default: the latest week holding records)')
    .option('--lang <lang>', 'zh or en', 'zh')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'html')
    .option('-o, --output <file>', 'write to a file instead of standard output (required for pdf)')
    .option('--publish', 'publish the week first: its figures are frozen from then on')
    .action(
      async (
        o: { week?: string; lang: string; format: string; output?: string; publish?: boolean },
        cmd: Command,
      ) => {
        const { out, err } = streams(cmd);
        const lang = parseLang(o.lang);
        const format = parseFormat(o.format);
        if (format === 'pdf' && !o.output)
          throw new AppError(
            'invalid_parameter',
            '--format pdf needs -o FILE (PDF is not written to a terminal)',
          );
        await withPlatform(cmd, async ({ bulletins }) => {
          {
            const week = o.week ?? (await bulletins.latestWeek())?.id;
            if (!week) throw new AppError('not_found', 'The store holds no records yet; import some first');
            if (o.publish) {
              const p = await bulletins.publish(CLI, week);
              err.write(`published ${p.data.id} at ${p.publishedAt ?? ''}\n`);
            }
            const r = await bulletins.render(week, lang, format);
            if (o.output) {
              await writeFile(o.output, r.body);
              err.write(`wrote ${o.output} (${r.contentType.split(';')[0] ?? ''}, ${r.body.length} bytes)\n`);
            } else out.write(r.body);
          }
        });
      },
    );
  for (const [name, kind, example] of [
    ['monthly', 'month', '2023-12'],
    ['annual', 'year', '2023'],
  ] as const satisfies ReadonlyArray<readonly [string, PeriodKind, string]>)
    report
      .command(`${name} <${kind}>`)
      .description(
        `build the ${name} report of a ${kind} (e.g. ${example}) from the store: a live draft, or the frozen one once published`,
      )
      .option('--lang <lang>', 'zh or en', 'zh')
      .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'html')
      .option('-o, --output <file>', 'write to a file instead of standard output (required for pdf)')
      .option('--publish', `publish the ${kind} first (once it is over): its figures are frozen from then on`)
      .action(
        async (
          id: string,
          o: { lang: string; format: string; output?: string; publish?: boolean },
          cmd: Command,
        ) => {
          const { out, err } = streams(cmd);
          const lang = parseLang(o.lang);
          const format = parseFormat(o.format);
          if (format === 'pdf' && !o.output)
            throw new AppError(
              'invalid_parameter',
              '--format pdf needs -o FILE (PDF is not written to a terminal)',
            );
          await withPlatform(cmd, async ({ reports }) => {
            if (o.publish) {
              const p = await reports.publish(CLI, kind, id);
              err.write(`published ${p.data.id} at ${p.publishedAt ?? ''}\n`);
            }
            const r = await reports.render(kind, id, lang, format);
            if (o.output) {
              await writeFile(o.output, r.body);
              err.write(`wrote ${o.output} (${r.contentType.split(';')[0] ?? ''}, ${r.body.length} bytes)\n`);
            } else out.write(r.body);
          });
        },
      );
  report
    .command('edit')
    .description(
      'set what an analyst enters for a week from a JSON file: news, verifications, pinnedAlerts, droppedAlerts',
    )
    .requiredOption('--week <week>', 'ISO week, e.g. 2023-W49')
    .requiredOption('--file <file>', 'JSON file with the editorial content')
    .action(async (o: { week: string; file: string }, cmd: Command) => {
      const { print } = streams(cmd);
      let input: unknown;
      try {
        input = JSON.parse(readFileSync(o.file, 'utf8'));
      } catch (e) {
        throw new AppError('invalid_input', `${o.file}: ${(e as Error).message}`, { file: o.file });
      }
      await withPlatform(cmd, async ({ bulletins }) => {
        try {
          const r = await bulletins.setEditorial(CLI, o.week, input);
          print(
            `${r.data.id}: editorial content saved (${r.editorial.news.length} news, ${r.editorial.verifications.length} verifications)`,
          );
        } catch (e) {
          if (isAppError(e) && e.code === 'invalid_input')
            throw new AppError('invalid_input', `${o.file}: ${e.message}`, e.details);
          throw e;
        }
      });
    });
  report
    .command('list')
    .description('published bulletins, newest first')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async ({ bulletins }) => {
        {
          const items = await bulletins.list();
          if (o.json) return void print(JSON.stringify(items, null, 2));
          print(
            formatTable(
              ['week', 'from', 'to', 'total', 'high', 'published'],
              items.map((i) => [i.id, i.start, i.end, String(i.total), String(i.high), i.publishedAt]),
            ),
          );
        }
      });
    });
}
