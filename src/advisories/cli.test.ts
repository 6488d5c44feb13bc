/** `vulnshare advisory …` on an embedded database: the commands as main.ts registers them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { describeProblem, validateCsaf } from '../csaf/validate.js';
import { importItems } from '../imports/pipeline.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { registerAdvisoryCommands } from './cli.js';

async function run(dir: string, args: string[]): Promise<string> {
  let out = '';
  const program = new Command('vulnshare')
    .option('--data <dir>')
    .option('--database-url <url>')
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) })
    .exitOverride();
  registerAdvisoryCommands(program);
  await program.parseAsync(['node', 'vulnshare', '--data', dir, ...args]);
  return out;
}

describe('vulnshare advisory', () => {
  it('creates an advisory, adds a record, publishes it, shows it and its CSAF document, lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-advisory-'));
    const d = await openDatabase({ dataDir: dir });
    await migrate(d);
    await importItems(d, itemsOf([cnvdRecord('CNVD-2023-00001'), cveRecord('CVE-2023-0002')]), {
      format: 'test',
      paths: [],
    });
    await d.close();

    expect(
      await run(dir, ['advisory', 'create', '--title-zh', '腾达路由器漏洞', '--record', 'cnvd-2023-00001']),
    ).toBe('advisory 1 (draft, TLP:WHITE): 腾达路由器漏洞, 1 record(s)\n');
    expect(await run(dir, ['advisory', 'add', '1', 'CVE-2023-0002'])).toContain('2 record(s)');
    await expect(run(dir, ['advisory', 'add', '1', 'CVE-1999-0001'])).rejects.toMatchObject({
      code: 'not_found',
    });
    const year = new Date().getUTCFullYear();
    expect(await run(dir, ['advisory', 'publish', '1'])).toBe(
      `advisory 1 VS-SA-${year}-0001 (published, revision 1, TLP:WHITE): 腾达路由器漏洞, 2 record(s)\n`,
    );
    const shown = await run(dir, ['advisory', 'show', `VS-SA-${year}-0001`]);
    expect(shown).toContain('  record CNVD-2023-00001\n  record CVE-2023-0002\n  revision 1 ');
    const doc = JSON.parse(await run(dir, ['advisory', 'show', '1', '--csaf', '--lang', 'en'])) as {
      document: { tracking: { id: string }; lang: string };
    };
    expect(doc.document).toMatchObject({ lang: 'en', tracking: { id: `VS-SA-${year}-0001` } });
    expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
    expect(await run(dir, ['advisory', 'list', '--status', 'published'])).toMatch(
      new RegExp(`1 +VS-SA-${year}-0001 +published +WHITE +2 +腾达路由器漏洞`),
    );
    expect(await run(dir, ['advisory', 'list', '--status', 'draft'])).toBe('no advisories\n');
  }, 120_000);
});
