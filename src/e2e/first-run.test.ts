/**
 * A newcomer's first run, as shipped: `vulnshare serve` (bin/vulnshare.js over dist/, `npm run build` first) on
 * an empty data directory prints a one-time setup link; until it is used nothing is writable; in real Chromium
 * the setup page creates the first admin and loads the demo; the portal then has content, and the link is
 * dead. Screenshots of the setup page and the populated home page go to test-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/vulnshare.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'web', 'index.html')) && existsSync(join(root, 'dist', 'cli'));
const shots = join(root, 'test-results');
const PW = 'Quiet harbour 8 lanterns drift';

describe.runIf(built && existsSync(CHROMIUM))(
  'first run of vulnshare serve on an empty data directory',
  () => {
    let dir: string;
    let proc: ChildProcess;
    let stderr = '';
    let base = '';
    let link = '';
    let browser: Browser;

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      dir = mkdtempSync(join(tmpdir(), 'vs-first-run-'));
      proc = spawn(process.execPath, [BIN, '--data', join(dir, 'data'), 'serve', '--port', '0'], {
        env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', VULNSHARE_RATE_LIMIT: '100000' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolveStart, reject) => {
        const timer = setTimeout(() => reject(new Error(`no setup link in 90 s: ${stderr}`)), 90_000);
        proc.stderr?.on('data', (c: Buffer) => {
          stderr += c.toString();
          const listening = /listening on (http:\/\/\S+)/.exec(stderr);
          const setup = /(http:\/\/\S+\/setup\?token=[\w%-]+)/.exec(stderr);
          if (listening?.[1] && setup?.[1]) {
            base = listening[1];
            link = setup[1];
            clearTimeout(timer);
            resolveStart();
          }
        });
        proc.on('close', (code) => reject(new Error(`serve exited with ${String(code)}: ${stderr}`)));
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }, 120_000);
    afterAll(async () => {
      await browser.close();
      const exited = new Promise((r) => proc.on('close', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    });

    it('prints a one-time setup link; until it is used only reads work', async () => {
      expect(link.startsWith(`${base}/setup?token=`)).toBe(true);
      expect(stderr).toMatch(/First run: no admin yet/);
      const write = await fetch(`${base}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'r@x.example', displayName: 'R', password: PW }),
      });
      expect(write.status).toBe(503);
      expect(await write.json()).toMatchObject({ error: { code: 'setup_required' } });
      const read = await fetch(`${base}/api/v1/vulnerabilities`);
      expect(read.status).toBe(200);
      expect((await read.json()) as { items: unknown[] }).toMatchObject({ items: [] });
    });

    it('creates the admin and loads the demo from the setup page; the portal then shows it', async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      const p = await ctx.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(link);
      await p.getByRole('heading', { name: '初始设置' }).waitFor();
      await p.screenshot({ path: join(shots, 'setup.png'), fullPage: true });
      await p.getByLabel('管理员邮箱').fill('admin@cert.example');
      await p.getByLabel('姓名').fill('首位管理员');
      await p.getByLabel(/^密码/).fill(PW);
      await p.getByRole('button', { name: '创建管理员' }).click();
      await p.getByText('管理员已创建并已登录。').waitFor({ timeout: 30_000 });
      await p.screenshot({ path: join(shots, 'setup-demo-offer.png'), fullPage: true });
      await p.getByRole('button', { name: '加载演示数据' }).click();
      await p.getByRole('heading', { name: '演示数据已加载' }).waitFor({ timeout: 240_000 });
      await expect(p.locator('main').textContent()).resolves.toMatch(/320 条记录/);
      await p.goto(`${base}/`);
      await p.getByRole('heading', { name: '最新高危漏洞' }).waitFor();
      await p.locator('[role=img] svg').first().waitFor();
      await p
        .getByText(/演示报告|示例|Acme|Globex|Shili/)
        .first()
        .waitFor();
      await p.screenshot({ path: join(shots, 'home-demo.png'), fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();

      const list = (await (await fetch(`${base}/api/v1/vulnerabilities?limit=100`)).json()) as {
        items: Array<{ aliases: string[] }>;
      };
      expect(list.items).toHaveLength(100);
      const aliases = list.items.flatMap((v) => v.aliases);
      expect(aliases.some((a) => a.startsWith('CNVD-'))).toBe(true);
      expect(aliases.some((a) => a.startsWith('CVE-'))).toBe(true);
    }, 300_000);

    it('the setup link is dead afterwards', async () => {
      const token = new URL(link).searchParams.get('token') ?? '';
      const again = await fetch(`${base}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email: 'x@cert.example', displayName: 'X', password: PW }),
      });
      expect(again.status).toBe(403);
      expect(await again.json()).toMatchObject({ error: { code: 'setup_link_invalid' } });
      expect(await (await fetch(`${base}/api/v1/setup`)).json()).toEqual({
        setupRequired: false,
        adminExists: true,
      });
    });
  },
);
