/**
 * ID delegation commands under `vulnshare peer`: `peer delegate-ids --name <peer> --count <n> [--year <y>]` (a
 * block of our id series to a peer), `peer id-policy <name> --grant auto|manual [--block-size n]` and
 * `peer id-blocks [--name <peer>]` (delegated, pending, held). They run as the operator (CLI principal).
 */
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { AppError } from '../errors.js';

function integer(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v))
    throw new AppError('invalid_parameter', `--${name}: a whole number`, { parameter: name });
  return Number(v);
}

/** Adds the delegation commands to the `peer` group (registered by peers/cli.ts before this). */
export function registerDelegationCommands(program: Command): void {
  const group =
    program.commands.find((c) => c.name() === 'peer') ??
    program.command('peer').description('federation: this instance’s identity and its peers');

  group
    .command('delegate-ids')
    .description('delegate the next numbers of our id series to a peer (our own numbers skip them)')
    .requiredOption('--name <peer>', 'the peer that assigns them')
    .requiredOption('--count <n>', 'how many numbers')
    .option('--year <year>', 'the series’ year (default: this year)')
    .option('--json', 'print JSON')
    .action(async (o: { name: string; count: string; year?: string; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      const count = integer(o.count, 'count') ?? 0;
      const year = integer(o.year, 'year');
      await withPlatform(cmd, async (p) => {
        const b = await p.delegation.delegate(CLI, o.name, {
          count,
          ...(year !== undefined ? { year } : {}),
        });
        if (o.json) return void print(JSON.stringify(b, null, 2));
        print(
          `${b.firstId} … ${b.lastId} (${b.last - b.first + 1}) delegated to ${b.peer} (message ${b.messageId})`,
        );
      });
    });

  group
    .command('id-policy')
    .description('how a peer’s requests for more numbers are answered')
    .argument('<name>')
    .requiredOption('--grant <mode>', 'auto | manual')
    .option('--block-size <n>', 'numbers per block granted automatically (default: as many as asked)')
    .action(async (name: string, o: { grant: string; blockSize?: string }, cmd: Command) => {
      const { print } = streams(cmd);
      if (o.grant !== 'auto' && o.grant !== 'manual')
        throw new AppError('invalid_parameter', '--grant: auto or manual', { parameter: 'grant' });
      const grant = o.grant;
      const blockSize = integer(o.blockSize, 'block-size');
      await withPlatform(cmd, async (p) => {
        await p.delegation.setIdPolicy(CLI, name, {
          grant,
          ...(blockSize !== undefined ? { blockSize } : {}),
        });
        print(`${name}: requests granted ${grant}${blockSize ? `, ${blockSize} at a time` : ''}`);
      });
    });

  group
    .command('id-blocks')
    .description('blocks delegated (and requests waiting), and blocks peers delegated to us, as JSON')
    .option('--name <peer>', 'only this peer’s')
    .action(async (o: { name?: string }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        print(
          JSON.stringify(
            {
              delegated: await p.delegation.blocks(CLI, o.name),
              pending: await p.delegation.pending(CLI, o.name),
              held: (await p.delegation.held(CLI)).filter((b) => o.name === undefined || b.from === o.name),
            },
            null,
            2,
          ),
        );
      });
    });
}
