/** Account commands: `admin create` (the first admin, users) and `org add|verify|contact`. */
import type { Command } from 'commander';
import { configOf, streams, withPlatform } from '../cli/context.js';
import { AppError } from '../errors.js';
import { CLI, ROLES, type Role } from './model.js';

export function registerAccountCommands(program: Command): void {
  const admin = program.command('admin').description('accounts: the first admin, users');
  admin
    .command('create')
    .description(
      'create a user (default: an admin) — the password comes from VULNSHARE_PASSWORD or, with --password-stdin, standard input',
    )
    .requiredOption('--email <email>', 'sign-in e-mail address')
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'admin')
    .option('--password-stdin', 'read the password from standard input')
    .action(
      async (o: { email: string; name: string; role: string; passwordStdin?: boolean }, cmd: Command) => {
        if (!(ROLES as readonly string[]).includes(o.role))
          throw new AppError('invalid_parameter', `--role must be one of ${ROLES.join(', ')}`);
        const { print } = streams(cmd);
        let password = configOf(cmd).newUserPassword ?? '';
        if (o.passwordStdin) {
          const chunks: Buffer[] = [];
          for await (const c of process.stdin) chunks.push(c as Buffer);
          password = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/\r?\n$/, '');
        }
        if (!password)
          throw new AppError(
            'invalid_parameter',
            'no password: set VULNSHARE_PASSWORD or pass --password-stdin',
          );
        await withPlatform(cmd, async (p) => {
          const u = await p.accounts.createUser(CLI, {
            email: o.email,
            displayName: o.name,
            password,
            role: o.role as Role,
          });
          print(`created ${u.role} ${u.email} (id ${u.id})`);
        });
      },
    );

  const org = program.command('org').description('organisations and their contacts');
  org
    .command('add')
    .description('add an organisation')
    .requiredOption(
      '--kind <kind>',
      'coordinator, reporting_unit, individual, vendor, member_unit, regional_branch, authority',
    )
    .requiredOption('--name <name>', 'name')
    .option('--name-en <name>', 'English name')
    .option('--sector <sector>', 'member units: banking, insurance, energy, telecom, education…')
    .option('--alliance-cert <no>', 'alliance certificate number, e.g. CCTGA-000093')
    .action(
      async (
        o: { kind: string; name: string; nameEn?: string; sector?: string; allianceCert?: string },
        cmd: Command,
      ) => {
        const { print } = streams(cmd);
        await withPlatform(cmd, async (p) => {
          const r = await p.accounts.createOrganisation(CLI, {
            kind: o.kind as never,
            name: o.name,
            ...(o.nameEn ? { nameEn: o.nameEn } : {}),
            ...(o.sector ? { sector: o.sector } : {}),
            ...(o.allianceCert ? { allianceCert: o.allianceCert } : {}),
          });
          print(`organisation ${r.id}: ${r.name} (${r.kind})`);
        });
      },
    );
  org
    .command('verify <organisationId>')
    .description('give an organisation standing to receive embargoed notifications (or --withdraw it)')
    .option('--withdraw', 'withdraw its standing')
    .action(async (id: string, o: { withdraw?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      const n = Number(id);
      if (!Number.isInteger(n) || n < 1)
        throw new AppError('invalid_parameter', 'organisationId must be a positive integer');
      await withPlatform(cmd, async (p) => {
        const r = await p.accounts.setOrganisationVerified(CLI, n, !o.withdraw);
        print(
          `organisation ${r.id}: ${r.name} (${r.kind}) ${o.withdraw ? 'standing withdrawn' : 'verified'}`,
        );
      });
    });
  org
    .command('contact <organisationId>')
    .description('add a contact with its channels; a webhook secret is printed once')
    .requiredOption('--name <name>', 'name')
    .option('--email <address>', 'e-mail address')
    .option('--webhook <url>', 'webhook URL')
    .option('--no-portal', 'no in-portal inbox')
    .option('--public-channel', 'reached through a public channel, not an established mechanism')
    .option('--robot <kind>', 'a chat robot channel: dingtalk, wecom or feishu (with --robot-url)')
    .option('--robot-url <url>', "the robot's webhook URL")
    .option('--robot-secret <secret>', "the robot's signing secret (DingTalk SEC…, Feishu)")
    .action(
      async (
        id: string,
        o: {
          name: string;
          email?: string;
          webhook?: string;
          portal: boolean;
          publicChannel?: boolean;
          robot?: string;
          robotUrl?: string;
          robotSecret?: string;
        },
        cmd: Command,
      ) => {
        const { print } = streams(cmd);
        await withPlatform(cmd, async (p) => {
          const r = await p.accounts.addContact(CLI, Number(id), {
            name: o.name,
            ...(o.email ? { email: o.email } : {}),
            ...(o.webhook ? { webhookUrl: o.webhook } : {}),
            portal: o.portal,
            mechanism: o.publicChannel ? 'public' : 'established',
            ...(o.robot
              ? {
                  robot: {
                    kind: o.robot,
                    url: o.robotUrl ?? '',
                    ...(o.robotSecret ? { secret: o.robotSecret } : {}),
                  },
                }
              : {}),
          });
          print(
            `contact ${r.contact.id} added${r.webhookSecret ? `; webhook secret (shown once): ${r.webhookSecret}` : ''}`,
          );
        });
      },
    );
}
