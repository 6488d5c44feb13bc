/** What every CLI command shares: the global options and opening the configured database. */
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../config/config.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrate } from '../db/migrate.js';

export interface GlobalOpts {
  data?: string;
  databaseUrl?: string;
}

export async function withDatabase<T>(
  cmd: Command,
  fn: (d: Database, config: Config) => Promise<T>,
): Promise<T> {
  const g = cmd.optsWithGlobals<GlobalOpts & ConfigOverrides>();
  const config = loadConfig(process.env, { data: g.data, databaseUrl: g.databaseUrl });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

/** Commander's collector for a repeatable option. */
export const collect = (v: string, prev: string[] = []) => [...prev, v];
