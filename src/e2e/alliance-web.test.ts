/**
 * The alliance member directory in real headless Chromium (Debian's /usr/bin/chromium) against the real app
 * and the built web app (dist/web, `npm run build`): the 71 members of CNCERT's 2020 annual report
 * (../shared/seeds, read at test time; skipped with a message when absent) listed, searched by a Chinese name,
 * by a certificate number however padded and, in English, by an English name; a member's own page.
 * Screenshots go to .scratch/ to be looked at.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase } from '../test-support/db.js';
import { sharedDataDir } from '../test-support/shared-data.js';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'web', 'index.html'));
const shots = join(root, '.scratch');
const SEED = join(dirname(sharedDataDir), 'seeds', 'cncert-annual-report-2020-excerpt.txt');
const seed = existsSync(SEED) ? readFileSync(SEED, 'utf8') : null;
if (!seed) console.warn(`[skip] seed not found: ${SEED}`);

describe.runIf(existsSync(CHROMIUM) && built && seed !== null)('the alliance directory in Chromium', () => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let base = '';
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await freshDatabase('pglite');
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', rateLimitPerMinute: 100_000 }));
    // two members already known to the platform with their English names: the import links them by name
    await platform.accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '华为技术有限公司',
      nameEn: 'Huawei Technologies Co., Ltd.',
    });
    await platform.accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '浙江大华技术股份有限公司',
      nameEn: 'Zhejiang Dahua Technology Co., Ltd.',
    });
    const r = await platform.alliance.importMembers(CLI, seed ?? '', {
      source: 'cncert-annual-report-2020-excerpt.txt',
      joinedOn: '2020-12-31',
    });
    expect(r).toMatchObject({ total: 71, created: 69, linked: 2 });
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

  async function open(locale: 'zh-CN' | 'en-GB', path: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + path);
    return page;
  }
  const rows = (page: Page) => page.locator('table.alliance tbody tr');

  it('lists the 71 members of the seed with their certificates, and finds one by a Chinese name', async () => {
    const page = await open('zh-CN', '/alliance');
    await page.getByRole('heading', { name: '网络安全威胁治理联盟成员' }).waitFor();
    await rows(page).nth(70).waitFor();
    expect(await rows(page).count()).toBe(71);
    await expect(page.locator('p.meta').first().textContent()).resolves.toContain('有效 71');
    expect(await rows(page).first().textContent()).toContain('CCTGA-000093');
    expect(await rows(page).first().textContent()).toContain('北京搜狗信息服务有限公司');
    await page.screenshot({ path: join(shots, 'alliance-directory.png'), fullPage: true });

    await page.getByRole('searchbox', { name: '单位名称或证书编号' }).fill('海康威视');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await rows(page).first().textContent()).toContain('杭州海康威视数字技术股份有限公司');
    // the seed wrote CCTGA-0000131; the number is what counts
    expect(await rows(page).first().textContent()).toContain('CCTGA-000131');
    expect(errors).toEqual([]);
  }, 180_000);

  it('finds a member by its certificate number however the list padded it', async () => {
    const page = await open('zh-CN', '/alliance');
    await rows(page).nth(70).waitFor();
    const search = page.getByRole('searchbox');
    await search.fill('150');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await rows(page).first().textContent()).toContain('CCTGA-000150');
    expect(await rows(page).first().textContent()).toContain('浙江大华技术股份有限公司');
    await search.fill('');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(71);
    await search.fill('CCTGA-0000150');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await rows(page).first().textContent()).toContain('浙江大华技术股份有限公司');
    await page.getByRole('searchbox').fill('没有这个单位');
    await page.locator('table.alliance').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  }, 180_000);

  it('in English, searches English names and shows them; a member’s page says what it receives', async () => {
    const page = await open('en-GB', '/alliance');
    await page.getByRole('heading', { name: 'Cyber Threat Governance Alliance members' }).waitFor();
    await rows(page).nth(70).waitFor();
    await page.getByRole('searchbox', { name: 'Name or certificate number' }).fill('huawei');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await rows(page).first().textContent()).toContain('Huawei Technologies Co., Ltd.');
    await page.getByRole('link', { name: 'Huawei Technologies Co., Ltd.' }).click();
    await page.waitForURL(`${base}/alliance/CCTGA-000099`);
    await page.getByRole('heading', { name: 'Huawei Technologies Co., Ltd.' }).waitFor();
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('华为技术有限公司');
    expect(main).toContain('CCTGA-000099');
    expect(main).toContain('Active');
    expect(main).toContain('2020-12-31');
    expect(main).toContain('Early warnings of vulnerabilities before publication');
    await page.screenshot({ path: join(shots, 'alliance-member-en.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);

  it('opens a member’s page by the padded certificate of the list, and a suspended member receives nothing', async () => {
    await platform.alliance.update(CLI, 'CCTGA-000150', { status: 'suspended', note: 'test' });
    const page = await open('zh-CN', '/alliance/CCTGA-0000150');
    await page.getByRole('heading', { name: '浙江大华技术股份有限公司' }).waitFor();
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('CCTGA-000150');
    expect(main).toContain('名单原文 CCTGA-0000150');
    expect(main).toContain('暂停');
    expect(main).toContain('成员资格暂停或过期期间不接收联盟共享内容');
    await page.screenshot({ path: join(shots, 'alliance-member-zh.png'), fullPage: true });
    const missing = await open('zh-CN', '/alliance/CCTGA-009999');
    await missing.locator('.status.error').waitFor();
    expect(await missing.locator('.status.error').textContent()).toContain('CCTGA-009999');
    expect(errors).toEqual([]);
  }, 180_000);
});
