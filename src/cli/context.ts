/** What every CLI command shares: the global options, opening the configured database, the platform. */
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../config/config.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import type { Platform } from '../app/platform.js';

export interface GlobalOpts {
  data?: string;
  databaseUrl?: string;
}

/** Commands that run until stopped: they own an embedded data directory and never share it with another. */
const LONG_RUNNING = new Set(['serve', 'worker']);

/** "import", "submissions transition", … — who is using the data directory, for the owner's note. */
export function commandName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ') || cmd.name();
}

export function configOf(cmd: Command, more: ConfigOverrides = {}): Config {
  const g = cmd.optsWithGlobals<GlobalOpts & ConfigOverrides>();
  return loadConfig(process.env, { data: g.data, databaseUrl: g.databaseUrl, ...more });
}

/** Open (and migrate) the database the configuration names; an embedded one through its owner if it has one. */
export async function openConfigured(
  cmd: Command,
  config: Config,
  opts: { migrate?: boolean } = {},
): Promise<Database> {
  const name = commandName(cmd);
  const longRunning = LONG_RUNNING.has(name) && !cmd.opts<{ once?: boolean }>().once;
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    as: { command: name, longRunning },
  });
  try {
    if (opts.migrate !== false) await migrate(database);
  } catch (e) {
    await database.close();
    throw e;
  }
  return database;
}

export async function withDatabase<T>(
  cmd: Command,
  fn: (d: Database, config: Config) => Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  const config = configOf(cmd);
  const database = await openConfigured(cmd, config, opts);
  try {
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

/**
 * Run fn with the platform's services (src/app/platform.ts), built the way `serve` builds them. Loaded here,
 * not at the top: a command that only needs the database (an import) does not load every service's code.
 */
export async function withPlatform<T>(cmd: Command, fn: (p: Platform) => Promise<T>): Promise<T> {
  const { createPlatform } = await import('../app/platform.js');
  return withDatabase(cmd, async (d, config) => {
    const p = createPlatform(d, config);
    try {
      return await fn(p);
    } finally {
      await p.close();
    }
  });
}

/** The root program a command belongs to. */
function rootOf(cmd: Command): Command {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root;
}

interface ProgramStreams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}
const programs = new WeakMap<Command, ProgramStreams>();

/** buildCli: the streams every command of this program writes to (its configureOutput sends help there too). */
export function useStreams(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  programs.set(rootOf(program), { out, err });
}

/**
 * Where a command's output goes: the streams buildCli was given (process.stdout / stderr by default).
 * `print` / `warn` write one line (adding the newline) through the root program's configureOutput;
 * `out` / `err` are the streams themselves, for bodies, back-pressure and progress lines on a TTY.
 */
export function streams(cmd: Command) {
  const o = rootOf(cmd).configureOutput();
  const { out, err } = programs.get(rootOf(cmd)) ?? { out: process.stdout, err: process.stderr };
  const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return {
    out,
    err,
    print: (s: string) => (o.writeOut ? o.writeOut(line(s)) : void out.write(line(s))),
    warn: (s: string) => (o.writeErr ? o.writeErr(line(s)) : void err.write(line(s))),
  };
}

/** The option of the root program holding the exit code a command asked for. */
const EXIT_CODE = '__exitCode';

/** The command succeeded, but the process is to exit with this code (1: some input was rejected). */
export function setExitCode(cmd: Command, code: number): void {
  rootOf(cmd).setOptionValue(EXIT_CODE, code);
}

/** The exit code a command asked for with setExitCode (0 when none did). */
export function exitCodeSet(program: Command): number {
  return (rootOf(program).getOptionValue(EXIT_CODE) as number | undefined) ?? 0;
}

/** Commander's collector for a repeatable option. */
export const collect = (v: string, prev: string[] = []) => [...prev, v];
