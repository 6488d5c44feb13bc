/**
 * The demo's vulnerability records, generated (nothing is shipped as data): CNVD-like records in Chinese and
 * CVE-like records in English, from a fixed seed, so every run yields the same records for the same week.
 * Their dates fall in the ten ISO weeks up to `anchor` (the week the demo is loaded in), so the portal, the
 * series of the weekly bulletin and last week's bulletin all have content. Every vendor and product is
 * invented, and every description says it is demo data. Pure.
 */
import type { IsoWeek } from '../vulns/calendar.js';
import { shiftWeek } from '../vulns/calendar.js';
import type { Industry, ObjectType, Severity, SourceRecord } from '../vulns/model.js';

export const DEMO_SEED = 20_261_201;
/** How many records of each kind the demo holds. */
export const DEMO_COUNTS = { cnvd: 200, cve: 120 } as const;
/** Weeks of records, ending with the anchor week. */
export const DEMO_WEEKS = 10;

/** mulberry32: a small deterministic PRNG (the same seed, the same sequence on every machine). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface DemoProduct {
  vendorZh: string;
  vendorEn: string;
  product: string;
  productZh: string;
  versions: string[];
  objectType: ObjectType;
  industries?: Industry[];
}

/** Invented vendors and products, one per affected-object type and industry at least. */
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  {
    vendorZh: '示例网络科技有限公司',
    vendorEn: 'Shili Networks',
    product: 'AX3000',
    productZh: '无线路由器',
    versions: ['V1.0.2', 'V1.1.0'],
    objectType: 'network_device',
  },
  {
    vendorZh: '示例网络科技有限公司',
    vendorEn: 'Shili Networks',
    product: 'S5720',
    productZh: '企业级交换机',
    versions: ['V200R019'],
    objectType: 'network_device',
  },
  {
    vendorZh: '星河软件股份有限公司',
    vendorEn: 'Xinghe Software',
    product: 'XOA',
    productZh: '协同办公系统',
    versions: ['8.0', '8.5'],
    objectType: 'web_application',
  },
  {
    vendorZh: '蓝海数据技术有限公司',
    vendorEn: 'Lanhai Data',
    product: 'BHDB',
    productZh: '分布式数据库',
    versions: ['3.2.1'],
    objectType: 'database',
  },
  {
    vendorZh: '天枢智能科技有限公司',
    vendorEn: 'Tianshu Smart',
    product: 'IPC-T200',
    productZh: '网络摄像机',
    versions: ['2.4.0'],
    objectType: 'smart_device',
  },
  {
    vendorZh: '云岭安全技术有限公司',
    vendorEn: 'Yunling Security',
    product: 'NGFW-X',
    productZh: '下一代防火墙',
    versions: ['6.0.1'],
    objectType: 'security_product',
  },
  {
    vendorZh: '华川工业控制有限公司',
    vendorEn: 'Huachuan Industrial',
    product: 'HC-300',
    productZh: 'PLC 可编程控制器',
    versions: ['4.1'],
    objectType: 'application',
    industries: ['ics'],
  },
  {
    vendorZh: '青松移动互联有限公司',
    vendorEn: 'Qingsong Mobile',
    product: 'Qingsong App',
    productZh: '移动客户端',
    versions: ['5.3.0'],
    objectType: 'application',
    industries: ['mobile_internet'],
  },
  {
    vendorZh: '北辰车联科技有限公司',
    vendorEn: 'Beichen Auto',
    product: 'BC-IVI',
    productZh: '车载信息娱乐系统',
    versions: ['1.8'],
    objectType: 'connected_vehicle',
  },
  {
    vendorZh: '启明系统软件有限公司',
    vendorEn: 'Qiming Systems',
    product: 'Qiming Linux',
    productZh: '服务器操作系统',
    versions: ['7.2'],
    objectType: 'operating_system',
  },
  {
    vendorZh: '金桥通信设备有限公司',
    vendorEn: 'Jinqiao Telecom',
    product: 'JQ-5GC',
    productZh: '5G 核心网网元',
    versions: ['21.3'],
    objectType: 'network_device',
    industries: ['telecom'],
  },
  {
    vendorZh: 'Acme Corporation',
    vendorEn: 'Acme Corporation',
    product: 'Acme Web Portal',
    productZh: 'Acme 门户系统',
    versions: ['4.2.0', '4.3.1'],
    objectType: 'web_application',
  },
  {
    vendorZh: 'Globex',
    vendorEn: 'Globex',
    product: 'Globex Edge Router',
    productZh: 'Globex 边缘路由器',
    versions: ['2.0.7'],
    objectType: 'network_device',
  },
  {
    vendorZh: 'Initech',
    vendorEn: 'Initech',
    product: 'Initech Payroll',
    productZh: 'Initech 薪资系统',
    versions: ['11.0'],
    objectType: 'application',
  },
];

interface DemoWeakness {
  cwe: string;
  zh: string;
  en: string;
  /** how the title names it (CNVD titles end in …漏洞) */
  titleZh: string;
  titleEn: string;
}

export const DEMO_WEAKNESSES: readonly DemoWeakness[] = [
  { cwe: 'CWE-89', zh: 'SQL注入', en: 'SQL Injection', titleZh: 'SQL注入漏洞', titleEn: 'SQL injection' },
  {
    cwe: 'CWE-79',
    zh: '跨站脚本',
    en: 'Cross-site Scripting',
    titleZh: '跨站脚本漏洞',
    titleEn: 'cross-site scripting',
  },
  {
    cwe: 'CWE-78',
    zh: '命令执行',
    en: 'OS Command Injection',
    titleZh: '命令执行漏洞',
    titleEn: 'OS command injection',
  },
  {
    cwe: 'CWE-120',
    zh: '缓冲区溢出',
    en: 'Buffer Overflow',
    titleZh: '缓冲区溢出漏洞',
    titleEn: 'buffer overflow',
  },
  {
    cwe: 'CWE-200',
    zh: '信息泄露',
    en: 'Information Exposure',
    titleZh: '信息泄露漏洞',
    titleEn: 'information disclosure',
  },
  {
    cwe: 'CWE-287',
    zh: '身份验证绕过',
    en: 'Improper Authentication',
    titleZh: '身份验证绕过漏洞',
    titleEn: 'authentication bypass',
  },
  {
    cwe: 'CWE-434',
    zh: '文件上传',
    en: 'Unrestricted File Upload',
    titleZh: '任意文件上传漏洞',
    titleEn: 'unrestricted file upload',
  },
  {
    cwe: 'CWE-22',
    zh: '目录遍历',
    en: 'Path Traversal',
    titleZh: '目录遍历漏洞',
    titleEn: 'path traversal',
  },
  {
    cwe: 'CWE-400',
    zh: '拒绝服务',
    en: 'Uncontrolled Resource Consumption',
    titleZh: '拒绝服务漏洞',
    titleEn: 'denial of service',
  },
];

/** CNVD states CVSS 2 base vectors; CVE records CVSS 3.1 (and some 4.0). */
const CNVD_VECTOR: Record<Severity, string> = {
  high: 'AV:N/AC:L/Au:N/C:C/I:C/A:C',
  medium: 'AV:N/AC:L/Au:N/C:P/I:P/A:N',
  low: 'AV:N/AC:H/Au:S/C:P/I:N/A:N',
};
const CVE_VECTOR: Record<Severity, string> = {
  high: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  medium: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N',
  low: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N',
};
const CVE4_HIGH = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

/** Organisations whose deployed systems the event-type (事件型) records are about. */
const EVENT_SITES = ['某市政务服务平台', '某高校教务管理系统', '某医院预约挂号系统', '某能源企业门户网站'];
/** Who found them (credited in the records and the bulletin). */
export const DEMO_DISCOVERERS = ['示例安全实验室', '星火网络安全团队', '白帽子张三'];

const pick = <T>(r: () => number, xs: readonly T[]): T => {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
};
const severityOf = (r: () => number): Severity => {
  const x = r();
  return x < 0.35 ? 'high' : x < 0.85 ? 'medium' : 'low';
};
/** A day of week w, never after `until` (no record is dated in the future). */
const dayIn = (w: IsoWeek, r: () => number, until: string): string => {
  const ms = Date.parse(`${w.start}T00:00:00Z`) + Math.floor(r() * 7) * 86_400_000;
  const day = new Date(ms).toISOString().slice(0, 10);
  return day > until ? until : day;
};
/** How a CNVD title names the vendor: a Latin name as it is, a Chinese one without its legal form. */
const vendorInTitle = (p: DemoProduct): string =>
  /^[\x20-\x7e]+$/.test(p.vendorZh) ? `${p.vendorZh} ` : p.vendorZh.replace(/(股份)?有限公司$/, '');
/** Later weeks hold more records (the anchor week and the one before the most). */
const weekFor = (anchor: IsoWeek, r: () => number): IsoWeek =>
  shiftWeek(anchor, -Math.floor(Math.pow(r(), 1.6) * DEMO_WEEKS));

const cveId = (year: number, i: number) => `CVE-${year}-${990_000 + i}`;
const cnvdId = (year: number, i: number) => `CNVD-${year}-9${String(i).padStart(4, '0')}`;

/**
 * Every demo record, CVE-like first (so CNVD records can name their CVE ids), for the week `anchor`, none
 * dated after `until` (default: the anchor week's end).
 */
export function demoRecords(anchor: IsoWeek, opts: { until?: string; seed?: number } = {}): SourceRecord[] {
  const seed = opts.seed ?? DEMO_SEED;
  const until = opts.until ?? anchor.end;
  const r = prng(seed);
  const cves: SourceRecord[] = [];
  for (let i = 1; i <= DEMO_COUNTS.cve; i++) {
    const p = pick(r, DEMO_PRODUCTS);
    const w = pick(r, DEMO_WEAKNESSES);
    const sev = severityOf(r);
    const week = weekFor(anchor, r);
    const published = dayIn(week, r, until);
    const key = cveId(week.year, i);
    const version = pick(r, p.versions);
    const exploited = sev === 'high' && r() < 0.25;
    const vectors = [{ vector: CVE_VECTOR[sev], provider: 'cna' }];
    if (sev === 'high' && r() < 0.3) vectors.push({ vector: CVE4_HIGH, provider: 'cna' });
    const record: SourceRecord = {
      source: 'cve',
      key,
      aliases: [key],
      state: 'published',
      titleEn: `${p.vendorEn} ${p.product} ${version} ${w.titleEn}`,
      descriptionEn: `(vulnshare demo data) A ${w.titleEn} flaw in ${p.vendorEn} ${p.product} ${version} allows a remote attacker to ${sev === 'high' ? 'execute arbitrary code' : sev === 'medium' ? 'read or change data' : 'learn internal details'}.`,
      products: [{ vendor: p.vendorEn, product: p.product, versions: [version] }],
      weaknesses: [{ cwe: w.cwe, nameEn: w.en, source: 'cna' }],
      cvss: vectors,
      dates: { published: `${published}T02:00:00.000Z`, updated: `${published}T02:00:00.000Z` },
      references: [{ url: `https://demo.vulnshare.invalid/advisories/${key}` }],
      credits: [pick(r, DEMO_DISCOVERERS)],
      ...(exploited
        ? {
            exploited: {
              dateAdded: published,
              ransomware: r() < 0.3,
              source: 'vulnshare demo',
            },
          }
        : {}),
      raw: '',
    };
    record.raw = JSON.stringify({ vulnshareDemo: true, seed, key });
    cves.push(record);
  }

  const cnvds: SourceRecord[] = [];
  for (let i = 1; i <= DEMO_COUNTS.cnvd; i++) {
    const p = pick(r, DEMO_PRODUCTS);
    const w = pick(r, DEMO_WEAKNESSES);
    const sev = severityOf(r);
    const week = weekFor(anchor, r);
    const collected = dayIn(week, r, until);
    const key = cnvdId(week.year, i);
    const version = pick(r, p.versions);
    const event = r() < 0.12;
    const zeroDay = r() < 0.15;
    // every fourth general record is the CNVD side of a CVE record: the two merge into one vulnerability
    const cve = !event && i % 4 === 0 ? cves[(i / 4 - 1) % cves.length] : undefined;
    const site = pick(r, EVENT_SITES);
    const title = event
      ? `${site}存在${w.titleZh}`
      : `${vendorInTitle(p)}${p.product}${p.productZh}${w.titleZh}`;
    const record: SourceRecord = {
      source: 'cnvd',
      key,
      aliases: cve ? [key, cve.key] : [key],
      state: 'published',
      titleZh: title,
      descriptionZh: event
        ? `（vulnshare 演示数据）${site}存在${w.zh}漏洞，攻击者可利用该漏洞获取敏感信息。`
        : `（vulnshare 演示数据）${p.productZh}${p.product}是${p.vendorZh}的一款产品。${p.product} ${version}存在${w.zh}漏洞，攻击者可利用该漏洞${sev === 'high' ? '执行任意代码' : '获取或篡改数据'}。`,
      products: event
        ? []
        : [
            {
              vendor: p.vendorZh,
              product: p.product,
              versions: [version],
              raw: `${p.vendorZh} ${p.product} ${version}`,
            },
          ],
      weaknesses: [{ cwe: w.cwe, nameZh: w.zh, source: 'cnvd' }],
      ...(event ? {} : { objectType: p.objectType }),
      ...(p.industries && !event ? { industries: p.industries } : {}),
      cvss: [{ vector: CNVD_VECTOR[sev] }],
      severity: sev,
      zeroDay,
      kind: event ? 'event' : 'general',
      dates: { submitted: dayIn(shiftWeek(week, -1), r, until), collected, published: collected },
      solution: zeroDay
        ? '目前厂商尚未发布修复补丁，请关注厂商主页以获取更新。'
        : '厂商已发布了漏洞修复程序，请及时关注更新。',
      references: [],
      credits: [pick(r, DEMO_DISCOVERERS)],
      raw: '',
    };
    record.raw = JSON.stringify({ vulnshareDemo: true, seed, key });
    cnvds.push(record);
  }
  return [...cves, ...cnvds];
}
