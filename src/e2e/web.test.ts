/**
 * The public web app in real headless Chromium (Debian's /usr/bin/chromium through playwright-core) against the
 * real server on PGlite: home, search by a Chinese keyword with the query in the URL, a record by its id with
 * the CVSS vector broken into metrics, the language switch (remembered), phone and desktop widths. Screenshots
 * go to test-results/ to be looked at.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kevCatalogue } from '../test-support/kev.js';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createSubmissionService } from '../submissions/service.js';
import { createCoordinationService } from '../coordination/service.js';

const CHROMIUM = '/usr/bin/chromium';
const built = existsSync(resolve(import.meta.dirname, '..', '..', 'dist', 'web', 'index.html'));
const shots = resolve(import.meta.dirname, '..', '..', 'test-results');

describe.runIf(existsSync(CHROMIUM) && built)('the public web app in Chromium', () => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  const consoleErrors: string[] = [];
  /** URLs answered 400: only the deliberately refused upload may be among them */
  const badRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await freshDatabase('pglite');
    const recs = [
      cnvdRecord('CNVD-2024-04955', {
        aliases: ['CVE-2024-0717'],
        titleZh: 'D-Link DIR-823G缓冲区溢出漏洞（CNVD-2024-04955）',
        descriptionZh:
          'D-Link DIR-823G是中国友讯（D-Link）公司的一款无线路由器。D-Link DIR-823G存在缓冲区溢出漏洞，攻击者可利用该漏洞导致拒绝服务。',
        products: [{ vendor: '', product: '', versions: [], raw: 'D-Link DIR-823G 1.0.2B05' }],
        dates: { submitted: '2024-01-10', collected: '2024-01-23', published: '2024-01-23' },
      }),
      cveRecord('CVE-2024-0717', { titleEn: 'D-Link DIR-823G buffer overflow in SetWanSettings' }),
      cnvdRecord('CNVD-2024-06149', {
        titleZh: 'SeaCMS跨站脚本漏洞（CNVD-2024-06149）',
        descriptionZh: 'SeaCMS是一套开源的内容管理系统。SeaCMS存在跨站脚本漏洞。',
        products: [{ vendor: '', product: '', versions: [], raw: 'SeaCMS SeaCMS 12.9' }],
        severity: 'medium',
        zeroDay: true,
        dates: { submitted: '2024-01-12', collected: '2024-01-24', published: '2024-01-24' },
      }),
      cveRecord('CVE-2024-0204', {
        titleEn: 'Authentication bypass in Fortra GoAnywhere MFT',
        descriptionEn:
          'Authentication bypass in Fortra GoAnywhere MFT prior to 7.4.1 allows an unauthorized user to create an admin user.',
        products: [{ vendor: 'Fortra', product: 'GoAnywhere MFT', versions: ['< 7.4.1'] }],
        weaknesses: [{ cwe: 'CWE-425', nameEn: 'Direct Request' }],
        dates: { published: '2024-01-22T18:15:00Z' },
      }),
      kevRecord('CVE-2024-0204', {
        titleEn: 'Fortra GoAnywhere MFT Authentication Bypass Vulnerability',
        products: [{ vendor: 'Fortra', product: 'GoAnywhere MFT', versions: [] }],
      }),
    ];
    await importItems(d, itemsOf(recs), { format: 'test', paths: [] });
    app = await buildApp({
      database: d,
      // the feed page syncs from a server on 127.0.0.1: internal targets are allowed explicitly
      config: { rateLimitPerMinute: 100_000, logLevel: 'silent', allowInternalTargets: ANY_INTERNAL_TARGET },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await app.close();
    await d.close();
  });

  async function page(width: number, lang: 'zh' | 'en' = 'zh') {
    const ctx = await browser.newContext({
      viewport: { width, height: 900 },
      locale: lang === 'zh' ? 'zh-CN' : 'en-US',
    });
    const p = await ctx.newPage();
    p.on('console', (m) => {
      // the API's 404 for an unknown id is expected (the page says so); anything else is a defect
      if (m.type() === 'error' && !/status of 404/.test(m.text())) consoleErrors.push(m.text());
    });
    p.on('pageerror', (e) => consoleErrors.push(e.message));
    p.on('response', (r) => {
      if (r.status() === 400) badRequests.push(r.url());
      if (r.status() === 401 || r.status() === 403)
        consoleErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    return p;
  }

  it('shows this week’s figures, the chart and the latest lists on the home page', async () => {
    for (const [width, name] of [
      [1440, 'desktop'],
      [390, 'phone'],
    ] as const) {
      const p = await page(width);
      await p.goto(base + '/');
      await p.getByRole('heading', { name: '最新高危漏洞' }).waitFor();
      await p.locator('[role=img] svg').first().waitFor();
      await expect(p.locator('.cards .num').first().textContent()).resolves.toBe('3');
      await p.getByText('D-Link DIR-823G缓冲区溢出漏洞（CNVD-2024-04955）').first().waitFor();
      await p.screenshot({ path: join(shots, `home-${name}.png`), fullPage: true });
      await p.context().close();
    }
  });

  it('finds records by a Chinese keyword as you type, with the query in the URL, and opens one', async () => {
    const p = await page(1440);
    await p.goto(base + '/vulnerabilities');
    await p.getByRole('searchbox').fill('缓冲区溢出');
    await p.waitForURL(/\/vulnerabilities\?q=%E7%BC%93/);
    await p.getByText('1 条结果').waitFor();
    await expect(p.locator('li.vuln').count()).resolves.toBe(1);
    await p.locator('aside').getByText('高危').first().waitFor();
    await p.screenshot({ path: join(shots, 'list-desktop.png'), fullPage: true });
    // the URL can be shared: opening it again gives the same list
    const shared = p.url();
    const q = await page(390);
    await q.goto(shared);
    await expect(q.getByRole('searchbox').inputValue()).resolves.toBe('缓冲区溢出');
    await q.locator('li.vuln').first().waitFor();
    await q.screenshot({ path: join(shots, 'list-phone.png'), fullPage: true });
    await q.context().close();
    await p.locator('li.vuln a').first().click();
    await p.waitForURL(/\/vulnerabilities\/CNVD-2024-04955$/);
    await p.getByRole('heading', { name: /D-Link DIR-823G缓冲区溢出漏洞/ }).waitFor();
    await p.getByText('攻击复杂度').waitFor(); // the CVSS vector broken into metrics
    await p.screenshot({ path: join(shots, 'detail-desktop.png'), fullPage: true });
    await p.context().close();
  });

  it('opens a record by any of its ids and says so when there is none', async () => {
    const p = await page(1440);
    await p.goto(base + '/vulnerabilities/CVE-2024-0717');
    await p.getByRole('heading', { name: /D-Link DIR-823G缓冲区溢出漏洞/ }).waitFor();
    await p.goto(base + '/vulnerabilities/CVE-2099-0001');
    await p.getByText('没有这个漏洞。').waitFor();
    await p.context().close();
  });

  it('switches to English and remembers it', async () => {
    const p = await page(1440);
    await p.goto(base + '/vulnerabilities/CVE-2024-0204');
    await p.getByRole('button', { name: 'language' }).click();
    await p.getByRole('heading', { name: /Authentication bypass in Fortra GoAnywhere MFT/ }).waitFor();
    await p.getByText('Attack complexity').waitFor();
    await p.reload();
    await p.getByText('Attack complexity').waitFor();
    await expect(p.locator('html').getAttribute('lang')).resolves.toBe('en');
    await p.screenshot({ path: join(shots, 'detail-en-desktop.png'), fullPage: true });
    await p.goto(base + '/');
    await p.getByRole('heading', { name: 'Latest high-severity' }).waitFor();
    await p.screenshot({ path: join(shots, 'home-en-desktop.png'), fullPage: true });
    await p.context().close();
  });

  it('lets a researcher register, sign in and report with a live CVSS score, then follow the case', async () => {
    const p = await page(1440);
    await p.goto(base + '/report');
    await p.getByText('请先登录或注册。').waitFor();
    await p.goto(base + '/register');
    await p.getByLabel('电子邮箱').fill('lin@whitehat.example');
    await p.getByLabel('姓名或昵称').fill('林舒');
    // a common password is refused with the reason, on the page
    await p.getByLabel('密码（至少 12 位）').fill('password1234');
    await p.getByRole('button', { name: '注册' }).click();
    await p
      .getByRole('alert')
      .getByText(/密码强度不足：password is too easy to guess.*common/)
      .waitFor();
    await p.getByLabel('密码（至少 12 位）').fill('correct horse battery staple');
    await p.getByRole('button', { name: '注册' }).click();
    await p.getByText('注册已受理，请用该邮箱和密码登录。', { exact: false }).waitFor();
    await p.getByLabel('电子邮箱').fill('lin@whitehat.example');
    await p.getByLabel('密码（至少 12 位）').fill('correct horse battery staple');
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(/\/me$/);
    await p.goto(base + '/report');
    await p.getByLabel('漏洞名称').fill('Tenda AX1803 deviceName 参数命令注入漏洞');
    await p.getByLabel('厂商').fill('Tenda');
    await p.getByLabel('产品', { exact: true }).fill('AX1803');
    await p.getByLabel('漏洞描述').fill('deviceName 参数未过滤，可执行任意命令。');
    for (const [name, value] of [
      ['攻击途径', 'N'],
      ['攻击复杂度', 'L'],
      ['所需权限', 'N'],
      ['用户交互', 'N'],
      ['影响范围', 'U'],
      ['机密性', 'H'],
      ['完整性', 'H'],
    ] as const)
      await p.getByLabel(name).selectOption(value);
    await expect(p.locator('output.score').textContent()).resolves.toBe('—');
    await p.getByLabel('可用性').selectOption('H');
    await p.locator('output.score strong').getByText('9.8').waitFor();
    await p.getByLabel(/^附件/).setInputFiles([
      {
        name: 'poc.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('POST /goform/setDeviceName deviceName=$(reboot)'),
      },
    ]);
    await p.screenshot({ path: join(shots, 'submit-desktop.png'), fullPage: true });
    await p.getByRole('button', { name: '提交' }).click();
    await p.waitForURL(/\/me\/submissions\/S-\d{8}-/);
    await p.getByText('已提交').first().waitFor();
    await p.getByRole('link', { name: 'poc.txt' }).waitFor();
    // a file that is not what it claims is refused, by name
    await p
      .getByLabel('添加附件')
      .setInputFiles([{ name: 'shot.png', mimeType: 'image/png', buffer: Buffer.from('not a png') }]);
    await p
      .getByRole('alert')
      .getByText(/shot\.png/)
      .waitFor();
    await p.screenshot({ path: join(shots, 'my-submission-desktop.png'), fullPage: true });
    await p.goto(base + '/me');
    await p.getByText('Tenda AX1803 deviceName 参数命令注入漏洞').waitFor();
    await p.context().close();
  });

  it('takes the researcher’s report through triage, verification, notification, the vendor’s fix and publication; only then does the public find it', async () => {
    const PW = 'correct horse battery staple';
    const anon = await page(1440);
    await anon.goto(base + '/console');
    await anon.getByText('分析控制台仅供分析人员使用，请以分析人员身份登录。').waitFor();
    await anon.goto(base + '/console/disposal');
    await anon.getByText('分析控制台仅供分析人员使用，请以分析人员身份登录。').waitFor();
    await expect(anon.locator('table').count()).resolves.toBe(0);
    // under embargo: the public search does not know the report
    await anon.goto(base + '/vulnerabilities?q=' + encodeURIComponent('命令注入'));
    await anon.getByText('没有找到符合条件的漏洞。').waitFor();
    const accounts = createAccountService({ db: d.db });
    await accounts.createUser(CLI, {
      email: 'analyst@x.example',
      displayName: '分析员',
      password: PW,
      role: 'analyst',
    });
    const p = await page(1440);
    await p.goto(base + '/login');
    await p.getByLabel('电子邮箱').fill('analyst@x.example');
    await p.getByLabel('密码（至少 12 位）').fill(PW);
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(/\/me$/);

    // the vendor's organisation and its portal contact, from the console
    await p.getByRole('link', { name: '分析控制台' }).click();
    await p.getByRole('link', { name: '单位', exact: true }).click();
    const newOrg = p.getByRole('form', { name: 'new organisation' });
    await newOrg.getByLabel('名称', { exact: true }).fill('腾达科技');
    await newOrg.getByLabel('英文名称').fill('Tenda Technology');
    await newOrg.getByRole('button', { name: '新增' }).click();
    await p.getByRole('heading', { name: '腾达科技' }).waitFor();
    await p.getByText('还没有联系人：通报无法送达。').waitFor();
    const newContact = p.getByRole('form', { name: 'new contact' });
    await newContact.getByLabel('姓名或岗位').fill('PSIRT');
    await newContact.getByLabel('电子邮件').fill('psirt@tenda.example');
    await newContact.getByLabel('站内信').check();
    await newContact.getByRole('button', { name: '新增' }).click();
    await p.getByRole('cell', { name: 'psirt@tenda.example' }).waitFor();
    await p.screenshot({ path: join(shots, 'console-organisation-desktop.png'), fullPage: true });
    const tenda = await d.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', '腾达科技')
      .executeTakeFirstOrThrow();
    await accounts.createUser(CLI, {
      email: 'psirt@tenda.example',
      displayName: '腾达 PSIRT',
      password: PW,
      role: 'recipient',
      organisationId: tenda.id,
    });

    // triage and verify
    await p.getByRole('link', { name: '分诊队列' }).click();
    await p.getByRole('link', { name: 'Tenda AX1803 deviceName 参数命令注入漏洞' }).click();
    await p.getByRole('link', { name: 'poc.txt' }).waitFor();
    await p.getByRole('button', { name: '→ 已分诊' }).click();
    await p.getByRole('button', { name: '→ 验证中' }).click();
    await p.getByLabel('验证环境').fill('AX1803 V1.0.0.1 固件仿真');
    await p.getByLabel('验证步骤').fill('deviceName=$(reboot)');
    await p.getByLabel('信息提供者').fill('国家信息安全漏洞共享平台');
    await p.getByRole('button', { name: '→ 已验证' }).click();
    const vsId = (await p.getByText(/^VS-\d{4}-\d{5}$/).textContent()) ?? '';
    expect(vsId).toMatch(/^VS-\d{4}-\d{5}$/);
    const caseUrl = p.url();

    // notify the vendor, and write to the reporter
    await p.getByText('尚未通报任何单位。').waitFor();
    await p.getByLabel('查找单位').fill('腾达');
    await p.getByRole('button', { name: '+ 腾达科技' }).click();
    await p.getByRole('button', { name: '发送通报（1）' }).click();
    await p.getByRole('cell', { name: '腾达科技' }).waitFor();
    await p.locator('table.board').getByText('已发送').first().waitFor();
    await p.getByLabel('消息').fill('已通报厂商，请等待修复后再公开细节。');
    await p.getByRole('button', { name: '发送', exact: true }).click();
    await p.locator('li.msg').getByText('已通报厂商，请等待修复后再公开细节。').waitFor();
    await p.screenshot({ path: join(shots, 'console-case-desktop.png'), fullPage: true });

    // the vendor, signed in on a phone: its inbox, the report, acknowledge, fixed, a message
    const v = await page(390);
    await v.goto(base + '/login');
    await v.getByLabel('电子邮箱').fill('psirt@tenda.example');
    await v.getByLabel('密码（至少 12 位）').fill(PW);
    await v.getByRole('button', { name: '登录' }).click();
    await v.waitForURL(/\/me$/);
    await v.getByRole('link', { name: '通报收件箱' }).first().click();
    await v.getByRole('link', { name: 'Tenda AX1803 deviceName 参数命令注入漏洞' }).click();
    await v.getByText('deviceName 参数未过滤，可执行任意命令。').waitFor();
    await v.getByRole('button', { name: '确认收到' }).click();
    await v.locator('dd').getByText('已确认').waitFor();
    await v.getByLabel('补丁或公告链接').fill('https://www.tenda.com.cn/download/ax1803-v1.0.0.2');
    await v.getByRole('button', { name: '已修复' }).click();
    await v.locator('dd').getByText('已修复').first().waitFor();
    await v.getByLabel('消息').fill('已在 V1.0.0.2 固件中修复。');
    await v.getByRole('button', { name: '发送', exact: true }).click();
    await v.locator('li.msg').getByText('已在 V1.0.0.2 固件中修复。').waitFor();
    await v.screenshot({ path: join(shots, 'inbox-case-phone.png'), fullPage: true });
    await expect(
      v.evaluate<number>('document.documentElement.scrollWidth - innerWidth'),
    ).resolves.toBeLessThanOrEqual(0);
    await v.goto(base + '/console');
    await v.getByText('分析控制台仅供分析人员使用，请以分析人员身份登录。').waitFor();
    await v.context().close();

    // the analyst sees the fix on the board and the vendor's message on the case, then publishes
    await p.goto(base + '/console/disposal');
    await p.locator('table.board').getByText('已修复').first().waitFor();
    await p.screenshot({ path: join(shots, 'console-disposal-desktop.png'), fullPage: true });
    await p.goto(caseUrl);
    await p.locator('li.msg').getByText('已在 V1.0.0.2 固件中修复。').waitFor();
    await p.getByRole('button', { name: '公开' }).click();
    await p.locator('dd').getByText('已公开').waitFor();
    await p.context().close();

    // now the public finds it by a Chinese keyword and by its id
    await anon.goto(base + '/vulnerabilities?q=' + encodeURIComponent('命令注入'));
    await anon.getByText('Tenda AX1803 deviceName 参数命令注入漏洞').first().waitFor();
    await anon.goto(base + '/vulnerabilities?q=' + vsId);
    await anon.getByRole('link', { name: 'Tenda AX1803 deviceName 参数命令注入漏洞' }).click();
    await anon.getByRole('heading', { name: 'Tenda AX1803 deviceName 参数命令注入漏洞' }).waitFor();
    await anon.getByText(vsId).first().waitFor();
    await anon.context().close();
  });

  it('gives an admin the users, audit and bulletin screens of the console', async () => {
    const PW = 'correct horse battery staple';
    await createAccountService({ db: d.db }).createUser(CLI, {
      email: 'admin@x.example',
      displayName: '管理员',
      password: PW,
      role: 'admin',
    });
    const p = await page(1440);
    await p.goto(base + '/login');
    await p.getByLabel('电子邮箱').fill('admin@x.example');
    await p.getByLabel('密码（至少 12 位）').fill(PW);
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(/\/me$/);
    await p.goto(base + '/console/users');
    const form = p.getByRole('form', { name: 'new user' });
    await form.getByLabel('姓名').fill('值班分析员');
    await form.getByLabel('电子邮件').fill('duty@x.example');
    await form.getByLabel('初始密码（至少 12 位）').fill(PW);
    await form.getByRole('button', { name: '新增' }).click();
    await p.getByText('duty@x.example').waitFor();
    await p.screenshot({ path: join(shots, 'console-users-desktop.png'), fullPage: true });
    await p.goto(base + '/console/audit');
    await p.getByText('user.created').first().waitFor();
    await p.screenshot({ path: join(shots, 'console-audit-desktop.png'), fullPage: true });
    await p.goto(base + '/console/bulletins?week=2024-W04');
    await p.getByText('2024-01-22 – 2024-01-28').waitFor();
    const news = p.getByRole('form', { name: 'add news' });
    await news.getByLabel('标题').fill('某厂商路由器漏洞被大规模利用');
    await news.getByRole('button', { name: '添加要闻' }).click();
    await p.getByText('某厂商路由器漏洞被大规模利用').first().waitFor();
    await p.frameLocator('iframe.preview').getByText('某厂商路由器漏洞被大规模利用').first().waitFor();
    await p.screenshot({ path: join(shots, 'console-bulletin-desktop.png'), fullPage: true });
    // a feed served by a local HTTP server: added, synced now, its status shown
    const kev = kevCatalogue(3);
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(kev),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await p.getByRole('link', { name: '数据源' }).click();
      await p.getByText('还没有配置数据源。').waitFor();
      const feed = p.getByRole('form', { name: 'new feed' });
      await feed.getByLabel('名称').fill('kev');
      await feed
        .getByLabel('URL')
        .fill(`http://127.0.0.1:${(server.address() as AddressInfo).port}/kev.json`);
      await feed.getByRole('button', { name: '新增' }).click();
      await p.getByRole('button', { name: '立即同步' }).click();
      await p.getByText('读取 3 · 新增 3 · 更新 0 · 拒绝 0').waitFor();
      await p.screenshot({ path: join(shots, 'console-feeds-desktop.png'), fullPage: true });
    } finally {
      server.close();
    }
    await p.context().close();
  });

  it('lets a notified vendor acknowledge and report the fix from the link it was sent', async () => {
    const accounts = createAccountService({ db: d.db });
    await accounts.createUser(CLI, {
      email: 'r2@x.example',
      displayName: 'R2',
      password: 'correct horse battery staple',
      role: 'reporter',
    });
    const s = await accounts.resolveSession(
      (await accounts.login({ email: 'r2@x.example', password: 'correct horse battery staple' })).session,
    );
    if (!s) throw new Error('session');
    const subs = createSubmissionService({ db: d.db });
    const sub = await subs.submit(s.principal, {
      kind: 'general',
      title: 'Tenda AC18 setSchedWifi 函数栈溢出漏洞',
      vendor: 'Tenda',
      product: 'AC18',
      description: 'setSchedWifi 函数中 schedStartTime 参数存在栈溢出。',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      originality: 'original',
    });
    await subs.transition(CLI, sub.trackingNo, { to: 'triaged' });
    await subs.transition(CLI, sub.trackingNo, { to: 'verifying' });
    await subs.transition(CLI, sub.trackingNo, {
      to: 'verified',
      verification: {
        environment: 'lab',
        steps: 'long schedStartTime',
        result: 'reproduced',
        verifier: 'CNVD',
      },
    });
    const tenda = await accounts.createOrganisation(CLI, {
      kind: 'vendor',
      name: '深圳市吉祥腾达科技有限公司',
    });
    const n = await createCoordinationService({ db: d.db, publicUrl: base }).notify(CLI, sub.trackingNo, [
      { organisationId: tenda.id, category: 'vendor' },
    ]);
    const link = Object.values(n.links)[0] ?? '';
    const p = await page(390);
    await p.goto(link);
    await p.getByRole('heading', { name: /漏洞通报 · 深圳市吉祥腾达科技有限公司/ }).waitFor();
    await p.getByRole('button', { name: '确认收到' }).click();
    await p.getByText('已记录，谢谢。').waitFor();
    await p.getByLabel('补丁或公告链接').fill('https://www.tenda.com.cn/download/ac18-v15.03.05.20');
    await p.getByRole('button', { name: '已修复' }).click();
    await p.locator('dd').getByText('已修复').waitFor();
    await p.screenshot({ path: join(shots, 'respond-phone.png'), fullPage: true });
    await p.context().close();
    const state = await d.db
      .selectFrom('submissions')
      .select('state')
      .where('tracking_no', '=', sub.trackingNo)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe('fixed');
  });

  it('lets an analyst record an incident, see every problem named, change its status, export and re-import it as STIX and notify the victim', async () => {
    const PW = 'correct horse battery staple';
    const accounts = createAccountService({ db: d.db });
    await accounts.createUser(CLI, {
      email: 'cert@x.example',
      displayName: '事件分析员',
      password: PW,
      role: 'analyst',
    });
    const plant = await accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '某化工厂',
      sector: 'chemical',
    });
    await accounts.addContact(CLI, plant.id, { name: '安全负责人', email: 'sec@plant.example' });
    const p = await page(1440);
    await p.goto(base + '/login');
    await p.getByLabel('电子邮箱').fill('cert@x.example');
    await p.getByLabel('密码（至少 12 位）').fill(PW);
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(/\/me$/);
    await p.goto(base + '/console/incidents');
    await p.getByText('没有符合条件的事件。').waitFor();
    await p.getByRole('link', { name: '+ 新建事件' }).click();
    const f = p.getByRole('form', { name: 'incident' });
    await f.getByLabel('事件名称').fill('某化工厂网络摄像机弱口令遭境外访问');
    await f.getByLabel('事件概述').fill('该厂多台网络摄像机使用默认口令，被境外 IP 登录查看生产画面。');
    await f.getByLabel('单位名称').fill('某化工厂');
    await f.getByLabel('行业').selectOption('chemical');
    await f.getByLabel('入侵途径').selectOption('weak-credential');
    await f.getByLabel('阶段（ATT&CK 战术）').selectOption('initial-access');
    await f.getByLabel('ATT&CK 技术编号').fill('T1078.001, T99');
    await f.getByLabel('描述').fill('使用默认口令登录摄像机 Web 管理界面');
    await f.getByRole('button', { name: '+ 指标' }).click();
    await f.getByLabel('值', { exact: true }).fill('198.51.100[.]23');
    await f.getByRole('button', { name: '+ 资产' }).click();
    await f.getByLabel('类型').first().selectOption('camera');
    await f.getByLabel('数量').fill('12');
    await f.getByRole('button', { name: '创建事件' }).click();
    // the server names the bad technique id by its field
    await p.getByRole('alert').getByText('attackChain[0].techniqueIds[1]').waitFor();
    await f.getByLabel('ATT&CK 技术编号').fill('T1078.001');
    await f.getByRole('button', { name: '创建事件' }).click();
    await p.waitForURL(/\/console\/incidents\/INC-\d{4}-\d{4}$/);
    const id = p.url().split('/').at(-1) ?? '';
    await p.getByRole('heading', { name: /某化工厂网络摄像机弱口令遭境外访问/ }).waitFor();
    await p.getByText('198.51.100.23').waitFor(); // refanged
    await p.getByRole('button', { name: '→ 分析中' }).click();
    await p.locator('dd').getByText('分析中').waitFor();
    // notify the plant through disposal: an event-type case on the board
    await p.getByLabel('通报单位').selectOption({ label: '某化工厂' });
    await p.getByRole('button', { name: '发送通报' }).click();
    await p.getByRole('link', { name: /^S-\d{8}-/ }).waitFor();
    await p.screenshot({ path: join(shots, 'console-incident-desktop.png'), fullPage: true });
    // STIX export downloads a bundle; importing it back opens the same incident, not a copy
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('link', { name: '导出 STIX 2.1' }).click(),
    ]);
    const file = await download.path();
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as {
      type: string;
      objects: Array<{ type: string }>;
    };
    expect(bundle.type).toBe('bundle');
    expect(bundle.objects.map((o) => o.type)).toEqual(
      expect.arrayContaining(['incident', 'indicator', 'attack-pattern', 'identity']),
    );
    await p.goto(base + '/console/incidents');
    await p.getByLabel('导入 STIX 2.1：').setInputFiles(file);
    await p.waitForURL(/\/console\/incidents\/INC-\d{4}-\d{4}/);
    // importing the same bundle again finds the incident it came from (idempotent by STIX id)
    expect(p.url()).toContain(id);
    await p.getByRole('heading', { name: /某化工厂网络摄像机弱口令遭境外访问/ }).waitFor();
    await p.getByText('T1078.001').first().waitFor();
    await p.goto(base + '/console/incidents?q=' + encodeURIComponent('摄像机'));
    await p.locator('table.board tr').first().waitFor();
    // one incident: the re-import did not make a copy
    await expect(p.locator('table.board tr').count()).resolves.toBe(1);
    await p.getByText(/本月事件/).waitFor();
    await p.screenshot({ path: join(shots, 'console-incidents-desktop.png'), fullPage: true });
    await p.context().close();
    // anonymous visitors learn nothing of an amber incident
    const r = await fetch(`${base}/api/v1/incidents/${id}`);
    expect(r.status).toBe(404);
  });

  it('lets a vendor-side recipient keep a watchlist and see the alert when a matching record is imported', async () => {
    const PW = 'correct horse battery staple';
    const accounts = createAccountService({ db: d.db });
    const isp = await accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '某运营商',
      sector: 'telecom',
    });
    await accounts.addContact(CLI, isp.id, { name: 'SOC', email: 'soc@isp.example' });
    await accounts.createUser(CLI, {
      email: 'soc@isp.example',
      displayName: '运营商 SOC',
      password: PW,
      role: 'recipient',
      organisationId: isp.id,
    });
    const p = await page(390);
    await p.goto(base + '/login');
    await p.getByLabel('电子邮箱').fill('soc@isp.example');
    await p.getByLabel('密码（至少 12 位）').fill(PW);
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(/\/me$/);
    await p.getByRole('link', { name: '关注列表' }).click();
    await p.getByText('还没有关注列表。').waitFor();
    const create = p.getByRole('form', { name: 'new watchlist' });
    await create.getByLabel('名称').fill('家用路由器');
    await create.getByRole('button', { name: '新建' }).click();
    const add = p.getByRole('form', { name: '添加关注项' });
    await add.getByLabel('厂商').fill('Tenda');
    await add.getByLabel('产品', { exact: true }).fill('AC15');
    await add.getByLabel('版本或范围').fill('<<15');
    await add.getByRole('button', { name: '添加' }).click();
    await p.getByRole('alert').getByText(/range/).waitFor();
    await add.getByLabel('版本或范围').fill('<= 15.03.05.19');
    await add.getByRole('button', { name: '添加' }).click();
    await p.getByText('Tenda · AC15 · <= 15.03.05.19').waitFor();
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2024-09999', {
          titleZh: 'Tenda AC15 formSetPPTPServer 缓冲区溢出漏洞（CNVD-2024-09999）',
          products: [{ vendor: '', product: '', versions: [], raw: 'Tenda AC15 V15.03.05.18' }],
          dates: { submitted: '2024-02-01', collected: '2024-02-05', published: '2024-02-05' },
        }),
        cnvdRecord('CNVD-2024-09998', {
          titleZh: 'Tenda AC15 新固件拒绝服务漏洞（CNVD-2024-09998）',
          products: [{ vendor: '', product: '', versions: [], raw: 'Tenda AC15 V15.03.05.20' }],
          dates: { submitted: '2024-02-01', collected: '2024-02-05', published: '2024-02-05' },
        }),
      ]),
      { format: 'test', paths: [] },
    );
    await p.reload();
    await p.getByRole('link', { name: /Tenda AC15 formSetPPTPServer/ }).waitFor();
    await expect(p.getByText(/新固件拒绝服务/).count()).resolves.toBe(0); // 15.03.05.20 is outside the range
    await p.screenshot({ path: join(shots, 'watchlists-phone.png'), fullPage: true });
    await expect(
      p.evaluate<number>('document.documentElement.scrollWidth - innerWidth'),
    ).resolves.toBeLessThanOrEqual(0);
    await p.context().close();
  });

  it('lays out every public page at desktop and phone width without overflow or untranslated text', async () => {
    const pages = [
      ['home', '/'],
      ['list', '/vulnerabilities?q=' + encodeURIComponent('漏洞')],
      ['detail', '/vulnerabilities/CNVD-2024-04955'],
      ['bulletins', '/bulletins'],
      ['vendors', '/vendors'],
      ['vendor', '/vendors/D-Link'],
      ['ranking', '/ranking?week=2024-W04'],
      ['report', '/report'],
    ] as const;
    for (const lang of ['zh', 'en'] as const)
      for (const width of [1440, 390]) {
        const p = await page(width, lang);
        for (const [name, path] of pages) {
          await p.goto(base + path);
          await p.waitForLoadState('networkidle');
          // networkidle can come before the page's own requests start while a busy CPU still runs the bundle
          // (a slow CI run saw the home page's three panels loading), so poll; a panel that never loads fails
          await expect
            .poll(() => p.locator('main').textContent(), { timeout: 30_000, interval: 250 })
            .not.toMatch(/加载中|Loading…/);
          const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - innerWidth');
          expect(overflow, `${name} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(0);
          // the page's own words are in the page's language (records keep their own titles)
          const chrome = await p
            .locator('header a, footer a, h2, th, label, legend, button:not(.lang), .status, .total')
            .allTextContents();
          const cjk = /[\u4e00-\u9fff]/;
          if (lang === 'en')
            expect(
              chrome.filter((t) => cjk.test(t)),
              `${name} at ${width}px`,
            ).toEqual([]);
          else
            expect(
              chrome.filter((t) => /^[A-Za-z][a-z]+( [a-z]+)+$/.test(t.trim())),
              name,
            ).toEqual([]);
          await p.screenshot({
            path: join(shots, `${name}-${width === 390 ? 'phone' : 'desktop'}-${lang}.png`),
            fullPage: true,
          });
        }
        await p.context().close();
      }
  });

  it('names the newest week in the heading, runs the chart oldest to newest, and keeps facet counts on one line', async () => {
    // a long vendor name with a two-digit count in the list's sidebar, and weeks on both sides of the others
    const vendor = 'Hangzhou Hikvision Digital Technology Company Limited';
    await importItems(
      d,
      itemsOf(
        Array.from({ length: 12 }, (_, i) =>
          cveRecord(`CVE-2023-91${String(i).padStart(3, '0')}`, {
            titleEn: `Hikvision DS-2CD${i} command injection`,
            products: [{ vendor, product: `DS-2CD${i}`, versions: [] }],
            dates: { published: i % 2 ? '2023-12-05T10:00:00.000Z' : '2023-10-03T10:00:00.000Z' },
          }),
        ),
      ),
      { format: 'test', paths: [] },
    );
    for (const lang of ['zh', 'en'] as const)
      for (const width of [1440, 390]) {
        const p = await page(width, lang);
        await p.goto(base + '/');
        await p.locator('[role=img] svg').first().waitFor();
        const heading = (await p.locator('.cards .card').nth(1).textContent()) ?? '';
        const headingWeek = /(\d{4})-W(\d{2})/.exec(heading);
        expect(headingWeek, heading).not.toBeNull();
        // the x-axis labels (W40 …), left to right
        const labels = await p.evaluate<string[]>(`[...document.querySelectorAll('[role=img] svg text')]
          .filter((t) => /^W\\d{2}$/.test(t.textContent.trim()))
          .map((t) => ({ x: t.getBoundingClientRect().x, w: t.textContent.trim() }))
          .sort((a, b) => a.x - b.x)
          .map((t) => t.w)`);
        expect(labels.length, `${lang} ${width}px axis labels`).toBeGreaterThanOrEqual(3);
        expect(labels.at(-1)).toBe(`W${headingWeek?.[2] ?? ''}`);
        const stats = (await (await fetch(`${base}/api/v1/stats?weeks=10`)).json()) as {
          byWeek: Array<{ week: string }>;
        };
        expect(headingWeek?.[0]).toBe(stats.byWeek[0]?.week); // the API's newest week
        expect(labels).toEqual(stats.byWeek.map((w) => w.week.slice(5)).reverse());
        await p.screenshot({ path: join(shots, `home-weeks-${width}-${lang}.png`), fullPage: true });

        await p.goto(base + '/vulnerabilities');
        await p.locator('aside .count').first().waitFor();
        await p.getByText(String(12), { exact: true }).first().waitFor();
        const counts = await p.evaluate<
          Array<{ text: string; height: number; line: number; inside: boolean }>
        >(`
          [...document.querySelectorAll('aside .count')].map((el) => {
            const cs = getComputedStyle(el);
            const line = cs.lineHeight === 'normal' ? parseFloat(cs.fontSize) * 1.4 : parseFloat(cs.lineHeight);
            const box = el.getBoundingClientRect();
            const frame = el.closest('fieldset').getBoundingClientRect();
            return { text: el.textContent, height: box.height, line, inside: box.right <= frame.right + 0.5 };
          })`);
        expect(counts.length).toBeGreaterThan(0);
        for (const c of counts) {
          expect(c.height, `count ${c.text} at ${width}px ${lang} wraps`).toBeLessThanOrEqual(c.line * 1.25);
          expect(c.inside, `count ${c.text} at ${width}px ${lang} sticks out of its box`).toBe(true);
        }
        // a long facet label stays on one line, cut with an ellipsis
        const long = p.locator('aside label', { hasText: /hikvision/i }).first();
        const box = await long.boundingBox();
        expect(box?.height ?? 99).toBeLessThanOrEqual(counts[0] ? counts[0].line * 1.6 : 30);
        await p.screenshot({ path: join(shots, `list-facets-${width}-${lang}.png`), fullPage: true });
        await p.context().close();
      }
  });

  it('logged no errors in the browser', () => {
    // Chromium logs a refused request's 400 without its URL
    // and the only requests answered 400 are those made to be refused: the common password at registration, the
    // fake PNG, the T99 technique id and the bad version range
    expect(badRequests.map((u) => new URL(u).pathname.replace(/S-[\w-]+/, 'S'))).toEqual([
      '/api/v1/auth/register',
      '/api/v1/submissions/S/attachments',
      '/api/v1/incidents',
      '/api/v1/watchlists/1/items',
    ]);
    expect(consoleErrors.filter((m) => !/status of 400/.test(m))).toEqual([]);
  });
});
