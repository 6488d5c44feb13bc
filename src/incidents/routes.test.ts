/**
 * /api/v1/incidents over HTTP on the real app (buildApp: auth, CSRF, error shape, OpenAPI). Until
 * src/http/app.ts registers the incident routes itself, this test registers them on the built app (the app is
 * not started yet, so routes can still be added); afterwards it uses the app's own.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import {
  cameraIncident,
  codeSigningIncident,
  exchangeIncident,
  supplyChainIncident,
} from '../test-support/incidents.js';
import { PASSWORD, people, type People } from '../test-support/incident-people.js';

describe.each(testBackends())('incident API on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  let orgs: People['orgs'];
  const sessions: Record<string, { cookie: string; csrf: string } | null> = { anonymous: null };

  const call = async (method: string, path: string, who: string, body?: unknown) => {
    const s = sessions[who];
    const headers: Record<string, string> = {};
    if (s) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] = s.csrf;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, text, json: json as Record<string, unknown>, headers: r.headers };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    ({ orgs } = await people(d.db));
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const name of ['analyst', 'reporter', 'victim', 'unrelated']) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${name}@incidents.example`, password: PASSWORD }),
      });
      const j = (await r.json()) as { csrfToken: string };
      sessions[name] = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: j.csrfToken };
    }
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('records, shows, lists, edits and moves incidents', async () => {
    const created = await call('POST', '/api/v1/incidents', 'analyst', supplyChainIncident());
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(id).toMatch(/^INC-\d{4}-0001$/);
    expect(created.json.indicators).toContainEqual({
      type: 'ipv4',
      value: '203.0.113.45',
      description: 'C2 server',
    });
    await call('POST', '/api/v1/incidents', 'analyst', exchangeIncident());

    const shown = await call('GET', `/api/v1/incidents/${id}`, 'analyst');
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ id, caseTrackingNo: null, tlp: 'amber', status: 'closed' });
    expect(shown.json.history).toEqual([
      expect.objectContaining({ actor: 'analyst@incidents.example', change: 'created (closed)', note: null }),
    ]);

    const list = await call('GET', `/api/v1/incidents?q=${encodeURIComponent('升级')}&limit=1`, 'analyst');
    expect(list.status).toBe(200);
    expect(list.json).toEqual({
      items: [
        {
          id,
          title: 'Document-security system flaw used to take over a software-upgrade server',
          status: 'closed',
          tlp: 'amber',
          vector: 'vulnerability-exploit',
          sectors: ['manufacturing'],
          victims: ['Advanced materials design institute'],
          discoveredAt: '2024-12-18',
          updatedAt: expect.any(String) as string,
        },
      ],
      nextCursor: null,
    });
    const page1 = await call('GET', '/api/v1/incidents?limit=1', 'analyst');
    const page2 = await call(
      'GET',
      `/api/v1/incidents?limit=1&cursor=${String(page1.json.nextCursor)}`,
      'analyst',
    );
    expect([...(page1.json.items as unknown[]), ...(page2.json.items as unknown[])]).toHaveLength(2);
    expect(page2.json.nextCursor).toBeNull();

    const edited = await call(
      'PUT',
      `/api/v1/incidents/${id}`,
      'analyst',
      supplyChainIncident({ title: 'Upgrade server taken over' }),
    );
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ id, title: 'Upgrade server taken over' });

    const moved = await call('POST', `/api/v1/incidents/${id}/transitions`, 'analyst', {
      to: 'analysing',
      note: 'second wave',
    });
    expect(moved.status).toBe(200);
    expect(moved.json.status).toBe('analysing');
    const refused = await call('POST', `/api/v1/incidents/${id}/transitions`, 'analyst', { to: 'open' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'invalid_transition' } });
  });

  it('answers 400 with every problem of a bad incident', async () => {
    const r = await call('POST', '/api/v1/incidents', 'analyst', { title: '', tlp: 'white' });
    expect(r.status).toBe(400);
    const problems = (r.json.error as { details: { problems: Array<{ field: string }> } }).details.problems;
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['title', 'summary', 'discoveredAt', 'vector', 'tlp']),
    );
  });

  it('refuses every change to anonymous callers and to non-analysts', async () => {
    const id = 'INC-2026-0001';
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/api/v1/incidents', supplyChainIncident()],
      ['PUT', `/api/v1/incidents/${id}`, supplyChainIncident()],
      ['POST', `/api/v1/incidents/${id}/transitions`, { to: 'closed' }],
      ['POST', '/api/v1/incidents/import', {}],
      ['POST', `/api/v1/incidents/${id}/notifications`, { recipients: [] }],
      ['POST', '/api/v1/incidents', {}],
      ['POST', `/api/v1/incidents/${id}/transitions`, {}],
    ];
    for (const [method, path, body] of writes) {
      expect((await call(method, path, 'anonymous', body)).status, `${method} ${path}`).toBe(401);
      if ((body as { to?: string }).to || path === '/api/v1/incidents')
        expect((await call(method, path, 'reporter', body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('shows anonymous callers TLP:CLEAR incidents only, and hides the rest as 404', async () => {
    const clear = (
      await call(
        'POST',
        '/api/v1/incidents',
        'analyst',
        cameraIncident({ tlp: 'clear', title: 'Public camera incident' }),
      )
    ).json.id as string;
    const red = (
      await call(
        'POST',
        '/api/v1/incidents',
        'analyst',
        codeSigningIncident({
          title: 'REDMARKER',
          victims: [{ name: 'Victim', sector: 'chemical', organisationId: orgs.victim }],
        }),
      )
    ).json.id as string;
    const anon = await call('GET', '/api/v1/incidents', 'anonymous');
    expect((anon.json.items as Array<{ id: string; tlp: string }>).map((i) => i.tlp)).toEqual(['clear']);
    expect((await call('GET', `/api/v1/incidents/${clear}`, 'anonymous')).status).toBe(200);
    for (const who of ['anonymous', 'reporter', 'victim', 'unrelated']) {
      for (const path of [`/api/v1/incidents/${red}`, `/api/v1/incidents/${red}/stix`]) {
        const r = await call('GET', path, who);
        expect(r.status, `${who} ${path}`).toBe(404);
        expect(r.text).not.toContain('REDMARKER');
      }
      const l = await call('GET', '/api/v1/incidents?q=REDMARKER', who);
      expect(l.text).not.toContain('REDMARKER');
    }
    expect((await call('GET', `/api/v1/incidents/${red}`, 'analyst')).text).toContain('REDMARKER');
  });

  it('exports STIX (as a download on request) and imports it back', async () => {
    const id = (
      await call('POST', '/api/v1/incidents', 'analyst', exchangeIncident({ discoveredAt: '2019-01-01' }))
    ).json.id as string;
    const r = await call('GET', `/api/v1/incidents/${id}/stix?download=true`, 'analyst');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/stix\+json/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${id}.stix.json"`);
    expect(r.json.type).toBe('bundle');
    const plain = await call('GET', `/api/v1/incidents/${id}/stix`, 'analyst');
    expect(plain.headers.get('content-disposition')).toBeNull();

    // importing it back finds the incident it came from: 200 unchanged, not a second incident
    const imported = await call('POST', '/api/v1/incidents/import', 'analyst', r.json);
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({
      outcome: 'unchanged',
      incident: { id, title: 'Exchange flaw used to backdoor a mail server and pivot to 30+ devices' },
      warnings: [],
    });
    const bad = await call('POST', '/api/v1/incidents/import', 'analyst', { ...r.json, id: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({
      code: 'invalid_input',
      details: { problems: [{ field: 'bundle', message: 'id must be bundle--<uuid>' }] },
    });
  });

  it('answers figures', async () => {
    const r = await call('GET', '/api/v1/incidents/figures?period=year&at=2024', 'analyst');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ period: 'year', id: '2024', from: '2024-01-01', to: '2024-12-31' });
    expect(r.json.byMonth).toHaveLength(12);
    expect((await call('GET', '/api/v1/incidents/figures?period=week&at=2024-W60', 'analyst')).status).toBe(
      400,
    );
    expect((await call('GET', '/api/v1/incidents/figures', 'anonymous')).status).toBe(400);
  });

  it('hands an incident to disposal and returns the case', async () => {
    const id = (await call('POST', '/api/v1/incidents', 'analyst', cameraIncident())).json.id as string;
    const r = await call('POST', `/api/v1/incidents/${id}/notifications`, 'analyst', {
      recipients: [{ organisationId: orgs.victim, category: 'affected_org' }],
    });
    expect(r.status).toBe(201);
    expect(r.json.trackingNo).toMatch(/^S-\d{8}-[0-9A-Z]{8}$/);
    expect(r.json.notifications).toHaveLength(1);
    expect((await call('GET', `/api/v1/incidents/${id}`, 'analyst')).json.caseTrackingNo).toBe(
      r.json.trackingNo,
    );
    // the victim organisation's recipient is told through its inbox, as for any case
    const mine = await call(
      'GET',
      `/api/v1/submissions/${String(r.json.trackingNo)}/notifications`,
      'victim',
    );
    expect(mine.status).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call('GET', '/api/openapi.json', 'anonymous')).json as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/incidents'))).toEqual(
      expect.arrayContaining([
        '/api/v1/incidents',
        '/api/v1/incidents/figures',
        '/api/v1/incidents/{id}',
        '/api/v1/incidents/{id}/transitions',
        '/api/v1/incidents/{id}/stix',
        '/api/v1/incidents/import',
        '/api/v1/incidents/{id}/notifications',
      ]),
    );
  });
});
