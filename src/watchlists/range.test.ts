import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { rangeFromCveVersion } from './cve-versions.js';
import {
  formatRange,
  inRange,
  intersectRanges,
  parseRange,
  parseRanges,
  rangesOverlap,
  type VersionRange,
} from './range.js';

describe('parseRange', () => {
  const table: Array<[string, VersionRange]> = [
    ['>= 2.0, < 2.4.1', { from: '2.0', fromInclusive: true, to: '2.4.1', toInclusive: false }],
    ['>=2.7.0，<2.7.10', { from: '2.7.0', fromInclusive: true, to: '2.7.10', toInclusive: false }],
    ['<=15.03.05.19', { to: '15.03.05.19', toInclusive: true }],
    ['＜97.0.4692.71', { to: '97.0.4692.71', toInclusive: false }],
    ['≤ 3.0.3', { to: '3.0.3', toInclusive: true }],
    ['> 5.14', { from: '5.14', fromInclusive: false }],
    ['= 5.2.0.1', { exact: '5.2.0.1' }],
    ['5.2.0.1', { exact: '5.2.0.1' }],
    ['1.2.x', { from: '1.2', fromInclusive: true, to: '1.3-dev', toInclusive: false }],
    ['1.2.*', { from: '1.2', fromInclusive: true, to: '1.3-dev', toInclusive: false }],
    ['7.X', { from: '7', fromInclusive: true, to: '8-dev', toInclusive: false }],
    ['3.*.*', { from: '3', fromInclusive: true, to: '4-dev', toInclusive: false }],
    ['9.6*', { from: '9.6', fromInclusive: true, to: '9.7-dev', toInclusive: false }],
    ['*', {}],
    ['all versions', {}],
    ['2.0 - 2.5', { from: '2.0', fromInclusive: true, to: '2.5', toInclusive: true }],
    ['11.6.1-11.6.5', { from: '11.6.1', fromInclusive: true, to: '11.6.5', toInclusive: true }],
    ['2.0-beta9~2.14.1', { from: '2.0-beta9', fromInclusive: true, to: '2.14.1', toInclusive: true }],
    ['10.97 to 10.97.2', { from: '10.97', fromInclusive: true, to: '10.97.2', toInclusive: true }],
    ['1.0 至 1.5', { from: '1.0', fromInclusive: true, to: '1.5', toInclusive: true }],
    ['before 3.1', { to: '3.1', toInclusive: false }],
    ['prior to 3.1', { to: '3.1', toInclusive: false }],
    ['through 4.2', { to: '4.2', toInclusive: true }],
    ['All versions prior to and including 0.2.1', { to: '0.2.1', toInclusive: true }],
    ['All versions < V14.3.0.6', { to: 'V14.3.0.6', toInclusive: false }],
    ['v1.0.24 and earlier', { to: 'v1.0.24', toInclusive: true }],
    ['0.2 and prior versions', { to: '0.2', toInclusive: true }],
    ['5.0 and later', { from: '5.0', fromInclusive: true }],
    ['5.0+', { from: '5.0', fromInclusive: true }],
    ['V2.0及以下', { to: 'V2.0', toInclusive: true }],
    ['< 1.0.0.3(4014)', { to: '1.0.0.3(4014)', toInclusive: false }],
    ['<=2020 Release Update 4 and earlier', { to: '2020 Release Update 4', toInclusive: true }],
    ['>= V4.5.0 < V4.5.2', { from: 'V4.5.0', fromInclusive: true, to: 'V4.5.2', toInclusive: false }],
    ['>= 1.0 and < 2.0', { from: '1.0', fromInclusive: true, to: '2.0', toInclusive: false }],
    // CNVD: a plain version beside an upper bound is the lower bound, beside a lower bound the upper
    ['21.1，<21.1R3', { from: '21.1', fromInclusive: true, to: '21.1R3', toInclusive: false }],
    ['>=3.2，3.2.11', { from: '3.2', fromInclusive: true, to: '3.2.11', toInclusive: true }],
    // wildcards and bounds intersect
    ['23.*，<23.3', { from: '23', fromInclusive: true, to: '23.3', toInclusive: false }],
    ['>=8.2.*，<=9.5.0.*', { from: '8.2', fromInclusive: true, to: '9.5.1-dev', toInclusive: false }],
    ['>=2.0, <=2.0', { exact: '2.0' }],
    ['<2.3\\(1c\\)', { to: '2.3(1c)', toInclusive: false }],
    ['< CPCI85 V05.11 (only with activated debug support)', { to: 'CPCI85 V05.11', toInclusive: false }],
  ];
  it.each(table)('%s', (text, expected) => {
    expect(parseRange(text)).toEqual(expected);
  });

  it('reads alternatives with parseRanges', () => {
    expect(parseRanges('4.0.0;5.9.0')).toEqual([{ exact: '4.0.0' }, { exact: '5.9.0' }]);
    expect(parseRanges('1.0, 1.1, 1.2')).toHaveLength(3);
    expect(parseRanges('< 1.0 || >= 2.0, < 2.1')).toEqual([
      { to: '1.0', toInclusive: false },
      { from: '2.0', fromInclusive: true, to: '2.1', toInclusive: false },
    ]);
    expect(parseRanges('5.0 or later')).toEqual([{ from: '5.0', fromInclusive: true }]);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['<', /missing/],
    ['>= 2.0, < 1.0', /contains no version/],
    ['> 2.0, < 2.0', /contains no version/],
    ['latest', /not a version/],
    ['< abc', /not a version/],
    ['<= 1.0 <', /unexpected operator/],
    ['1.0; 2.0', /2 alternatives/],
    ['>= 1.0, 1.5, 1.7', /more than one plain version/],
    ['1.0, >= 2.0, < 3.0', /cannot tell/],
    ['< "quoted" 1.0', /does not look like a version/],
  ];
  it.each(bad)('rejects %j with a clear invalid_input error', (text, message) => {
    let err: unknown;
    try {
      parseRange(text, 'watch.range');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'invalid_input', details: { field: 'watch.range' } });
    expect((err as Error).message).toMatch(message);
  });
});

describe('inRange, overlap, intersection', () => {
  const table: Array<[string, string, boolean]> = [
    ['2.4.0', '>= 2.0, < 2.4.1', true],
    ['2.4.1', '>= 2.0, < 2.4.1', false],
    ['2.0', '>= 2.0, < 2.4.1', true],
    ['2.0-rc1', '>= 2.0, < 2.4.1', false],
    ['V15.03.05.19', '<=15.03.05.19', true],
    ['US_AC15V1.0BR_V15.03.05.19_multi_TD01', '<=15.03.05.19', false], // _multi… sorts after
    ['15.03.05.18', '<=15.03.05.19', true],
    ['1.2.99', '1.2.x', true],
    ['1.3-rc1', '1.2.x', false],
    ['1.3', '1.2.x', false],
    ['1.2', '1.2.x', true],
    ['2.5', '2.0 - 2.5', true],
    ['2.5.1', '2.0 - 2.5', false],
    ['3.1-rc1', 'before 3.1', true],
    ['4.2', 'through 4.2', true],
    ['1.0.0.3(4013)', '< 1.0.0.3(4014)', true],
    ['1.0.0.3', '< 1.0.0.3(4014)', true],
    ['5.2.0.1', '5.2.0.1', true],
    ['5.2.0.10', '5.2.0.1', false],
    ['2.14.1', '2.0-beta9~2.14.1', true],
    ['2.0-beta8', '2.0-beta9~2.14.1', false],
    ['21.1R2', '21.1，<21.1R3', true],
    ['21.2', '21.1，<21.1R3', false],
    ['9.9', '*', true],
  ];
  it.each(table)('%s in %s → %s', (v, r, expected) => {
    expect(inRange(v, parseRange(r))).toBe(expected);
  });

  it('overlaps ranges with their inclusivity', () => {
    expect(rangesOverlap(parseRange('< 2.0'), parseRange('>= 2.0'))).toBe(false);
    expect(rangesOverlap(parseRange('<= 2.0'), parseRange('>= 2.0'))).toBe(true);
    expect(rangesOverlap(parseRange('1.2.x'), parseRange('>= 1.2.5, < 1.4'))).toBe(true);
    expect(rangesOverlap({}, parseRange('5.0'))).toBe(true);
    expect(intersectRanges(parseRange('>= 1.0'), parseRange('< 2.0'))).toEqual({
      from: '1.0',
      fromInclusive: true,
      to: '2.0',
      toInclusive: false,
    });
    expect(intersectRanges(parseRange('1.0'), parseRange('2.0'))).toBeNull();
  });

  it('applies the documented defaults (fromInclusive true, toInclusive false)', () => {
    expect(inRange('1.0', { from: '1.0' })).toBe(true);
    expect(inRange('2.0', { to: '2.0' })).toBe(false);
  });

  it.each(['>= 2.0, < 2.4.1', '<= 15.03.05.19', '5.2.0.1', '*', '> 1.0, <= 2.0'])(
    'formatRange round-trips %s',
    (r) => {
      expect(parseRange(formatRange(parseRange(r)))).toEqual(parseRange(r));
    },
  );
});

describe('rangeFromCveVersion (CVE JSON 5 versions[])', () => {
  it.each([
    [
      { version: '2.0.0', lessThan: '2.4.1', status: 'affected', versionType: 'semver' },
      { from: '2.0.0', fromInclusive: true, to: '2.4.1', toInclusive: false },
    ],
    [
      { version: '0', lessThan: '3.8.19', status: 'affected', versionType: 'python' },
      { to: '3.8.19', toInclusive: false },
    ],
    [
      { version: '*', lessThanOrEqual: '1.4.4', status: 'affected' },
      { to: '1.4.4', toInclusive: true },
    ],
    [{ version: '0', lessThanOrEqual: '*', status: 'affected', versionType: 'custom' }, {}],
    [
      { version: '5.0', lessThan: '*', status: 'unaffected', versionType: 'rpm' },
      { from: '5.0', fromInclusive: true },
    ],
    [
      { version: 'N/A', lessThan: '1.26.0', status: 'affected' },
      { to: '1.26.0', toInclusive: false },
    ],
    [
      { version: '1.0', lessThanOrEqual: '<=14.1.1', status: 'affected' },
      { from: '1.0', fromInclusive: true, to: '14.1.1', toInclusive: true },
    ],
    [{ version: '3.1.0', status: 'affected' }, { exact: '3.1.0' }],
    [{ version: 'QCA6574AU', status: 'affected' }, { exact: 'QCA6574AU' }],
    [
      { version: '>= 8.0.0, < 8.18.10', status: 'affected' },
      { from: '8.0.0', fromInclusive: true, to: '8.18.10', toInclusive: false },
    ],
    [
      { version: 'v1.0.24 and earlier', status: 'affected' },
      { to: 'v1.0.24', toInclusive: true },
    ],
    [{ version: 'all versions', status: 'affected' }, {}],
  ])('%j', (entry, range) => {
    expect(rangeFromCveVersion(entry).range).toEqual(range);
  });

  it('says unknown for n/a and unspecified, keeping the status', () => {
    expect(rangeFromCveVersion({ version: 'n/a', status: 'affected' })).toEqual({
      status: 'affected',
      range: 'unknown',
    });
    expect(rangeFromCveVersion({ version: 'unspecified', status: 'unknown' })).toEqual({
      status: 'unknown',
      range: 'unknown',
    });
  });

  const thrown = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('reports git ranges and free text as unsupported, and a bad status as invalid', () => {
    const git = { version: 'ea6d602c', lessThan: '02b7742f', status: 'affected', versionType: 'git' };
    expect(thrown(() => rangeFromCveVersion(git))).toMatchObject({
      code: 'invalid_input',
      details: { unsupported: true },
    });
    const serial = { version: 'The first 5 digits of serial No. "26061" and prior', status: 'affected' };
    expect(thrown(() => rangeFromCveVersion(serial))).toMatchObject({ details: { unsupported: true } });
    expect(() => rangeFromCveVersion({ version: '1.0', status: 'vulnerable' })).toThrow(/status/);
  });
});
