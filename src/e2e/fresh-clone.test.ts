/**
 * The README's quick start on a fresh clone with no ../shared beside it (issue 17): the committed tree
 * (`git archive HEAD`) is unpacked into /tmp/<x>/repo with nothing at /tmp/<x>/shared, node_modules linked
 * from this checkout (installing is npm's business, not ours), `npm run build` there, then
 * `node bin/vulnshare.js serve` on a fresh data folder and a free port: the console prints the one-time setup
 * link; in real Chromium the setup page creates the admin and loads the demo; home, the list, a record, the
 * bulletins and the console show the demo's data. Slow: a build and a demo load (a generous timeout; it prints
 * how long each step took). Screenshots go to .scratch/.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..', '..');
const shots = join(root, '.scratch');
const PW = 'Quiet harbour 8 lanterns drift';
const isGit = existsSync(join(root, '.git'));

describe.runIf(existsSync(CHROMIUM) && isGit)(
  'a fresh clone with no ../shared: build, serve, set up, demo',
  () => {
    let top: string;
    let repo: string;
    let proc: ChildProcess | undefined;
    let stderr = '';
    let base = '';
    let link = '';
    let browser: Browser;
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
      const t0 = Date.now();
      try {
        return await f();
      } finally {
        timings[name] = Math.round((Date.now() - t0) / 100) / 10;
      }
    };

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      top = mkdtempSync(join(tmpdir(), 'vs-fresh-clone-'));
      repo = join(top, 'repo');
      mkdirSync(repo);
      await timed('archive', () =>
        execFileSync('sh', ['-c', `git -C "${root}" archive HEAD | tar -x -C "${repo}"`], { stdio: 'pipe' }),
      );
      symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'), 'dir');
      // the environment of a newcomer's shell: no setting of ours, nothing pointing at the shared data
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('VULNSHARE_') && k !== 'DATABASE_URL'),
      );
      await timed('build', () =>
        execFileSync('npm', ['run', 'build'], { cwd: repo, env, stdio: 'pipe', timeout: 240_000 }),
      );
      proc = await timed('serve until the setup link', async () => {
        const p = spawn(
          process.execPath,
          ['bin/vulnshare.js', '--data', join(top, 'data'), 'serve', '--port', '0'],
          {
            cwd: repo,
            env: { ...env, VULNSHARE_LOG_LEVEL: 'warn', VULNSHARE_RATE_LIMIT: '100000' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        await new Promise<void>((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`no setup link in 90 s: ${stderr}`)), 90_000);
          p.stderr?.on('data', (c: Buffer) => {
            stderr += c.toString();
            const listening = /listening on (http:\/\/\S+)/.exec(stderr);
            const setup = /(http:\/\/\S+\/setup\?token=[\w%-]+)/.exec(stderr);
            if (listening?.[1] && setup?.[1]) {
              base = listening[1];
              link = setup[1];
              clearTimeout(timer);
              ok();
            }
          });
          p.on('close', (code) => fail(new Error(`serve exited with ${String(code)}: ${stderr}`)));
        });
        return p;
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }, 400_000);
    afterAll(async () => {
      await browser?.close();
      if (proc && proc.exitCode === null) {
        const exited = new Promise((r) => proc?.on('close', r));
        proc.kill('SIGTERM');
        await exited;
      }
      console.info(`[fresh clone] seconds: ${JSON.stringify(timings)}`);
      if (top) rmSync(top, { recursive: true, force: true });
    });

    it('has nothing of ../shared beside it and prints the one-time setup link', () => {
      expect(existsSync(join(top, 'shared'))).toBe(false);
      expect(existsSync(join(repo, '..', 'shared'))).toBe(false);
      expect(existsSync(join(repo, 'dist', 'web', 'index.html'))).toBe(true);
      expect(stderr).toMatch(/First run: no admin yet/);
      expect(link.startsWith(`${base}/setup?token=`)).toBe(true);
    });

    it('sets up the admin and the demo in Chromium; home, list, a record, bulletins and console show it', async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      const p = await ctx.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      await timed('setup page: admin', async () => {
        await p.goto(link);
        await p.getByRole('heading', { name: '初始设置' }).waitFor();
        await p.getByLabel('管理员邮箱').fill('admin@cert.example');
        await p.getByLabel('姓名').fill('首位管理员');
        await p.getByLabel(/^密码/).fill(PW);
        await p.getByRole('button', { name: '创建管理员' }).click();
        await p.getByText('管理员已创建并已登录。').waitFor({ timeout: 60_000 });
      });
      await timed('setup page: demo', async () => {
        await p.getByRole('button', { name: '加载演示数据' }).click();
        await p.getByRole('heading', { name: '演示数据已加载' }).waitFor({ timeout: 240_000 });
      });
      await expect(p.locator('main').textContent()).resolves.toMatch(/320 条记录/);
      await p.screenshot({ path: join(shots, 'fresh-clone-demo-loaded.png'), fullPage: true });

      await p.goto(`${base}/`);
      await p.getByRole('heading', { name: '最新高危漏洞' }).waitFor();
      await p.locator('[role=img] svg').first().waitFor();
      await p.screenshot({ path: join(shots, 'fresh-clone-home.png'), fullPage: true });

      await p.goto(`${base}/vulnerabilities`);
      const rows = p.locator('ul.list > li');
      await rows.first().waitFor();
      expect(await rows.count()).toBeGreaterThanOrEqual(10);
      const first = rows.first().locator('a').first();
      const title = ((await first.textContent()) ?? '').trim();
      expect(title.length).toBeGreaterThan(3);
      await first.click();
      await p.waitForURL(/\/vulnerabilities\/.+/);
      await p
        .locator('h1')
        .filter({ hasText: title.slice(0, 10) })
        .waitFor();
      await p.screenshot({ path: join(shots, 'fresh-clone-detail.png'), fullPage: true });

      await p.goto(`${base}/bulletins`);
      const bulletin = p.locator('li.bulletin');
      await bulletin.first().waitFor();
      expect(await bulletin.first().textContent()).toMatch(/\d{4}年第\d+期/);

      await p.goto(`${base}/console`);
      const queue = p.locator('table.queue tr');
      await queue.first().waitFor();
      expect(await queue.count()).toBeGreaterThanOrEqual(3);
      await p.screenshot({ path: join(shots, 'fresh-clone-console.png'), fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();
    }, 400_000);
  },
);
