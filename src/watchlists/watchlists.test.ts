/**
 * Watchlists on both backends: alerts raised by real imports (importItems with factory records), by
 * publication and by KEV, once per (organisation, vulnerability, reason); digests; the flood guard; delivery to
 * a real SMTP peer through the outbox worker; the API's authorization; event-type findings notifying the
 * affected organisation on verification.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createSmtpMailer } from '../coordination/mailer.js';
import { createOutboxWorker } from '../coordination/outbox.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { createSubmissionService } from '../submissions/service.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { sharedData } from '../test-support/shared-data.js';
import type { SourceRecord } from '../vulns/model.js';
import { lastDigestMoment } from './alerts.js';
import { parseProductString } from './product.js';
import { FLOOD_LIMIT } from './rules.js';
import { createWatchlistService, type WatchItemInput } from './service.js';

const PW = 'correct horse battery staple';

/** A real SMTP server on a free port that keeps what it receives (as in coordination.test.ts). */
async function smtpPeer() {
  const mails: Array<{ to: string; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mails,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const import_ = (d: Database, records: SourceRecord[], batchSize?: number) =>
  importItems(d, itemsOf(records), { format: 'test', paths: [], ...(batchSize ? { batchSize } : {}) });

describe.each(testBackends())('watchlists on %s', (backend) => {
  let d: Database;
  let smtp: Awaited<ReturnType<typeof smtpPeer>>;
  const org: Record<string, number> = {};
  const p: Record<string, Principal> = {};
  const who = (n: string) => p[n] as Principal;

  const alertsOf = (organisationId: number) =>
    d.db
      .selectFrom('watch_alerts as a')
      .innerJoin('vulnerabilities as v', 'v.id', 'a.vuln_id')
      .select(['v.public_id', 'a.reason', 'a.match_reason', 'a.delivered_at', 'a.digest_sent_at'])
      .where('a.organisation_id', '=', organisationId)
      .orderBy('a.id')
      .execute();
  const mailTo = (address: string) =>
    d.db
      .selectFrom('outbox')
      .select(['subject', 'body', 'channel'])
      .where('channel', '=', 'email')
      .where('target', '=', address)
      .orderBy('id')
      .execute();
  const watch = (
    organisationId: number,
    name: string,
    items: WatchItemInput[],
    delivery?: 'daily' | 'weekly',
  ) =>
    createWatchlistService({ db: d.db }).create(CLI, {
      organisationId,
      name,
      items,
      ...(delivery ? { delivery } : {}),
    });

  beforeAll(async () => {
    d = await freshDatabase(backend);
    smtp = await smtpPeer();
    const accounts = createAccountService({ db: d.db });
    for (const [key, name] of [
      ['bank', '某银行股份有限公司'],
      ['isp', 'Example ISP'],
      ['cloud', 'Example Cloud'],
      ['media', 'Example Media'],
      ['digest', 'Example Digest'],
      ['flood', 'Example Flood'],
      ['hospital', '某市第一人民医院'],
      ['real', 'Example Real Data'],
    ] as const) {
      org[key] = (
        await accounts.createOrganisation(CLI, { kind: 'member_unit', name, sector: 'banking' })
      ).id;
      await accounts.addContact(CLI, org[key], { name: 'SOC', email: `soc@${key}.example`, portal: false });
    }
    for (const [name, role, o] of [
      ['analyst', 'analyst', null],
      ['reporter', 'reporter', null],
      ['bankuser', 'recipient', org.bank ?? null],
      ['ispuser', 'recipient', org.isp ?? null],
    ] as const) {
      await accounts.createUser(CLI, {
        email: `${name}@x.example`,
        displayName: name,
        password: PW,
        role,
        organisationId: o,
      });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@x.example`, password: PW })).session,
      );
      if (!s) throw new Error('session');
      p[name] = s.principal;
    }
  });
  afterAll(async () => {
    await smtp.close();
    await d.close();
  });

  it('alerts once for a product in the watched range, not for an out-of-range watch, and not again on re-import', async () => {
    await watch(org.bank ?? 0, 'routers', [
      { kind: 'product', vendor: 'Tenda', product: 'AC18', range: '<= 15.03.05.19' },
    ]);
    await watch(org.isp ?? 0, 'new routers', [
      { kind: 'product', vendor: 'Tenda', product: 'AC18', range: '>= 16.0' },
    ]);
    const s = await import_(d, [cveRecord('CVE-2023-0001')]);
    expect(s.imported).toBe(1);
    const a = await alertsOf(org.bank ?? 0);
    expect(a.map((x) => [x.public_id, x.reason])).toEqual([['CVE-2023-0001', 'new']]);
    expect(a[0]?.match_reason).toMatch(/watched <= 15.03.05.19 overlaps affected 15.03.05.19/);
    expect(await alertsOf(org.isp ?? 0)).toEqual([]);
    const mails = await mailTo('soc@bank.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('CVE-2023-0001');

    await import_(d, [cveRecord('CVE-2023-0001')]); // unchanged
    await import_(d, [cveRecord('CVE-2023-0001', { titleEn: 'Tenda AC18 overflow (updated)' })]); // changed, not new
    expect(await alertsOf(org.bank ?? 0)).toHaveLength(1);
    expect(await mailTo('soc@bank.example')).toHaveLength(1);
  });

  it('alerts again, once, for the new reason when KEV marks it exploited', async () => {
    await import_(d, [kevRecord('CVE-2023-0001')]);
    await import_(d, [
      kevRecord('CVE-2023-0001', {
        exploited: { dateAdded: '2023-03-02', ransomware: true, source: 'CISA KEV' },
      }),
    ]);
    expect((await alertsOf(org.bank ?? 0)).map((x) => x.reason)).toEqual(['new', 'exploited']);
    const mails = await mailTo('soc@bank.example');
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toContain('known exploited');
  });

  it('matches a CPE watch by the record’s CPEs and the watched range', async () => {
    await watch(org.cloud ?? 0, 'java', [
      { kind: 'cpe', cpe: 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*', range: '>= 2.0, < 2.15' },
    ]);
    const log4j = (key: string, versions: string[], cpe: string) =>
      cveRecord(key, {
        titleEn: 'Apache Log4j2 JNDI features do not protect against attacker controlled LDAP',
        descriptionEn: 'JNDI lookup in Log4j2.',
        products: [{ vendor: 'Apache Software Foundation', product: 'Apache Log4j2', versions, cpes: [cpe] }],
      });
    await import_(d, [
      log4j('CVE-2021-44228', ['>= 2.0-beta9, < 2.15.0'], 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*'),
      log4j('CVE-2019-17571', ['>= 1.2, < 1.2.17'], 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*'),
      log4j('CVE-2021-99999', ['>= 2.0, < 2.15'], 'cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*'),
    ]);
    const a = await alertsOf(org.cloud ?? 0);
    expect(a.map((x) => x.public_id)).toEqual(['CVE-2021-44228']);
    expect(a[0]?.match_reason).toMatch(/^CPE cpe:2\.3:a:apache:log4j/);
  });

  it('matches keywords as whole words in English titles and descriptions, and Chinese keywords as substrings', async () => {
    await watch(org.media ?? 0, 'topics', [
      { kind: 'keyword', keyword: 'Exchange Server' },
      { kind: 'keyword', keyword: '摄像头' },
      { kind: 'keyword', keyword: 'word' },
    ]);
    await import_(d, [
      cveRecord('CVE-2024-1001', {
        titleEn: 'Microsoft Exchange Server remote code execution',
        products: [{ vendor: 'Microsoft', product: 'Exchange', versions: [] }],
      }),
      cveRecord('CVE-2024-1002', {
        titleEn: 'Serverless exchange-servers are fine',
        descriptionEn: 'WordPress plugin passwords stored in clear text.',
        products: [{ vendor: 'Example', product: 'Widget', versions: [] }],
      }),
      cnvdRecord('CNVD-2024-1003', {
        titleZh: '某品牌网络摄像头存在弱口令漏洞',
        products: [{ vendor: '', product: '', versions: [], raw: 'Example IPC 1.0' }],
      }),
    ]);
    const a = await alertsOf(org.media ?? 0);
    expect(a.map((x) => x.public_id).sort()).toEqual(['CNVD-2024-1003', 'CVE-2024-1001']);
    expect(a.find((x) => x.public_id === 'CNVD-2024-1003')?.match_reason).toBe(
      'keyword "摄像头" in the text',
    );
  });

  it('sends nothing at once for a daily watchlist, then one digest listing every alert at the digest hour', async () => {
    await watch(
      org.digest ?? 0,
      'daily cameras',
      [{ kind: 'product', vendor: 'Hikvision', product: 'DS-2CD2' }],
      'daily',
    );
    const cam = (key: string) =>
      cveRecord(key, {
        titleEn: `Hikvision camera flaw ${key}`,
        products: [{ vendor: 'Hikvision', product: 'DS-2CD2xxx', versions: [] }],
      });
    // 'DS-2CD2' is not a whole word of 'DS-2CD2xxx': only exact product names match
    await import_(d, [cam('CVE-2024-2001')]);
    expect(await alertsOf(org.digest ?? 0)).toEqual([]);
    const cam2 = (key: string) =>
      cveRecord(key, {
        titleEn: `Hikvision camera flaw ${key}`,
        products: [{ vendor: 'Hikvision', product: 'DS-2CD2', versions: [] }],
      });
    await import_(d, [cam2('CVE-2024-2002'), cam2('CVE-2024-2003'), cam2('CVE-2024-2004')]);
    const pending = await alertsOf(org.digest ?? 0);
    expect(pending).toHaveLength(3);
    expect(pending.every((a) => a.delivered_at === null)).toBe(true);
    expect(await mailTo('soc@digest.example')).toEqual([]);

    const service = createWatchlistService({ db: d.db });
    const now = new Date();
    expect(await service.sendDigests(now)).toEqual({ digests: 0, alerts: 0 }); // raised after the last 08:00
    const due = new Date(lastDigestMoment(new Date(now.getTime() + 86_400_000), 'daily').getTime() + 60_000);
    const r = await service.sendDigests(due);
    expect(r.alerts).toBeGreaterThanOrEqual(3);
    const mails = await mailTo('soc@digest.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('daily watchlist digest: 3 alerts');
    const text = String(mails[0]?.body.text);
    for (const id of ['CVE-2024-2002', 'CVE-2024-2003', 'CVE-2024-2004']) expect(text).toContain(id);
    expect(await service.sendDigests(due)).toEqual({ digests: 0, alerts: 0 });
    expect((await alertsOf(org.digest ?? 0)).every((a) => a.digest_sent_at !== null)).toBe(true);
  });

  it('places digests at the hour in Asia/Shanghai, weekly on Monday', () => {
    // Wednesday 2026-01-07 10:00 in Shanghai
    const now = new Date('2026-01-07T02:00:00Z');
    expect(lastDigestMoment(now, 'daily').toISOString()).toBe('2026-01-07T00:00:00.000Z');
    expect(lastDigestMoment(new Date('2026-01-06T23:59:00Z'), 'daily').toISOString()).toBe(
      '2026-01-06T00:00:00.000Z',
    );
    expect(lastDigestMoment(now, 'weekly').toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(lastDigestMoment(now, 'daily', 18).toISOString()).toBe('2026-01-06T10:00:00.000Z');
  });

  it(`sends single messages up to ${FLOOD_LIMIT} per organisation in an import run, then one summary per batch`, async () => {
    await watch(org.flood ?? 0, 'everything OpenSSL', [
      { kind: 'product', vendor: 'OpenSSL', product: 'OpenSSL' },
    ]);
    const records = Array.from({ length: 60 }, (_, i) =>
      cveRecord(`CVE-2025-${3000 + i}`, {
        titleEn: `OpenSSL flaw ${i}`,
        products: [{ vendor: 'OpenSSL', product: 'OpenSSL', versions: ['3.0.0'] }],
      }),
    );
    await import_(d, records, 20); // batches of 20: 20 + 20 single messages, then the third batch as one summary
    expect(await alertsOf(org.flood ?? 0)).toHaveLength(60);
    const mails = await mailTo('soc@flood.example');
    expect(mails).toHaveLength(41);
    expect(mails[40]?.subject).toContain('Watchlist alerts: 20 vulnerabilities');
    expect((mails[40]?.body.alerts as unknown[]).length).toBe(20);
  });

  it('delivers immediate alerts to a real SMTP server through the outbox worker', async () => {
    const mailer = createSmtpMailer(smtp.url, 'vulnshare <noreply@vs.example>');
    // the clock is two days ahead so the digest queued "tomorrow" above is due too
    const worker = createOutboxWorker({
      db: d.db,
      mailer,
      clock: () => new Date(Date.now() + 2 * 86_400_000),
    });
    for (let i = 0; i < 20 && (await worker.runOnce(200)).sent > 0; i++);
    mailer.close();
    const bank = smtp.mails.filter((m) => m.to === 'soc@bank.example');
    expect(bank).toHaveLength(2);
    expect(bank.map((m) => m.raw).join('\n')).toContain('CVE-2023-0001');
    expect(smtp.mails.filter((m) => m.to === 'soc@flood.example')).toHaveLength(41);
    expect(smtp.mails.filter((m) => m.to === 'soc@digest.example')).toHaveLength(1);
    const left = await d.db
      .selectFrom('outbox')
      .select(['id', 'target', 'subject', 'last_error'])
      .where('sent_at', 'is', null)
      .execute();
    expect(left).toEqual([]);
  });

  it('alerts watchers when a submission is published, and notifies the organisation an event-type finding names', async () => {
    const subs = createSubmissionService({ db: d.db, disposal: { publicUrl: 'https://vs.example' } });
    const verify = async (trackingNo: string) => {
      await subs.transition(who('analyst'), trackingNo, { to: 'triaged' });
      await subs.transition(who('analyst'), trackingNo, { to: 'verifying' });
      return subs.transition(who('analyst'), trackingNo, {
        to: 'verified',
        verification: {
          environment: 'lab',
          steps: 'login admin/admin',
          result: 'reproduced',
          verifier: 'CNVD',
        },
      });
    };
    const general = await subs.submit(who('reporter'), {
      kind: 'general',
      title: 'Tenda AC18 formSetFirewallCfg 缓冲区溢出漏洞',
      vendor: 'Tenda',
      product: 'AC18',
      version: '15.03.05.19',
      description: 'formSetFirewallCfg 函数存在栈溢出。',
      originality: 'original',
    });
    await verify(general.trackingNo);
    const published = await subs.publish(who('analyst'), general.trackingNo);
    const a = await alertsOf(org.bank ?? 0);
    expect(a.filter((x) => x.reason === 'published').map((x) => x.public_id)).toEqual([
      published.vulnerabilityId,
    ]);

    const event = await subs.submit(who('reporter'), {
      kind: 'event',
      title: '某市第一人民医院视频监控系统存在弱口令',
      affectedOrganisation: ' 某市第一人民医院 ',
      affectedSystem: 'https://cam.hospital.example',
      description: '摄像头管理后台使用默认口令 admin/12345。',
      originality: 'original',
    });
    const v = await verify(event.trackingNo);
    expect(v.state).toBe('notified');
    const n = await d.db
      .selectFrom('notifications')
      .innerJoin('submissions', 'submissions.id', 'notifications.submission_id')
      .select(['notifications.organisation_id', 'notifications.category'])
      .where('submissions.tracking_no', '=', event.trackingNo)
      .execute();
    expect(n).toEqual([{ organisation_id: org.hospital, category: 'affected_org' }]);
    const mails = await mailTo('soc@hospital.example');
    expect(mails).toHaveLength(1);
    expect(String(mails[0]?.body.text)).toContain('https://vs.example/respond/');

    const unknown = await subs.submit(who('reporter'), {
      kind: 'event',
      title: '某未注册单位网站存在SQL注入',
      affectedOrganisation: '某未注册单位',
      affectedSystem: 'https://unknown.example',
      description: 'id 参数存在SQL注入。',
      originality: 'original',
    });
    expect((await verify(unknown.trackingNo)).state).toBe('verified');
  });

  it('matches real CNVD product strings (../shared/data) by vendor and product', async (ctx) => {
    const dir = sharedData('cnvd-share-xml', 'xml');
    if (dir === null) return ctx.skip();
    const file =
      readdirSync(dir)
        .filter((f) => f.endsWith('.xml'))
        .sort()[0] ?? '';
    const xml = readFileSync(join(dir, file), 'utf8');
    const picked: Array<{ raw: string; vendor: string; product: string }> = [];
    const seen = new Set<string>();
    for (const m of xml.matchAll(/<product>([^<&]+)<\/product>/g)) {
      const raw = (m[1] ?? '').trim();
      const pp = parseProductString(raw);
      const key = `${pp.vendor ?? ''}|${pp.product}`.toLowerCase();
      if (!pp.vendor || pp.ranges.length === 0 || seen.has(key) || pp.product.length < 3) continue;
      seen.add(key);
      picked.push({ raw, vendor: pp.vendor, product: pp.product });
      if (picked.length === 25) break;
    }
    expect(picked.length).toBeGreaterThan(10);
    await watch(
      org.real ?? 0,
      'real products',
      picked.map((x) => ({ kind: 'product', vendor: x.vendor, product: x.product })),
    );
    await import_(
      d,
      picked.map((x, i) =>
        cnvdRecord(`CNVD-2099-${10000 + i}`, {
          titleZh: `${x.product} 漏洞`,
          descriptionZh: '测试',
          products: [{ vendor: '', product: '', versions: [], raw: x.raw }],
        }),
      ),
    );
    const a = await alertsOf(org.real ?? 0);
    expect(a).toHaveLength(picked.length);
  });

  describe('the API', () => {
    let app: FastifyInstance;
    const tokens: Record<string, string> = {};
    beforeAll(async () => {
      app = await buildApp({ database: d, config: { rateLimitPerMinute: 10_000, logLevel: 'silent' } });
      const accounts = createAccountService({ db: d.db });
      for (const n of ['analyst', 'bankuser', 'ispuser', 'reporter'])
        tokens[n] = (await accounts.createApiToken(who(n), { name: 'test' })).token;
    });
    afterAll(async () => {
      await app.close();
    });
    const call = (
      who_: string | null,
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
    ) =>
      app.inject({
        method,
        url,
        ...(who_ ? { headers: { authorization: `Bearer ${tokens[who_] ?? ''}` } } : {}),
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });

    it('lets a recipient manage and read only its own organisation’s watchlists and alerts', async () => {
      expect((await call(null, 'GET', '/api/v1/watchlists')).statusCode).toBe(401);
      expect((await call('reporter', 'GET', '/api/v1/watchlists')).statusCode).toBe(403);
      const created = await call('bankuser', 'POST', '/api/v1/watchlists', {
        name: 'edge',
        delivery: 'weekly',
        items: [{ kind: 'product', vendor: 'Fortinet', product: 'FortiOS', range: '>= 7.0, < 7.2.5' }],
      });
      expect(created.statusCode).toBe(201);
      const w = created.json<{ id: number; organisationId: number; items: Array<{ range: string }> }>();
      expect(w.organisationId).toBe(org.bank);
      expect(w.items[0]?.range).toBe('>= 7.0, < 7.2.5');
      const mine = (await call('bankuser', 'GET', '/api/v1/watchlists')).json<{
        items: Array<{ organisationId: number }>;
      }>();
      expect(mine.items.length).toBeGreaterThan(1);
      expect(mine.items.every((x) => x.organisationId === org.bank)).toBe(true);
      // another organisation's watchlist does not exist for this caller
      for (const [m, u] of [
        ['GET', `/api/v1/watchlists/${w.id}`],
        ['PUT', `/api/v1/watchlists/${w.id}`],
        ['DELETE', `/api/v1/watchlists/${w.id}`],
      ] as const)
        expect((await call('ispuser', m, u, m === 'PUT' ? { name: 'x' } : undefined)).statusCode).toBe(404);
      expect(
        (
          await call('ispuser', 'POST', `/api/v1/watchlists/${w.id}/items`, {
            items: [{ kind: 'keyword', keyword: 'vpn' }],
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (await call('ispuser', 'POST', '/api/v1/watchlists', { organisationId: org.bank, name: 'sneaky' }))
          .statusCode,
      ).toBe(403);
      // analysts see any organisation's
      const theirs = (
        await call('analyst', 'GET', `/api/v1/watchlists?organisationId=${org.isp ?? 0}`)
      ).json<{
        items: Array<{ organisationId: number }>;
      }>();
      expect(theirs.items.map((x) => x.organisationId)).toEqual([org.isp]);
      const put = await call('bankuser', 'PUT', `/api/v1/watchlists/${w.id}`, { delivery: 'daily' });
      expect(put.json<{ delivery: string }>().delivery).toBe('daily');
      const added = await call('bankuser', 'POST', `/api/v1/watchlists/${w.id}/items`, {
        items: [{ kind: 'keyword', keyword: 'SSL VPN' }],
      });
      expect(added.statusCode).toBe(201);
      const item = added
        .json<{ items: Array<{ id: number; kind: string }> }>()
        .items.find((i) => i.kind === 'keyword');
      expect(
        (await call('bankuser', 'DELETE', `/api/v1/watchlists/${w.id}/items/${item?.id ?? 0}`)).statusCode,
      ).toBe(200);
      expect((await call('bankuser', 'DELETE', `/api/v1/watchlists/${w.id}`)).statusCode).toBe(204);
      expect((await call('bankuser', 'GET', `/api/v1/watchlists/${w.id}`)).statusCode).toBe(404);

      const alerts = (
        await call('bankuser', 'GET', `/api/v1/watchlists/alerts?organisationId=${org.isp ?? 0}`)
      ).json<{
        items: Array<{
          organisationId: number;
          vulnerabilityId: string;
          title: string;
          reason: string;
          matchReason: string;
        }>;
      }>();
      expect(alerts.items.length).toBeGreaterThanOrEqual(3);
      expect(alerts.items.every((a) => a.organisationId === org.bank)).toBe(true);
      expect(alerts.items.find((a) => a.reason === 'exploited')).toMatchObject({
        vulnerabilityId: 'CVE-2023-0001',
        title: expect.stringContaining('Tenda AC18') as unknown,
        matchReason: expect.stringContaining('AC18') as unknown,
      });
    });

    it('refuses a bad version range or CPE with a 400 naming the field', async () => {
      const bad = await call('bankuser', 'POST', '/api/v1/watchlists', {
        name: 'bad',
        items: [
          { kind: 'keyword', keyword: 'ok' },
          { kind: 'product', product: 'IOS XE', range: '>= 2.0, < 1.0' },
        ],
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({
        error: { code: 'invalid_input', details: { field: 'items[1].range' } },
      });
      const cpe = await call('bankuser', 'POST', '/api/v1/watchlists', {
        name: 'bad cpe',
        items: [{ kind: 'cpe', cpe: 'cpe:2.3:a:apache' }],
      });
      expect(cpe.statusCode).toBe(400);
      expect(cpe.json()).toMatchObject({ error: { details: { field: 'items[0].cpe' } } });
      expect(cpe.json<{ error: { message: string } }>().error.message).toMatch(/CPE "cpe:2.3:a:apache"/);
    });
  });
});
