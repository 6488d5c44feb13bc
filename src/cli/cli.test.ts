import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.js';
import { createAccountService } from '../accounts/service.js';
import { createSubmissionService } from '../submissions/service.js';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'vulnshare.js');

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, VULNSHARE_LOG_LEVEL: 'silent', ...env },
      maxBuffer: 32 << 20,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('the vulnshare executable (built, spawned)', () => {
  it('has --help on every command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    const cmds = [
      'serve',
      'migrate',
      'import',
      'search',
      'show',
      'export',
      'stats',
      'report',
      'admin',
      'submissions',
      'org',
      'worker',
      'incident',
      'sync',
      'feeds',
      'watch',
    ];
    for (const c of cmds) expect(top.stdout).toContain(c);
    // each command's help, spawned in parallel (one process each; the machine may be busy)
    const helps = await Promise.all(cmds.map((c) => cli([c, '--help']).then((h) => ({ c, ...h }))));
    for (const h of helps) {
      expect(h.code, h.c).toBe(0);
      expect(h.stdout, h.c).toMatch(/Usage: vulnshare/);
    }
  }, 180_000);

  it('imports, reports bad records with file, record and field, and exits 1 when something was rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-cli-'));
    const xml = join(dir, 'week.xml');
    const rec = (n: string, open: string) =>
      `<vulnerability><number>${n}</number><cves><cve><cveNumber>CVE-2023-1234</cveNumber></cve></cves><title>D-Link DIR-823G缓冲区溢出漏洞（${n}）</title><serverity>高</serverity><products><product>D-Link DIR-823G 1.02B05</product></products><isEvent>通用软硬件漏洞</isEvent><submitTime>2023-01-01</submitTime><openTime>${open}</openTime><description>D-Link DIR-823G是中国友讯（D-Link）公司的一款无线路由器。</description><formalWay>厂商尚未提供漏洞修复方案，请关注厂商主页更新</formalWay></vulnerability>`;
    writeFileSync(
      xml,
      `<?xml version="1.0" encoding="UTF-8"?><vulnerabilitys>${rec('CNVD-2023-00001', '2023-01-09')}${rec('CNVD-2023-00002', '2023-13-01')}</vulnerabilitys>`,
    );
    const data = join(dir, 'db');
    const imp = await cli(['--data', data, 'import', 'cnvd-xml', xml]);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toContain(
      `${xml} record CNVD-2023-00002 field openTime: unparseable date "2023-13-01"`,
    );
    expect(imp.stdout).toMatch(/2 read, 1 imported, 0 updated, 0 unchanged, 1 rejected/);

    const again = await cli(['--data', data, 'import', '--json', 'cnvd-xml', xml]);
    const summary = JSON.parse(again.stdout) as { unchanged: number; imported: number; rejected: number };
    expect(summary).toMatchObject({ unchanged: 1, imported: 0, rejected: 1 });

    const search = await cli(['--data', data, 'search', '缓冲区溢出', '--json']);
    expect(search.code).toBe(0);
    const found = JSON.parse(search.stdout) as {
      items: Array<{ id: string; objectType: string; industries: string[] }>;
    };
    expect(found.items.map((i) => i.id)).toEqual(['CNVD-2023-00001']);
    expect(found.items[0]).toMatchObject({ objectType: 'network_device', industries: ['telecom'] });

    const table = await cli(['--data', data, 'search', 'dir-823g']);
    expect(table.stdout).toMatch(/CNVD-2023-00001\s+high/);

    const show = await cli(['--data', data, 'show', 'cve-2023-1234']);
    const detail = JSON.parse(show.stdout) as {
      vulnerability: { id: string; zeroDay: boolean; products: Array<{ vendor: string; product: string }> };
    };
    expect(detail.vulnerability).toMatchObject({
      id: 'CNVD-2023-00001',
      zeroDay: true,
      products: [{ vendor: 'D-Link', product: 'DIR-823G' }],
    });

    const missing = await cli(['--data', data, 'show', 'CVE-1999-0001']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/No vulnerability is known by the id/);

    const stats = await cli(['--data', data, 'stats', '--json']);
    expect(JSON.parse(stats.stdout)).toMatchObject({ total: 1, bySeverity: { high: 1 } });

    const csv = await cli(['--data', data, 'export', 'DIR-823G']);
    expect(csv.stdout.split('\n')[1]).toMatch(/^CNVD-2023-00001,/);

    const bad = await cli(['--data', data, 'search', '--severity', 'urgent']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/severity must be one of high, medium, low/);

    const noFile = await cli(['--data', data, 'import', 'kev', join(dir, 'nope.json')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/nope\.json: no such file or directory/);

    // the weekly bulletin of 2023-W02 (2023-01-09 … 15): Markdown to stdout, HTML to a file, errors located
    const md = await cli(['--data', data, 'report', 'weekly', '--week', '2023-W02', '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('2023年第2期');
    expect(md.stdout).toContain('共收集、整理信息安全漏洞 1 个，其中高危漏洞 1 个');
    const out = join(dir, 'b.html');
    const html = await cli([
      '--data',
      data,
      'report',
      'weekly',
      '--week',
      '2023-W02',
      '--lang',
      'en',
      '-o',
      out,
    ]);
    expect(html.code).toBe(0);
    expect(html.stderr).toContain(`wrote ${out}`);
    const badWeek = await cli(['--data', data, 'report', 'weekly', '--week', '2023-W60']);
    expect(badWeek.code).toBe(2);
    expect(badWeek.stderr).toMatch(/week: 2023 has no week 60/);
    const pdfNoFile = await cli(['--data', data, 'report', 'weekly', '--format', 'pdf']);
    expect(pdfNoFile.code).toBe(2);
    const editorial = join(dir, 'editorial.json');
    writeFileSync(editorial, JSON.stringify({ news: [{ title: 'GoAnywhere', url: 'not a url' }] }));
    const badEdit = await cli(['--data', data, 'report', 'edit', '--week', '2023-W02', '--file', editorial]);
    expect(badEdit.code).toBe(2);
    expect(badEdit.stderr).toContain(`${editorial}: editorial: /news/0/url must match pattern`);
    const pub = await cli([
      '--data',
      data,
      'report',
      'weekly',
      '--week',
      '2023-W02',
      '--format',
      'json',
      '--publish',
    ]);
    expect(pub.code).toBe(0);
    expect(JSON.parse(pub.stdout)).toMatchObject({ state: 'published', figures: { overview: { total: 1 } } });
    const list = await cli(['--data', data, 'report', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: '2023-W02', total: 1 }]);
  }, 240_000); // some twenty spawns, each opening the embedded database

  it('runs the pipeline from the command line: users, organisations, triage, verification, notification, delivery, publication', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-cli-pipe-'));
    const data = join(dir, 'db');
    const PW = 'correct horse battery staple';
    const admin = await cli(
      ['--data', data, 'admin', 'create', '--email', 'admin@vs.example', '--name', 'Admin'],
      {
        VULNSHARE_PASSWORD: PW,
      },
    );
    expect(admin.stdout).toMatch(/created admin admin@vs.example/);
    const weak = await cli(['--data', data, 'admin', 'create', '--email', 'x@vs.example', '--name', 'X'], {
      VULNSHARE_PASSWORD: 'short',
    });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/password must be at least 12 characters/);
    await cli(
      ['--data', data, 'admin', 'create', '--email', 'r@vs.example', '--name', 'R', '--role', 'reporter'],
      { VULNSHARE_PASSWORD: PW },
    );
    // a reporter submits through the service (the API's path), then the CLI takes over
    const d = await openDatabase({ dataDir: data });
    const accounts = createAccountService({ db: d.db });
    const s = await accounts.resolveSession(
      (await accounts.login({ email: 'r@vs.example', password: PW })).session,
    );
    if (!s) throw new Error('no session');
    const sub = await createSubmissionService({ db: d.db }).submit(s.principal, {
      kind: 'general',
      title: 'Tenda AX1803 命令行流程测试漏洞',
      vendor: 'Tenda',
      product: 'AX1803',
      description: 'deviceName 参数存在命令注入',
      originality: 'original',
    });
    await d.close();
    const no = sub.trackingNo;
    const list = await cli(['--data', data, 'submissions', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ trackingNo: no, state: 'submitted' }]);
    expect((await cli(['--data', data, 'submissions', 'transition', no, 'verified'])).stderr).toMatch(
      /cannot go to verified/,
    );
    await cli(['--data', data, 'submissions', 'transition', no, 'triaged']);
    await cli(['--data', data, 'submissions', 'transition', no, 'verifying']);
    const vfile = join(dir, 'v.json');
    writeFileSync(
      vfile,
      JSON.stringify({
        environment: 'AX1803 1.0.0.1',
        steps: 'deviceName=$(reboot)',
        result: 'reproduced',
        verifier: 'CNVD',
      }),
    );
    const verified = await cli([
      '--data',
      data,
      'submissions',
      'transition',
      no,
      'verified',
      '--verification',
      vfile,
    ]);
    expect(verified.stdout).toMatch(new RegExp(`${no}: verified \\(VS-\\d{4}-00001\\)`));
    const org = await cli([
      '--data',
      data,
      'org',
      'add',
      '--kind',
      'vendor',
      '--name',
      'Tenda',
      '--name-en',
      'Shenzhen Tenda',
    ]);
    const orgId = /organisation (\d+)/.exec(org.stdout)?.[1] ?? '';
    expect((await cli(['--data', data, 'org', 'contact', orgId, '--name', 'PSIRT'])).stdout).toMatch(
      /contact \d+ added/,
    );
    // an organisation without standing receives nothing embargoed; verified again, it does
    expect((await cli(['--data', data, 'org', 'verify', orgId, '--withdraw'])).stdout).toMatch(
      /standing withdrawn/,
    );
    const refused = await cli(['--data', data, 'submissions', 'notify', no, '--org', orgId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Tenda/);
    expect((await cli(['--data', data, 'org', 'verify', orgId])).stdout).toMatch(/Tenda \(vendor\) verified/);
    expect((await cli(['--data', data, 'submissions', 'notify', no, '--org', orgId])).stdout).toMatch(
      /1 notified, 1 messages queued/,
    );
    expect((await cli(['--data', data, 'worker', '--once'])).stdout).toMatch(/sent 1, failed 0/);
    const pub = await cli(['--data', data, 'submissions', 'publish', no]);
    expect(pub.stdout).toMatch(/published as VS-\d{4}-00001/);
    const found = await cli(['--data', data, 'search', '命令行流程测试', '--json']);
    expect((JSON.parse(found.stdout) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([
      expect.stringMatching(/^VS-\d{4}-00001$/),
    ]);
  }, 240_000);
});

describe('the command modules a command line loads (main.ts COMMAND_MODULES)', () => {
  it('names, for each module, exactly the top-level commands it adds, so no command is left out', async () => {
    const { Command } = await import('commander');
    const { COMMAND_MODULES, buildCli } = await import('./main.js');
    const all = new Set<string>();
    for (const m of COMMAND_MODULES) {
      const program = new Command('vulnshare');
      // the `peer` modules after the first add to the group the first one made; alone each makes it
      (await m.load())(program);
      const added = program.commands.map((c) => c.name());
      expect(added, m.commands.join(',')).toEqual([...new Set(m.commands)]);
      for (const c of added) all.add(c);
    }
    const full = await buildCli();
    expect(full.commands.map((c) => c.name()).sort()).toEqual([...all].sort());
    // and the table holds every module: a module left out of it would take its commands out of the program
    expect([...all].sort()).toEqual(
      ['admin', 'advisory', 'alliance', 'csaf', 'demo', 'drill', 'export', 'feeds', 'import', 'incident']
        .concat(['migrate', 'org', 'peer', 'report', 'search', 'serve', 'show', 'stats', 'submissions'])
        .concat(['sync', 'tipoff', 'watch', 'worker']),
    );
    // one command's program holds the same command, with the same subcommands, as the full one
    for (const name of all) {
      const one = await buildCli(undefined, undefined, name);
      const mods = COMMAND_MODULES.filter((m) => m.commands.includes(name));
      expect(one.commands.map((c) => c.name()).sort()).toEqual(
        [...new Set(mods.flatMap((m) => m.commands))].sort(),
      );
      const sub = (p: typeof full) =>
        p.commands
          .find((c) => c.name() === name)
          ?.commands.map((c) => c.name())
          .sort();
      expect(sub(one), name).toEqual(sub(full));
    }
  });

  it('finds the command past the root options, and none for help, --version or no command', async () => {
    const { commandOf } = await import('./main.js');
    const argv = (...a: string[]) => ['node', 'vulnshare', ...a];
    expect(commandOf(argv('import', 'cve5', 'x'))).toBe('import');
    expect(commandOf(argv('--data', 'import', 'peer', 'list'))).toBe('peer');
    expect(commandOf(argv('--database-url', 'postgres://h/db', 'serve'))).toBe('serve');
    expect(commandOf(argv('--data=./d', '--database-url=postgres://h/db', 'search', 'x'))).toBe('search');
    expect(commandOf(argv('--help'))).toBeUndefined();
    expect(commandOf(argv('-V'))).toBeUndefined();
    expect(commandOf(argv())).toBeUndefined();
    expect(commandOf(argv('help', 'import'))).toBe('help'); // no module adds it: all are loaded
  });

  it('runs a command with only its modules loaded, and shows every command in help and on a wrong name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vulnshare-cli-lazy-'));
    const imp = await cli(['--data', join(dir, 'data'), 'import', 'cve5', join(dir, 'none')]);
    expect(imp.stderr).not.toMatch(/unknown command/);
    const help = await cli(['help']);
    for (const c of ['import', 'serve', 'peer', 'tipoff', 'alliance']) expect(help.stdout).toContain(c);
    const typo = await cli(['imprt', 'cve5']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'imprt'[\s\S]*import/);
  }, 120_000);
});
