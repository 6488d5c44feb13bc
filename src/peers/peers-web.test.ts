/**
 * The console's Peers page in real headless Chromium (Debian's /usr/bin/chromium) against two real instances
 * on loopback and the built web app (dist/web, `npm run build`): sector A pulls from the national instance
 * (working) and from a sector B that is not there (failing). An admin sees each peer's key id, state, last
 * success, lag, last error and counts, syncs one now and replaces a policy through the edit form. The screenshot
 * goes to .scratch/peers.png, to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { DEFAULT_PLATFORM_ORG_ID } from '../config/config.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { createKeyPair } from './keys.js';
import { embargoedCase } from './test-instances.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB = new URL('../../dist/web/index.html', import.meta.url);
const SHOT = new URL('../../.scratch/peers.png', import.meta.url);
const PW = 'correct horse battery staple';
const ready = existsSync(CHROMIUM) && existsSync(WEB);

interface Instance {
  d: Database;
  platform: Platform;
  app: FastifyInstance;
  base: string;
}

async function start(name: string, idPrefix: string): Promise<Instance> {
  const d = await freshDatabase('pglite');
  const config = completeConfig({
    platformOrg: { orgId: DEFAULT_PLATFORM_ORG_ID, shortName: name },
    idPrefix,
    allowInternalTargets: ANY_INTERNAL_TARGET,
    logLevel: 'silent',
    rateLimitPerMinute: 1_000_000,
    worker: false,
  });
  const platform = createPlatform(d, config, { mailer: null });
  const app = await buildApp({ database: d, config, platform });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { d, platform, app, base };
}

/** A loopback port nothing listens on (taken, then freed): connecting to it is refused. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

describe.skipIf(!ready)('the console Peers page in Chromium', () => {
  let national: Instance;
  let sector: Instance;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    [national, sector] = await Promise.all([start('national', 'CNVD'), start('sector-a', 'ICS')]);
    const nid = await national.platform.peers.identity(CLI);
    const sid = await sector.platform.peers.identity(CLI);
    await national.platform.peers.addPeer(CLI, { name: 'sector-a', url: sector.base, key: sid.publicKey });
    await sector.platform.peers.addPeer(CLI, { name: 'national', url: national.base, key: nid.publicKey });
    // sector B's key is real, but nothing answers at its URL
    const ghost = createKeyPair();
    await sector.platform.peers.addPeer(CLI, {
      name: 'sector-b',
      url: `http://127.0.0.1:${await deadPort()}`,
      key: ghost.publicKey,
      policy: { receive: { excludeVendors: ['Acme'] } },
    });
    await importItems(national.d, itemsOf([1, 2, 3].map((n) => cnvdRecord(`CNVD-2026-0000${n}`))), {
      format: 'cnvd-xml',
      paths: [],
    });
    const results = await sector.platform.peers.sync(CLI);
    expect(results.map((r) => [r.peer, r.outcome])).toEqual([
      ['national', 'synced'],
      ['sector-b', 'failed'],
    ]);
    await sector.platform.accounts.createUser(CLI, {
      email: 'admin@sector.example',
      displayName: 'admin',
      password: PW,
      role: 'admin',
      organisationId: null,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    for (const i of [sector, national]) {
      await i?.app.close();
      await i?.platform.close();
      await i?.d.close();
    }
  });

  async function signedIn(): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${sector.base}/login`);
    await page.fill('input[type=email], input[name=email]', 'admin@sector.example');
    await page.fill('input[type=password]', PW);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  }

  it('shows each peer’s key, state, last success, lag, error and counts; syncs one now; saves a policy', async () => {
    const nid = await national.platform.peers.identity(CLI);
    const page = await signedIn();
    await page.goto(`${sector.base}/console/peers`);
    await page.getByRole('heading', { name: '联邦节点' }).waitFor();
    const ok = page.locator('tr[data-peer=national]');
    const bad = page.locator('tr[data-peer=sector-b]');
    await ok.waitFor();

    // the working peer: its active key id, active, a last success, no lag, nothing failing, 3 received
    expect(await ok.locator('code').innerText()).toBe(nid.keyId);
    expect(await ok.locator('td').nth(2).innerText()).toBe('启用');
    expect(await ok.locator('td').nth(4).innerText()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await ok.locator('td.lag').innerText()).toBe('0');
    expect(await ok.locator('td').nth(6).innerText()).toBe('—');
    expect(await ok.locator('td.counts').innerText()).toBe('3 / 0');
    expect(await ok.getAttribute('class')).toBe('');
    expect(await ok.innerText()).toContain(national.base);

    // the failing one: marked, never a success, the error as the sync recorded it
    const [st] = (await sector.platform.peers.listPeers(CLI)).filter((p) => p.name === 'sector-b');
    expect(st?.lastError).toBeTruthy();
    expect(await bad.getAttribute('class')).toBe('late');
    expect(await bad.locator('td').nth(4).innerText()).toBe('—');
    expect(await bad.locator('td').nth(6).innerText()).toContain(st?.lastError ?? '?');
    expect(await bad.locator('td.counts').innerText()).toBe('0 / 0');

    // a new national record, then "sync now": the result is shown and the counts move
    await importItems(national.d, itemsOf([cnvdRecord('CNVD-2026-00004')]), {
      format: 'cnvd-xml',
      paths: [],
    });
    await ok.getByRole('button', { name: '立即同步' }).click();
    await ok.getByRole('status').getByText('同步完成 · 1 页 · 写入 1').waitFor();
    await page.locator('tr[data-peer=national] td.counts', { hasText: '4 / 0' }).waitFor();

    // sector B's policy as JSON, then replaced through the edit form
    const policyRow = bad.locator('xpath=following-sibling::tr[1]');
    await policyRow.locator('summary').click();
    expect(await policyRow.locator('pre').innerText()).toContain('"excludeVendors": [\n      "Acme"\n    ]');
    await policyRow.getByRole('button', { name: '修改策略' }).click();
    const form = page.getByRole('form', { name: '修改策略 sector-b' });
    await form.locator('textarea').fill('{ "receive": { "tlp": ["clear", "green"] } }');
    await form.getByRole('button', { name: '保存策略' }).click();
    await policyRow.locator('pre', { hasText: '"green"' }).waitFor();
    const after = (await sector.platform.peers.getPeer(CLI, 'sector-b')).policy;
    expect(after.receive.tlp).toEqual(['clear', 'green']);
    expect(after.receive.excludeVendors).toEqual([]);

    // a policy that is not JSON is refused on the page and nothing is sent
    await policyRow.getByRole('button', { name: '修改策略' }).click();
    await form.locator('textarea').fill('{ receive: ');
    await form.getByRole('button', { name: '保存策略' }).click();
    await form
      .getByRole('alert')
      .getByText(/策略不是合法的 JSON/)
      .waitFor();
    await form.locator('textarea').fill('{ "receive": { "tlp": ["pink"] } }');
    await form.getByRole('button', { name: '保存策略' }).click();
    await form.getByRole('alert').waitFor();
    expect((await sector.platform.peers.getPeer(CLI, 'sector-b')).policy.receive.tlp).toEqual([
      'clear',
      'green',
    ]);
    await form.getByRole('button', { name: '取消' }).click();
    await ok.locator('xpath=following-sibling::tr[1]').locator('summary').click();

    mkdirSync(new URL('.', SHOT), { recursive: true });
    await page.screenshot({ path: SHOT.pathname, fullPage: true });
    console.info(`[peers page] ${SHOT.pathname}`);
    expect(errors).toEqual([]);
  }, 120_000);
  it('shows an embargoed advance notice from national in the console, under embargo, and only there', async () => {
    await national.platform.peers.setPolicy(CLI, 'sector-a', {
      receive: { kinds: ['record', 'advance_notice'], tlp: ['clear', 'amber'], embargoed: true },
    });
    await sector.platform.peers.setPolicy(CLI, 'national', {
      accept: { kinds: ['record', 'advance_notice'], tlp: ['clear', 'green', 'amber'], embargoed: true },
    });
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const s = await embargoedCase(
      national.platform,
      {
        title: 'Moxa NPort 固件命令注入漏洞',
        vendor: 'Moxa',
        product: 'NPort 5110',
        version: '2.10',
        description: 'NPort 5110 的 Web 管理界面存在命令注入。',
      },
      until,
    );
    const id = s.id;
    const shared = await national.platform.peers.notices.share(CLI, s.trackingNo, ['sector-a']);
    expect(shared.map((x) => x.outcome)).toEqual(['shared']);
    await national.platform.peers.messages.deliverNow('sector-a');

    const page = await signedIn();
    await page.goto(`${sector.base}/console/notices`);
    await page.getByRole('heading', { name: '提前通报（来自联邦节点）' }).waitFor();
    const row = page.locator('table.notices tbody tr', { hasText: id });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('national');
    expect(text).toContain('Moxa');
    expect(text).toContain('禁令期内');
    expect(text).toContain(until.slice(0, 10));
    // and nowhere public on the sector
    const found = (await (await fetch(`${sector.base}/api/v1/vulnerabilities?q=NPort`)).json()) as {
      total: number;
    };
    expect(found.total).toBe(0);
    await page.screenshot({
      path: new URL('../../.scratch/notices.png', import.meta.url).pathname,
      fullPage: true,
    });
    expect(errors).toEqual([]);
  }, 120_000);
});
