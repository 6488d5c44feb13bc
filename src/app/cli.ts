/** The process itself: `migrate`, `serve` (the HTTP API, with the worker unless VULNSHARE_WORKER=0) and `worker`. */
import type { Command } from 'commander';
import { configOf, openConfigured, streams, withDatabase, withPlatform } from '../cli/context.js';
import { migrate } from '../db/migrate.js';
import { buildApp } from '../http/app.js';
import { createReplicaRouter } from '../ops/replicas.js';
import { createPlatform } from './platform.js';
import { setupLink } from '../setup/service.js';
import { drainOutbox, startWorker } from './worker.js';
import { AppError } from '../errors.js';
import { logPoolError, POOL_ERROR_MESSAGE, type PoolErrorLog } from '../db/client.js';

/** SIGTERM / SIGINT: the first starts a graceful stop, a second one ends it at once. */
function stopSignals() {
  let count = 0;
  let first: (s: string) => void = () => undefined;
  let second: (s: string) => void = () => undefined;
  const p1 = new Promise<string>((r) => (first = r));
  const p2 = new Promise<string>((r) => (second = r));
  const on = (s: string) => (++count === 1 ? first(s) : second(s));
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    first: p1,
    second: p2,
    forget: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

/** The version the root program announces (`vulnshare --version`). */
function versionOf(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.version() ?? '';
}

export function registerAppCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async (_o, cmd: Command) => {
      const { print } = streams(cmd);
      await withDatabase(
        cmd,
        async (d) => {
          const applied = await migrate(d);
          print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        },
        { migrate: false },
      );
    });

  program
    .command('serve')
    .description('start the HTTP API (and docs at /api/docs)')
    .option('--host <host>', 'listen address (env VULNSHARE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'listen port (env VULNSHARE_PORT, default 8080)')
    .option(
      '--grace <seconds>',
      'on SIGTERM, how long the requests in flight and the worker may take to finish (default 30)',
      '30',
    )
    .action(async (o: { host?: string; port?: string; grace: string }, cmd: Command) => {
      const { err } = streams(cmd);
      const version = versionOf(cmd);
      const config = configOf(cmd, { host: o.host, port: o.port }); // every bad setting named, before anything opens
      const graceSeconds = Number(o.grace);
      if (!Number.isFinite(graceSeconds) || graceSeconds <= 0)
        throw new AppError(
          'invalid_parameter',
          `--grace must be a positive number of seconds (got "${o.grace}")`,
        );
      // listen for the stop signal first: a SIGTERM during start-up still closes the database cleanly
      const signals = stopSignals();
      // lost connections of the pools are logged by the app's logger once it exists (src/db/client.ts)
      let poolLog: PoolErrorLog = logPoolError;
      const primary = await openConfigured(cmd, config);
      // on a PostgreSQL server the services read through the replica router (src/ops/replicas.ts): with no
      // DATABASE_REPLICA_URLS every statement stays on the primary
      const router = config.databaseUrl
        ? createReplicaRouter(primary, {
            primaryUrl: config.databaseUrl,
            replicaUrls: config.replicaUrls,
            maxLagBytes: config.replicaMaxLagBytes,
            checkMs: config.replicaCheckMs,
            onPoolError: (pool, e) => poolLog(pool, e),
          })
        : null;
      await router?.check();
      const database = router?.database ?? primary;
      const platform = createPlatform(database, config);
      const app = await buildApp({ database, config, platform, version, router });
      poolLog = (pool, e) => app.log.warn({ pool, err: e }, POOL_ERROR_MESSAGE);
      const worker = config.worker ? startWorker(platform, (s) => err.write(`${s}\n`)) : null;
      const address = await app.listen({ host: config.host, port: config.port });
      err.write(
        `vulnshare ${version} listening on ${address} (${database.kind === 'pglite' ? `embedded PostgreSQL at ${config.dataDir}; other vulnshare commands on this directory work through this process` : 'PostgreSQL server'}); API docs at ${address}/api/docs\n`,
      );
      // the first run: no admin yet — a one-time link to the setup page
      const setupToken = await platform.setup.issueLink();
      if (setupToken)
        err.write(
          `\nFirst run: no admin yet. Create the first admin at ${setupLink(config.publicUrl, address, setupToken)} (the link works once; until then only the setup is writable)\n\n`,
        );
      const signal = await signals.first;
      // graceful: stop accepting, finish the requests in flight and stop the worker (it finishes what it holds
      // and gives its leases back), then close the pools; a second signal or the grace time ends it at once
      app.log.info(
        { signal, graceSeconds },
        'stopping: no new connections; finishing the requests in flight',
      );
      const hard = (why: string) => {
        app.log.error({ signal }, `${why}: exiting before the requests in flight and the worker finished`);
        err.write(`vulnshare serve: ${why}; exiting now\n`);
        process.exit(1);
      };
      const timer = setTimeout(() => hard(`grace time of ${graceSeconds} s exceeded`), graceSeconds * 1000);
      void signals.second.then((s) => hard(`second ${s}`));
      await Promise.all([app.close(), worker?.stop()]);
      await platform.close();
      await router?.close();
      await primary.close();
      clearTimeout(timer);
      signals.forget();
      app.log.info('stopped');
    });

  program
    .command('worker')
    .description(
      'deliver queued notifications (e-mail, webhook, inbox) with retries, and send reminders / escalate overdue ones',
    )
    .option('--once', 'deliver what is due now and exit')
    .action(async (o: { once?: boolean }, cmd: Command) => {
      const { print, err } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        if (o.once) {
          const total = await drainOutbox(p);
          print(`sent ${total.sent}, failed ${total.failed}`);
          return;
        }
        const signals = stopSignals();
        const w = startWorker(p, (s) => err.write(`${s}\n`));
        err.write('worker running; stop with Ctrl-C\n');
        await signals.first;
        // it finishes what it holds and gives its leases back; a second signal ends it at once
        void signals.second.then((s) => {
          err.write(`vulnshare worker: second ${s}; exiting before the work in hand finished\n`);
          process.exit(1);
        });
        await w.stop();
        signals.forget();
      });
    });
}
