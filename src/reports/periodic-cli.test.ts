/**
 * `vulnshare report monthly|annual` spawned from the built executable on a fresh embedded database: a small
 * CNVD XML file imported, the month's Markdown and JSON, publishing once, refusals with their exit codes.
 * Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'vulnshare.js');
const built = existsSync(join(root, 'dist', 'reports', 'periodic-service.js'));

async function cli(args: string[], env: Record<string, string>) {
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

const record = (n: string, sev: string, open: string) =>
  `<vulnerability><number>${n}</number><title>Foo 跨站脚本漏洞</title><serverity>${sev}</serverity><isEvent>通用软硬件漏洞</isEvent><submitTime>2023-11-01</submitTime><openTime>${open}</openTime><products><product>Foo Foo 1.0</product></products></vulnerability>`;

describe.runIf(built)('vulnshare report monthly / annual (built, spawned)', () => {
  it('renders a month as Markdown and JSON, publishes it once, and refuses what is not a period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-periodic-cli-'));
    const env = { VULNSHARE_DATA: join(dir, 'data') };
    const xml = join(dir, 'w.xml');
    writeFileSync(
      xml,
      `<?xml version="1.0" encoding="UTF-8"?><vulnerabilitys>${record('CNVD-2023-99001', '高', '2023-12-04')}${record('CNVD-2023-99002', '低', '2023-12-05')}${record('CNVD-2023-99003', '中', '2023-11-30')}</vulnerabilitys>`,
    );
    expect((await cli(['import', 'cnvd-xml', xml], env)).code).toBe(0);
    const md = await cli(['report', 'monthly', '2023-12', '--format', 'md', '--lang', 'zh'], env);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('信息安全漏洞月报 · 2023年12月');
    expect(md.stdout).toContain('共收录通用型安全漏洞 2 个，较上月（1 个）增长 100.0%');
    const json = await cli(['report', 'annual', '2023', '--format', 'json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'year',
      state: 'draft',
      figures: { overview: { total: 3, bySeverity: { high: 1, medium: 1, low: 1 } } },
    });
    const pub = await cli(['report', 'monthly', '2023-12', '--publish', '--format', 'json'], env);
    expect(pub.code).toBe(0);
    expect(pub.stderr).toMatch(/^published 2023-12 at /);
    expect(JSON.parse(pub.stdout)).toMatchObject({ state: 'published' });
    const again = await cli(['report', 'monthly', '2023-12', '--publish'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already published');
    const bad = await cli(['report', 'monthly', '2023-13'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('month must be a month such as 2023-12');
  }, 480_000);
});
