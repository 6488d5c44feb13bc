/** `vulnshare watch …` on an embedded database: the commands as main.ts will register them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { importItems } from '../imports/pipeline.js';
import { cveRecord, itemsOf } from '../test-support/factories.js';
import { productOption, registerWatchlistCommands } from './cli.js';

async function run(dir: string, args: string[]): Promise<string> {
  let out = '';
  const program = new Command('vulnshare')
    .option('--data <dir>')
    .option('--database-url <url>')
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) })
    .exitOverride();
  registerWatchlistCommands(program);
  await program.parseAsync(['node', 'vulnshare', '--data', dir, ...args]);
  return out;
}

describe('vulnshare watch', () => {
  it('reads --product as "vendor|product|range"', () => {
    expect(productOption('Tenda|AC18|<= 15.03.05.19')).toEqual({
      kind: 'product',
      vendor: 'Tenda',
      product: 'AC18',
      range: '<= 15.03.05.19',
    });
    expect(productOption('|OpenSSL|')).toEqual({ kind: 'product', product: 'OpenSSL' });
    expect(() => productOption('Tenda')).toThrow(/vendor\|product\|range/);
  });

  it('adds a watchlist, lists it, shows the alerts of an import and sends due digests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-watch-'));
    const d = await openDatabase({ dataDir: dir });
    await migrate(d);
    const org = await createAccountService({ db: d.db }).createOrganisation(CLI, {
      kind: 'member_unit',
      name: 'Example Bank',
      sector: 'banking',
    });
    await d.close();

    expect(
      await run(dir, [
        'watch',
        'add',
        '--org',
        String(org.id),
        '--name',
        'routers',
        '--product',
        'Tenda|AC18|<= 15.03.05.19',
        '--cpe',
        'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*',
        '--keyword',
        '摄像头',
      ]),
    ).toMatch(/^watchlist \d+: routers \(immediate\), 3 items/);
    const list = await run(dir, ['watch', 'list', '--org', String(org.id)]);
    expect(list).toContain('Tenda AC18 <= 15.03.05.19');
    expect(list).toContain('keyword 摄像头');
    await expect(
      run(dir, ['watch', 'add', '--org', String(org.id), '--name', 'x', '--product', 'A|B|>= 2, < 1']),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });

    const d2 = await openDatabase({ dataDir: dir });
    await importItems(d2, itemsOf([cveRecord('CVE-2023-0001')]), { format: 'test', paths: [] });
    await d2.close();
    const alerts = await run(dir, ['watch', 'alerts', '--org', String(org.id)]);
    expect(alerts).toContain('CVE-2023-0001');
    expect(alerts).toContain('new');
    expect(await run(dir, ['watch', 'digest'])).toBe('0 digest(s) queued, listing 0 alert(s)\n');
  });
});
