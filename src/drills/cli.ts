/** `vulnshare drill …`: create an exercise from a JSON file, start, end, deliver due injects, the timeline, the report. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { AppError } from '../errors.js';
import { LANGS, type Lang } from '../reports/text.js';
import type { DrillInput } from './model.js';
import { REPORT_FORMATS, type ReportFormat } from './service.js';

function drillId(s: string): number {
  const id = Number(s);
  if (!Number.isInteger(id) || id < 1) throw new AppError('invalid_parameter', `not an exercise id: ${s}`);
  return id;
}

function readDrill(file: string): DrillInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('invalid_input', `${file}: ${(e as Error).message}`, { file });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new AppError('invalid_input', `${file}: not JSON (${(e as Error).message})`, { file });
  }
  const o = v as Partial<DrillInput> | null;
  if (
    !o ||
    typeof o.title !== 'string' ||
    typeof o.scenario !== 'object' ||
    !Array.isArray(o.participantIds) ||
    !Array.isArray(o.injects)
  )
    throw new AppError(
      'invalid_input',
      `${file}: an exercise is { title, scenario: { zh, en }, participantIds: [...], injects: [{ dueAt, channels, subject, body, artefacts?, expected: [{ key, description, withinMinutes }] }] }`,
      { file },
    );
  return {
    title: o.title,
    scenario: { zh: o.scenario.zh ?? '', en: o.scenario.en ?? '' },
    participantIds: o.participantIds,
    injects: o.injects.map((i) => ({ ...i, artefacts: i.artefacts ?? '', expected: i.expected ?? [] })),
  };
}

export function registerDrillCommands(program: Command): void {
  const print = (cmd: Command, s: string) => streams(cmd).print(s);
  const drill = program
    .command('drill')
    .description('exercises (应急演练): scenario, injects, responses, after-action report');

  drill
    .command('create')
    .description('create a draft exercise from a JSON file')
    .requiredOption('--file <json>', 'the exercise: title, scenario, participantIds, injects')
    .action(async (o: { file: string }, cmd: Command) => {
      const input = readDrill(o.file);
      await withPlatform(cmd, async ({ drills }) => {
        const d = await drills.create(CLI, input);
        print(
          cmd,
          `exercise ${d.id} (draft): ${d.participants.length} participants, ${d.injects.length} injects`,
        );
      });
    });

  for (const [name, desc] of [
    ['start', 'start a draft exercise: its injects go out at their times'],
    ['end', 'end a running exercise'],
  ] as const)
    drill
      .command(`${name} <id>`)
      .description(desc)
      .action(async (id: string, _o: unknown, cmd: Command) => {
        await withPlatform(cmd, async ({ drills }) => {
          const d = await (name === 'start' ? drills.start(CLI, drillId(id)) : drills.end(CLI, drillId(id)));
          print(cmd, `exercise ${d.id}: ${d.state}`);
        });
      });

  drill
    .command('list')
    .description('exercises, newest first')
    .action(async (_o: unknown, cmd: Command) => {
      await withPlatform(cmd, async ({ drills }) => {
        const items = await drills.list(CLI);
        print(
          cmd,
          formatTable(
            ['id', 'state', 'participants', 'injects', 'title'],
            items.map((d) => [
              String(d.id),
              d.state,
              String(d.participants.length),
              String(d.injects.length),
              d.title,
            ]),
          ),
        );
      });
    });

  drill
    .command('deliver')
    .description('send the injects that are due now (what the worker does each sweep)')
    .action(async (_o: unknown, cmd: Command) => {
      await withPlatform(cmd, async ({ drills }) => {
        const r = await drills.deliverDue();
        print(cmd, `${r.injects} inject(s) due, ${r.messages} message(s) queued`);
      });
    });

  drill
    .command('report <id>')
    .description('the after-action report')
    .option('--format <format>', REPORT_FORMATS.join(', '), 'json')
    .option('--lang <lang>', LANGS.join(', '), 'zh')
    .option('--out <file>', 'write to a file instead of standard output (required for pdf)')
    .action(async (id: string, o: { format: string; lang: string; out?: string }, cmd: Command) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(o.format))
        throw new AppError('invalid_parameter', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
      if (!(LANGS as readonly string[]).includes(o.lang))
        throw new AppError('invalid_parameter', `--lang must be one of ${LANGS.join(', ')}`);
      if (o.format === 'pdf' && !o.out)
        throw new AppError('invalid_parameter', '--out <file> is required for pdf');
      await withPlatform(cmd, async ({ drills }) => {
        const r = await drills.report(CLI, drillId(id), o.lang as Lang, o.format as ReportFormat);
        if (o.out) {
          writeFileSync(o.out, r.body);
          print(cmd, `wrote ${o.out}`);
        } else streams(cmd).out.write(r.body);
      });
    });
}
