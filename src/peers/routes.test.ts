/** The admin API of federation on the real app: admins manage peers; analysts and anonymous callers cannot. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { createKeyPair } from './keys.js';

const PW = 'correct horse battery staple';

describe.each(testBackends())('federation admin API on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  const call = async (method: string, path: string, who?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    const s = who ? sessions[who] : undefined;
    if (s) Object.assign(headers, { cookie: s.cookie, 'x-csrf-token': s.csrf });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return {
      status: r.status,
      json: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string } },
    };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db });
    for (const role of ['admin', 'analyst'] as const)
      await accounts.createUser(CLI, {
        email: `${role}@x.example`,
        displayName: role,
        password: PW,
        role,
        organisationId: null,
      });
    app = await buildApp({
      database: d,
      config: {
        rateLimitPerMinute: 1_000_000,
        logLevel: 'silent',
        platformOrg: { orgId: '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368', shortName: 'national' },
      },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const role of ['admin', 'analyst']) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${role}@x.example`, password: PW }),
      });
      const j = (await r.json()) as { csrfToken: string };
      sessions[role] = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: j.csrfToken };
    }
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('answers the identity to admins only', async () => {
    const r = await call('GET', '/api/v1/peers/identity', 'admin');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: 'national', algorithm: 'Ed25519' });
    expect(JSON.stringify(r.json)).not.toMatch(/PRIVATE/);
    expect((await call('GET', '/api/v1/peers/identity', 'analyst')).status).toBe(403);
    expect((await call('GET', '/api/v1/peers/identity')).status).toBe(401);
  });

  it('adds, lists, changes the policy of and removes a peer', async () => {
    const k = createKeyPair();
    const add = await call('POST', '/api/v1/peers', 'admin', {
      name: 'sector-a',
      url: 'https://ics.example.org',
      key: k.publicKey,
      policy: { receive: { sectors: ['ics'] } },
    });
    expect(add.status, JSON.stringify(add.json)).toBe(201);
    expect(add.json).toMatchObject({
      name: 'sector-a',
      cursor: '0',
      keys: [{ keyId: k.keyId, state: 'active' }],
    });
    expect(
      (
        await call('POST', '/api/v1/peers', 'admin', {
          name: 'sector-a',
          url: 'https://x.example',
          key: k.publicKey,
        })
      ).json.error?.code,
    ).toBe('peer_exists');
    expect(
      (
        await call('POST', '/api/v1/peers', 'analyst', {
          name: 'b',
          url: 'https://x.example',
          key: k.publicKey,
        })
      ).status,
    ).toBe(403);
    const bad = await call('POST', '/api/v1/peers', 'admin', {
      name: 'b',
      url: 'https://x.example',
      key: 'not a key',
    });
    expect(bad.json.error?.code).toBe('invalid_parameter');

    const list = await call('GET', '/api/v1/peers', 'admin');
    const items = list.json.items as Array<{ name: string; policy: { receive: { sectors: string[] } } }>;
    expect(items.map((i) => i.name)).toEqual(['sector-a']);
    expect(items[0]?.policy.receive.sectors).toEqual(['ics']);

    const pol = await call('PUT', '/api/v1/peers/sector-a/policy', 'admin', {
      receive: { excludeVendors: ['Acme'] },
    });
    expect(pol.status).toBe(200);
    expect(pol.json).toMatchObject({ policy: { receive: { sectors: null, excludeVendors: ['Acme'] } } });

    expect((await call('DELETE', '/api/v1/peers/sector-a', 'admin')).status).toBe(204);
    expect((await call('DELETE', '/api/v1/peers/sector-a', 'admin')).status).toBe(404);
  });

  it('the change feed refuses a request without a signature', async () => {
    const r = await call('GET', '/api/v1/federation/changes?after=0');
    expect(r.status).toBe(401);
    expect(r.json.error?.code).toBe('peer_signature_invalid');
  });
});
