/** Accounts on both backends: users, sign-in and throttling, sessions, API tokens, organisations, audit; the HTTP flow with cookies and CSRF. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { listAudit } from '../audit/audit.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { ANONYMOUS, CLI, type Principal } from './model.js';
import { can, POLICY } from './policy.js';
import { createAccountService, type AccountService } from './service.js';

const PW = 'correct horse battery staple';

describe('the policy table', () => {
  it('reads like the table: admins manage users and read the audit log; analysts run bulletins; reporters only their tokens', () => {
    const as = (
      role: 'admin' | 'analyst' | 'reporter' | 'recipient',
    ): Extract<Principal, { kind: 'user' }> => ({
      kind: 'user',
      userId: 1,
      email: 'x@y.z',
      role,
      organisationId: null,
      via: 'session',
      scopes: null,
    });
    expect(can(as('admin'), 'users:manage')).toBe(true);
    expect(can(as('analyst'), 'users:manage')).toBe(false);
    expect(can(as('analyst'), 'bulletins:publish')).toBe(true);
    expect(can(as('reporter'), 'bulletins:publish')).toBe(false);
    expect(can(as('recipient'), 'tokens:own')).toBe(true);
    expect(can(ANONYMOUS, 'tokens:own')).toBe(false);
    expect(can(CLI, 'users:manage')).toBe(true);
    // a token narrows, never widens
    expect(can({ ...as('analyst'), via: 'token', scopes: ['bulletins:draft'] }, 'bulletins:publish')).toBe(
      false,
    );
    expect(can({ ...as('reporter'), via: 'token', scopes: ['bulletins:publish'] }, 'bulletins:publish')).toBe(
      false,
    );
    for (const roles of Object.values(POLICY)) expect(roles.length).toBeGreaterThan(0);
  });
});

describe.each(testBackends())('accounts on %s', (backend) => {
  let d: Database;
  let now = new Date('2026-01-05T08:00:00Z');
  let accounts: AccountService;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    accounts = createAccountService({ db: d.db, clock: () => now });
  });
  afterAll(async () => {
    await d.close();
  });

  it('creates the first admin from the CLI; stores only an argon2id hash', async () => {
    const u = await accounts.createUser(CLI, {
      email: 'Admin@vs.example',
      displayName: 'Admin',
      password: PW,
      role: 'admin',
    });
    expect(u).toMatchObject({ email: 'Admin@vs.example', role: 'admin' });
    const row = await d.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(
      accounts.createUser(CLI, {
        email: 'admin@VS.example',
        displayName: 'Again',
        password: PW,
        role: 'admin',
      }),
    ).rejects.toMatchObject({ code: 'email_taken' });
    await expect(
      accounts.createUser(CLI, { email: 'not-an-email', displayName: '', password: 'short', role: 'admin' }),
    ).rejects.toThrow(/not an e-mail address; displayName must not be empty; password must be at least 12/);
    await expect(
      accounts.createUser(CLI, {
        email: 'x@vs.example',
        displayName: 'X',
        password: 'password1234',
        role: 'admin',
      }),
    ).rejects.toMatchObject({ details: { parameter: 'password', reason: 'weak_password' } });
    await expect(
      accounts.createUser(ANONYMOUS, {
        email: 'x@vs.example',
        displayName: 'X',
        password: PW,
        role: 'admin',
      }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('lists users with their organisation for admins only, filtered by role and by part of a name', async () => {
    const all = await accounts.listUsers(CLI);
    expect(all.length).toBeGreaterThan(0);
    expect(all.find((u) => u.email === 'Admin@vs.example')).toMatchObject({
      role: 'admin',
      organisation: null,
    });
    expect(all.every((u) => !('password_hash' in u) && !('passwordHash' in u))).toBe(true);
    expect((await accounts.listUsers(CLI, { role: 'reporter' })).every((u) => u.role === 'reporter')).toBe(
      true,
    );
    expect((await accounts.listUsers(CLI, { q: 'ADMIN@' })).map((u) => u.email)).toEqual([
      'Admin@vs.example',
    ]);
    expect(await accounts.listUsers(CLI, { q: '100%_' })).toEqual([]);
    await expect(accounts.listUsers(ANONYMOUS)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('signs in with the right password only, case-insensitively by e-mail', async () => {
    const ok = await accounts.login({ email: 'admin@vs.example', password: PW, ip: '10.0.0.1' });
    expect(ok.session).toHaveLength(43);
    const s = await accounts.resolveSession(ok.session);
    expect(s?.principal).toMatchObject({ kind: 'user', role: 'admin', via: 'session' });
    expect(s?.csrfToken).toBe(ok.csrfToken);
    await expect(
      accounts.login({ email: 'admin@vs.example', password: 'wrong password!!' }),
    ).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'Wrong e-mail address or password',
    });
    await expect(accounts.login({ email: 'nobody@vs.example', password: PW })).rejects.toMatchObject({
      message: 'Wrong e-mail address or password',
    });
    // sessions end
    now = new Date(now.getTime() + 13 * 3600_000);
    expect(await accounts.resolveSession(ok.session)).toBeNull();
    await accounts.logout(ok.session);
  });

  it('slows one address after 5 failures on an account, with the wait, while the owner signs in from elsewhere', async () => {
    await accounts.createUser(CLI, {
      email: 'target@vs.example',
      displayName: 'T',
      password: PW,
      role: 'reporter',
    });
    for (let i = 0; i < 5; i++)
      await expect(
        accounts.login({ email: 'target@vs.example', password: `guess-number-${i}`, ip: '10.0.0.9' }),
      ).rejects.toMatchObject({
        code: 'unauthorized',
      });
    // that address waits, even with the right password …
    await expect(
      accounts.login({ email: 'target@vs.example', password: PW, ip: '10.0.0.9' }),
    ).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: 30 },
    });
    // … the owner elsewhere does not
    await expect(accounts.login({ email: 'target@vs.example', password: PW })).resolves.toBeTruthy();
    now = new Date(now.getTime() + 31_000);
    await expect(
      accounts.login({ email: 'target@vs.example', password: PW, ip: '10.0.0.9' }),
    ).resolves.toBeTruthy();
    const failed = await listAudit(d.db, CLI, { action: 'login.failed' });
    expect(failed.filter((a) => a.actor === 'target@vs.example')).toHaveLength(5);
    expect(failed[0]?.detail).toMatchObject({ reason: 'wrong_password' });
  });

  it('issues API tokens within the role, expiring and revocable; the secret is never stored', async () => {
    const login = await accounts.login({ email: 'admin@vs.example', password: PW });
    const p = (await accounts.resolveSession(login.session))?.principal;
    if (!p) throw new Error('no session');
    const t = await accounts.createApiToken(p, { name: 'ci', scopes: ['bulletins:draft'], expiresInDays: 1 });
    expect(t.token).toMatch(/^vs_[A-Za-z0-9_-]{43}$/);
    const stored = await d.db
      .selectFrom('api_tokens')
      .select(['token_hash', 'prefix'])
      .where('id', '=', t.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(t.token);
    expect(t.token.startsWith(stored.prefix)).toBe(true);
    const tp = await accounts.resolveApiToken(t.token);
    expect(tp).toMatchObject({ role: 'admin', via: 'token', scopes: ['bulletins:draft'] });
    if (!tp) throw new Error('no principal');
    expect(can(tp, 'users:manage')).toBe(false);
    await expect(accounts.createApiToken(tp, { name: 'chain' })).rejects.toMatchObject({ code: 'forbidden' });
    const reporter = await accounts.login({ email: 'target@vs.example', password: PW });
    const rp = (await accounts.resolveSession(reporter.session))?.principal;
    if (!rp) throw new Error('no session');
    await expect(accounts.createApiToken(rp, { name: 'x', scopes: ['bulletins:publish'] })).rejects.toThrow(
      /scopes not allowed for role reporter: bulletins:publish/,
    );
    now = new Date(now.getTime() + 25 * 3600_000);
    expect(await accounts.resolveApiToken(t.token)).toBeNull();
    const t2 = await accounts.createApiToken(p, { name: 'ci2' });
    await accounts.revokeApiToken(p, t2.id);
    expect(await accounts.resolveApiToken(t2.token)).toBeNull();
    await expect(accounts.revokeApiToken(rp, t2.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps organisations with kinds, sectors, alliance certificates and contacts', async () => {
    const bank = await accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '中国工商银行',
      sector: 'banking',
      allianceCert: 'CCTGA-000093',
    });
    const { contact, webhookSecret } = await accounts.addContact(CLI, bank.id, {
      name: '安全运营中心',
      email: 'soc@icbc.example',
      webhookUrl: 'https://hooks.icbc.example/vulnshare',
      mechanism: 'established',
    });
    expect(webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await accounts.getOrganisation(CLI, bank.id)).contacts).toEqual([contact]);
    await expect(
      accounts.createOrganisation(CLI, { kind: 'vendor', name: '中国工商银行' }),
    ).rejects.toMatchObject({
      code: 'organisation_exists',
    });
    await expect(accounts.addContact(CLI, bank.id, { name: 'x', webhookUrl: 'ftp://x' })).rejects.toThrow(
      /http\(s\) URL/,
    );
    await expect(accounts.listOrganisations(ANONYMOUS)).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await accounts.listOrganisations(CLI, { kind: 'member_unit' })).map((o) => o.name)).toEqual([
      '中国工商银行',
    ]);
  });

  it('registers reporters: an individual gets an organisation of their own; a taken unit name is refused', async () => {
    expect(
      await accounts.register({ email: 'whitehat@example.org', displayName: '林舒', password: PW }),
    ).toMatchObject({ status: 'accepted' });
    const u = (await accounts.login({ email: 'whitehat@example.org', password: PW })).user;
    expect(u.role).toBe('reporter');
    const org = await accounts.getOrganisation(CLI, u.organisationId ?? 0);
    expect(org.kind).toBe('individual');
    await accounts.register({
      email: 'psirt@sec.example',
      displayName: 'Sec PSIRT',
      password: PW,
      organisation: { kind: 'reporting_unit', name: '北京天融信网络安全技术有限公司' },
    });
    await expect(
      accounts.register({
        email: 'other@sec.example',
        displayName: 'Other',
        password: PW,
        organisation: { kind: 'reporting_unit', name: '北京天融信网络安全技术有限公司' },
      }),
    ).rejects.toMatchObject({ code: 'organisation_exists' });
  });
});

describe.each(testBackends())('accounts over HTTP on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await createAccountService({ db: d.db }).createUser(CLI, {
      email: 'admin@vs.example',
      displayName: 'Admin',
      password: PW,
      role: 'admin',
    });
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const r = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return {
      status: r.status,
      headers: r.headers,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
  };

  it('signs in with an http-only SameSite=Strict cookie and needs the CSRF token to change anything', async () => {
    const bad = await call(
      'POST',
      '/api/v1/auth/login',
      {},
      { email: 'admin@vs.example', password: 'nope nope nope' },
    );
    expect(bad.status).toBe(401);
    const r = await call('POST', '/api/v1/auth/login', {}, { email: 'admin@vs.example', password: PW });
    expect(r.status).toBe(200);
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^vs_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0] ?? '';
    const csrf = String(r.json?.csrfToken);
    const me = await call('GET', '/api/v1/auth/me', { cookie });
    expect(me.json).toMatchObject({ user: { email: 'admin@vs.example', role: 'admin' }, csrfToken: csrf });

    const noCsrf = await call(
      'POST',
      '/api/v1/organisations',
      { cookie },
      { kind: 'vendor', name: 'D-Link' },
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json).toMatchObject({ error: { code: 'csrf_token_missing', details: { reason: 'csrf' } } });
    const ok = await call(
      'POST',
      '/api/v1/organisations',
      { cookie, 'x-csrf-token': csrf },
      { kind: 'vendor', name: 'D-Link' },
    );
    expect(ok.status).toBe(201);

    const token = await call(
      'POST',
      '/api/v1/tokens',
      { cookie, 'x-csrf-token': csrf },
      { name: 'robot', scopes: ['organisations:read'] },
    );
    expect(token.status).toBe(201);
    const bearer = { authorization: `Bearer ${String(token.json?.token)}` };
    expect((await call('GET', '/api/v1/organisations', bearer)).status).toBe(200);
    // the token's scope does not reach further than it says
    const denied = await call('POST', '/api/v1/organisations', bearer, { kind: 'vendor', name: 'Tenda' });
    expect(denied.status).toBe(403);
    const audit = await call('GET', '/api/v1/audit?action=organisation.', { cookie });
    expect(audit.json).toMatchObject({
      items: [{ actor: 'admin@vs.example', action: 'organisation.created' }],
    });

    const out = await call('POST', '/api/v1/auth/logout', { cookie });
    expect(out.status).toBe(204);
    expect((await call('GET', '/api/v1/auth/me', { cookie })).json).toEqual({ user: null, csrfToken: null });
  });

  it('answers 429 with Retry-After once a client has used its tries on an account', async () => {
    for (let i = 0; i < 5; i++)
      await call(
        'POST',
        '/api/v1/auth/login',
        {},
        { email: 'admin@vs.example', password: `guess ${i} guess` },
      );
    const r = await call('POST', '/api/v1/auth/login', {}, { email: 'admin@vs.example', password: PW });
    expect(r.status).toBe(429);
    expect(r.json).toMatchObject({ error: { code: 'rate_limited', details: { retryAfterSeconds: 30 } } });
    expect(Number(r.headers.get('retry-after'))).toBe(30);
  });

  it('lets anyone register as a reporter, and nobody anonymous create users or read the audit log', async () => {
    const reg = await call(
      'POST',
      '/api/v1/auth/register',
      {},
      { email: 'r@example.org', password: PW, displayName: '白帽子' },
    );
    expect(reg.status).toBe(202);
    expect(reg.json).toMatchObject({ status: 'accepted' });
    // the same answer for a taken address
    const again = await call(
      'POST',
      '/api/v1/auth/register',
      {},
      { email: 'R@example.org', password: 'another strong passphrase', displayName: 'x' },
    );
    expect([again.status, again.json]).toEqual([reg.status, reg.json]);
    const weak = await call(
      'POST',
      '/api/v1/auth/register',
      {},
      { email: 'w@example.org', password: 'password1234', displayName: 'w' },
    );
    expect(weak.status).toBe(400);
    expect(weak.json).toMatchObject({
      error: { code: 'weak_password', details: { parameter: 'password', reason: 'weak_password' } },
    });
    expect((await call('GET', '/api/v1/audit')).status).toBe(401);
    expect((await call('GET', '/api/v1/users')).status).toBe(401);
    const u = await call(
      'POST',
      '/api/v1/users',
      {},
      { email: 'x@example.org', password: PW, displayName: 'x', role: 'admin' },
    );
    expect(u.status).toBe(401);
  });
});
