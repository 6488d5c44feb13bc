/**
 * The demo loads on an empty database through the platform's services, once (a second run adds nothing),
 * and the screens a newcomer opens have content — read through the real HTTP app.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { calendarDay, shiftWeek, weekOf } from '../vulns/calendar.js';
import { DEMO_COUNTS, demoRecords } from './records.js';
import { DEMO_INCIDENT_TITLE, loadDemo, type DemoResult } from './load.js';

const PW = 'Harbour lantern 9 quietly';
const NOW = new Date('2026-11-25T06:00:00Z');
const clock = () => NOW;

describe('demo records', () => {
  it('are the same for the same week, with both kinds, zero-days, event-type and merged CVE ids', () => {
    const w = weekOf('2026-11-25');
    const a = demoRecords(w);
    expect(demoRecords(w)).toEqual(a);
    expect(a).toHaveLength(DEMO_COUNTS.cnvd + DEMO_COUNTS.cve);
    const cnvd = a.filter((r) => r.source === 'cnvd');
    expect(cnvd.every((r) => /[\u4e00-\u9fff]/.test(r.titleZh ?? ''))).toBe(true);
    expect(a.filter((r) => r.source === 'cve').every((r) => /^[\x20-\x7e]+$/.test(r.titleEn ?? ''))).toBe(
      true,
    );
    expect(cnvd.some((r) => r.zeroDay)).toBe(true);
    expect(cnvd.some((r) => r.kind === 'event')).toBe(true);
    expect(cnvd.filter((r) => r.aliases.some((x) => x.startsWith('CVE-'))).length).toBeGreaterThan(20);
    // dates in the ten weeks up to the anchor week, the week before it among them
    const collected = cnvd.map((r) => r.dates.collected ?? '');
    expect(collected.every((d) => d >= shiftWeek(w, -9).start && d <= w.end)).toBe(true);
    // never in the future
    const early = demoRecords(w, { until: '2026-11-24' });
    const days = early.flatMap((r) => [r.dates.collected, r.dates.published].filter((d) => d !== undefined));
    expect(days.filter((d) => d.slice(0, 10) > '2026-11-24')).toEqual([]);
    // a Latin vendor name stays apart from its product in a CNVD title
    expect(cnvd.some((r) => r.titleZh?.startsWith('Acme Corporation Acme Web Portal'))).toBe(true);
    expect(collected.some((d) => d >= shiftWeek(w, -1).start && d <= shiftWeek(w, -1).end)).toBe(true);
  });
});

describe.each(testBackends())('vulnshare demo on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let app: FastifyInstance;
  let first: DemoResult;
  let second: DemoResult;
  let session = { cookie: '', csrf: '' };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', rateLimitPerMinute: 1_000_000 }), {
      clock,
      mailer: null,
    });
    await platform.accounts.createUser(CLI, {
      email: 'admin@x.example',
      displayName: 'Admin',
      password: PW,
      role: 'admin',
    });
    first = await loadDemo(CLI, platform, { clock });
    second = await loadDemo(CLI, platform, { clock });
    app = await buildApp({ database: d, config: {}, platform });
    await app.ready();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@x.example', password: PW },
    });
    expect(r.statusCode).toBe(200);
    session = {
      cookie: String(r.headers['set-cookie'] ?? '').split(';')[0] ?? '',
      csrf: r.json<{ csrfToken: string }>().csrfToken,
    };
  }, 240_000);
  afterAll(async () => {
    await app.close();
    await platform.close();
    await d.close();
  });
  const get = (url: string, signedIn = true) =>
    app.inject({ method: 'GET', url, headers: signedIn ? { cookie: session.cookie } : {} });

  it('loads every part once; a second run adds nothing', () => {
    expect(first.records).toMatchObject({ read: 320, imported: 320, rejected: 0 });
    expect(first.organisationsCreated).toBe(9);
    expect(first.usersCreated).toHaveLength(5);
    expect(first.password).toMatch(/^Demo-/);
    expect(first.submissionsCreated).toBe(14);
    expect(first.bulletin.published).toBe(true);
    expect(first.incident.created).toBe(true);
    expect(second).toMatchObject({
      records: { read: 320, imported: 0, unchanged: 320 },
      organisationsCreated: 0,
      usersCreated: [],
      password: null,
      submissionsCreated: 0,
      bulletin: { published: false },
      incident: { id: first.incident.id, created: false },
    });
  });

  it('fills the public portal with CNVD-like and CVE-like records', async () => {
    const r = await get('/api/v1/vulnerabilities?limit=100', false);
    expect(r.statusCode).toBe(200);
    const body = r.json<{ items: Array<{ id: string; aliases: string[] }>; total?: number }>();
    expect(body.items.length).toBe(100);
    const ids = body.items.flatMap((v) => v.aliases);
    expect(ids.some((x) => x.startsWith('CNVD-'))).toBe(true);
    expect(ids.some((x) => x.startsWith('CVE-'))).toBe(true);
  });

  it('publishes last week’s bulletin with figures', async () => {
    const week = shiftWeek(weekOf(calendarDay(NOW.toISOString())), -1).id;
    const r = await get(`/api/v1/bulletins/${week}`, false);
    expect(r.statusCode).toBe(200);
    const b = r.json<{ state: string; data?: { totals?: { total?: number } } }>();
    expect(b.state).toBe('published');
    expect(JSON.stringify(b)).toMatch(/"total":\s*[1-9]/);
  });

  it('shows notifications in several disposal states on the board', async () => {
    const r = await get('/api/v1/notifications?limit=100');
    expect(r.statusCode).toBe(200);
    const states = new Set(r.json<{ items: Array<{ state: string }> }>().items.map((i) => i.state));
    expect([...states].sort()).toEqual(
      expect.arrayContaining(['acknowledged', 'delivered', 'disputed', 'fixed', 'undeliverable']),
    );
  });

  it('has reports in every workflow state', async () => {
    const r = await get('/api/v1/submissions?limit=100');
    expect(r.statusCode).toBe(200);
    const states = new Set(r.json<{ items: Array<{ state: string }> }>().items.map((s) => s.state));
    expect([...states].sort()).toEqual(
      [
        'duplicate',
        'fixed',
        'need_info',
        'notified',
        'published',
        'rejected',
        'submitted',
        'triaged',
        'verified',
        'verifying',
      ].sort(),
    );
  });

  it('has an incident', async () => {
    const r = await get(`/api/v1/incidents/${first.incident.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.json<{ title: string }>().title).toBe(DEMO_INCIDENT_TITLE);
  });
});
