import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../test-support/shared-data.js';
import { CVSS_PREFERENCE, primaryCvss, severityFromScore } from './bands.js';
import { scoreCvss, scoreCvssFull } from './cvss.js';

const dir = sharedData('cvss-test-vectors');
const rows = (file: string) =>
  readFileSync(join(dir ?? '', file), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','));
const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

describe.runIf(dir)('scores every vector in the FIRST / Red Hat test set', () => {
  it('matches all 758 v2 vectors (base, temporal, environmental)', () => {
    const all = rows('cvss_v2_vectors.csv');
    expect(all.length).toBe(758);
    const bad = all.filter(([, vector, b, t, e]) => {
      const s = scoreCvssFull(vector ?? '');
      return s.base !== num(b) || s.temporal !== num(t) || s.environmental !== num(e);
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('matches all 5,215 v3.0 / v3.1 vectors (base, temporal, environmental)', () => {
    const all = rows('cvss_v3_vectors.csv');
    expect(all.length).toBe(5215);
    const bad = all.filter(([, version, vector, b, t, e]) => {
      const s = scoreCvssFull(vector ?? '');
      return (
        s.version !== version || s.base !== num(b) || s.temporal !== num(t) || s.environmental !== num(e)
      );
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('matches all 1,694 v4.0 vectors', () => {
    const all = rows('cvss_v4_vectors.csv');
    expect(all.length).toBe(1694);
    const bad = all.filter(
      ([, vector, score]) => scoreCvss({ vector: vector ?? '' }).baseScore !== num(score),
    );
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('CVSS validation', () => {
  it.each([
    ['CVSS:3.1/AV:N', /base metric AC is missing/],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /AV:X is not a defined value/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', /unknown metric ZZ/],
    ['CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /AV appears twice/],
    ['CVSS:5.0/AV:N', /unknown CVSS version 5.0/],
    ['garbage', /no CVSS version prefix/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', /base metric SA is missing/],
  ])('refuses %s naming the offending part', (vector, message) => {
    expect(() => scoreCvss({ vector })).toThrow(message);
  });

  it('accepts v2 vectors without prefix, with parentheses or with CVSS:2.0/', () => {
    for (const v of [
      'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      '(AV:N/AC:L/Au:N/C:P/I:P/A:P)',
      'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
    ]) {
      expect(scoreCvss({ vector: v })).toMatchObject({ version: '2.0', baseScore: 7.5, severity: 'high' });
    }
  });
});

describe('severity bands', () => {
  it.each([
    [10, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0, 'low'],
  ] as const)('rates %s as %s', (score, severity) => {
    expect(severityFromScore(score)).toBe(severity);
  });

  it('takes the primary score from the preferred version, highest first', () => {
    const v31a = scoreCvss({ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' });
    const v31b = scoreCvss({ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' });
    const v4 = scoreCvss({ vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' });
    const v2 = scoreCvss({ vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' });
    expect(CVSS_PREFERENCE[0]).toBe('3.1');
    expect(primaryCvss([v2, v4, v31a, v31b])).toBe(v31b);
    expect(primaryCvss([v2, v4])).toBe(v4);
    expect(primaryCvss([])).toBeUndefined();
  });
});

describe('scores by vector text (the calculator runs once per distinct vector)', () => {
  it('gives the same scores the second time, and a caller changing its copy changes nothing after', () => {
    const v = 'CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N';
    const first = scoreCvssFull(v);
    expect(first.base).toBe(4.4);
    first.base = 99;
    const again = scoreCvssFull(v);
    expect(again.base).toBe(4.4);
    expect(scoreCvss({ vector: v }).baseScore).toBe(4.4);
  });
  it('refuses a bad vector every time (errors are not remembered as scores)', () => {
    expect(() => scoreCvssFull('CVSS:3.1/AV:Q')).toThrow();
    expect(() => scoreCvssFull('CVSS:3.1/AV:Q')).toThrow();
  });
});
