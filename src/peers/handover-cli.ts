/**
 * Case hand-over commands under `vulnshare peer`: `peer hand-over <trackingNo> --name <peer>` (hand a case to a
 * peer for coordination, or send it again with what it holds now) and `peer case-policy <name> [--messages …]
 * [--reporter-contact yes|no]` (what of a case that peer may have). They run as the operator (CLI principal).
 */
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { AppError } from '../errors.js';
import { CASE_MESSAGE_LEVELS, type CaseMessageLevel } from './handover-model.js';

function yesNo(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  throw new AppError('invalid_parameter', '--reporter-contact: yes or no', { parameter: 'reporter-contact' });
}

function level(v: string | undefined): CaseMessageLevel | undefined {
  if (v === undefined) return undefined;
  if (!(CASE_MESSAGE_LEVELS as readonly string[]).includes(v))
    throw new AppError('invalid_parameter', `--messages: one of ${CASE_MESSAGE_LEVELS.join(', ')}`, {
      parameter: 'messages',
    });
  return v as CaseMessageLevel;
}

/** Adds the hand-over commands to the `peer` group (registered by peers/cli.ts before this). */
export function registerHandoverCommands(program: Command): void {
  const group =
    program.commands.find((c) => c.name() === 'peer') ??
    program.command('peer').description('federation: this instance’s identity and its peers');

  group
    .command('hand-over')
    .description('hand a submission to a peer for coordination (again: a re-send with what it holds now)')
    .argument('<trackingNo>')
    .requiredOption('--name <peer>', 'the peer that coordinates it')
    .option('--json', 'print JSON')
    .action(async (trackingNo: string, o: { name: string; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const v = await p.handover.handOver(CLI, trackingNo, { peer: o.name });
        if (o.json) return void print(JSON.stringify(v, null, 2));
        const h = v.handedOver;
        print(
          `${trackingNo} handed over to ${h?.peer ?? o.name} (send ${h?.version ?? '?'}, message ${h?.messageId ?? '?'}, ${h?.delivery ?? 'pending'})`,
        );
      });
    });

  group
    .command('case-policy')
    .description('what of a case handed over a peer may have: case messages, the reporter’s e-mail')
    .argument('<name>')
    .option('--messages <level>', `case messages sent: ${CASE_MESSAGE_LEVELS.join(' | ')}`)
    .option('--reporter-contact <yes|no>', 'whether the reporter’s e-mail goes with the credit')
    .action(async (name: string, o: { messages?: string; reporterContact?: string }, cmd: Command) => {
      const { print } = streams(cmd);
      const messages = level(o.messages);
      const reporterContact = yesNo(o.reporterContact);
      await withPlatform(cmd, async (p) => {
        const v =
          messages === undefined && reporterContact === undefined
            ? await p.handover.casePolicy(CLI, name)
            : await p.handover.setCasePolicy(CLI, name, {
                ...(messages !== undefined ? { messages } : {}),
                ...(reporterContact !== undefined ? { reporterContact } : {}),
              });
        print(JSON.stringify(v, null, 2));
      });
    });
}
