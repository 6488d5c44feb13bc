/** The `vulnshare` command line: thin commands over the same services the API uses. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { isAppError } from '../errors.js';
import { exitCodeSet, useStreams } from './context.js';

type Register = (program: Command) => void;

/**
 * The modules that add the commands, in the order help lists them, with the top-level commands each adds. A
 * command line that names one of them loads only the modules that add it: `vulnshare import` loads 349
 * modules instead of 1,052 (not the server, the reports, the federation and the mail code), and `import
 * --help` takes 0.67 s instead of 1.70 s (README, issue 16). Help, --version and a name no module adds load
 * them all. cli.test checks the names against what each module registers.
 */
export const COMMAND_MODULES: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<Register> }> =
  [
    {
      commands: ['migrate', 'serve', 'worker'],
      load: async () => (await import('../app/cli.js')).registerAppCommands,
    },
    { commands: ['import'], load: async () => (await import('../imports/cli.js')).registerImportCommands },
    { commands: ['search'], load: async () => (await import('../search/cli.js')).registerSearchCommands },
    { commands: ['show', 'stats'], load: async () => (await import('../vulns/cli.js')).registerVulnCommands },
    { commands: ['export'], load: async () => (await import('../exports/cli.js')).registerExportCommands },
    {
      commands: ['admin', 'org'],
      load: async () => (await import('../accounts/cli.js')).registerAccountCommands,
    },
    {
      commands: ['submissions'],
      load: async () => (await import('../submissions/cli.js')).registerSubmissionCommands,
    },
    { commands: ['report'], load: async () => (await import('../reports/cli.js')).registerReportCommands },
    {
      commands: ['incident'],
      load: async () => (await import('../incidents/cli.js')).registerIncidentCommands,
    },
    { commands: ['sync', 'feeds'], load: async () => (await import('../feeds/cli.js')).registerFeedCommands },
    {
      commands: ['watch'],
      load: async () => (await import('../watchlists/cli.js')).registerWatchlistCommands,
    },
    {
      commands: ['advisory'],
      load: async () => (await import('../advisories/cli.js')).registerAdvisoryCommands,
    },
    { commands: ['csaf'], load: async () => (await import('../csaf/cli.js')).registerCsafCommands },
    { commands: ['demo'], load: async () => (await import('../demo/cli.js')).registerDemoCommands },
    {
      commands: ['alliance'],
      load: async () => (await import('../alliance/cli.js')).registerAllianceCommands,
    },
    { commands: ['drill'], load: async () => (await import('../drills/cli.js')).registerDrillCommands },
    { commands: ['peer'], load: async () => (await import('../peers/cli.js')).registerPeerCommands },
    {
      commands: ['peer'],
      load: async () => (await import('../peers/handover-cli.js')).registerHandoverCommands,
    },
    {
      commands: ['peer'],
      load: async () => (await import('../peers/notices-cli.js')).registerNoticeCommands,
    },
    {
      commands: ['peer'],
      load: async () => (await import('../peers/delegation-cli.js')).registerDelegationCommands,
    },
    { commands: ['tipoff'], load: async () => (await import('../tipoffs/cli.js')).registerTipoffCommands },
  ];

/** Options of the root program that take a value: what comes after them is not the command's name. */
const ROOT_VALUE_OPTIONS = new Set(['--data', '--database-url']);

/** The command a command line runs (argv as process.argv gives it), or undefined (help, --version, none). */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i] as string;
    if (ROOT_VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
    // --data=… and --database-url=… carry their value; anything else is -h, --help, -V, --version or unknown
    else if (!a.startsWith('--data')) return undefined;
  }
  return undefined;
}

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

/**
 * The program with the commands of every module, or with those that add `command` alone when a module adds
 * it (see COMMAND_MODULES).
 */
export async function buildCli(
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  command?: string,
): Promise<Command> {
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

  const named = COMMAND_MODULES.filter((m) => command !== undefined && m.commands.includes(command));
  for (const register of await Promise.all((named.length ? named : COMMAND_MODULES).map((m) => m.load())))
    register(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const program = await buildCli(out, err, commandOf(argv));
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
