/** `vulnshare tipoff …`: what a tipster sees of a case by its receipt, and an answer, as the API gives them. */
import type { Command } from 'commander';
import { streams, withPlatform } from '../cli/context.js';
import type { TipoffCase } from './service.js';

function describe(c: TipoffCase): string {
  return [
    `${c.trackingNo}  ${c.title}`,
    `${c.kind} · ${c.status}${c.closedReason ? ` (${c.closedReason})` : ''} · received ${c.createdAt}`,
    ...c.messages.map((m) => `  ${m.at} ${m.from}: ${m.body}`),
  ].join('\n');
}

export function registerTipoffCommands(program: Command): void {
  const print = (cmd: Command, s: string) => streams(cmd).print(s);
  const tipoff = program.command('tipoff').description('public tip-offs (举报) by their receipt code');

  tipoff
    .command('show <receipt>')
    .description('a tip-off as its tipster sees it: status and the thread with the coordinator')
    .action(async (receipt: string, _o: unknown, cmd: Command) => {
      await withPlatform(cmd, async ({ tipoffs }) => print(cmd, describe(await tipoffs.follow(receipt))));
    });

  tipoff
    .command('answer <receipt> <text>')
    .description('answer the coordinator on the tipster’s behalf (e.g. a reply that came by telephone)')
    .action(async (receipt: string, text: string, _o: unknown, cmd: Command) => {
      await withPlatform(cmd, async ({ tipoffs }) =>
        print(cmd, describe(await tipoffs.reply(receipt, text))),
      );
    });
}
