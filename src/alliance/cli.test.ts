/**
 * `vulnshare alliance …` in-process (as bin/vulnshare.js runs it) on a PGlite data folder: the seed's member
 * list imports with 71 members, again with none new; a list with a duplicate is refused naming its line, with
 * the exit code of refused input; list, set and the directory's search.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { sharedDataDir } from '../test-support/shared-data.js';

const SEED = join(dirname(sharedDataDir), 'seeds', 'cncert-annual-report-2020-excerpt.txt');
if (!existsSync(SEED)) console.warn(`[skip] seed not found: ${SEED}`);

const sink = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
};

describe.skipIf(!existsSync(SEED))('vulnshare alliance (in-process, PGlite data folder)', () => {
  let dir: string;
  const run = async (...args: string[]) => {
    const out = sink();
    const err = sink();
    const code = await main(
      ['node', 'vulnshare', '--data', join(dir, 'data'), ...args],
      out.stream,
      err.stream,
    );
    return { code, stdout: out.text(), stderr: err.text() };
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vs-alliance-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports the seed list, then again without a change', async () => {
    const first = await run('alliance', 'import', SEED, '--joined', '2020-12-31');
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(
      '71 members: 71 new organisations, 0 existing organisations joined, 0 unchanged',
    );
    const again = await run('alliance', 'import', SEED);
    expect(again.stdout.trim()).toBe(
      '71 members: 0 new organisations, 0 existing organisations joined, 71 unchanged',
    );
  }, 120_000);

  it('refuses a list with a duplicate certificate, naming the line, with exit code 2', async () => {
    const file = join(dir, 'dup.txt');
    writeFileSync(file, '甲公司 CCTGA-000500\n乙公司 CCTGA-0000500\n');
    const r = await run('alliance', 'import', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'dup.txt: line 2: certificate CCTGA-0000500 (CCTGA-000500) is listed on line 1 already',
    );
  }, 60_000);

  it('lists, searches and changes a membership', async () => {
    const one = await run('alliance', 'list', '--q', '0000131', '--json');
    expect(JSON.parse(one.stdout)).toMatchObject([
      {
        certificate: 'CCTGA-000131',
        certificateRaw: 'CCTGA-0000131',
        name: '杭州海康威视数字技术股份有限公司',
      },
    ]);
    const set = await run('alliance', 'set', 'CCTGA-131', '--status', 'suspended', '--note', 'review');
    expect(set.stdout.trim()).toBe(
      'CCTGA-000131 杭州海康威视数字技术股份有限公司: suspended, renewal 2021-12-31',
    );
    const table = await run('alliance', 'list', '--status', 'suspended');
    expect(table.stdout).toContain('CCTGA-000131');
    expect(table.stdout.split('\n').filter((l) => l.startsWith('CCTGA-'))).toHaveLength(1);
  }, 60_000);

  it('renews an expired membership until a date; a date in the past or malformed is refused (exit 2)', async () => {
    await run('alliance', 'set', 'CCTGA-000093', '--status', 'expired');
    const r = await run('alliance', 'renew', 'CCTGA-93', '--until', '2099-12-31', '--note', 'paid');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('CCTGA-000093 北京搜狗信息服务有限公司: active, valid until 2099-12-31');
    const past = await run('alliance', 'renew', 'CCTGA-93', '--until', '2001-01-01');
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/until \(2001-01-01\) is before today/);
    expect((await run('alliance', 'renew', 'CCTGA-93', '--until', '2099-02-30')).code).toBe(2);
    const one = await run('alliance', 'list', '--q', '93', '--json');
    expect(JSON.parse(one.stdout)).toMatchObject([{ status: 'active', renewalOn: '2099-12-31' }]);
  }, 60_000);
});
