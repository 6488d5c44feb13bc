/**
 * Federation commands: `peer init` (what a partner needs, as JSON), `peer rotate-key`, `peer add --name --url
 * --key --policy <json|file>`, `peer list`, `peer remove`, `peer policy`, `peer key` (a partner's new key) and
 * `peer sync [--name]`. They run as the operator of the machine (CLI principal).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { setExitCode, streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { AppError } from '../errors.js';
import { describePeerSync } from './scheduler.js';

/** --policy: JSON text, or the name of a file holding it. */
function policyArg(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  const text = v.trim().startsWith('{') ? v : existsSync(v) ? readFileSync(v, 'utf8') : v;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('invalid_parameter', '--policy: JSON text or a file holding JSON', {});
  }
}

/** --key: a PEM / base64 key, or a file holding one. */
function keyArg(v: string): string {
  return !v.includes('-----BEGIN') && existsSync(v) ? readFileSync(v, 'utf8') : v;
}

const when = (iso: string | null) => (iso ? iso.replace(/\.\d+(?=Z$)/, '') : '');

export function registerPeerCommands(program: Command): void {
  const group = program
    .command('peer')
    .description('federation: this instance’s identity and its peers (docs/FEDERATION.md)');

  group
    .command('init')
    .description('print what a partner needs to add this instance (name, URL, key id, public key) as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => print(JSON.stringify(await p.peers.identity(CLI), null, 2)));
    });

  group
    .command('rotate-key')
    .description('a new signing key; the old one is kept as retired (peers verify it for their grace period)')
    .action(async (_o: unknown, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => print(JSON.stringify(await p.peers.rotateKey(CLI), null, 2)));
    });

  group
    .command('add')
    .description('add a peer from what its `peer init` printed')
    .requiredOption('--name <name>', 'its instance name')
    .requiredOption('--url <url>', 'its base URL')
    .requiredOption('--key <key>', 'its Ed25519 public key: PEM, base64 DER, or a file holding one')
    .option('--policy <json|file>', 'its policy: { "receive": {…}, "accept": {…} }; left out = defaults')
    .action(async (o: { name: string; url: string; key: string; policy?: string }, cmd: Command) => {
      const { print } = streams(cmd);
      const policy = policyArg(o.policy);
      await withPlatform(cmd, async (p) => {
        const v = await p.peers.addPeer(CLI, {
          name: o.name,
          url: o.url,
          key: keyArg(o.key),
          ...(policy !== undefined ? { policy } : {}),
        });
        print(`added peer ${v.name} at ${v.url} (key ${v.keys[0]?.keyId ?? '?'})`);
      });
    });

  group
    .command('policy')
    .description('replace a peer’s policy')
    .argument('<name>')
    .requiredOption('--policy <json|file>', '{ "receive": {…}, "accept": {…} }')
    .action(async (name: string, o: { policy: string }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const v = await p.peers.setPolicy(CLI, name, policyArg(o.policy));
        print(JSON.stringify(v.policy, null, 2));
      });
    });

  group
    .command('key')
    .description('a peer’s new key (after its rotate-key): the keys held before become retired, or revoked')
    .argument('<name>')
    .requiredOption('--key <key>', 'PEM, base64 DER, or a file holding one')
    .option('--revoke', 'revoke the keys held before at once instead of retiring them')
    .action(async (name: string, o: { key: string; revoke?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const v = await p.peers.updateKey(CLI, name, keyArg(o.key), { revoke: !!o.revoke });
        print(v.keys.map((k) => `${k.keyId} ${k.state}`).join('\n'));
      });
    });

  group
    .command('list')
    .description('every peer with its state, last success, lag and last error')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const items = await p.peers.listPeers(CLI);
        if (o.json) return void print(JSON.stringify(items, null, 2));
        if (items.length === 0)
          return void print('no peers; add one with: vulnshare peer add --name … --url … --key …');
        print(
          formatTable(
            ['name', 'url', 'state', 'cursor', 'last success', 'lag', 'received', 'refused', 'last error'],
            items.map((v) => [
              v.name,
              v.url,
              v.state,
              v.cursor,
              when(v.lastSuccessAt),
              v.lag === null ? '' : String(v.lag),
              String(v.received),
              String(v.refused),
              v.lastError ? `${when(v.lastErrorAt)} ${v.lastError}` : '',
            ]),
            60,
          ),
        );
      });
    });

  group
    .command('remove')
    .description('remove a peer, its policy and cursor; records received from it stay')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        await p.peers.removePeer(CLI, name);
        print(`removed peer ${name}`);
      });
    });

  group
    .command('sync')
    .description('pull every active peer’s change feed now (or one, --name) from its cursor')
    .option('--name <name>', 'only this peer')
    .option('--json', 'print JSON')
    .action(async (o: { name?: string; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const results = await p.peers.sync(CLI, o.name);
        if (o.json) print(JSON.stringify(results, null, 2));
        else for (const r of results) print(describePeerSync(r));
        // a failed peer: exit 75 (unavailable), as a failed feed sync does
        if (results.some((r) => r.outcome === 'failed')) setExitCode(cmd, 75);
      });
    });
}
