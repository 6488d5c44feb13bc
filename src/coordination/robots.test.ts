/**
 * Chat robots as contact channels, against a local receiver (a real HTTP server on loopback) that checks each
 * request the way its vendor does — DingTalk's sign in the query, WeCom's key in the URL, Feishu's sign in the
 * body — and answers as the vendor answers: HTTP 200 with its own code, non-zero when it refuses.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { robotProblems, robotRefusal, robotRequest } from './robots.js';

const PW = 'Lantern orchard 5 quietly';
const SECRET = 'SECdemo0123456789abcdef';
const WECOM_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

interface Received {
  robot: 'dingtalk' | 'wecom' | 'feishu';
  accepted: boolean;
  body: Record<string, unknown>;
}

/** One server standing in for the three vendors, each path checking as its vendor does. */
async function robotReceiver(now: () => number) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      const answer = (robot: Received['robot'], ok: boolean, json: object) => {
        received.push({ robot, accepted: ok, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (url.pathname === '/robot/send') {
        // DingTalk: timestamp (ms) within an hour; sign = base64(HmacSHA256(secret, timestamp+"\n"+secret))
        const ts = url.searchParams.get('timestamp') ?? '';
        const sign = url.searchParams.get('sign') ?? '';
        const expected = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
        const ok =
          url.searchParams.get('access_token') === 'tok' &&
          Math.abs(now() - Number(ts)) < 3_600_000 &&
          sign === expected;
        return answer(
          'dingtalk',
          ok,
          ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' },
        );
      }
      if (url.pathname === '/cgi-bin/webhook/send') {
        const ok = url.searchParams.get('key') === WECOM_KEY;
        return answer(
          'wecom',
          ok,
          ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 93000, errmsg: 'invalid webhook url' },
        );
      }
      if (url.pathname.startsWith('/open-apis/bot/v2/hook/')) {
        // Feishu: timestamp (s) within an hour; sign = base64(HmacSHA256(key timestamp+"\n"+secret, ""))
        const ts = typeof body.timestamp === 'string' ? body.timestamp : '';
        const expected = createHmac('sha256', `${ts}\n${SECRET}`).update('').digest('base64');
        const ok = Math.abs(now() / 1000 - Number(ts)) < 3600 && body.sign === expected;
        return answer(
          'feishu',
          ok,
          ok
            ? { code: 0, msg: 'success', data: {} }
            : { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
        );
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    urls: {
      dingtalk: `${base}/robot/send?access_token=tok`,
      wecom: `${base}/cgi-bin/webhook/send?key=${WECOM_KEY}`,
      wecomWrongKey: `${base}/cgi-bin/webhook/send?key=wrong`,
      feishu: `${base}/open-apis/bot/v2/hook/2f8c2b0e-demo`,
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('robot messages', () => {
  const facts = {
    trackingNo: 'S-20261125-ABCDEFGH',
    vulnId: 'VS-2026-00012',
    title: '示例路由器命令执行漏洞',
    severity: 'high',
    deadline: '2026-12-10T00:00:00.000Z',
    link: 'https://cert.example/respond/t0k',
  };
  const now = new Date('2026-11-25T06:00:00Z');

  it('say the tracking number, title, severity, deadline and link in Chinese, in each robot’s format', () => {
    const ding = robotRequest(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=a',
      's',
      facts,
      now,
    );
    expect(ding.body).toMatchObject({ msgtype: 'markdown' });
    expect(ding.body).toHaveProperty('markdown.title');
    const wecom = robotRequest(
      'wecom',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
      null,
      facts,
      now,
    );
    expect(wecom.body).toMatchObject({ msgtype: 'markdown' });
    expect(wecom.body).toHaveProperty('markdown.content');
    const feishu = robotRequest('feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/x', 's', facts, now);
    expect(feishu.body).toMatchObject({ msg_type: 'text', timestamp: '1795586400' });
    for (const text of [JSON.stringify(ding.body), JSON.stringify(wecom.body), JSON.stringify(feishu.body)])
      for (const part of [
        'S-20261125-ABCDEFGH',
        '示例路由器命令执行漏洞',
        '危害级别：高危',
        '修复期限：2026-12-10',
        'https://cert.example/respond/t0k',
      ])
        expect(text).toContain(part);
  });

  it('sign DingTalk in the query (ms timestamp) and Feishu in the body (s timestamp); WeCom not at all', () => {
    const ding = new URL(
      robotRequest('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=a', 'sec', facts, now).url,
    );
    expect(ding.searchParams.get('timestamp')).toBe(String(now.getTime()));
    expect(ding.searchParams.get('sign')).toBe(
      createHmac('sha256', 'sec').update(`${now.getTime()}\nsec`).digest('base64'),
    );
    // URL-encoded on the wire: base64's + / = never appear raw in the query
    expect(ding.search).not.toMatch(/sign=[^&]*[+/=]/);
    const f = robotRequest(
      'feishu',
      'https://open.feishu.cn/open-apis/bot/v2/hook/x',
      'sec',
      facts,
      now,
    ).body;
    expect(f.sign).toBe(createHmac('sha256', '1795586400\nsec').update('').digest('base64'));
    const w = robotRequest(
      'wecom',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
      null,
      facts,
      now,
    );
    expect(w.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k');
  });

  it('read a refusal from the body of an HTTP 200', () => {
    expect(robotRefusal('dingtalk', { errcode: 0, errmsg: 'ok' })).toBeNull();
    expect(robotRefusal('dingtalk', { errcode: 310000, errmsg: 'sign not match' })).toMatch(
      /310000 sign not match/,
    );
    expect(robotRefusal('feishu', { code: 0, msg: 'success' })).toBeNull();
    expect(robotRefusal('feishu', { StatusCode: 0 })).toBeNull();
    expect(robotRefusal('feishu', { code: 19021, msg: 'sign match fail' })).toMatch(/19021/);
    expect(robotRefusal('wecom', {})).toMatch(/no code/);
  });

  it('check a contact’s robot URL for what each vendor puts in it', () => {
    expect(
      robotProblems({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x' }),
    ).toEqual([]);
    expect(robotProblems({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send' })[0]).toMatch(
      /access_token/,
    );
    expect(
      robotProblems({
        kind: 'wecom',
        url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
        secret: 's',
      })[0],
    ).toMatch(/signs nothing/);
    expect(robotProblems({ kind: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/' })[0]).toMatch(
      /hook/,
    );
    expect(robotProblems({ kind: 'slack', url: 'https://x' })[0]).toMatch(/dingtalk, wecom, feishu/);
  });
});

describe.each(testBackends())('robot delivery through the outbox on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let robots: Awaited<ReturnType<typeof robotReceiver>>;
  const people: Record<string, Principal> = {};
  let vendorId = 0;
  let wrongId = 0;

  beforeAll(async () => {
    robots = await robotReceiver(() => Date.now());
    d = await freshDatabase(backend);
    platform = createPlatform(
      d,
      completeConfig({ logLevel: 'silent', allowInternalTargets: ANY_INTERNAL_TARGET }),
      { mailer: null },
    );
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['reporter', 'reporter'],
    ] as const) {
      const u = await platform.accounts.createUser(CLI, {
        email: `${name}@x.example`,
        displayName: name,
        password: PW,
        role,
      });
      people[name] = {
        kind: 'user',
        userId: u.id,
        email: u.email,
        role: u.role,
        organisationId: null,
        via: 'session',
        scopes: null,
      };
    }
    const vendor = await platform.accounts.createOrganisation(CLI, {
      kind: 'vendor',
      name: 'Shili Networks',
    });
    vendorId = vendor.id;
    for (const robot of [
      { kind: 'dingtalk', url: robots.urls.dingtalk, secret: SECRET },
      { kind: 'wecom', url: robots.urls.wecom },
      { kind: 'feishu', url: robots.urls.feishu, secret: SECRET },
    ])
      await platform.accounts.addContact(CLI, vendorId, {
        name: `${robot.kind} group`,
        portal: false,
        robot,
      });
    const wrong = await platform.accounts.createOrganisation(CLI, {
      kind: 'vendor',
      name: 'Wrong Secrets Ltd',
    });
    wrongId = wrong.id;
    for (const robot of [
      { kind: 'dingtalk', url: robots.urls.dingtalk, secret: 'SECnot-the-secret' },
      { kind: 'wecom', url: robots.urls.wecomWrongKey },
      { kind: 'feishu', url: robots.urls.feishu, secret: 'SECnot-the-secret' },
    ])
      await platform.accounts.addContact(CLI, wrongId, { name: `${robot.kind} group`, portal: false, robot });
  });
  afterAll(async () => {
    await platform.close();
    await d.close();
    await robots.close();
  });
  const who = (n: string): Principal => {
    const p = people[n];
    if (!p) throw new Error(n);
    return p;
  };

  async function verifiedReport(title: string): Promise<string> {
    const s = await platform.submissions.submit(who('reporter'), {
      kind: 'general',
      title,
      vendor: 'Shili Networks',
      product: 'AX3000',
      description: 'a command injection',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      originality: 'original',
    });
    for (const to of ['triaged', 'verifying'] as const)
      await platform.submissions.transition(who('analyst'), s.trackingNo, { to });
    await platform.submissions.transition(who('analyst'), s.trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 'as reported', result: 'reproduced', verifier: 'analyst' },
    });
    return s.trackingNo;
  }

  it('refuses a robot contact whose URL lacks what its vendor puts there', async () => {
    const refused: unknown = await platform.accounts
      .addContact(CLI, vendorId, {
        name: 'bad',
        robot: { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' },
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'invalid_parameter' });
    expect(refused instanceof Error ? refused.message : '').toMatch(/carries its key/);
    const org = await platform.accounts.getOrganisation(CLI, vendorId);
    expect(org.contacts.map((c) => c.robot)).toEqual(['dingtalk', 'wecom', 'feishu']);
  });

  it('delivers a notification to each robot, signed as its vendor checks, and marks it delivered', async () => {
    const trackingNo = await verifiedReport('Shili AX3000 命令执行漏洞');
    const { notifications, links } = await platform.coordination.notify(who('analyst'), trackingNo, [
      { organisationId: vendorId, category: 'vendor' },
    ]);
    const n = notifications[0];
    if (!n) throw new Error('no notification');
    const before = robots.received.length;
    expect(await platform.outbox.runOnce()).toEqual({ sent: 3, failed: 0 });
    const got = robots.received.slice(before);
    expect(got.map((r) => [r.robot, r.accepted]).sort()).toEqual([
      ['dingtalk', true],
      ['feishu', true],
      ['wecom', true],
    ]);
    for (const r of got) {
      const text = JSON.stringify(r.body);
      expect(text).toContain(trackingNo);
      expect(text).toContain('Shili AX3000 命令执行漏洞');
      expect(text).toContain('危害级别：高危');
      expect(text).toContain(`修复期限：${n.deadline.slice(0, 10)}`);
      expect(text).toContain(links[n.id]);
    }
    const after = await platform.coordination.list(who('analyst'), trackingNo);
    expect(after[0]?.state).toBe('delivered');
  });

  it('a wrong secret or key is refused by the receiver: the messages fail and wait for a retry', async () => {
    const trackingNo = await verifiedReport('Shili AX3000 缓冲区溢出漏洞');
    await platform.coordination.notify(who('analyst'), trackingNo, [
      { organisationId: wrongId, category: 'vendor' },
    ]);
    const before = robots.received.length;
    expect(await platform.outbox.runOnce()).toEqual({ sent: 0, failed: 3 });
    expect(robots.received.slice(before).map((r) => r.accepted)).toEqual([false, false, false]);
    const rows = await d.db
      .selectFrom('outbox')
      .select(['channel', 'attempts', 'last_error', 'sent_at', 'failed_at'])
      .where('channel', 'in', ['dingtalk', 'wecom', 'feishu'])
      .where('sent_at', 'is', null)
      .orderBy('channel')
      .execute();
    expect(rows.map((r) => [r.channel, r.attempts, r.failed_at])).toEqual([
      ['dingtalk', 1, null],
      ['feishu', 1, null],
      ['wecom', 1, null],
    ]);
    expect(rows.map((r) => r.last_error)).toEqual([
      expect.stringMatching(/310000 sign not match/),
      expect.stringMatching(/19021/),
      expect.stringMatching(/93000 invalid webhook url/),
    ]);
    const ns = await platform.coordination.list(who('analyst'), trackingNo);
    expect(ns[0]?.state).toBe('sent');
  });
});
