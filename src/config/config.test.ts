import { describe, expect, it } from 'vitest';
import { refusedHost } from '../outbound/targets.js';
import { loadConfig } from './config.js';

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
