import { describe, expect, it } from 'vitest';
import { nameKey, parseProductString, type ParsedProduct } from './product.js';

type Expected = Partial<ParsedProduct>;

describe('parseProductString', () => {
  const table: Array<[string, Expected]> = [
    [
      'IBM IBM Tivoli Storage Manager 5.2.0.1',
      {
        vendor: 'IBM',
        product: 'IBM Tivoli Storage Manager',
        versionText: '5.2.0.1',
        range: { exact: '5.2.0.1' },
      },
    ],
    ['Tenda AC15 V15.03.05.19', { vendor: 'Tenda', product: 'AC15', versionText: 'V15.03.05.19' }],
    ['D-Link DIR-816 A2 1.10CNB05', { vendor: 'D-Link', product: 'DIR-816 A2', versionText: '1.10CNB05' }],
    [
      'Microsoft Exchange Server 2019 CU12',
      { vendor: 'Microsoft', product: 'Exchange Server', versionText: '2019 CU12' },
    ],
    [
      'Cisco IOS XE <17.3.1',
      {
        vendor: 'Cisco',
        product: 'IOS XE',
        versionText: '<17.3.1',
        range: { to: '17.3.1', toInclusive: false },
      },
    ],
    [
      'Apache Log4j 2.0-beta9~2.14.1',
      {
        vendor: 'Apache',
        product: 'Log4j',
        range: { from: '2.0-beta9', fromInclusive: true, to: '2.14.1', toInclusive: true },
      },
    ],
    [
      'Juniper Networks Junos OS 21.1，<21.1R3',
      {
        vendor: 'Juniper Networks',
        product: 'Junos OS',
        versionText: '21.1,<21.1R3',
        range: { from: '21.1', fromInclusive: true, to: '21.1R3', toInclusive: false },
      },
    ],
    [
      'Apache Dubbo >=2.7.0，<2.7.10',
      { product: 'Dubbo', range: { from: '2.7.0', fromInclusive: true, to: '2.7.10', toInclusive: false } },
    ],
    ['Linux Linux kernel 5.16 rc7', { vendor: 'Linux', product: 'Linux kernel', versionText: '5.16 rc7' }],
    ['Microsoft Windows 10 21H2', { vendor: 'Microsoft', product: 'Windows 10', versionText: '21H2' }],
    ['Fortinet Inc. FortiOS 6.2.*', { vendor: 'Fortinet Inc.', product: 'FortiOS', versionText: '6.2.*' }],
    ['MediaTek MT6785 NR16', { vendor: 'MediaTek', product: 'MT6785', versionText: 'NR16' }],
    ['Cisco IOS XR Software ', { vendor: 'Cisco', product: 'IOS XR Software', ranges: [] }],
    ['IBM IBM Power System null', { vendor: 'IBM', product: 'IBM Power System', ranges: [] }],
    ['Bundler', { product: 'Bundler', ranges: [] }],
    [
      'Home Owners Collection Management System Home Owners Collection Management System v1.0',
      {
        vendor: 'Home Owners Collection Management System',
        product: 'Home Owners Collection Management System',
      },
    ],
    [
      'Dominion Voting Systems ImageCast X 5.1（based on Android）',
      { product: 'Voting Systems ImageCast X (based on Android)', versionText: '5.1' },
    ],
    ['Cybozu Garoon 4.0.0;5.9.0', { ranges: [{ exact: '4.0.0' }, { exact: '5.9.0' }] }],
    [
      'F5 BIG-IP 11.6.1-11.6.5',
      { range: { from: '11.6.1', fromInclusive: true, to: '11.6.5', toInclusive: true } },
    ],
    ['ImageMagick ImageMagick 7.1.0-4', { range: { exact: '7.1.0-4' } }],
    [
      'Siemens Solid Edge SE2023 < V2023Update2',
      { product: 'Solid Edge SE2023', versionText: '< V2023Update2' },
    ],
  ];
  it.each(table)('%s', (s, expected) => {
    expect(parseProductString(s)).toMatchObject(expected);
  });

  it('takes a known vendor from the caller', () => {
    expect(
      parseProductString('Palo Alto Networks Cortex XDR >=5.0，<5.0.12', 'Palo Alto Networks'),
    ).toMatchObject({
      vendor: 'Palo Alto Networks',
      product: 'Cortex XDR',
    });
    expect(parseProductString('dlink DIR-816 1.10', 'D-Link')).toMatchObject({
      vendor: 'D-Link',
      product: 'DIR-816',
    });
    expect(parseProductString('Exchange Server 2019', 'Microsoft')).toMatchObject({
      vendor: 'Microsoft',
      product: 'Exchange Server',
    });
  });

  it('keeps an unreadable version part as text, without throwing', () => {
    const p = parseProductString('F5 BIG-IP (all modules) >=13.1.0,<=3.1.5');
    expect(p).toMatchObject({ versionText: '>=13.1.0,<=3.1.5', ranges: [] });
    expect(p.rangeError).toMatch(/contains no version/);
  });
});

describe('nameKey', () => {
  it.each([
    ['D-Link', 'dlink'],
    ['Tivoli_Storage_Manager', 'tivoli storage manager'],
    ['Node.js', 'nodejs'],
    ['  Juniper   Networks ', 'juniper networks'],
    ['ＡＢＣ', 'abc'],
  ])('%s → %s', (s, key) => {
    expect(nameKey(s)).toBe(key);
  });
});
