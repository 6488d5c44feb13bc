/**
 * A synthetic bulletin week at CNVD's scale: 500 general-type vulnerabilities (about 60 vendors, a severity
 * mix, CVSS vectors on two thirds, zero-days, industries) and 15,000 event-type reports credited to some 40
 * reporting organisations and individual researchers — all collected in 2024-W04.
 */
import type { ParseItem, SourceRecord } from '../src/vulns/model.js';

const VENDORS = [
  'D-Link',
  'Tenda',
  'TP-Link',
  'Cisco',
  'Microsoft',
  'Adobe',
  'Google',
  'Apple',
  'Huawei',
  'Siemens',
  'IBM',
  'Oracle',
  'SAP',
  'Trend Micro',
  'Fortinet',
  'WordPress',
  'Netgear',
  'Zyxel',
  'Hikvision',
  'Dahua',
];
const PRODUCTS = [
  'DIR-823G',
  'AC18',
  'Archer C7',
  'IOS XE',
  'Exchange Server',
  'Acrobat Reader',
  'Android',
  'iOS',
  'HarmonyOS',
  'SIMATIC S7-1500',
  'WebSphere',
  'WebLogic',
  'NetWeaver',
  'Apex One',
  'FortiOS',
  'Elementor',
];
const WEAK = [
  '缓冲区溢出',
  '跨站脚本',
  'SQL注入',
  '命令注入',
  '权限提升',
  '信息泄露',
  '拒绝服务',
  '代码执行',
];
const SEV = ['high', 'high', 'medium', 'medium', 'medium', 'low'] as const;
const VEC = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
];
const ORGS = Array.from({ length: 30 }, (_, i) => `第${i + 1}网络安全技术有限公司`);
const PEOPLE = Array.from({ length: 10 }, (_, i) => `researcher${i + 1}`);

// eslint-disable-next-line @typescript-eslint/require-await -- an async source, like the real parsers
export async function* bulletinWeek(general = 500, events = 15_000): AsyncGenerator<ParseItem> {
  let index = 0;
  const dates = { submitted: '2024-01-10', collected: '2024-01-24', published: '2024-01-24' };
  for (let i = 0; i < general + events; i++) {
    const ev = i >= general;
    const vendor = VENDORS[i % VENDORS.length] ?? 'D-Link';
    const product = `${PRODUCTS[(i * 7) % PRODUCTS.length] ?? 'X'} ${(i % 5) + 1}`;
    const weak = WEAK[(i * 3) % WEAK.length] ?? '缓冲区溢出';
    const key = `CNVD-2024-${String(10_000 + i).padStart(5, '0')}`;
    const record: SourceRecord = {
      source: 'cnvd',
      key,
      aliases: [key],
      state: 'published',
      titleZh: ev ? `某单位信息系统${weak}漏洞（${key}）` : `${vendor} ${product} ${weak}漏洞（${key}）`,
      descriptionZh: `${vendor} ${product}是${vendor}公司的一款产品。该产品存在${weak}漏洞，攻击者可利用该漏洞获取敏感信息。`,
      products: ev
        ? []
        : [{ vendor: '', product: '', versions: [], raw: `${vendor} ${product} 1.0.${i % 9}` }],
      weaknesses: [],
      cvss: !ev && i % 3 !== 0 ? [{ vector: VEC[i % VEC.length] ?? '' }] : [],
      severity: SEV[i % SEV.length],
      zeroDay: i % 4 === 0,
      kind: ev ? 'event' : 'general',
      dates,
      solution:
        i % 4 === 0
          ? '厂商尚未提供漏洞修复方案，请关注厂商主页更新。'
          : '厂商已发布了漏洞修复程序，请及时关注更新：https://example.com/fix',
      references: [],
      credits: [i % 4 === 0 ? (PEOPLE[i % PEOPLE.length] ?? 'x') : (ORGS[i % ORGS.length] ?? 'x')],
      raw: `<vulnerability><number>${key}</number></vulnerability>`,
    };
    index++;
    yield { ok: true, file: 'synthetic', index, record };
  }
}
