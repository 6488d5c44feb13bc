/**
 * Security headers on every answer, the web app working under its Content-Security-Policy in Chromium, and
 * respond-link tokens kept out of the request log.
 */
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase } from '../test-support/db.js';
import { buildApp } from './app.js';
import { redactUrl } from './security.js';
import { importItems } from '../imports/pipeline.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';

const CHROMIUM = '/usr/bin/chromium';

describe('security headers', () => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  const log = new PassThrough();
  let logText = '';
  log.on('data', (c: Buffer) => (logText += c.toString()));

  beforeAll(async () => {
    d = await freshDatabase('pglite');
    await importItems(d, itemsOf([cnvdRecord('CNVD-2024-00001'), cnvdRecord('CNVD-2024-00002')]), {
      format: 'cnvd-xml',
      paths: ['test'],
    });
    app = await buildApp({
      database: d,
      config: { rateLimitPerMinute: 100_000, logLevel: 'info' },
      logStream: log,
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('sends CSP, frame, sniffing and referrer headers on pages and API answers alike', async () => {
    for (const path of ['/', '/vulnerabilities', '/api/v1/vulnerabilities', '/api/v1/nothing-here']) {
      const r = await fetch(base + path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain('upgrade-insecure-requests');
      expect(r.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('strict-transport-security'), path).toBeNull(); // plain http here
    }
  });

  it('keeps respond-link tokens out of the request log', async () => {
    const secret = 'Zk3vQd9sTOKENxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
    await fetch(`${base}/api/v1/respond/${secret}`);
    await fetch(`${base}/respond/${secret}`);
    await fetch(`${base}/api/v1/respond/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"action":"acknowledge"}',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(logText).toContain('/respond/[redacted]');
    expect(logText).not.toContain(secret);
    expect(redactUrl('/x?token=abc&y=1')).toBe('/x?token=[redacted]&y=1');
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'runs the web app, the API docs and a bulletin under the policy without a violation',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
        await page.addInitScript({
          content:
            "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
        });
        for (const path of ['/', '/vulnerabilities', '/vulnerabilities/CNVD-2024-00001', '/api/docs']) {
          await page.goto(base + path, { waitUntil: 'networkidle' });
          await page.waitForTimeout(300);
        }
        // the home page drew its chart (ECharts, loaded lazily) and the docs rendered
        await page.goto(base + '/', { waitUntil: 'networkidle' });
        await page.waitForSelector('canvas, svg', { timeout: 10_000 });
        await page.goto(base + '/api/docs', { waitUntil: 'networkidle' });
        await page.waitForSelector('.swagger-ui', { timeout: 10_000 });
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
