/**
 * Public tip-offs in real headless Chromium (Debian's /usr/bin/chromium) against the real app and the built web
 * app (dist/web, `npm run build`): someone without an account files a tip-off on /tipoff and is shown a receipt
 * code; an analyst sees it marked 公众举报 in the console's queue (and in the tip-offs-only filter) and on its
 * case page, and asks a question; the tipster follows the case with the receipt and answers it. The size limit
 * and the hourly limit per address answer in plain words. Screenshots go to .scratch/ to be looked at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase } from '../test-support/db.js';
import { TIPOFF_LIMITS } from '../tipoffs/model.js';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'web', 'index.html'));
const shots = join(root, '.scratch');
const PW = 'correct horse battery staple';

describe.runIf(existsSync(CHROMIUM) && built)('public tip-offs in Chromium', () => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let base = '';
  let browser: Browser;
  let analyst: Principal;
  let receipt = '';
  let trackingNo = '';
  let registered = '';
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await freshDatabase('pglite');
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', rateLimitPerMinute: 100_000 }));
    const a = await platform.accounts.createUser(CLI, {
      email: 'analyst@tipoff-web.example',
      displayName: '值班分析员',
      password: PW,
      role: 'analyst',
      organisationId: null,
    });
    analyst = {
      kind: 'user',
      userId: a.id,
      email: a.email,
      role: 'analyst',
      organisationId: null,
      via: 'session',
      scopes: null,
    };
    // a registered report beside the tip-off: it must stay unmarked
    const reporter = await platform.accounts.createUser(CLI, {
      email: 'reporter@tipoff-web.example',
      displayName: 'reporter',
      password: PW,
      role: 'reporter',
      organisationId: null,
    });
    const r = await platform.submissions.submit(
      {
        kind: 'user',
        userId: reporter.id,
        email: reporter.email,
        role: 'reporter',
        organisationId: null,
        via: 'session',
        scopes: null,
      },
      {
        kind: 'general',
        title: 'ExampleCMS 后台 SQL 注入漏洞',
        vendor: 'Example',
        product: 'ExampleCMS',
        version: '3.1',
        description: 'ExampleCMS 3.1 的 /admin/search 参数 q 存在 SQL 注入。',
        originality: 'original',
      },
    );
    registered = r.trackingNo;
    app = await buildApp({ database: d, config: {}, platform });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await platform?.close();
    await d?.close();
  });

  async function open(path: string, locale = 'zh-CN'): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + path);
    return page;
  }
  async function signedIn(email: string): Promise<Page> {
    const page = await open('/login');
    await page.fill('input[type=email], input[name=email]', email);
    await page.fill('input[type=password]', PW);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  }

  it('files a tip-off without an account and shows the receipt code once', async () => {
    const page = await open('/tipoff');
    await page.getByRole('heading', { name: '网络安全举报' }).waitFor();
    await page.getByLabel('在用系统漏洞').check();
    await page.getByLabel('标题').fill('某市政务服务平台存在未授权访问漏洞');
    await page.getByLabel('涉及单位').fill('某市政务服务管理局');
    await page.getByLabel('涉及系统（网址、主机或说明）').fill('https://zwfw.example.gov.cn/admin');
    await page
      .getByLabel('详细描述')
      .fill('后台接口 /admin/api/users 无需登录即可返回全部用户的姓名和身份证号。');
    await page.getByLabel('联系方式（选填，仅工作人员可见）').fill('tipster@example.org');
    await page.screenshot({ path: join(shots, 'tipoff-form.png'), fullPage: true });
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.getByRole('heading', { name: '举报已收到' }).waitFor();
    receipt = (await page.locator('.receipt code').textContent()) ?? '';
    expect(receipt).toMatch(/^TIP(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    trackingNo = ((await page.locator('p.meta').textContent()) ?? '').replace('受理编号', '').trim();
    expect(trackingNo).toMatch(/^S-/);
    await page.screenshot({ path: join(shots, 'tipoff-receipt.png'), fullPage: true });
    // shown once: the page that follows a case asks for it, it is not in any address
    expect(page.url()).not.toContain(receipt);
    await page.getByRole('link', { name: '凭回执码查看进展、回答问题' }).click();
    await page.getByRole('heading', { name: '举报进展' }).waitFor();
    await page.getByLabel('回执码').fill(receipt.toLowerCase());
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByText(`${trackingNo} · 已收到`).waitFor();
    expect(errors).toEqual([]);
  }, 180_000);

  it('is marked 公众举报 in the console’s queue, filterable, and on its case page with the contact', async () => {
    const page = await signedIn('analyst@tipoff-web.example');
    await page.goto(`${base}/console`);
    const row = (no: string) => page.locator('table.queue tr', { hasText: no });
    await row(trackingNo).waitFor();
    await row(registered).waitFor();
    expect(await row(trackingNo).locator('.tag.tipoff').textContent()).toBe('公众举报');
    expect(await row(registered).locator('.tag.tipoff').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'console-queue-tipoff.png'), fullPage: true });

    await page.getByRole('link', { name: '仅公众举报' }).click();
    await page.waitForURL(`${base}/console?origin=public`);
    await row(trackingNo).waitFor();
    expect(await page.locator('table.queue tr').count()).toBe(1);
    // with a state: the 'submitted' tab keeps the filter
    await page.getByRole('navigation', { name: 'states' }).getByRole('link', { name: '已提交' }).click();
    await page.waitForURL(`${base}/console?state=submitted&origin=public`);
    await row(trackingNo).waitFor();
    expect(await page.locator('table.queue tr').count()).toBe(1);

    await page.getByRole('link', { name: '某市政务服务平台存在未授权访问漏洞' }).click();
    await page.getByRole('heading', { name: '某市政务服务平台存在未授权访问漏洞' }).waitFor();
    const note = page.locator('.tipoff-note');
    await note.waitFor();
    expect(await note.textContent()).toContain('公众举报');
    expect(await note.textContent()).toContain('举报在用系统漏洞');
    expect(await note.textContent()).toContain('tipster@example.org');
    await page.screenshot({ path: join(shots, 'console-case-tipoff.png'), fullPage: true });
    await page.goto(`${base}/console/${registered}`);
    await page.getByRole('heading', { name: 'ExampleCMS 后台 SQL 注入漏洞' }).waitFor();
    expect(await page.locator('.tipoff-note').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 180_000);

  it('the tipster follows the case with the receipt and answers the analyst’s question', async () => {
    await platform.submissions.transition(analyst, trackingNo, { to: 'triaged' });
    await platform.submissions.transition(analyst, trackingNo, {
      to: 'need_info',
      note: '请提供发现时间和一个示例请求。',
    });
    const page = await open('/tipoff/follow');
    await page.getByLabel('回执码').fill(receipt);
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByText(`${trackingNo} · 需要您补充信息`).waitFor();
    await page.getByText('请提供发现时间和一个示例请求。').waitFor();
    await page.getByLabel('回复或补充').fill('2026年11月30日发现；GET /admin/api/users?page=1 即可。');
    await page.getByRole('button', { name: '发送' }).click();
    await page.getByText(`${trackingNo} · 核实中`).waitFor();
    await page.getByText('2026年11月30日发现；GET /admin/api/users?page=1 即可。').waitFor();
    await page.screenshot({ path: join(shots, 'tipoff-follow.png'), fullPage: true });
    const s = await platform.submissions.get(analyst, trackingNo);
    expect(s.state).toBe('triaged');
    expect((await platform.messages.list(analyst, trackingNo)).at(-1)).toMatchObject({
      side: 'reporter',
      body: '2026年11月30日发现；GET /admin/api/users?page=1 即可。',
    });
    const wrong = await open('/tipoff/follow');
    await wrong.getByLabel('回执码').fill('TIP-0000-0000-0000-0000-0000-0000');
    await wrong.getByRole('button', { name: '查看' }).click();
    await wrong.locator('.status.error').waitFor();
    expect(await wrong.locator('.status.error').textContent()).toContain('No tip-off has this receipt');
    expect(errors).toEqual([]);
  }, 180_000);

  it('answers the size limit and the hourly limit per address in plain words', async () => {
    const page = await open('/tipoff');
    await page.getByRole('heading', { name: '网络安全举报' }).waitFor();
    // the form bounds each field as the API does: typing more is cut at the field's length
    await page.getByLabel('详细描述').fill('长'.repeat(TIPOFF_LIMITS.descriptionChars + 100));
    expect((await page.getByLabel('详细描述').inputValue()).length).toBe(TIPOFF_LIMITS.descriptionChars);
    // a body over the limit from any other client is refused before it is read
    const big = await page.evaluate(
      async ([bytes]) => {
        const r = await fetch('/api/v1/tipoffs', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
          body: JSON.stringify({
            kind: 'incident',
            title: 't',
            affectedOrganisation: 'o',
            affectedSystem: 's',
            description: 'x'.repeat(bytes ?? 0),
          }),
        });
        return { status: r.status, body: await r.text() };
      },
      [TIPOFF_LIMITS.bodyBytes],
    );
    expect(big.status).toBe(413);
    expect(big.body).toMatch(/too large/i);

    // tip-offs from this address until the hour's allowance is spent (the first came in the first test)
    const statuses = await page.evaluate(async (n) => {
      const out: number[] = [];
      for (let i = 0; i < n && !out.includes(429); i++) {
        const r = await fetch('/api/v1/tipoffs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'incident',
            title: `burst ${i}`,
            affectedOrganisation: 'o',
            affectedSystem: 's',
            description: 'd',
          }),
        });
        out.push(r.status);
      }
      return out;
    }, TIPOFF_LIMITS.tipoffsPerHour + 1);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true);
    expect(1 + statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(TIPOFF_LIMITS.tipoffsPerHour);
    await page.getByLabel('标题').fill('又一条举报');
    await page.getByLabel('涉及单位').fill('某单位');
    await page.getByLabel('涉及系统（网址、主机或说明）').fill('host.example');
    await page.getByLabel('详细描述').fill('描述');
    await page.getByRole('button', { name: '提交举报' }).click();
    const refused = page.locator('.status.error');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('同一网络地址提交次数已达上限，请稍后再试。');
    await page.screenshot({ path: join(shots, 'tipoff-rate-limited.png'), fullPage: true });
    // in English the server's own words say the window
    const en = await page.evaluate(async () => {
      const r = await fetch('/api/v1/tipoffs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': 'en' },
        body: '{}',
      });
      return { status: r.status, body: await r.text() };
    });
    expect(en.status).toBe(429);
    expect(en.body).toContain(`at most ${TIPOFF_LIMITS.tipoffsPerHour} requests per 60 minutes`);
    expect(errors).toEqual([]);
  }, 180_000);
});
