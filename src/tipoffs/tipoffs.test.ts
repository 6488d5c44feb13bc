/**
 * Public tip-offs over HTTP on the real app (buildApp with the real platform), both backends: a tip-off
 * without an account lands in the analysts' triage queue, the tipster follows it by receipt and answers a
 * question; oversized bodies and a burst from one address are refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { canonicalReceipt, newReceipt, TIPOFF_LIMITS } from './model.js';

const PASSWORD = 'correct horse battery staple';

describe('receipts', () => {
  it('are 120 random bits in readable groups, and read back however they are typed', () => {
    const r = newReceipt();
    expect(r).toMatch(/^TIP(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    expect(newReceipt()).not.toBe(r);
    expect(canonicalReceipt(r.toLowerCase().replace(/-/g, ' '))).toBe(r);
    expect(canonicalReceipt('TIP-OOOO-1111-2222-3333-4444-5555')).toBe('TIP-0000-1111-2222-3333-4444-5555');
    expect(canonicalReceipt('TIP-1234')).toBeNull();
  });
});

describe.each(testBackends())('public tip-offs on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let base: string;
  let analyst: Principal;
  let receipt = '';
  let trackingNo = '';

  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', rateLimitPerMinute: 1_000_000 }));
    const u = await platform.accounts.createUser(CLI, {
      email: 'analyst@tipoffs.example',
      displayName: 'analyst',
      password: PASSWORD,
      role: 'analyst',
      organisationId: null,
    });
    analyst = {
      kind: 'user',
      userId: u.id,
      email: u.email,
      role: 'analyst',
      organisationId: null,
      via: 'session',
      scopes: null,
    };
    app = await buildApp({ database: d, config: {}, platform });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await platform.close();
    await d.close();
  });

  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const r = await fetch(base + path, {
      method,
      headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
  };
  const tipoff = {
    kind: 'vulnerability',
    title: '某市政务服务平台存在未授权访问漏洞',
    affectedOrganisation: '某市政务服务管理局',
    affectedSystem: 'https://zwfw.example.gov.cn/admin',
    description: '后台管理接口 /admin/api/users 无需登录即可返回全部用户的姓名和身份证号。',
    contact: 'tipster@example.org',
  };

  it('takes a tip-off without an account and answers a receipt once', async () => {
    const r = await call('POST', '/api/v1/tipoffs', tipoff);
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['createdAt', 'receipt', 'trackingNo']);
    receipt = String(r.body.receipt);
    trackingNo = String(r.body.trackingNo);
    expect(receipt).toMatch(/^TIP-/);
    // the receipt is not kept: only its hash is
    const stored = await d.db.selectFrom('tipoffs').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(receipt);
    expect(stored).toMatchObject([{ kind: 'vulnerability', contact: 'tipster@example.org' }]);
  });

  it('puts the tip-off in the analysts’ triage queue beside registered reports, counted for no reporter', async () => {
    const queue = await platform.submissions.list(analyst, { state: 'submitted' });
    expect(queue).toMatchObject([{ trackingNo, kind: 'event', title: tipoff.title, state: 'submitted' }]);
    const s = await platform.submissions.get(analyst, trackingNo);
    expect(s).toMatchObject({
      affectedOrganisation: tipoff.affectedOrganisation,
      affectedSystem: tipoff.affectedSystem,
      description: tipoff.description,
    });
    expect(s.timeline).toMatchObject([{ actor: 'public tip-off', to: 'submitted' }]);
    const origin = await d.db.selectFrom('submissions').select('origin').executeTakeFirst();
    expect(origin?.origin).toBe('public');
    expect(await platform.tipoffs.ofSubmission(analyst, trackingNo)).toMatchObject({
      kind: 'vulnerability',
      contact: 'tipster@example.org',
    });
    const anonymous = await call('GET', `/api/v1/submissions/${trackingNo}/tipoff`);
    expect(anonymous.status).toBe(401);
  });

  it('lists the tip-offs to analysts (what the console marks), by state, and to nobody else', async () => {
    expect(await platform.tipoffs.list(analyst)).toEqual([
      expect.objectContaining({ trackingNo, kind: 'vulnerability', state: 'submitted', title: tipoff.title }),
    ]);
    expect(await platform.tipoffs.list(analyst, { state: 'triaged' })).toEqual([]);
    await expect(platform.tipoffs.list(analyst, { state: 'nonsense' })).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    const anonymous = await call('GET', '/api/v1/tipoffs');
    expect(anonymous.status).toBe(401);
    const reporter = await platform.accounts.createUser(CLI, {
      email: 'reporter@tipoffs.example',
      displayName: 'reporter',
      password: PASSWORD,
      role: 'reporter',
      organisationId: null,
    });
    await expect(
      platform.tipoffs.list({
        kind: 'user',
        userId: reporter.id,
        email: reporter.email,
        role: 'reporter',
        organisationId: null,
        via: 'session',
        scopes: null,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('lets the tipster follow the case by receipt, however typed, and nobody else', async () => {
    const typed = receipt.toLowerCase().replace(/-/g, ' ');
    const r = await call('GET', `/api/v1/tipoffs/${encodeURIComponent(typed)}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ trackingNo, status: 'received', messages: [], closedReason: null });
    expect(r.body).not.toHaveProperty('contact');
    const wrong = await call('GET', `/api/v1/tipoffs/${newReceipt()}`);
    expect(wrong.status).toBe(404);
    expect((wrong.body.error as { code: string }).code).toBe('not_found');
  });

  it('shows the analyst’s question and takes the answer, which sends the case back to triage', async () => {
    await platform.submissions.transition(analyst, trackingNo, { to: 'triaged' });
    await platform.submissions.transition(analyst, trackingNo, {
      to: 'need_info',
      note: '请提供发现时间和一个示例请求。',
    });
    await platform.messages.post(analyst, trackingNo, {
      body: '感谢举报，我们正在核实。',
      audience: 'reporter',
    });
    const asked = await call('GET', `/api/v1/tipoffs/${receipt}`);
    expect(asked.body).toMatchObject({
      status: 'question',
      messages: [
        { from: 'coordinator', body: '请提供发现时间和一个示例请求。' },
        { from: 'coordinator', body: '感谢举报，我们正在核实。' },
      ],
    });
    const answered = await call('POST', `/api/v1/tipoffs/${receipt}`, {
      body: '2026年11月30日发现；GET /admin/api/users?page=1 即可。',
    });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe('in_review');
    expect((answered.body.messages as unknown[]).at(-1)).toMatchObject({ from: 'you' });
    const s = await platform.submissions.get(analyst, trackingNo);
    expect(s.state).toBe('triaged');
    const thread = await platform.messages.list(analyst, trackingNo);
    expect(thread.at(-1)).toMatchObject({ side: 'reporter', author: 'public tip-off' });
  });

  it('refuses an answer once the case is closed', async () => {
    await platform.submissions.transition(analyst, trackingNo, { to: 'rejected', reason: '系统已下线' });
    const r = await call('GET', `/api/v1/tipoffs/${receipt}`);
    expect(r.body).toMatchObject({ status: 'closed', closedReason: '系统已下线' });
    const late = await call('POST', `/api/v1/tipoffs/${receipt}`, { body: '还有一个问题' });
    expect(late.status).toBe(409);
  });

  it('refuses a body over the size limit before reading it, and a tip-off missing its fields', async () => {
    const big = JSON.stringify({ ...tipoff, description: 'x'.repeat(TIPOFF_LIMITS.bodyBytes) });
    const r = await call('POST', '/api/v1/tipoffs', undefined, big);
    expect(r.status).toBe(413);
    const missing = await call('POST', '/api/v1/tipoffs', { kind: 'incident', title: 'x' });
    expect(missing.status).toBe(400);
    expect((missing.body.error as { code: string }).code).toBe('invalid_parameter');
  });

  it('refuses more than the hourly number of tip-offs from one address with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < TIPOFF_LIMITS.tipoffsPerHour; i++)
      statuses.push((await call('POST', '/api/v1/tipoffs', { ...tipoff, title: `burst ${i}` })).status);
    const last = await call('POST', '/api/v1/tipoffs', tipoff);
    expect(last.status).toBe(429);
    expect((last.body.error as { code: string }).code).toBe('rate_limited');
    expect(statuses).toContain(201);
    expect(statuses.at(-1)).toBe(429);
    // however the refusals above were counted, no more than the hourly number got in
    const accepted = await d.db.selectFrom('tipoffs').select('id').execute();
    expect(accepted.length).toBeLessThanOrEqual(TIPOFF_LIMITS.tipoffsPerHour);
    expect(accepted.length).toBe(1 + statuses.filter((x) => x === 201).length);
  });
});
