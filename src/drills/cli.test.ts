/**
 * `vulnshare drill …` in-process on a temporary PGlite data directory: create from a JSON file, start, deliver,
 * end and the after-action report written to a file (JSON always; PDF when Chromium is installed).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { exitCodeOf } from '../cli/main.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { registerDrillCommands } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vs-drill-cli-'));
const data = join(dir, 'db');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const program = new Command('vulnshare')
    .option('--data <dir>')
    .option('--database-url <url>')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerDrillCommands(program);
  try {
    await program.parseAsync(['--data', data, ...args], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    const ce = e as { code?: string };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) return { code: 2, out, err };
    return { code: exitCodeOf(e), out, err: `${err}error: ${(e as Error).message}\n` };
  }
}

describe('vulnshare drill (in-process, PGlite on disk)', () => {
  let org = 0;
  beforeAll(async () => {
    const d = await openDatabase({ dataDir: data });
    try {
      await migrate(d);
      const a = createAccountService({ db: d.db });
      org = (await a.createOrganisation(CLI, { kind: 'member_unit', name: '某电力公司' })).id;
      await a.addContact(CLI, org, { name: 'SOC', portal: true });
    } finally {
      await d.close();
    }
  }, 60_000);

  it('creates, starts, delivers, ends and writes the report', async () => {
    const file = join(dir, 'drill.json');
    writeFileSync(
      file,
      JSON.stringify({
        title: '电力行业演练',
        scenario: { zh: '工控网络遭入侵', en: 'An ICS network is breached' },
        participantIds: [org],
        injects: [
          {
            dueAt: '2020-01-01T00:00:00Z',
            channels: ['inbox'],
            subject: '注入 1',
            body: '发现异常流量',
            expected: [{ key: 'ack', description: '确认', withinMinutes: 30 }],
          },
        ],
      }),
    );
    expect(await run('drill', 'create', '--file', join(dir, 'missing.json'))).toMatchObject({ code: 2 });
    const created = await run('drill', 'create', '--file', file);
    expect(created).toMatchObject({ code: 0, out: 'exercise 1 (draft): 1 participants, 1 injects\n' });
    expect((await run('drill', 'start', '1')).out).toBe('exercise 1: running\n');
    expect((await run('drill', 'start', '1')).code).not.toBe(0);
    expect((await run('drill', 'deliver')).out).toBe('1 inject(s) due, 1 message(s) queued\n');
    expect((await run('drill', 'deliver')).out).toBe('0 inject(s) due, 0 message(s) queued\n');
    expect((await run('drill', 'end', '1')).out).toBe('exercise 1: ended\n');
    const json = join(dir, 'report.json');
    expect((await run('drill', 'report', '1', '--format', 'json', '--out', json)).code).toBe(0);
    const f = JSON.parse(readFileSync(json, 'utf8')) as {
      totals: { deliveries: number; missed: number; pending: number };
    };
    // ended seconds after delivery: the 30-minute acknowledgement was not yet due, so it is not counted as missed
    expect(f.totals).toMatchObject({ deliveries: 1, missed: 0, pending: 1 });
    expect((await run('drill', 'report', '1', '--format', 'pdf')).code).toBe(2);
    if (existsSync('/usr/bin/chromium')) {
      const pdf = join(dir, 'f.pdf');
      expect((await run('drill', 'report', '1', '--format', 'pdf', '--out', pdf)).code).toBe(0);
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    }
  }, 120_000);
});
