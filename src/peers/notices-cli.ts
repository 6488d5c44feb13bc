/**
 * `vulnshare peer share <trackingNo> --name <peer> [--name <peer>…]`: share an embargoed case with peers as an
 * advance notice (src/peers/notices.ts), run as the operator. Each peer is answered on its own line: shared
 * (with the message id and version) or refused (with the code: its policy, no such peer …). Exit 0 when every
 * peer got it, 1 when any refused.
 */
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { setExitCode, streams, withPlatform } from '../cli/context.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Adds `peer share` to the `peer` group (registered by peers/cli.ts before this). */
export function registerNoticeCommands(program: Command): void {
  const group =
    program.commands.find((c) => c.name() === 'peer') ??
    program.command('peer').description('federation: this instance’s identity and its peers');
  group
    .command('share')
    .description('share an embargoed case with peers as an advance notice (published on both at embargo end)')
    .argument('<trackingNo>')
    .requiredOption('--name <peer>', 'a peer to share it with (repeat for more)', collect, [] as string[])
    .option('--json', 'print JSON')
    .action(async (trackingNo: string, o: { name: string[]; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const out = await p.peers.notices.share(CLI, trackingNo, o.name);
        if (o.json) print(JSON.stringify(out, null, 2));
        else
          for (const r of out)
            print(
              r.outcome === 'shared'
                ? `${r.peer}: shared (message ${r.messageId ?? '?'}, version ${String(r.version ?? '?')})`
                : `${r.peer}: refused — ${r.code ?? ''}: ${r.reason ?? ''}`,
            );
        if (out.some((r) => r.outcome !== 'shared')) setExitCode(cmd, 1);
      });
    });
}
