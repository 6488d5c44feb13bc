import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refusedHost } from '../outbound/targets.js';
import { DEFAULT_PLATFORM_ORG_ID, loadConfig } from './config.js';

describe('configuration', () => {
  it('reads the pipeline settings', () => {
    const c = loadConfig({
      VULNSHARE_SLA_DAYS: 'high=7, low=60',
      VULNSHARE_ID_PREFIX: 'CERT',
      VULNSHARE_SMTP_URL: 'smtp://mail:25',
    });
    expect(c.slaDays).toEqual({ high: 7, medium: 30, low: 60, unrated: 30 });
    expect(c.idPrefix).toBe('CERT');
    expect(c.smtpUrl).toBe('smtp://mail:25');
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
  });
  it('takes the CVE schema file and the new user password from the environment, unset by default', () => {
    expect(loadConfig({})).toMatchObject({ cveSchemaFile: undefined, newUserPassword: undefined });
    const c = loadConfig({ VULNSHARE_CVE_SCHEMA: 'schemas/cve.json', VULNSHARE_PASSWORD: 'pw pw pw pw pw' });
    expect(c.cveSchemaFile).toBe(resolve('schemas/cve.json'));
    expect(c.newUserPassword).toBe('pw pw pw pw pw');
    expect(loadConfig({ VULNSHARE_PASSWORD: '' }).newUserPassword).toBeUndefined();
  });
  it('allows no internal webhook or feed target unless VULNSHARE_ALLOW_INTERNAL_TARGETS names it', () => {
    expect(refusedHost('127.0.0.1', loadConfig({}).allowInternalTargets)).toMatch(/loopback/);
    const c = loadConfig({ VULNSHARE_ALLOW_INTERNAL_TARGETS: '10.0.0.0/8, feeds.corp.example' });
    expect(refusedHost('10.9.8.7', c.allowInternalTargets)).toBeNull();
    expect(refusedHost('127.0.0.1', c.allowInternalTargets)).toMatch(/loopback/);
    expect(c.allowInternalTargets.hosts).toEqual(new Set(['feeds.corp.example']));
    expect(loadConfig({ VULNSHARE_ALLOW_INTERNAL_TARGETS: '*' }).allowInternalTargets.any).toBe(true);
    expect(() => loadConfig({ VULNSHARE_ALLOW_INTERNAL_TARGETS: '10.0.0.0/40' })).toThrow(
      /VULNSHARE_ALLOW_INTERNAL_TARGETS: "10.0.0.0\/40" is not a CIDR range/,
    );
  });
  it('names the platform in CVE JSON 5 exports by a version-4 UUID and a 2–32 character short name', () => {
    expect(loadConfig({}).platformOrg).toEqual({ orgId: DEFAULT_PLATFORM_ORG_ID, shortName: 'vulnshare' });
    const c = loadConfig({
      VULNSHARE_ORG_ID: 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D',
      VULNSHARE_SHORT_NAME: 'CERT-XY',
    });
    expect(c.platformOrg).toEqual({ orgId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', shortName: 'CERT-XY' });
    expect(() =>
      loadConfig({ VULNSHARE_ORG_ID: '00000000-0000-0000-0000-000000000000', VULNSHARE_SHORT_NAME: 'x' }),
    ).toThrow(/VULNSHARE_ORG_ID must be a version-4 UUID[\s\S]*VULNSHARE_SHORT_NAME must be 2–32 characters/);
  });
  it('reports every problem at once, naming the setting', () => {
    expect(() =>
      loadConfig({
        VULNSHARE_SLA_DAYS: 'urgent=3',
        VULNSHARE_ID_PREFIX: 'vs-',
        VULNSHARE_SMTP_URL: 'mail:25',
        VULNSHARE_PORT: 'x',
      }),
    ).toThrow(
      /VULNSHARE_PORT must be an integer[\s\S]*VULNSHARE_SLA_DAYS: "urgent=3" is not severity=days[\s\S]*VULNSHARE_ID_PREFIX must be[\s\S]*VULNSHARE_SMTP_URL must start with smtp:\/\//,
    );
  });
});
