/** `vulnshare incident …`: thin commands over the incident service, run as the local operator (CLI). */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { collect, streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { RECIPIENT_CATEGORIES } from '../coordination/rules.js';
import { AppError, isAppError } from '../errors.js';
import { PERIODS, type IncidentView } from './service.js';
import { ATTACK_PHASES, STATUSES, TLP_LEVELS } from './tables.js';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('invalid_input', `${file}: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError('invalid_input', `${file}: not JSON (${(e as Error).message})`, { file });
  }
}

/** A refusal of the file's content names the file and every field with a problem. */
async function fromFile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!isAppError(e) || e.code !== 'invalid_input') throw e;
    const problems = (e.details?.problems ?? []) as Array<{ field: string; message: string }>;
    const lines = problems.map((p) => `  ${p.field || '(the whole file)'}: ${p.message}`);
    throw new AppError(
      'invalid_input',
      lines.length
        ? `${file}: ${e.message.replace(/:.*$/s, '')}:\n${lines.join('\n')}`
        : `${file}: ${e.message}`,
      { ...e.details, file },
    );
  }
}

function describeIncident(i: IncidentView): string {
  const lines = [
    `${i.id}  ${i.title}`,
    `status ${STATUSES[i.status].en} · ${TLP_LEVELS[i.tlp].en} · vector ${i.vector} · discovered ${i.discoveredAt}`,
    `victims: ${i.victims.map((v) => `${v.name} (${v.sector}${v.organisationId ? `, org ${v.organisationId}` : ''})`).join('; ')}`,
    '',
    i.summary,
    '',
    'attack chain:',
    ...i.attackChain.map(
      (s) =>
        `  ${s.order}. ${ATTACK_PHASES[s.phase].en}: ${s.description}${
          [...s.techniqueIds, ...s.vulnerabilityIds].length
            ? ` [${[...s.techniqueIds, ...s.vulnerabilityIds].join(', ')}]`
            : ''
        }`,
    ),
    'indicators:',
    ...i.indicators.map((x) => `  ${x.type} ${x.value}${x.description ? ` (${x.description})` : ''}`),
  ];
  if (i.attribution) lines.push(`attribution: ${i.attribution.actor} (${i.attribution.confidence})`);
  if (i.caseTrackingNo) lines.push(`disposal case: ${i.caseTrackingNo}`);
  lines.push(
    'history:',
    ...i.history.map((h) => `  ${h.at} ${h.actor}: ${h.change}${h.note ? ` — ${h.note}` : ''}`),
  );
  return lines.join('\n');
}

export function registerIncidentCommands(program: Command): void {
  const print = (cmd: Command, s: string) => streams(cmd).print(s);
  const warn = (cmd: Command, s: string) => streams(cmd).warn(s);

  const incident = program
    .command('incident')
    .description('security incidents (安全事件): record, search, status, STIX, figures, disposal');

  incident
    .command('add')
    .description('record an incident from a JSON file (the API body: title, summary, victims, attackChain…)')
    .requiredOption('--file <file>', 'incident JSON')
    .action(async (o: { file: string }, cmd: Command) => {
      const input = readJson(o.file);
      await withPlatform(cmd, async ({ incidents }) => {
        const i = await fromFile(o.file, () => incidents.create(CLI, input));
        print(cmd, `${i.id}: recorded (${i.status}, ${TLP_LEVELS[i.tlp].en})`);
      });
    });

  incident
    .command('list')
    .description('incidents, newest discovery first')
    .option('--q <text>', 'search titles, summaries, victims, indicators, technique and vulnerability ids')
    .option('--status <status>', Object.keys(STATUSES).join(', '))
    .option('--sector <sector>', 'victim sector')
    .option('--vector <vector>', 'initial vector')
    .option('--tlp <tlp>', Object.keys(TLP_LEVELS).join(', '))
    .option('--from <date>', 'discovered on or after (YYYY-MM-DD)')
    .option('--to <date>', 'discovered on or before (YYYY-MM-DD)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          q?: string;
          status?: string;
          sector?: string;
          vector?: string;
          tlp?: string;
          from?: string;
          to?: string;
          limit: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit)) throw new AppError('invalid_parameter', '--limit must be an integer');
        await withPlatform(cmd, async ({ incidents }) => {
          const { json, limit: _l, ...filters } = o;
          void _l;
          const r = await incidents.list(CLI, { ...filters, limit });
          if (json) return void print(cmd, JSON.stringify(r, null, 2));
          print(
            cmd,
            formatTable(
              ['id', 'discovered', 'status', 'tlp', 'sectors', 'title'],
              r.items.map((i) => [
                i.id,
                i.discoveredAt.slice(0, 10),
                i.status,
                i.tlp,
                i.sectors.join(','),
                i.title,
              ]),
            ),
          );
          if (r.nextCursor) print(cmd, `(more: narrow the search or raise --limit)`);
        });
      },
    );

  incident
    .command('show <id>')
    .description('one incident with its history')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      await withPlatform(cmd, async ({ incidents }) => {
        const i = await incidents.get(CLI, id);
        print(cmd, o.json ? JSON.stringify(i, null, 2) : describeIncident(i));
      });
    });

  incident
    .command('edit <id>')
    .description(
      'replace an incident’s editable fields from a JSON file (its status moves only along the table)',
    )
    .requiredOption('--file <file>', 'incident JSON')
    .action(async (id: string, o: { file: string }, cmd: Command) => {
      const input = readJson(o.file);
      await withPlatform(cmd, async ({ incidents }) => {
        const i = await fromFile(o.file, () => incidents.update(CLI, id, input));
        print(cmd, `${i.id}: saved (${i.status})`);
      });
    });

  incident
    .command('status <id> <to>')
    .description(`move an incident to another status (${Object.keys(STATUSES).join(', ')})`)
    .option('--note <text>', 'why')
    .action(async (id: string, to: string, o: { note?: string }, cmd: Command) => {
      await withPlatform(cmd, async ({ incidents }) => {
        const i = await incidents.transition(CLI, id, to, o.note);
        print(cmd, `${i.id}: ${i.status}`);
      });
    });

  incident
    .command('export <id>')
    .description('the incident as a STIX 2.1 bundle (standard output, or --out)')
    .option('--out <file>', 'write to this file')
    .action(async (id: string, o: { out?: string }, cmd: Command) => {
      await withPlatform(cmd, async ({ incidents }) => {
        const json = JSON.stringify(await incidents.exportStix(CLI, id), null, 2);
        if (!o.out) return void print(cmd, json);
        await writeFile(o.out, `${json}\n`);
        print(cmd, `${id}: written to ${o.out}`);
      });
    });

  incident
    .command('import <file>')
    .description(
      'import a STIX 2.1 bundle: a new incident, or the one its STIX id names (updated or unchanged)',
    )
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const bundle = readJson(file);
      await withPlatform(cmd, async ({ incidents }) => {
        const r = await fromFile(file, () => incidents.importStix(CLI, bundle));
        for (const w of r.warnings) warn(cmd, `warning: ${file}: ${w}`);
        const what =
          r.outcome === 'created'
            ? 'imported'
            : r.outcome === 'updated'
              ? 'updated (known by its STIX id)'
              : 'unchanged (already imported)';
        print(cmd, `${r.incident.id}: ${what} from ${file} (${r.warnings.length} warning(s))`);
      });
    });

  incident
    .command('figures')
    .description('incidents by discovery date in a week, month or year: by sector, vector, status, TLP')
    .requiredOption('--period <period>', PERIODS.join(', '))
    .requiredOption('--at <id>', 'week 2026-W47, month 2026-11 or year 2026')
    .option('--json', 'print JSON')
    .action(async (o: { period: string; at: string; json?: boolean }, cmd: Command) => {
      await withPlatform(cmd, async ({ incidents }) => {
        const f = await incidents.figures(CLI, { period: o.period, at: o.at });
        if (o.json) return void print(cmd, JSON.stringify(f, null, 2));
        const rows = (name: string, counts: Record<string, number>) =>
          Object.entries(counts)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => [name, k, String(n)]);
        print(
          cmd,
          `${f.id} (${f.from} – ${f.to}): ${f.total} discovered, ${f.opened} opened, ${f.closed} closed\n${formatTable(
            ['by', 'value', 'incidents'],
            [
              ...rows('sector', f.bySector),
              ...rows('vector', f.byVector),
              ...rows('status', f.byStatus),
              ...rows('tlp', f.byTlp),
              ...(f.byMonth ?? []).map((n, m) => ['month', String(m + 1).padStart(2, '0'), String(n)]),
            ],
          )}`,
        );
      });
    });

  incident
    .command('notify <id>')
    .description(
      'hand the incident to disposal (an event-type case, opened once) and notify organisations; the case’s reporter is the first admin account',
    )
    .option(
      '--org <id[:category]>',
      `organisation id, with its category (${RECIPIENT_CATEGORIES.join(', ')}; default affected_org); repeatable`,
      collect,
    )
    .action(async (id: string, o: { org?: string[] }, cmd: Command) => {
      if (!o.org?.length) throw new AppError('invalid_parameter', 'name at least one --org ORGID[:category]');
      const recipients = o.org.map((spec) => {
        const [org = '', category = 'affected_org'] = spec.split(':');
        const organisationId = Number(org);
        if (!Number.isSafeInteger(organisationId) || organisationId <= 0)
          throw new AppError(
            'invalid_parameter',
            `--org ${spec}: the organisation id must be a positive integer`,
          );
        return { organisationId, category };
      });
      await withPlatform(cmd, async ({ incidents }) => {
        const r = await incidents.notify(CLI, id, recipients);
        print(
          cmd,
          `${id}: case ${r.trackingNo}; ${r.notifications.length} notification(s), deadline ${
            r.notifications.map((n) => n.deadline.slice(0, 10)).sort()[0] ?? '-'
          }`,
        );
      });
    });
}
