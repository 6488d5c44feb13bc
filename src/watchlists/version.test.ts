import { describe, expect, it } from 'vitest';
import { compareVersions, normaliseVersion, sortVersions, versionKey } from './version.js';

const sign = (n: number): number => Math.sign(n);

describe('compareVersions', () => {
  // [a, b, expected sign of compareVersions(a, b)]
  const table: Array<[string, string, -1 | 0 | 1]> = [
    // semver
    ['1.2.3', '1.2.10', -1],
    ['1.2.10', '1.10.0', -1],
    ['1.10.0', '2.0.0', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta', '1.0.0-beta.2', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-beta.11', '1.0.0-rc.1', -1],
    ['1.0.0+build.5', '1.0.0', 0],
    ['1.0.0+20130313144700', '1.0.0+exp.sha.5114f85', 0],
    ['0.9.9', '1.0.0-rc.1', -1],
    // shorter vs longer
    ['1.0', '1.0.0', 0],
    ['1', '1.0.0.0', 0],
    ['1.0', '1.0.1', -1],
    ['1.0.0.0.1', '1', 1],
    // leading v, case, leading zeros
    ['V2.0.0.26', '2.0.0.26', 0],
    ['v1.2', '1.2.0', 0],
    ['15.03.05.19', '15.3.5.19', 0],
    ['1.0.0-RC1', '1.0.0-rc.1', 0],
    ['1.0.0.RELEASE', '1.0.0', 0],
    ['5.1.0.Final', '5.1.0', 0],
    // vendor firmware
    ['V1.0.0.3(4014)', 'V1.0.0.3(4013)', 1],
    ['V1.0.0.3(4014)', 'V1.0.0.3', 1],
    ['V1.0.0.3(4014)', 'V1.0.0.4', -1],
    ['15.03.05.19_multi', '15.03.05.19', 1],
    ['15.03.05.19_multi', '15.03.05.20', -1],
    ['US_AC15V1.0BR_V15.03.05.19_multi_TD01', 'US_AC15V1.0BR_V15.03.05.18_multi_TD01', 1],
    ['US_AC15V1.0BR_V15.03.05.19_multi_TD01', '15.03.05.19_multi_TD01', 0],
    ['US_AC15V1.0BR_V15.03.05.19_multi_TD01', 'V15.03.05.20', -1],
    ['1.0.3.0.2.1-20210509', '1.0.3.0.2.1', 1],
    ['1.0.3.0.2.1-20210509', '1.0.3.0.2.1-20210601', -1],
    ['R7000-V1.0.11.100_10.2.100', 'V1.0.11.100_10.2.100', 0],
    ['R7000-V1.0.11.100_10.2.100', 'R7000-V1.0.11.116_10.2.100', -1],
    ['V200R005C20SPC800', 'V200R005C10SPC800', 1],
    ['V200R005C20SPC800', 'V200R005C20SPC900', -1],
    ['1.10CNB05', '1.10CNB04', 1],
    // Cisco, Juniper
    ['9.0(1)', '9.0(2)', -1],
    ['9.0(1)', '9.1', -1],
    ['12.2(55)SE', '12.2(55)', 1],
    ['12.2(55)SE', '12.2(58)SE', -1],
    ['21.1', '21.1R3', -1],
    ['21.1R3', '21.1R3-S2', -1],
    ['21.1R3-S2', '21.2', -1],
    // patch letters sort after, pre-release words before
    ['1.1.1k', '1.1.1j', 1],
    ['1.1.1', '1.1.1a', -1],
    ['1.1.1w', '1.1.2', -1],
    ['2.0.0p19', '2.0.0', 1],
    ['2.0.0p19', '2.0.1', -1],
    ['2.0-beta9', '2.0', -1],
    ['2.0-beta9', '2.0-rc1', -1],
    ['1.0-dev', '1.0-alpha', -1],
    ['1.0-SNAPSHOT', '1.0', -1],
    ['5.16 rc7', '5.16', -1],
    ['4.0.0:rc1', '4.0.0', -1],
    // service packs, CU, years, dates
    ['2019 SP2', '2019 SP1', 1],
    ['2019 SP2', '2019', 1],
    ['2019 SP2', '2022', -1],
    ['2019 CU12', '2019 CU9', 1],
    ['20210509', '20210601', -1],
    ['20210509', '2021', 1],
    ['5.2.0.1', '5.2.0.10', -1],
    // hyphen-number continues the version (not a semver pre-release)
    ['7.0.10-31', '7.0.10', 1],
    ['7.0.10-31', '7.0.11', -1],
    ['1.6.0-638', '1.6.0-639', -1],
    // rpm epoch
    ['0:9.2.10-16.el8_10', '9.2.10-16.el8_10', 0],
    ['1:1.0', '9.9', 1],
    // x is an ordinary word: 7.x sorts just after 7.0
    ['7.x', '7', 1],
    ['7.x', '7.0.1', -1],
    // full-width text (NFKC)
    ['Ｖ１.２', '1.2', 0],
    ['', '0', 0],
    ['', '0.0.1', -1],
  ];
  it.each(table)('%s vs %s → %i', (a, b, expected) => {
    expect(sign(compareVersions(a, b))).toBe(expected);
    expect(sign(compareVersions(b, a))).toBe(-expected || 0);
  });

  it('is a total order: sorting is consistent pair by pair and versionKey agrees with equality', () => {
    const all = [...new Set(table.flatMap(([a, b]) => [a, b]))];
    const sorted = sortVersions(all);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const [x, y] = [sorted[i] ?? '', sorted[j] ?? ''];
        expect(compareVersions(x, y), `${x} vs ${y}`).toBeLessThanOrEqual(0);
        expect(versionKey(x) === versionKey(y), `keys of ${x} and ${y}`).toBe(compareVersions(x, y) === 0);
      }
    }
  });

  it('sorts a semver list as the semver spec does', () => {
    const spec = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
    ];
    expect(sortVersions([...spec].reverse())).toEqual(spec);
  });
});

describe('versionKey and normaliseVersion', () => {
  it.each([
    ['V15.03.05.19', '15.3.5.19'],
    ['1.0.0', '1'],
    ['1.0.0-RC.1', '1-rc.1'],
    ['1.0.0-preview2', '1-pre.2'],
    ['1.1.1k', '1.1.1-k'],
    ['2019 SP2', '2019-sp.2'],
    ['V200R005C20SPC800', '200-r.5-c.20-spc.800'],
    ['1:2.3', '1:2.3'],
  ])('versionKey(%s) = %s', (v, key) => {
    expect(versionKey(v)).toBe(key);
  });

  it.each([
    ['V15.03.05.19 ', '15.03.05.19'],
    ['Ｖ2.0.0.26', '2.0.0.26'],
    ['  2019   SP2', '2019 SP2'],
    ['Version 3', 'Version 3'],
  ])('normaliseVersion(%j) = %j', (v, shown) => {
    expect(normaliseVersion(v)).toBe(shown);
  });
});
