/**
 * `vulnshare csaf check <provider-metadata URL> [--json] [--allow-http-loopback] [--max N]`: a CSAF 2.0
 * provider verified per section 7.1 (check.ts), as a table requirement / result / detail, or as JSON. Exit 0
 * when every requirement of the role the metadata claims holds, 1 otherwise. Needs no database.
 */
import { Command, InvalidArgumentError } from 'commander';
import { setExitCode } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { checkProvider, roleRequirements, type ProviderCheck } from './check.js';

/** Output goes where the root program's configureOutput sends it (buildCli's streams; stdout by default). */
function rootOf(cmd: Command): Command {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root;
}
function print(cmd: Command, s: string): void {
  const o = rootOf(cmd).configureOutput();
  const line = s.endsWith('\n') ? s : `${s}\n`;
  if (o.writeOut) o.writeOut(line);
  else process.stdout.write(line);
}

function maxArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function urlArg(v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.toString();
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('must be an http(s) URL of a provider-metadata.json');
}

/** The check as a table: requirement, result, detail (one detail a line); `*` marks what the role does not need. */
export function formatCheck(c: ProviderCheck): string {
  const needed = new Set(roleRequirements(c.role));
  const rows: string[][] = [];
  for (const r of c.results) {
    const [first = '', ...rest] = r.details;
    rows.push([`${String(r.id).padStart(2)} ${r.title}${needed.has(r.id) ? '' : ' *'}`, r.outcome, first]);
    for (const d of rest) rows.push(['', '', d]);
  }
  const verdict = c.ok
    ? `every requirement of the role ${c.role} is met`
    : `FAILED: the role ${c.role} is not met${c.failed.length ? ` (failed: ${c.failed.join(', ')})` : ''}`;
  return (
    `CSAF provider ${c.metadataUrl} — role ${c.role}, ${c.documents} documents read\n` +
    `${formatTable(['requirement', 'result', 'detail'], rows, 120)}\n` +
    `(* not a requirement of the role ${c.role})\n${verdict}\n`
  );
}

export function registerCsafCommands(program: Command): void {
  const csaf = program.command('csaf').description('CSAF 2.0: check a provider');
  csaf
    .command('check')
    .description(
      'verify a CSAF provider the way CSAF 2.0 section 7.1 requirements 1-23 describe; exit 1 when the role it claims is not met',
    )
    .argument('<url>', 'the provider-metadata.json URL', urlArg)
    .option('--json', 'print the result as JSON')
    .option(
      '--allow-http-loopback',
      'http:// on 127.0.0.1 / localhost / [::1]: TLS (requirement 3) not applicable',
    )
    .option('--max <n>', 'read at most this many documents per directory or feed (default 10000)', maxArg)
    .action(
      async (url: string, o: { json?: boolean; allowHttpLoopback?: boolean; max?: number }, cmd: Command) => {
        const c = await checkProvider(url, {
          allowHttpLoopback: o.allowHttpLoopback === true,
          ...(o.max !== undefined ? { maxDocuments: o.max } : {}),
        });
        print(cmd, o.json ? JSON.stringify(c, null, 2) : formatCheck(c));
        if (!c.ok) setExitCode(cmd, 1);
      },
    );
}
