/** `vulnshare alliance …`: import the member list, the directory, status changes, an early warning to members. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { RECIPIENT_CATEGORIES, type RecipientCategory } from '../coordination/rules.js';
import { AppError } from '../errors.js';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './model.js';

const isStatus = (s: string): s is MembershipStatus => (MEMBERSHIP_STATUSES as readonly string[]).includes(s);
const isCategory = (s: string): s is RecipientCategory =>
  (RECIPIENT_CATEGORIES as readonly string[]).includes(s);

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('invalid_input', `${file}: ${(e as Error).message}`, { file });
  }
}

export function registerAllianceCommands(program: Command): void {
  const print = (cmd: Command, s: string) => streams(cmd).print(s);
  const alliance = program
    .command('alliance')
    .description('the alliance registry (网络安全威胁治理联盟, CCTGA): members, certificates, status');

  alliance
    .command('import <file>')
    .description(
      'import a member list ("<单位名称> CCTGA-000093" a line; headers and （续表） skipped); idempotent',
    )
    .option('--joined <date>', 'the date the listed members joined (YYYY-MM-DD; default today)')
    .action(async (file: string, o: { joined?: string }, cmd: Command) => {
      const text = readText(file);
      await withPlatform(cmd, async ({ alliance: a }) => {
        const r = await a.importMembers(CLI, text, {
          source: basename(file),
          ...(o.joined ? { joinedOn: o.joined } : {}),
        });
        print(
          cmd,
          `${r.total} members: ${r.created} new organisations, ${r.linked} existing organisations joined, ${r.unchanged} unchanged`,
        );
      });
    });

  alliance
    .command('list')
    .description('the member directory')
    .option('--q <text>', 'name or certificate number')
    .option('--status <status>', MEMBERSHIP_STATUSES.join(', '))
    .option('--json', 'print JSON')
    .action(async (o: { q?: string; status?: string; json?: boolean }, cmd: Command) => {
      if (o.status !== undefined && !isStatus(o.status))
        throw new AppError('invalid_parameter', `--status must be one of ${MEMBERSHIP_STATUSES.join(', ')}`);
      const status = o.status;
      await withPlatform(cmd, async ({ alliance: a }) => {
        const r = await a.directory({
          ...(o.q ? { q: o.q } : {}),
          ...(status ? { status } : {}),
          limit: 500,
        });
        if (o.json) return void print(cmd, JSON.stringify(r.members, null, 2));
        print(
          cmd,
          formatTable(
            ['certificate', 'status', 'joined', 'renewal', 'name'],
            r.members.map((m) => [m.certificate, m.status, m.joinedOn, m.renewalOn ?? '', m.name]),
          ),
        );
      });
    });

  alliance
    .command('set <certificate>')
    .description('change a membership: --status active|suspended|expired, --renewal <date>')
    .option('--status <status>', MEMBERSHIP_STATUSES.join(', '))
    .option('--renewal <date>', 'renewal date (YYYY-MM-DD)')
    .option('--note <text>', 'why (kept in the audit log)')
    .action(
      async (certificate: string, o: { status?: string; renewal?: string; note?: string }, cmd: Command) => {
        if (o.status !== undefined && !isStatus(o.status))
          throw new AppError(
            'invalid_parameter',
            `--status must be one of ${MEMBERSHIP_STATUSES.join(', ')}`,
          );
        const status = o.status;
        await withPlatform(cmd, async ({ alliance: a }) => {
          const m = await a.update(CLI, certificate, {
            ...(status ? { status } : {}),
            ...(o.renewal ? { renewalOn: o.renewal } : {}),
            ...(o.note ? { note: o.note } : {}),
          });
          print(cmd, `${m.certificate} ${m.name}: ${m.status}, renewal ${m.renewalOn ?? '—'}`);
        });
      },
    );

  alliance
    .command('renew <certificate>')
    .description('renew a membership until a date: an expired one is active again (a suspension stays)')
    .requiredOption('--until <date>', 'the new renewal date, valid until (YYYY-MM-DD)')
    .option('--note <text>', 'kept in the audit log')
    .action(async (certificate: string, o: { until: string; note?: string }, cmd: Command) => {
      await withPlatform(cmd, async ({ alliance: a }) => {
        const m = await a.renew(CLI, certificate, o.until, o.note);
        print(cmd, `${m.certificate} ${m.name}: ${m.status}, valid until ${m.renewalOn ?? '—'}`);
      });
    });

  alliance
    .command('notify <trackingNo>')
    .description('an early warning: notify a verified report to every active member that may receive')
    .option('--category <category>', RECIPIENT_CATEGORIES.join(', '), 'critical_sector')
    .action(async (trackingNo: string, o: { category: string }, cmd: Command) => {
      if (!isCategory(o.category))
        throw new AppError(
          'invalid_parameter',
          `--category must be one of ${RECIPIENT_CATEGORIES.join(', ')}`,
        );
      const category = o.category;
      await withPlatform(cmd, async ({ alliance: a }) => {
        const r = await a.notifyMembers(CLI, trackingNo, category);
        print(cmd, `${trackingNo}: ${r.notified} members notified`);
        for (const s of r.skipped) print(cmd, `  left out: ${s.reason}`);
      });
    });
}
