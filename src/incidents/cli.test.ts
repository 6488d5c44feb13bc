/**
 * `vulnshare incident …` in-process: a commander program with the global options and the incident commands,
 * on a temporary PGlite data directory, as `src/cli/main.ts` runs them once it registers them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { exitCodeOf } from '../cli/main.js';
import { openDatabase } from '../db/client.js';
import { cameraIncident, exchangeIncident, supplyChainIncident } from '../test-support/incidents.js';
import { registerIncidentCommands } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vs-incident-cli-'));
const data = join(dir, 'db');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const program = new Command('vulnshare')
    .option('--data <dir>')
    .option('--database-url <url>')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerIncidentCommands(program);
  try {
    await program.parseAsync(['--data', data, ...args], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    const ce = e as { code?: string };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) return { code: 2, out, err };
    return { code: exitCodeOf(e), out, err: `${err}error: ${(e as Error).message}\n` };
  }
}

const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

describe('vulnshare incident (in-process, PGlite on disk)', () => {
  let org = 0;
  let exchangeId = '';
  beforeAll(async () => {
    const d = await openDatabase({ dataDir: data });
    try {
      const { migrate } = await import('../db/migrate.js');
      await migrate(d);
      org = (
        await createAccountService({ db: d.db }).createOrganisation(CLI, {
          kind: 'member_unit',
          name: 'Plant',
        })
      ).id;
    } finally {
      await d.close();
    }
  }, 60_000);

  it('adds, lists, shows, edits and moves incidents', async () => {
    const add = await run('incident', 'add', '--file', file('supply.json', supplyChainIncident()));
    expect(add).toMatchObject({ code: 0 });
    expect(add.out).toMatch(/^INC-\d{4}-0001: recorded \(closed, TLP:AMBER\)\n$/);
    const id = add.out.slice(0, 13);
    exchangeId = (
      await run('incident', 'add', '--file', file('exchange.json', exchangeIncident()))
    ).out.slice(0, 13);

    const list = await run('incident', 'list', '--q', '升级');
    expect(list.out).toContain(id);
    expect(list.out).not.toContain('Exchange');
    const json = JSON.parse((await run('incident', 'list', '--json', '--status', 'contained')).out) as {
      items: Array<{ title: string }>;
    };
    expect(json.items.map((i) => i.title)).toEqual([
      'Exchange flaw used to backdoor a mail server and pivot to 30+ devices',
    ]);

    const show = await run('incident', 'show', id);
    expect(show.out).toContain('Initial Access: Exploited the document-security-management system');
    expect(show.out).toContain('ipv4 203.0.113.45 (C2 server)');
    expect(JSON.parse((await run('incident', 'show', id, '--json')).out)).toMatchObject({
      id,
      status: 'closed',
    });

    const edit = await run(
      'incident',
      'edit',
      id,
      '--file',
      file('edit.json', supplyChainIncident({ title: 'Upgrade server taken over' })),
    );
    expect(edit.out).toBe(`${id}: saved (closed)\n`);
    expect((await run('incident', 'status', id, 'analysing', '--note', 'second wave')).out).toBe(
      `${id}: analysing\n`,
    );
    const refused = await run('incident', 'status', id, 'open');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/cannot go to open/);
    expect((await run('incident', 'show', 'INC-1999-0001')).code).toBe(3);
  }, 60_000);

  it('names the file and every field with a problem, and exits non-zero', async () => {
    const bad = file('bad.json', supplyChainIncident({ tlp: 'white', victims: [{ name: 'x' }] }));
    const r = await run('incident', 'add', '--file', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: The incident is not valid (2 problems):`);
    expect(r.err).toContain('  victims[0].sector: is required');
    expect(r.err).toContain('  tlp: must be one of');
    const notJson = await run('incident', 'add', '--file', file('broken.json', '{"title": '));
    expect(notJson.code).toBe(2);
    expect(notJson.err).toContain(`${join(dir, 'broken.json')}: not JSON`);
    expect((await run('incident', 'add', '--file', join(dir, 'missing.json'))).err).toContain('missing.json');
  }, 60_000);

  it('exports STIX to a file and imports it', async () => {
    const out = join(dir, 'inc.stix.json');
    expect((await run('incident', 'export', exchangeId, '--out', out)).code).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as { type: string };
    expect(bundle.type).toBe('bundle');
    const imp = await run('incident', 'import', out);
    expect(imp.code).toBe(0);
    expect(imp.out).toBe(`${exchangeId}: unchanged (already imported) from ${out} (0 warning(s))\n`);
    const bad = await run('incident', 'import', file('bad.stix.json', { ...bundle, id: 'bundle--x' }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('  bundle: id must be bundle--<uuid>');
  }, 60_000);

  it('prints figures', async () => {
    const r = await run('incident', 'figures', '--period', 'year', '--at', '2024', '--json');
    // the re-import above found the exported incident: no duplicate is counted
    expect(JSON.parse(r.out)).toMatchObject({ id: '2024', total: 2 });
    const text = await run('incident', 'figures', '--period', 'month', '--at', '2024-12');
    expect(text.out).toContain('2024-12 (2024-12-01 – 2024-12-31): 2 discovered');
    expect((await run('incident', 'figures', '--period', 'decade', '--at', '2020')).code).toBe(2);
  }, 60_000);

  it('notifies: a clear error without an admin account, a case once there is one', async () => {
    const id = (await run('incident', 'add', '--file', file('camera.json', cameraIncident()))).out.slice(
      0,
      13,
    );
    const none = await run('incident', 'notify', id, '--org', String(org));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/create an admin user first/);
    const d = await openDatabase({ dataDir: data });
    try {
      await createAccountService({ db: d.db }).createUser(CLI, {
        email: 'admin@cli.example',
        displayName: 'admin',
        password: 'correct horse battery staple',
        role: 'admin',
      });
    } finally {
      await d.close();
    }
    const ok = await run('incident', 'notify', id, '--org', `${org}:affected_org`);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      new RegExp(
        `^${id}: case S-\\d{8}-[0-9A-Z]{8}; 1 notification\\(s\\), deadline \\d{4}-\\d{2}-\\d{2}\\n$`,
      ),
    );
    expect((await run('incident', 'notify', id, '--org', `${org}:friend`)).code).toBe(2);
    expect((await run('incident', 'notify', id)).err).toContain('--org');
  }, 60_000);
});
