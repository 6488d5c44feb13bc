/**
 * The first run through the real HTTP app: while a setup link is out and no admin exists, only the setup is
 * writable; the link makes the first admin under the password rules, once; afterwards every link is dead.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { setupLink } from './service.js';
import { CLI } from '../accounts/model.js';

const PW = 'Copper lantern 7 drifting';

describe('setupLink', () => {
  it('uses the public URL, or the listening address when the public URL has port 0', () => {
    expect(setupLink('https://cert.example', 'http://127.0.0.1:8080', 'a b')).toBe(
      'https://cert.example/setup?token=a%20b',
    );
    expect(setupLink('http://127.0.0.1:0', 'http://127.0.0.1:41234', 't')).toBe(
      'http://127.0.0.1:41234/setup?token=t',
    );
  });
});

describe.each(testBackends())('first run on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let token = '';
  let other = '';

  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', rateLimitPerMinute: 1_000_000 }));
    app = await buildApp({ database: d, config: {}, platform });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await platform.close();
    await d.close();
  });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
  const register = () =>
    post('/api/v1/auth/register', { email: 'r@x.example', displayName: 'R', password: PW });

  it('before a link is issued, nothing waits for a setup', async () => {
    const s = await app.inject({ method: 'GET', url: '/api/v1/setup' });
    expect(s.json()).toEqual({ setupRequired: false, adminExists: false });
  });

  it('once serve issues a link, every mutating request but the setup answers setup_required; reads work', async () => {
    token = (await platform.setup.issueLink()) ?? '';
    other = (await platform.setup.issueLink()) ?? '';
    expect(token).toMatch(/^[\w-]{40,}$/);
    expect(other).not.toBe(token);
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
      setupRequired: true,
      adminExists: false,
    });
    const r = await register();
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ error: { code: 'setup_required' } });
    const zh = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'accept-language': 'zh-CN' },
      payload: { email: 'a@x.example', password: PW },
    });
    expect(zh.statusCode).toBe(503);
    expect(zh.json<{ error: { message: string } }>().error.message).toContain('尚未完成初始设置');
    expect((await app.inject({ method: 'GET', url: '/api/v1/vulnerabilities' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('refuses a wrong token, and a weak password without spending the link', async () => {
    const wrong = await post('/api/v1/setup', {
      token: 'not-the-token',
      email: 'admin@x.example',
      displayName: 'Admin',
      password: PW,
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ error: { code: 'setup_link_invalid' } });
    const weak = await post('/api/v1/setup', {
      token,
      email: 'admin@x.example',
      displayName: 'Admin',
      password: 'password1',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: { code: 'weak_password' } });
    expect(await platform.accounts.countAdmins()).toBe(0);
  });

  it('creates the first admin once; afterwards this link and every other are dead and writes are open', async () => {
    const ok = await post('/api/v1/setup', {
      token,
      email: 'admin@x.example',
      displayName: 'Admin',
      password: PW,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ user: { email: 'admin@x.example', role: 'admin' } });
    for (const t of [token, other]) {
      const again = await post('/api/v1/setup', {
        token: t,
        email: 'admin2@x.example',
        displayName: 'Second',
        password: PW,
      });
      expect(again.statusCode).toBe(403);
      expect(again.json()).toMatchObject({ error: { code: 'setup_link_invalid' } });
    }
    expect(await platform.accounts.countAdmins()).toBe(1);
    expect(await platform.setup.issueLink()).toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
      setupRequired: false,
      adminExists: true,
    });
    expect((await register()).statusCode).toBe(202);
    const login = await post('/api/v1/auth/login', { email: 'admin@x.example', password: PW });
    expect(login.statusCode).toBe(200);
  });

  it('loads the demo only for an admin', async () => {
    const r = await post('/api/v1/demo', {});
    expect(r.statusCode).toBe(401);
  });
});

describe.each(testBackends())('first run set up by hand on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', rateLimitPerMinute: 1_000_000 }));
    app = await buildApp({ database: d, config: {}, platform });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await platform.close();
    await d.close();
  });

  it('opens writes once the operator made an account with the command line; the link still makes the admin', async () => {
    const token = (await platform.setup.issueLink()) ?? '';
    const signIn = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'analyst@x.example', password: PW },
      });
    expect((await signIn()).statusCode).toBe(503);
    await platform.accounts.createUser(CLI, {
      email: 'analyst@x.example',
      displayName: 'Analyst',
      password: PW,
      role: 'analyst',
    });
    expect((await signIn()).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
      setupRequired: false,
      adminExists: false,
    });
    const admin = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { token, email: 'admin@x.example', displayName: 'Admin', password: PW },
    });
    expect(admin.statusCode).toBe(201);
  });
});
