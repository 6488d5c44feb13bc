/**
 * The bulletin's tunable rules, as data. An analyst changes a number or a row here (or overrides it in the
 * bulletin settings file, see `loadBulletinSettings`), never an `if`. Each table has a test that reads like it.
 */
import type { Severity } from '../vulns/model.js';

/** Which date of a record puts it in a week. CNVD counts by collection (收录) date. */
export const DATE_BASES = ['collected', 'published', 'submitted'] as const;
export type DateBasis = (typeof DATE_BASES)[number];

/**
 * Overall threat level (整体评价级别): the first row whose thresholds the week meets. `highShare` is the share of
 * high-severity records among rated general records; `exploited` counts records of the week known to be
 * exploited (KEV). The seed week (185 high of 406 = 45.6 %, nothing exploited) reads 中.
 */
export interface LevelRule {
  level: Severity;
  minHighShare?: number;
  minExploited?: number;
}
export const LEVEL_RULES: LevelRule[] = [
  { level: 'high', minHighShare: 0.6 },
  { level: 'high', minExploited: 5 },
  { level: 'medium', minHighShare: 0.25 },
  { level: 'medium', minExploited: 1 },
  { level: 'low' },
];

export interface BulletinRules {
  dateBasis: DateBasis;
  levelRules: LevelRule[];
  /** Weeks shown in Figure 1 and Figures 3–5 (this week included). */
  trendWeeks: number;
  /** Zero-day titles named in the overview. */
  zeroDayExamples: number;
  /** Vendors in Table 3. */
  topVendors: number;
  /** High-severity titles named under the industry counts. */
  industryExamples: number;
  /** Reporters named in the Table 1 sentence for publicly collected reports. */
  namedReporters: number;
  /**
   * Alert selection (本周重要漏洞安全告警): vendor groups ranked by high-severity records this week, then by all
   * records, then by name; the first `alerts` groups with at least `alertMinHigh` high-severity records.
   * Pinned vendors come first, dropped ones never (an analyst's choice per bulletin).
   */
  alerts: number;
  alertMinHigh: number;
  /** Product + weakness groups listed per alert, and ids listed per group (the rest are counted). */
  alertMaxGroups: number;
  alertMaxIds: number;
  /** Reference links printed under an alert. */
  alertLinks: number;
  /** Rows of Table 4: high-severity records not already in an alert, highest score first. */
  table4Rows: number;
}

export const DEFAULT_RULES: BulletinRules = {
  dateBasis: 'collected',
  levelRules: LEVEL_RULES,
  trendWeeks: 10,
  zeroDayExamples: 2,
  topVendors: 10,
  industryExamples: 2,
  namedReporters: 5,
  alerts: 5,
  alertMinHigh: 1,
  alertMaxGroups: 6,
  alertMaxIds: 8,
  alertLinks: 8,
  table4Rows: 10,
};

/**
 * What an attacker can do, by weakness (CWE) — the alerts' "攻击者可利用漏洞…" clause. First row listing the
 * CWE wins; records with no listed CWE fall back to the description's own clause, then to `DEFAULT_IMPACT`.
 */
export const IMPACTS: Array<{ cwes: string[]; zh: string; en: string }> = [
  { cwes: ['CWE-79', 'CWE-80'], zh: '注入恶意脚本或HTML代码', en: 'inject malicious script or HTML' },
  { cwes: ['CWE-89'], zh: '获取数据库敏感信息', en: 'read sensitive data from the database' },
  {
    cwes: ['CWE-77', 'CWE-78', 'CWE-94', 'CWE-74', 'CWE-917', 'CWE-1336', 'CWE-88', 'CWE-502'],
    zh: '在系统上执行任意代码或命令',
    en: 'execute arbitrary code or commands on the system',
  },
  {
    cwes: ['CWE-119', 'CWE-120', 'CWE-121', 'CWE-122', 'CWE-787', 'CWE-416', 'CWE-415', 'CWE-190', 'CWE-191'],
    zh: '执行任意代码或导致拒绝服务',
    en: 'execute arbitrary code or cause a denial of service',
  },
  {
    cwes: ['CWE-125', 'CWE-200', 'CWE-209', 'CWE-532', 'CWE-538'],
    zh: '获取敏感信息',
    en: 'obtain sensitive information',
  },
  {
    cwes: ['CWE-22', 'CWE-23', 'CWE-36', 'CWE-98'],
    zh: '读取或包含任意文件',
    en: 'read or include arbitrary files',
  },
  {
    cwes: ['CWE-434'],
    zh: '上传恶意文件并控制服务器',
    en: 'upload malicious files and take over the server',
  },
  { cwes: ['CWE-352'], zh: '以受害用户身份执行未授权操作', en: 'perform actions as the victim user' },
  {
    cwes: ['CWE-918'],
    zh: '发起服务端请求伪造攻击，探测内网',
    en: 'make the server send requests into internal networks',
  },
  {
    cwes: ['CWE-611'],
    zh: '读取任意文件或发起服务端请求',
    en: 'read arbitrary files or make server-side requests',
  },
  {
    cwes: ['CWE-269', 'CWE-250', 'CWE-266', 'CWE-267', 'CWE-274'],
    zh: '提升权限',
    en: 'escalate privileges',
  },
  {
    cwes: [
      'CWE-287',
      'CWE-288',
      'CWE-306',
      'CWE-862',
      'CWE-863',
      'CWE-284',
      'CWE-285',
      'CWE-639',
      'CWE-798',
      'CWE-521',
      'CWE-1390',
    ],
    zh: '绕过认证或授权，未授权访问系统',
    en: 'bypass authentication or authorisation and access the system',
  },
  {
    cwes: ['CWE-400', 'CWE-770', 'CWE-401', 'CWE-476', 'CWE-835', 'CWE-674'],
    zh: '导致拒绝服务',
    en: 'cause a denial of service',
  },
  { cwes: ['CWE-601'], zh: '将用户重定向到恶意网站', en: 'redirect users to malicious sites' },
  {
    cwes: ['CWE-20'],
    zh: '提交恶意输入，影响系统正常运行',
    en: 'submit crafted input that disrupts the system',
  },
];
export const DEFAULT_IMPACT = { zh: '危害系统安全', en: 'compromise the affected system' };

/**
 * Reporter names that are organisations (the rest are individuals, counted together as 个人 as the seed does).
 * A name is an organisation when it contains one of these markers.
 */
export const ORGANISATION_MARKERS: string[] = [
  '公司',
  '集团',
  '大学',
  '学院',
  '学校',
  '研究院',
  '研究所',
  '研究中心',
  '实验室',
  '中心',
  '银行',
  '医院',
  '委员会',
  '局',
  '厅',
  '部',
  '平台',
  '网安',
  '信息安全',
  '漏洞盒子',
  '补天',
  '战队',
  '团队',
  '安全',
  'Inc',
  'Ltd',
  'LLC',
  'Corp',
  'GmbH',
  'Co.',
  'University',
  'Institute',
  'Lab',
  'Team',
  'Security',
  'CERT',
];

/** Recipient categories of the disposal section, in the seed's order. */
export const DISPOSAL_CATEGORIES = [
  'critical_sector', // 银行、保险、能源等重要行业单位
  'telecom_operator', // 基础电信企业
  'regional_branch', // CNCERT 各分中心 (地方重要部门)
  'education_cert', // 教育行业应急组织 (高校科研院所)
  'authority', // 国家上级信息安全协调机构
] as const;
export type DisposalCategory = (typeof DISPOSAL_CATEGORIES)[number];
