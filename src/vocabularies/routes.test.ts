import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';
import { freshDatabase } from '../test-support/db.js';
import { buildApp } from '../http/app.js';

interface Body {
  vulnerabilities: { objectTypes: Record<string, { zh: string; en: string }>; industries: object };
  incidents: {
    sectors: Record<string, { zh: string; en: string; stix?: string }>;
    attackPhases: Record<string, { tactic: string; zh: string; en: string }>;
    statuses: Record<string, unknown>;
    transitions: Record<string, string[]>;
    tlpLevels: Record<string, unknown>;
    vectors: Record<string, unknown>;
    assetKinds: Record<string, unknown>;
  };
  notifications: { closedStates: string[] };
}
interface Week {
  id: string;
  year: number;
  week: number;
  start: string;
  end: string;
  previous: string;
  next: string;
}

// the routes read no data: one backend is enough
describe('vocabularies and weeks over a real HTTP server', () => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, headers: r.headers, json: await r.json() };
  };

  beforeAll(async () => {
    d = await freshDatabase('pglite');
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('answers the code tables without sign-in, cacheable', async () => {
    const r = await get('/api/v1/vocabularies');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=3600');
    const v = r.json as Body;
    expect(v.vulnerabilities.objectTypes.web_application).toEqual({ zh: 'WEB应用', en: 'Web application' });
    expect(Object.keys(v.vulnerabilities.objectTypes)).toHaveLength(8);
    expect(Object.keys(v.vulnerabilities.industries)).toEqual(['telecom', 'mobile_internet', 'ics']);
    expect(v.incidents.attackPhases['initial-access']).toEqual({
      tactic: 'TA0001',
      zh: '初始访问',
      en: 'Initial Access',
    });
    expect(Object.keys(v.incidents.statuses)).toEqual(['open', 'analysing', 'contained', 'closed']);
    expect(Object.keys(v.incidents.tlpLevels)).toContain('amber+strict');
    // a closed incident is reopened for analysis, never straight to open
    expect(v.incidents.transitions.closed).toEqual(['analysing']);
    expect(v.notifications.closedStates).toEqual(['fixed', 'disputed']);
  });

  it('keeps server-only columns out: a sector carries its labels, not its STIX term', async () => {
    const v = (await get('/api/v1/vocabularies')).json as Body;
    expect(v.incidents.sectors.finance).toEqual({ zh: '金融', en: 'Finance' });
  });

  it('names a week with its Monday, Sunday and neighbours, across a year end', async () => {
    const r = await get('/api/v1/weeks?week=2020-W53');
    expect(r.status).toBe(200);
    expect(r.json as Week).toEqual({
      id: '2020-W53',
      year: 2020,
      week: 53,
      start: '2020-12-28',
      end: '2021-01-03',
      previous: '2020-W52',
      next: '2021-W01',
    });
    expect(r.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('finds the week holding a date, and the current week when given neither', async () => {
    expect(((await get('/api/v1/weeks?date=2023-12-10')).json as Week).id).toBe('2023-W49');
    const now = (await get('/api/v1/weeks')).json as Week;
    const today = new Date().toISOString().slice(0, 10);
    // the platform's day (Asia/Shanghai) is today or tomorrow in UTC
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(now.start <= tomorrow && now.end >= today).toBe(true);
  });

  it('refuses a week that does not exist with the error shape', async () => {
    const r = await get('/api/v1/weeks?week=2023-W53');
    expect(r.status).toBe(400);
    expect((r.json as { error: { code: string } }).error.code).toBe('invalid_parameter');
  });
});
