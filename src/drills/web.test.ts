/**
 * The exercise pages in real headless Chromium (Debian's /usr/bin/chromium) against the real app and the built
 * web app (dist/web, `npm run build`): a member answers an inject on /drills, and the control team sees the
 * answer on the console's live timeline. Screenshots go to a temporary folder, to look at.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase } from '../test-support/db.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB = new URL('../../dist/web/index.html', import.meta.url);
const PW = 'correct horse battery staple';
const ready = existsSync(CHROMIUM) && existsSync(WEB);

describe.skipIf(!ready)('exercise pages in Chromium', () => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  let now = new Date('2026-03-02T00:00:00Z');
  const shots = mkdtempSync(join(tmpdir(), 'vs-drill-web-'));
  const errors: string[] = [];

  beforeAll(async () => {
    d = await freshDatabase('pglite');
    platform = createPlatform(d, completeConfig({ logLevel: 'silent' }), { clock: () => now, mailer: null });
    const a = platform.accounts;
    const bank = (await a.createOrganisation(CLI, { kind: 'member_unit', name: '某银行', sector: 'banking' }))
      .id;
    const peer = (await a.createOrganisation(CLI, { kind: 'authority', name: 'PeerCERT' })).id;
    await a.addContact(CLI, bank, { name: 'SOC', portal: true });
    for (const [email, role, org] of [
      ['control@drill.example', 'analyst', null],
      ['bank@drill.example', 'recipient', bank],
    ] as const)
      await a.createUser(CLI, {
        email,
        displayName: email.split('@')[0] ?? '',
        password: PW,
        role,
        organisationId: org,
      });
    const drill = await platform.drills.create(CLI, {
      title: '2026 年度应急演练：勒索软件',
      scenario: { zh: '某金融机构内网出现勒索软件。', en: 'Ransomware in a financial institution.' },
      participantIds: [bank, peer],
      injects: [
        {
          dueAt: '2026-03-02T01:00:00Z',
          channels: ['email', 'inbox'],
          subject: '注入 1：发现样本',
          body: '监测发现勒索软件样本。',
          artefacts: 'C2 203.0.113.45:443',
          expected: [
            { key: 'ack', description: '30 分钟内确认', withinMinutes: 30 },
            { key: 'report_c2', description: '2 小时内报告 C2 地址', withinMinutes: 120 },
          ],
        },
      ],
    });
    await platform.drills.start(CLI, drill.id);
    now = new Date('2026-03-02T01:00:00Z');
    await platform.drills.deliverDue();
    now = new Date('2026-03-02T01:40:00Z');
    app = await buildApp({ database: d, config: {}, platform });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await platform?.close();
    await d?.close();
  });

  async function signedIn(email: string) {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/login`);
    await page.fill('input[type=email], input[name=email]', email);
    await page.fill('input[type=password]', PW);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  }

  it('a member answers an inject, naming the expected action; the control team sees it on the timeline', async () => {
    const member = await signedIn('bank@drill.example');
    await member.goto(`${base}/drills`);
    await member.getByText('[EXERCISE / 演练] 注入 1：发现样本').waitFor();
    expect(await member.getByText('C2 203.0.113.45:443').count()).toBe(1);
    await member.selectOption('select[name=kind]', 'action');
    await member.selectOption('select[name=fulfils]', 'report_c2');
    await member.fill('textarea[name=text]', 'C2 地址为 203.0.113.45');
    await member.click('article button[type=submit]');
    await member.getByText('C2 地址为 203.0.113.45').waitFor();
    await member.screenshot({ path: join(shots, 'respond.png'), fullPage: true });

    const control = await signedIn('control@drill.example');
    await control.goto(`${base}/console/drills`);
    await control.getByRole('button', { name: '2026 年度应急演练：勒索软件' }).click();
    await control.getByText('C2 地址为 203.0.113.45').waitFor();
    expect(await control.getByText('action → report_c2').count()).toBe(1);
    await control.screenshot({ path: join(shots, 'console.png'), fullPage: true });
    console.info(`[drill pages] ${join(shots, 'respond.png')} ${join(shots, 'console.png')}`);

    const f = await platform.drills.figures(CLI, 1);
    expect(f.participants.find((p) => p.name === '某银行')?.injects[0]?.actions).toMatchObject([
      { key: 'ack', status: 'missed' },
      { key: 'report_c2', status: 'on_time', minutes: 40 },
    ]);
    expect(errors).toEqual([]);
  }, 120_000);
});
