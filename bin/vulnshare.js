#!/usr/bin/env node
/**
 * The `vulnshare` command.
 *
 * Against a PostgreSQL server (DATABASE_URL in the environment) the command runs with a V8 heap limit of
 * 1,536 MB instead of V8's default (a quarter of the machine's memory, at most 4 GB): V8 sizes how far it lets
 * the heap grow between collections from that limit. The shipped CLI importing 60,000 CVE records into
 * PostgreSQL, the limit off and on alternating: peak RSS 622 / 534 → 381 / 378 MB, time 46.7 / 40.2 →
 * 45.3 / 43.3 s (README, issue 16). Not on the embedded database: there the collector's extra work slowed the same
 * import (70.9 / 85.8 s → 84.9 / 91.1 s), PGlite's own memory being outside the JS heap anyway.
 *
 * The limit is a flag of the process, so this process starts the command again with it and passes on its
 * signals (SIGTERM, SIGHUP, SIGQUIT; SIGINT too when sent to this process alone, not from the terminal, whose
 * Ctrl-C reaches both) and its exit. The command stops as on SIGTERM if this process dies (killed with SIGKILL).
 * A limit of one's own (--max-old-space-size in the node flags or NODE_OPTIONS) or VULNSHARE_HEAP_LIMIT_MB
 * (0: none) decides instead.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HEAP_LIMIT_MB = 1536;
const LAUNCHED = 'VULNSHARE_LAUNCHED';

const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const ownLimit = flags.some((a) => a.startsWith('--max-old-space-size'));
const given = process.env.VULNSHARE_HEAP_LIMIT_MB;
const limit = Number(given ?? (process.env.DATABASE_URL ? HEAP_LIMIT_MB : 0));

if (given !== undefined && !/^\d+$/.test(given.trim())) {
  console.error(
    `VULNSHARE_HEAP_LIMIT_MB: "${given}" is not a whole number of megabytes (0: no limit of its own)`,
  );
  process.exitCode = 2;
} else if (!ownLimit && !process.env[LAUNCHED] && Number.isFinite(limit) && limit > 0) {
  // in NODE_OPTIONS, not the command line: import worker threads take the process's execArgv, and a Worker
  // refuses a heap flag there
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${limit}`.trim(),
        [LAUNCHED]: '1',
      },
    },
  );
  for (const s of ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGINT'])
    process.on(s, () => {
      // a terminal's Ctrl-C goes to the whole process group: the command has it already
      if (s === 'SIGINT' && process.stdin.isTTY) return;
      child.kill(s);
    });
  child.on('error', (err) => {
    console.error(err.message);
    process.exitCode = 70;
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 70;
  });
} else {
  if (process.env[LAUNCHED] && process.channel) {
    // started by the launcher above: stopped as by SIGTERM when it dies; the channel keeps nothing alive
    process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    process.channel.unref();
  }
  delete process.env[LAUNCHED];
  const { main } = await import('../dist/cli/main.js');
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 70;
    },
  );
}
