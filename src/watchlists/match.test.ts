import { describe, expect, it } from 'vitest';
import { containsName, matchesWatch, vendorsMatch, type VulnProduct, type WatchedProduct } from './match.js';
import { parseProductString } from './product.js';
import { parseRange } from './range.js';

/** A vulnerability product from a CNVD product string. */
function fromCnvd(s: string): VulnProduct {
  const p = parseProductString(s);
  return { vendor: p.vendor, product: p.product, versions: p.ranges.length > 0 ? p.ranges : 'unknown' };
}

describe('names', () => {
  it.each([
    ['IBM Tivoli Storage Manager', 'Tivoli Storage Manager', true],
    ['IBM Tivoli Storage Manager', 'tivoli_storage_manager', true],
    ['IBM Tivoli Storage Manager', 'TivoliStorageManager', true],
    ['WordPress', 'Word', false],
    ['DIR-816 A2', 'dir816', true],
    ['Exchange Server', 'Exchange', true],
    ['Exchange', 'Exchange Server', false],
  ])('containsName(%s, %s) = %s', (hay, needle, expected) => {
    expect(containsName(hay, needle)).toBe(expected);
  });

  it.each([
    ['D-Link', 'dlink', true],
    ['Juniper', 'Juniper Networks', true],
    ['Microsoft Corporation', 'Microsoft', true],
    ['TP-Link', '普联技术有限公司', true],
    ['Tenda', '深圳市吉祥腾达科技有限公司', true],
    ['Cisco', 'Juniper', false],
  ])('vendorsMatch(%s, %s) = %s', (a, b, expected) => {
    expect(vendorsMatch(a, b)).toBe(expected);
  });
});

describe('matchesWatch', () => {
  const table: Array<[WatchedProduct, string, boolean, RegExp]> = [
    [
      { vendor: 'IBM', product: 'Tivoli Storage Manager', range: parseRange('5.2.x') },
      'IBM IBM Tivoli Storage Manager 5.2.0.1',
      true,
      /overlaps affected 5\.2\.0\.1/,
    ],
    [
      { vendor: 'IBM', product: 'Tivoli Storage Manager', range: parseRange('>= 6.0') },
      'IBM IBM Tivoli Storage Manager 5.2.0.1',
      false,
      /outside affected/,
    ],
    [
      { vendor: 'dlink', product: 'DIR816', range: parseRange('1.10CNB05') },
      'D-Link DIR-816 A2 1.10CNB05',
      true,
      /overlaps/,
    ],
    [
      { vendor: 'Cisco', product: 'IOS XE', range: parseRange('17.3.1') },
      'Cisco IOS XE <17.3.1',
      false,
      /outside/,
    ],
    [
      { vendor: 'Cisco', product: 'IOS XE', range: parseRange('17.2.x') },
      'Cisco IOS XE <17.3.1',
      true,
      /overlaps/,
    ],
    [
      { vendor: 'Apache', product: 'Log4j', range: parseRange('2.12.1') },
      'Apache Log4j 2.0-beta9~2.14.1',
      true,
      /overlaps/,
    ],
    [
      { vendor: 'Apache', product: 'Log4j', range: parseRange('2.17.0') },
      'Apache Log4j 2.0-beta9~2.14.1',
      false,
      /outside/,
    ],
    [
      { vendor: 'Tenda', product: 'AC15', range: parseRange('<=15.03.05.19') },
      'Tenda AC15 V15.03.05.19',
      true,
      /overlaps/,
    ],
    [{ vendor: 'Tenda', product: 'AC18' }, 'Tenda AC15 V15.03.05.19', false, /does not contain/],
    [
      { vendor: 'Cisco', product: 'Log4j' },
      'Apache Log4j 2.0-beta9~2.14.1',
      false,
      /vendor "Apache" is not the watched "Cisco"/,
    ],
    [{ product: 'Exchange Server' }, 'Microsoft Exchange Server 2019 CU12', true, /all versions watched/],
    [
      { vendor: 'Cisco', product: 'IOS XR', range: parseRange('7.3.2') },
      'Cisco IOS XR Software ',
      true,
      /affected versions unknown/,
    ],
    [{ vendor: 'Microsoft', product: 'Word' }, 'WordPress WordPress <6.0', false, /vendor/],
    [{ product: 'Word' }, 'WordPress WordPress <6.0', false, /does not contain/],
  ];
  it.each(table)('%j against %s → %s', (watch, cnvd, match, reason) => {
    const r = matchesWatch(watch, fromCnvd(cnvd));
    expect(r.match).toBe(match);
    expect(r.reason).toMatch(reason);
  });

  it('lets CPEs decide the product and ranges the version', () => {
    const vuln: VulnProduct = {
      vendor: 'Apache Software Foundation',
      product: 'Apache Log4j2',
      versions: [parseRange('>= 2.0-beta9, < 2.15.0')],
      cpes: ['cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*'],
    };
    const hit = matchesWatch({ product: 'log4j', cpe: 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*' }, vuln);
    expect(hit.match).toBe(true);
    expect(hit.reason).toMatch(/CPE .* matches .*overlaps/);
    const newer = matchesWatch(
      { product: 'log4j', cpe: 'cpe:2.3:a:apache:log4j:2.17.1:*:*:*:*:*:*:*' },
      vuln,
    );
    expect(newer.match).toBe(false);
    const other = matchesWatch({ product: 'tomcat', cpe: 'cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*' }, vuln);
    expect(other.match).toBe(false);
    expect(other.reason).toMatch(/no CPE/);
  });

  it('falls back to names when the vulnerability has no CPE, using the CPE version as the watched version', () => {
    const vuln = fromCnvd('Apache Log4j 2.0-beta9~2.14.1');
    expect(
      matchesWatch(
        { vendor: 'Apache', product: 'Log4j', cpe: 'cpe:2.3:a:apache:log4j:2.15.0:*:*:*:*:*:*:*' },
        vuln,
      ).match,
    ).toBe(false);
    expect(
      matchesWatch(
        { vendor: 'Apache', product: 'Log4j', cpe: 'cpe:2.3:a:apache:log4j:2.14.0:*:*:*:*:*:*:*' },
        vuln,
      ).match,
    ).toBe(true);
  });
});
