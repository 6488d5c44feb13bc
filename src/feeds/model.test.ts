/** The feeds' rules as tables: what each HTTP status means, how long to back off, schedules, body kinds. */
import { describe, expect, it } from 'vitest';
import { sniffKind } from './body.js';
import { parseRetryAfter } from './download.js';
import {
  backoffMs,
  checkFeedUrl,
  DEFAULT_RETRY,
  formatInterval,
  parseInterval,
  statusAction,
} from './model.js';

describe('feed rules', () => {
  it.each([
    [200, 'body'],
    [304, 'not_modified'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'fail'],
    [401, 'fail'],
    [403, 'fail'],
    [404, 'fail'],
    [410, 'fail'],
    [204, 'fail'],
  ])('treats HTTP %i as %s', (status, action) => {
    expect(statusAction(status)).toBe(action);
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const p = { ...DEFAULT_RETRY, baseBackoffMs: 1000, maxBackoffMs: 5000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n, 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n, 0.999999))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-03-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('parses schedules and refuses ones under a minute, over a year or without a unit', () => {
    expect(parseInterval('6h')).toBe(6 * 3_600_000);
    expect(parseInterval('1d')).toBe(86_400_000);
    expect(parseInterval('1h30m')).toBe(5_400_000);
    expect(formatInterval(5_400_000)).toBe('1h30m');
    expect(() => parseInterval('30s')).toThrow(/shorter than one minute/);
    expect(() => parseInterval('6')).toThrow(/not an interval/);
    expect(() => parseInterval('99999999999999d')).toThrow(/longer than a year/);
    expect(parseInterval('52w')).toBe(52 * 604_800_000);
  });

  it('accepts http and https feed URLs only', () => {
    expect(checkFeedUrl('https://www.cisa.gov/kev.json').host).toBe('www.cisa.gov');
    expect(() => checkFeedUrl('file:///etc/passwd')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => checkFeedUrl('www.cisa.gov')).toThrow(/is not a URL/);
  });

  it('tells a body kind from its first bytes', () => {
    expect(sniffKind(Buffer.from('PK\x03\x04rest', 'latin1'), 'cve5')).toBe('zip');
    expect(sniffKind(Buffer.from('\uFEFF  <?xml version="1.0"?>'), 'cnvd-xml')).toBe('xml');
    expect(sniffKind(Buffer.from('\n{"title":'), 'kev')).toBe('json');
    expect(sniffKind(Buffer.from('cveID,vendorProject'), 'kev')).toBe('csv');
    expect(sniffKind(Buffer.from('cveID,vendorProject'), 'cve5')).toBeNull();
  });
});
