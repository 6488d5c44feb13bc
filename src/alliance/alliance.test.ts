/**
 * The alliance registry on both backends, through the platform (src/app/platform.ts) and the real app: the
 * member list of CNCERT's 2020 annual report (../shared/seeds, read at test time), the directory, status
 * changes, and the active members as an audience of an early warning.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedDataDir } from '../test-support/shared-data.js';

const SEED = join(dirname(sharedDataDir), 'seeds', 'cncert-annual-report-2020-excerpt.txt');
const seed = existsSync(SEED) ? readFileSync(SEED, 'utf8') : null;
if (!seed) console.warn(`[skip] seed not found: ${SEED}`);
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!seed).each(testBackends())('the alliance registry on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let base: string;
  let analyst: Principal;
  let cookie = '';
  let csrf = '';
  const text = seed ?? '';

  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ logLevel: 'silent' }), {
      clock: () => new Date('2021-01-15T08:00:00Z'),
    });
    const u = await platform.accounts.createUser(CLI, {
      email: 'analyst@alliance.example',
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
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'analyst@alliance.example', password: PASSWORD }),
    });
    csrf = ((await r.json()) as { csrfToken: string }).csrfToken;
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }, 180_000);
  afterAll(async () => {
    await app.close();
    await platform.close();
    await d.close();
  });

  const json = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(base + path, init);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('imports the 71 members of the seed as organisations with their certificates', async () => {
    const r = await platform.alliance.importMembers(CLI, text, {
      source: 'cncert-annual-report-2020-excerpt.txt',
      joinedOn: '2020-12-31',
    });
    expect(r).toEqual({ total: 71, created: 71, linked: 0, unchanged: 0 });
    const orgs = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM organisations o JOIN alliance_memberships m ON m.organisation_id = o.id
    `.execute(d.db);
    expect(orgs.rows[0]?.n).toBe(71);
  });

  it.each([
    ['北京搜狗信息服务有限公司', 'CCTGA-000093', 'CCTGA-000093'],
    ['华为技术有限公司', 'CCTGA-000099', 'CCTGA-000099'],
    ['杭州海康威视数字技术股份有限公司', 'CCTGA-0000131', 'CCTGA-000131'],
    ['浙江大华技术股份有限公司', 'CCTGA-0000150', 'CCTGA-000150'],
    ['上证所信息网络有限公司', 'CCTGA-0000164', 'CCTGA-000164'],
  ])('keeps %s with %s as the seed prints it, canonically %s', async (name, raw, canonical) => {
    expect(text.split('\n').map((l) => l.trim())).toContain(`${name} ${raw}`);
    const m = await platform.alliance.member(raw);
    expect(m).toMatchObject({
      name,
      certificate: canonical,
      certificateRaw: raw,
      status: 'active',
      joinedOn: '2020-12-31',
      renewalOn: '2021-12-31',
    });
    const o = await platform.accounts.getOrganisation(CLI, m.organisationId);
    expect(o).toMatchObject({ kind: 'member_unit', name, allianceCert: canonical, verified: true });
  });

  it('imports the same list again without a change', async () => {
    const r = await platform.alliance.importMembers(CLI, text);
    expect(r).toEqual({ total: 71, created: 0, linked: 0, unchanged: 71 });
  });

  it('refuses a list with a duplicate certificate, naming the lines, and writes nothing', async () => {
    const bad = `${text}\n重复有限公司 CCTGA-000131\n`;
    const line = bad.split('\n').length - 1;
    const seedLine = text.split('\n').findIndex((l) => l.includes('CCTGA-0000131')) + 1;
    await expect(platform.alliance.importMembers(CLI, bad, { source: 'dup.txt' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: `dup.txt: line ${line}: certificate CCTGA-000131 (CCTGA-000131) is listed on line ${seedLine} already`,
    });
    expect((await platform.alliance.directory({ q: '重复' })).members).toEqual([]);
  });

  it('refuses a certificate that another organisation holds', async () => {
    const refused = await platform.alliance
      .importMembers(CLI, '另一家公司 CCTGA-000093', { source: 'other.txt' })
      .then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
    expect(refused?.code).toBe('certificate_taken');
    expect(refused?.message).toBe(
      'other.txt: line 1: CCTGA-000093 belongs to "北京搜狗信息服务有限公司", not "另一家公司"',
    );
  });

  it('links an organisation that exists by name instead of creating a second one', async () => {
    const o = await platform.accounts.createOrganisation(CLI, { kind: 'vendor', name: '新成员科技有限公司' });
    const r = await platform.alliance.importMembers(CLI, '新成员科技有限公司 CCTGA-000300');
    expect(r).toMatchObject({ created: 0, linked: 1 });
    expect((await platform.alliance.member('CCTGA-300')).organisationId).toBe(o.id);
  });

  it('serves the public directory, searchable by name and by number', async () => {
    const all = await json('/api/v1/alliance/members?limit=500');
    expect(all.status).toBe(200);
    expect(all.body.members).toHaveLength(72);
    expect(all.body.counts).toEqual({ active: 72, suspended: 0, expired: 0 });
    const byName = await json(`/api/v1/alliance/members?q=${encodeURIComponent('大华')}`);
    expect(byName.body.members).toMatchObject([
      { name: '浙江大华技术股份有限公司', certificate: 'CCTGA-000150' },
    ]);
    const byNumber = await json('/api/v1/alliance/members?q=150');
    expect(byNumber.body.members).toMatchObject([{ certificate: 'CCTGA-000150' }]);
    const page = await json('/api/v1/alliance/members?limit=10');
    expect(page.body.next).toBe('CCTGA-000102');
    const next = await json('/api/v1/alliance/members?limit=10&after=CCTGA-000102');
    expect((next.body.members as Array<{ certificate: string }>)[0]?.certificate).toBe('CCTGA-000103');
    const one = await json('/api/v1/alliance/members/CCTGA-0000131');
    expect(one.body).toMatchObject({ name: '杭州海康威视数字技术股份有限公司' });
    expect((await json('/api/v1/alliance/members/CCTGA-000118')).status).toBe(404);
  });

  it('lets an analyst suspend and renew a membership over HTTP, and refuses others', async () => {
    const patch = (body: unknown, auth = true) =>
      json('/api/v1/alliance/members/CCTGA-000099', {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { cookie, 'x-csrf-token': csrf } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await patch({ status: 'suspended' }, false)).status).toBe(401);
    const s = await patch({ status: 'suspended', note: 'certificate under review' });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ status: 'suspended' });
    const back = await patch({ status: 'active', renewalOn: '2022-06-30' });
    expect(back.body).toMatchObject({ status: 'active', renewalOn: '2022-06-30' });
    await patch({ status: 'expired' });
    const wrong = await patch({ status: 'suspended' });
    expect(wrong.status).toBe(409);
    expect((wrong.body.error as { code: string }).code).toBe('invalid_transition');
    // renewing an expired membership without a date runs one more term from today (the clock: 2021-01-15)
    expect((await patch({ status: 'active' })).body).toMatchObject({ renewalOn: '2022-01-15' });
  });

  it('gives the active members that may receive as an audience, and notifies a verified report to them', async () => {
    await platform.alliance.update(analyst, 'CCTGA-000096', { status: 'suspended' });
    const a = await platform.alliance.audience(analyst);
    // 72 members, one suspended; the linked vendor and the 70 member units may receive
    expect(a.recipients).toHaveLength(71);
    expect(a.skipped).toEqual([]);
    expect(a.recipients.every((r) => r.category === 'critical_sector')).toBe(true);

    const reporter = await platform.accounts.createUser(CLI, {
      email: 'reporter@alliance.example',
      displayName: 'reporter',
      password: PASSWORD,
      role: 'reporter',
      organisationId: null,
    });
    const rp: Principal = {
      kind: 'user',
      userId: reporter.id,
      email: reporter.email,
      role: 'reporter',
      organisationId: null,
      via: 'session',
      scopes: null,
    };
    const s = await platform.submissions.submit(rp, {
      kind: 'general',
      title: 'Example router command injection',
      vendor: 'Example',
      product: 'Router X1',
      description: 'A command injection in the web interface.',
      originality: 'original',
    });
    for (const to of ['triaged', 'verifying'] as const)
      await platform.submissions.transition(analyst, s.trackingNo, { to });
    await platform.submissions.transition(analyst, s.trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 'sent the request', result: 'reproduced', verifier: 'lab' },
    });
    const r = await json('/api/v1/alliance/notifications', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ trackingNo: s.trackingNo }),
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ notified: 71, skipped: [] });
    const n = await platform.coordination.list(analyst, s.trackingNo);
    expect(n).toHaveLength(71);
    expect((await platform.submissions.get(analyst, s.trackingNo)).state).toBe('notified');
  });

  it('gives the annual report its membership figures: members by the year end, those who joined in it', async () => {
    const year = await platform.reports.get(analyst, 'year', '2020');
    expect(year.data.alliance).toMatchObject({ members: 71, joined: 71 });
    const byStatus = year.data.alliance?.byStatus ?? {};
    expect(Object.values(byStatus).reduce((a, n) => a + n, 0)).toBe(71);
    // nobody had joined by the end of 2019
    expect((await platform.reports.get(analyst, 'year', '2019')).data.alliance).toMatchObject({
      members: 0,
      joined: 0,
    });
  });
});
