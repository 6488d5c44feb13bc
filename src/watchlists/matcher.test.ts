import { describe, expect, it } from 'vitest';
import type { AffectedProduct, Vulnerability } from '../vulns/model.js';
import {
  buildWatchIndex,
  matchVulnerability,
  validateItem,
  vulnProductOf,
  type WatchItemSpec,
} from './matcher.js';

let nextId = 1;
const spec = (organisationId: number, item: Partial<WatchItemSpec>): WatchItemSpec => ({
  id: nextId++,
  watchlistId: organisationId * 10,
  watchlistName: `list of ${organisationId}`,
  organisationId,
  delivery: 'immediate',
  kind: 'product',
  ...item,
});

const vuln = (
  products: AffectedProduct[],
  text: { title?: string; titleZh?: string; description?: string } = {},
): Pick<Vulnerability, 'products' | 'title' | 'description'> => ({
  products,
  title: { ...(text.title ? { en: text.title } : {}), ...(text.titleZh ? { zh: text.titleZh } : {}) },
  description: text.description ? { en: text.description } : {},
});

describe('matching a vulnerability against the index', () => {
  const ix = buildWatchIndex([
    spec(1, { vendor: 'Tenda', product: 'AC18', range: '<= 15.03.05.19' }),
    spec(2, { vendor: 'Tenda', product: 'AC18', range: '>= 16.0' }),
    spec(3, { vendor: 'IBM', product: 'Tivoli Storage Manager' }),
    spec(4, { kind: 'cpe', cpe: 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*', range: '>= 2.0, < 2.15' }),
    spec(5, { kind: 'keyword', keyword: 'Exchange Server' }),
    spec(5, { kind: 'keyword', keyword: '弱口令' }),
    spec(6, { vendor: 'Microsoft', product: 'Word' }),
    spec(7, { vendor: 'D-Link', product: 'DIR-816', delivery: 'daily' }),
    spec(7, { vendor: 'dlink', product: 'DIR 816', delivery: 'immediate' }),
  ]);
  const orgs = (v: ReturnType<typeof vuln>) =>
    matchVulnerability(ix, v)
      .map((m) => m.organisationId)
      .sort();

  it.each([
    [
      'a version inside the watched range',
      [{ vendor: 'Tenda', product: 'AC18', versions: ['15.03.05.19'] }],
      [1],
    ],
    [
      'a range overlapping the other watch',
      [{ vendor: 'Tenda', product: 'AC18', versions: ['>= 15.0, < 17.0'] }],
      [1, 2],
    ],
    [
      'a CNVD product string',
      [{ vendor: '', product: '', versions: [], raw: 'Tenda AC18 V15.03.05.19' }],
      [1],
    ],
    [
      'unknown versions (matches every watched range)',
      [{ vendor: 'Tenda', product: 'AC18', versions: ['n/a'] }],
      [1, 2],
    ],
    [
      'a product inside a longer name',
      [{ vendor: 'IBM', product: 'IBM Tivoli Storage Manager', versions: ['5.2.0.1'] }],
      [3],
    ],
    ['"Word" is not found in "WordPress"', [{ vendor: 'Microsoft', product: 'WordPress', versions: [] }], []],
    [
      'vendor spellings (D-Link = dlink)',
      [{ vendor: 'D-Link', product: 'DIR-816 A2', versions: ['1.10CNB05'] }],
      [7],
    ],
    [
      'a CPE on both sides and the range',
      [
        {
          vendor: 'Apache',
          product: 'Log4j',
          versions: ['2.14.1'],
          cpes: ['cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'],
        },
      ],
      [4],
    ],
    [
      'a CPE outside the watched range',
      [
        {
          vendor: 'Apache',
          product: 'Log4j',
          versions: ['1.2.17'],
          cpes: ['cpe:2.3:a:apache:log4j:1.2.17:*:*:*:*:*:*:*'],
        },
      ],
      [],
    ],
    [
      'a CPE watch by name when the record has no CPE',
      [{ vendor: 'Apache', product: 'log4j', versions: ['2.14.1'] }],
      [4],
    ],
  ] as Array<[string, AffectedProduct[], number[]]>)('%s', (_name, products, expected) => {
    expect(orgs(vuln(products))).toEqual(expected);
  });

  it('finds keywords as whole words (English) and as substrings (Chinese)', () => {
    expect(orgs(vuln([], { title: 'Microsoft Exchange Server RCE' }))).toEqual([5]);
    expect(orgs(vuln([], { title: 'exchange servers', description: 'Exchange Serverless' }))).toEqual([]);
    expect(orgs(vuln([], { titleZh: '某单位摄像头存在弱口令漏洞' }))).toEqual([5]);
  });

  it('gives one match per organisation, from its fastest-delivery watchlist', () => {
    const [m] = matchVulnerability(ix, vuln([{ vendor: 'D-Link', product: 'DIR-816', versions: [] }]));
    expect(m).toMatchObject({ organisationId: 7, delivery: 'immediate' });
  });

  it('reads a CNVD product into vendor, product and range', () => {
    expect(vulnProductOf({ vendor: '', product: '', versions: [], raw: 'Cisco IOS XE <17.3.1' })).toEqual({
      vendor: 'Cisco',
      product: 'IOS XE',
      versions: [{ to: '17.3.1', toInclusive: false }],
    });
  });
});

describe('checking an item', () => {
  it.each([
    [{ kind: 'product', product: 'IOS XE', range: '>= 2.0, < 1.0' }, 'items[0].range'],
    [{ kind: 'product', product: 'IOS XE', range: 'latest' }, 'items[0].range'],
    [{ kind: 'product', vendor: 'Cisco' }, 'items[0].product'],
    [{ kind: 'cpe', cpe: 'cpe:2.3:a:apache' }, 'items[0].cpe'],
    [{ kind: 'keyword', keyword: 'x' }, 'items[0].keyword'],
  ] as const)('refuses %j naming %s', (item, field) => {
    let details: unknown;
    try {
      validateItem(item, 'items[0]');
    } catch (e) {
      details = (e as { details?: unknown }).details;
    }
    expect(details).toMatchObject({ field });
  });
});
