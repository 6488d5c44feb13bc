/** `vulnshare advisory …`: platform advisories from the command line, over the same service the API uses. */
import { Command, InvalidArgumentError } from 'commander';
import { CLI } from '../accounts/model.js';
import { collect, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { csafBytes } from '../csaf/names.js';
import type { CsafLang } from '../csaf/write.js';
import { ADVISORY_STATUSES, type Advisory, type AdvisoryStatus } from './model.js';

const lang = (v: string): CsafLang => {
  if (v !== 'zh' && v !== 'en') throw new InvalidArgumentError('--lang must be zh or en');
  return v;
};
const status = (v: string): AdvisoryStatus => {
  if (!(ADVISORY_STATUSES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`--status must be one of ${ADVISORY_STATUSES.join(', ')}`);
  return v as AdvisoryStatus;
};

const line = (a: Advisory) =>
  `advisory ${a.id}${a.publicId ? ` ${a.publicId}` : ''} (${a.status}${
    a.revisions.length ? `, revision ${a.revisions.length}` : ''
  }${a.pendingChanges ? ', changed since' : ''}, TLP:${a.tlp}): ${a.titleZh ?? a.titleEn ?? ''}, ${
    a.vulnerabilityIds.length
  } record(s)`;

export function registerAdvisoryCommands(program: Command): void {
  const print = (cmd: Command, s: string) => {
    const text = s.endsWith('\n') ? s : `${s}\n`;
    const out = cmd.configureOutput();
    if (out.writeOut) out.writeOut(text);
    else process.stdout.write(text);
  };
  const advisory = program
    .command('advisory')
    .description('platform advisories: several published records in one CSAF 2.0 document');

  advisory
    .command('create')
    .description('create a draft advisory')
    .option('--title-zh <text>', 'Chinese title')
    .option('--title-en <text>', 'English title')
    .option('--summary-zh <text>', 'Chinese summary')
    .option('--summary-en <text>', 'English summary')
    .option('--tlp <label>', 'WHITE (default), GREEN, AMBER or RED')
    .option('--record <id>', 'a record by any of its ids (repeatable)', collect)
    .action(
      async (
        o: {
          titleZh?: string;
          titleEn?: string;
          summaryZh?: string;
          summaryEn?: string;
          tlp?: string;
          record?: string[];
        },
        cmd: Command,
      ) => {
        await withPlatform(cmd, async ({ advisories }) => {
          const { record, ...text } = o;
          print(cmd, line(await advisories.create(CLI, { ...text, vulnerabilityIds: record ?? [] })));
        });
      },
    );

  advisory
    .command('add')
    .description('add records to an advisory')
    .argument('<advisory>', 'its number or VS-SA-… id')
    .argument('<ids...>', 'records by any of their ids')
    .action(async (ref: string, ids: string[], _o: unknown, cmd: Command) => {
      await withPlatform(cmd, async ({ advisories }) => {
        print(cmd, line(await advisories.addRecords(CLI, ref, ids)));
      });
    });

  advisory
    .command('publish')
    .description('publish an advisory (the first time: its VS-SA id), or its next revision')
    .argument('<advisory>', 'its number or VS-SA-… id')
    .option('--summary <text>', 'what changed (for a revision)')
    .action(async (ref: string, o: { summary?: string }, cmd: Command) => {
      await withPlatform(cmd, async ({ advisories }) => {
        print(cmd, line(await advisories.publish(CLI, ref, o.summary ? { summary: o.summary } : {})));
      });
    });

  advisory
    .command('show')
    .description('an advisory with its records and revisions, or (--csaf) its CSAF 2.0 document')
    .argument('<advisory>', 'its number or VS-SA-… id')
    .option('--csaf', 'print the CSAF document of what was last published')
    .option('--lang <lang>', 'zh or en (the CSAF document)', lang)
    .action(async (ref: string, o: { csaf?: boolean; lang?: CsafLang }, cmd: Command) => {
      await withPlatform(cmd, async ({ advisories }) => {
        if (o.csaf) {
          print(cmd, csafBytes(await advisories.csaf(CLI, ref, o.lang)).toString('utf8'));
          return;
        }
        const a = await advisories.get(CLI, ref);
        const revisions = a.revisions.map(
          (r) => `  revision ${r.number} ${r.at} ${r.actor}: ${r.summary ?? ''}`,
        );
        print(cmd, [line(a), ...a.vulnerabilityIds.map((id) => `  record ${id}`), ...revisions].join('\n'));
      });
    });

  advisory
    .command('list')
    .description('advisories, newest first')
    .option('--status <status>', ADVISORY_STATUSES.join(' or '), status)
    .action(async (o: { status?: AdvisoryStatus }, cmd: Command) => {
      await withPlatform(cmd, async ({ advisories }) => {
        const list = await advisories.list(CLI, { ...(o.status ? { status: o.status } : {}), limit: 500 });
        print(
          cmd,
          list.length
            ? formatTable(
                ['id', 'public id', 'status', 'tlp', 'records', 'title'],
                list.map((a) => [
                  String(a.id),
                  a.publicId ?? '',
                  a.status,
                  a.tlp,
                  String(a.vulnerabilityIds.length),
                  a.titleZh ?? a.titleEn ?? '',
                ]),
              )
            : 'no advisories',
        );
      });
    });
}
