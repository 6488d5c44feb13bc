/**
 * The portal's /reports page in real headless Chromium against the real server on PGlite: the published
 * monthly and annual reports listed newest first in zh and en, each opening as HTML. Needs `npm run build`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { completeConfig, createPlatform } from '../app/platform.js';

const CHROMIUM = '/usr/bin/chromium';
const built = existsSync(resolve(import.meta.dirname, '..', '..', 'dist', 'web', 'index.html'));
const shots = resolve(import.meta.dirname, '..', '..', 'test-results');

describe.runIf(existsSync(CHROMIUM) && built)('the /reports page in Chromium', () => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await freshDatabase('pglite');
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2023-90001', {
          severity: 'high',
          dates: { collected: '2023-11-05', published: '2023-11-05' },
        }),
        cnvdRecord('CNVD-2023-90002', {
          severity: 'low',
          dates: { collected: '2023-12-05', published: '2023-12-05' },
        }),
        cnvdRecord('CNVD-2023-90003', {
          severity: 'high',
          dates: { collected: '2023-12-06', published: '2023-12-06' },
        }),
      ]),
      { format: 'test', paths: [] },
    );
    await createAccountService({ db: d.db }).createUser(CLI, {
      email: 'admin@vs.example',
      displayName: 'Admin',
      password: 'correct horse battery',
      role: 'admin',
    });
    const { reports } = createPlatform(d, completeConfig({ publicUrl: 'https://vs.example' }));
    await reports.publish(CLI, 'month', '2023-11');
    await reports.publish(CLI, 'month', '2023-12');
    await reports.publish(CLI, 'year', '2023');
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 100_000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await app.close();
    await d.close();
  });

  it('lists the published reports newest first and opens one as HTML, in Chinese and in English', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const ctx = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
      await ctx.addInitScript(`localStorage.setItem('vulnshare.lang', '${lang}')`);
      const p = await ctx.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      p.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await p.goto(`${base}/reports`);
      const items = p.locator('li[data-report]');
      await items.first().waitFor();
      const ids = await Promise.all(
        Array.from({ length: await items.count() }, (_, n) => items.nth(n).getAttribute('data-report')),
      );
      expect(ids).toEqual(['2023-12', '2023-11', '2023']);
      const first = (await items.first().innerText()).replace(/\s+/g, ' ');
      expect(first).toContain(lang === 'zh' ? '月报 · 2023年12月' : 'Monthly · Dec 2023');
      expect(first).toContain(lang === 'zh' ? '高危 1' : 'high 1');
      await p.screenshot({ path: resolve(shots, `reports-${lang}.png`), fullPage: true });
      const [html] = await Promise.all([
        p.waitForEvent('response', (r) => r.url().includes('/api/v1/reports/annual/2023')),
        p.locator('li[data-report="2023"] a', { hasText: 'HTML' }).click(),
      ]);
      expect(html.status()).toBe(200);
      await p.waitForLoadState('load');
      expect(await p.locator('h1').innerText()).toBe(
        lang === 'zh' ? '网络安全漏洞年度报告' : 'Annual Vulnerability Report',
      );
      await ctx.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
