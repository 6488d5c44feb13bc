/** The `vulnshare` command line: thin commands over the same services the API uses. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { isAppError } from '../errors.js';
import { exitCodeSet, useStreams } from './context.js';
import { registerAppCommands } from '../app/cli.js';
import { registerImportCommands } from '../imports/cli.js';
import { registerSearchCommands } from '../search/cli.js';
import { registerVulnCommands } from '../vulns/cli.js';
import { registerExportCommands } from '../exports/cli.js';
import { registerAccountCommands } from '../accounts/cli.js';
import { registerSubmissionCommands } from '../submissions/cli.js';
import { registerReportCommands } from '../reports/cli.js';
import { registerIncidentCommands } from '../incidents/cli.js';
import { registerFeedCommands } from '../feeds/cli.js';
import { registerWatchlistCommands } from '../watchlists/cli.js';
import { registerAdvisoryCommands } from '../advisories/cli.js';
import { registerCsafCommands } from '../csaf/cli.js';
import { registerDemoCommands } from '../demo/cli.js';
import { registerAllianceCommands } from '../alliance/cli.js';
import { registerDrillCommands } from '../drills/cli.js';
import { registerPeerCommands } from '../peers/cli.js';
import { registerHandoverCommands } from '../peers/handover-cli.js';
import { registerNoticeCommands } from '../peers/notices-cli.js';
import { registerDelegationCommands } from '../peers/delegation-cli.js';
import { registerTipoffCommands } from '../tipoffs/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Exit codes: 0 ok, 1 some input rejected, 2 usage / invalid parameter, 3 not found, 4 not allowed, 70 internal, 75 unavailable. */
export function exitCodeOf(e: unknown): number {
  if (!isAppError(e)) return 70;
  const status = e.status;
  if (status === 404) return 3;
  if (status === 401 || status === 403) return 4;
  if (status === 429 || status === 503) return 75;
  if (status >= 400 && status < 500) return 2;
  return 70;
}

export function buildCli(
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Command {
  const program = new Command('vulnshare')
    .description('vulnshare: collect, verify, coordinate and publish vulnerabilities')
    .version(pkg.version)
    .option('--data <dir>', 'embedded database directory (env VULNSHARE_DATA, default ./data)')
    .option(
      '--database-url <url>',
      'PostgreSQL server URL instead of the embedded database (env DATABASE_URL)',
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .exitOverride();
  useStreams(program, out, err);

  registerAppCommands(program);
  registerImportCommands(program);
  registerSearchCommands(program);
  registerVulnCommands(program);
  registerExportCommands(program);
  registerAccountCommands(program);
  registerSubmissionCommands(program);
  registerReportCommands(program);
  registerIncidentCommands(program);
  registerFeedCommands(program);
  registerWatchlistCommands(program);
  registerAdvisoryCommands(program);
  registerCsafCommands(program);
  registerDemoCommands(program);
  registerAllianceCommands(program);
  registerDrillCommands(program);
  registerPeerCommands(program);
  registerHandoverCommands(program);
  registerNoticeCommands(program);
  registerDelegationCommands(program);
  registerTipoffCommands(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const program = buildCli(out, err);
  try {
    await program.parseAsync(argv);
    return exitCodeSet(program);
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' ||
        ce.code === 'commander.version' ||
        ce.code === 'commander.help'
        ? 0
        : 2;
    }
    err.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeOf(e);
  }
}
