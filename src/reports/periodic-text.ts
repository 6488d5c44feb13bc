/**
 * The monthly and annual reports' words in zh and en, fed only by computed figures (periodic.ts). The
 * bulletin's text.ts supplies the shared labels (severity, object type, industry, recipient category).
 */
import { SECTORS, STATUSES, VECTORS } from '../incidents/tables.js';
import type { Change } from './figures.js';
import type { PeriodicData } from './periodic.js';
import { DISPOSAL_CATEGORIES, type DisposalCategory } from './rules.js';
import { disposalLabel, severityLabel, type Lang, type PlatformSettings } from './text.js';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
const n = (x: number, lang: Lang) => (lang === 'en' ? x.toLocaleString('en-US') : String(x));
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2023-12" → "2023年12月" / "December 2023"; "2023" stays. */
export function periodName(id: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})$/.exec(id);
  if (!m) return lang === 'zh' ? `${id}年` : id;
  return lang === 'zh' ? `${m[1]}年${Number(m[2])}月` : `${EN_MONTHS[Number(m[2]) - 1] ?? ''} ${m[1]}`;
}
export const monthLabel = (month: string, lang: Lang) =>
  lang === 'zh' ? `${Number(month.slice(5))}月` : (EN_MONTHS[Number(month.slice(5)) - 1] ?? '').slice(0, 3);

const isBulletinCategory = (c: string): c is DisposalCategory =>
  (DISPOSAL_CATEGORIES as readonly string[]).includes(c);
export function recipientLabel(c: string | null, lang: Lang): string {
  if (c === null) return lang === 'zh' ? '合计' : 'Total';
  if (c === 'vendor') return lang === 'zh' ? '厂商' : 'Vendors';
  if (c === 'affected_org')
    return lang === 'zh' ? '受影响单位（事件型）' : 'Affected organisations (event type)';
  return isBulletinCategory(c) ? disposalLabel(c, lang) : c;
}
export const sectorLabel = (c: string, lang: Lang) =>
  c in SECTORS ? SECTORS[c as keyof typeof SECTORS][lang] : c;
export const vectorLabel = (c: string, lang: Lang) =>
  c in VECTORS ? VECTORS[c as keyof typeof VECTORS][lang] : c;
export const statusLabel = (c: string, lang: Lang) =>
  c in STATUSES ? STATUSES[c as keyof typeof STATUSES][lang] : c;

function change(c: Change, previous: number, lang: Lang, prevName: string): string {
  if (lang === 'zh')
    switch (c.direction) {
      case 'up':
        return `较${prevName}（${previous} 个）增长 ${pct(c.ratio)}`;
      case 'down':
        return `较${prevName}（${previous} 个）下降 ${pct(c.ratio)}`;
      case 'same':
        return `与${prevName}（${previous} 个）持平`;
      case 'new':
        return `${prevName}为 0 个`;
      case 'none':
        return `${prevName}同为 0 个`;
    }
  switch (c.direction) {
    case 'up':
      return `${pct(c.ratio)} more than the ${prevName} (${n(previous, lang)})`;
    case 'down':
      return `${pct(c.ratio)} fewer than the ${prevName} (${n(previous, lang)})`;
    case 'same':
      return `as many as the ${prevName} (${n(previous, lang)})`;
    case 'new':
      return `against none the ${prevName}`;
    case 'none':
      return `none the ${prevName} either`;
  }
}

export interface PeriodicLabels {
  title: string;
  issue: string;
  range: string;
  sections: Record<
    | 'overview'
    | 'trend'
    | 'types'
    | 'weaknesses'
    | 'vendors'
    | 'exploited'
    | 'events'
    | 'disposal'
    | 'reporting'
    | 'incidents'
    | 'alliance'
    | 'drills',
    string
  >;
  noData: string;
  none: string;
  page: string;
  heads: {
    month: string;
    total: string;
    count: string;
    share: string;
    rank: string;
    vendor: string;
    weakness: string;
    id: string;
    name: string;
    score: string;
    severity: string;
    category: string;
    notified: string;
    acknowledged: string;
    fixed: string;
    withinSla: string;
    slaRate: string;
    median: string;
    reporter: string;
    reported: string;
    original: string;
    objectType: string;
    industry: string;
    sector: string;
    vector: string;
    status: string;
  };
  figures: { trend: string; severity: string; objectTypes: string };
  individuals: string;
  unnamedWeakness: string;
  generated: (at: string) => string;
}

export function periodicLabels(d: PeriodicData, p: PlatformSettings, lang: Lang): PeriodicLabels {
  const annual = d.kind === 'year';
  const name = periodName(d.id, lang);
  if (lang === 'zh')
    return {
      title: annual ? '网络安全漏洞年度报告' : '信息安全漏洞月报',
      issue: name,
      range: `${d.start} 至 ${d.end}`,
      sections: {
        overview: annual ? '年度漏洞态势综述' : '本月漏洞态势综述',
        trend: annual ? '漏洞数量逐月变化' : '近期漏洞数量逐月变化',
        types: '漏洞按影响对象和行业分布',
        weaknesses: '漏洞按成因（弱点类型）分布',
        vendors: '漏洞涉及厂商分布',
        exploited: '零日漏洞与已被利用漏洞',
        events: '事件型漏洞',
        disposal: '漏洞处置情况',
        reporting: '漏洞报送单位与原创漏洞',
        incidents: '网络安全事件',
        alliance: '网络安全威胁治理联盟',
        drills: '应急演练',
      },
      noData: `暂无数据：${p.short} 尚未记录此项。`,
      none: '无。',
      page: '第 {page} 页 / 共 {pages} 页',
      heads: {
        month: '月份',
        total: '总数',
        count: '数量',
        share: '所占比例',
        rank: '序号',
        vendor: '厂商',
        weakness: '弱点类型',
        id: '编号',
        name: '漏洞名称',
        score: '分值',
        severity: '危害级别',
        category: '通报对象类别',
        notified: '通报数',
        acknowledged: '已确认',
        fixed: '已修复',
        withinSla: '按期修复',
        slaRate: '按期修复率',
        median: '修复用时中位数（天）',
        reporter: '报送单位或个人',
        reported: '报送数量',
        original: '原创数量',
        objectType: '影响对象类型',
        industry: '行业',
        sector: '受害行业',
        vector: '攻击途径',
        status: '处置状态',
      },
      figures: {
        trend: `图 2 ${name}${annual ? '各月' : '及此前各月'}收录漏洞数量（按危害级别）`,
        severity: '图 1 漏洞按危害级别分布',
        objectTypes: '图 3 漏洞按影响对象类型分布',
      },
      individuals: '个人',
      unnamedWeakness: '未分类',
      generated: (at) => `由数据生成于 ${at}`,
    };
  return {
    title: annual ? 'Annual Vulnerability Report' : 'Monthly Vulnerability Report',
    issue: name,
    range: `${d.start} – ${d.end}`,
    sections: {
      overview: annual ? 'The year at a glance' : 'The month at a glance',
      trend: annual ? 'Month by month' : 'The recent months',
      types: 'By affected object and industry',
      weaknesses: 'By weakness',
      vendors: 'By vendor',
      exploited: 'Zero-days and exploited vulnerabilities',
      events: 'Event-type reports',
      disposal: 'Disposal performance',
      reporting: 'Reporting units and original reports',
      incidents: 'Incidents',
      alliance: 'Alliance membership',
      drills: 'Drills',
    },
    noData: `No data: ${p.short} does not record this yet.`,
    none: 'None.',
    page: 'Page {page} of {pages}',
    heads: {
      month: 'Month',
      total: 'Total',
      count: 'Count',
      share: 'Share',
      rank: 'No.',
      vendor: 'Vendor',
      weakness: 'Weakness',
      id: 'ID',
      name: 'Title',
      score: 'Score',
      severity: 'Severity',
      category: 'Recipient category',
      notified: 'Notified',
      acknowledged: 'Acknowledged',
      fixed: 'Fixed',
      withinSla: 'Fixed within SLA',
      slaRate: 'SLA rate',
      median: 'Median days to fix',
      reporter: 'Reporting unit or individual',
      reported: 'Reported',
      original: 'Original',
      objectType: 'Affected object type',
      industry: 'Industry',
      sector: 'Victim sector',
      vector: 'Vector',
      status: 'Status',
    },
    figures: {
      trend: `Figure 2 Vulnerabilities collected per month by severity, ${name}${annual ? '' : ' and before'}`,
      severity: 'Figure 1 Vulnerabilities by severity',
      objectTypes: 'Figure 3 Vulnerabilities by affected object type',
    },
    individuals: 'Individuals',
    unnamedWeakness: 'Unclassified',
    generated: (at) => `Generated from the data at ${at}`,
  };
}

/** The overview paragraphs. */
export function periodicOverview(d: PeriodicData, p: PlatformSettings, lang: Lang): string[] {
  const o = d.overview;
  const annual = d.kind === 'year';
  const name = periodName(d.id, lang);
  const share = (x: number) => (o.total ? pct(x / o.total) : '0%');
  if (lang === 'zh') {
    const prev = annual ? '上年' : '上月';
    return [
      `${name}，${p.short} 共收录通用型安全漏洞 ${o.total} 个，${change(o.change, o.previousTotal, lang, prev)}。其中高危漏洞 ${o.bySeverity.high} 个（占 ${share(o.bySeverity.high)}），中危漏洞 ${o.bySeverity.medium} 个（占 ${share(o.bySeverity.medium)}），低危漏洞 ${o.bySeverity.low} 个（占 ${share(o.bySeverity.low)}）${o.unrated ? `，未评级 ${o.unrated} 个` : ''}。${annual ? '年度' : '本月'}整体评价级别为${severityLabel(o.level, lang).replace('危', '')}。`,
      `收录的漏洞中，零日漏洞 ${o.zeroDay} 个（占 ${share(o.zeroDay)}），已知被利用（列入 KEV）的漏洞 ${o.exploited} 个，已公开验证代码（POC）的 ${o.poc} 个，已有修复方式的 ${o.patched} 个。${o.averageScore !== null ? `${o.scored} 个漏洞有 CVSS 分值，平均 ${o.averageScore.toFixed(2)} 分。` : ''}`,
      `收录事件型漏洞 ${o.event.count} 个，${change(o.event.change, o.event.previous, lang, prev)}。`,
    ];
  }
  const prev = annual ? 'year before' : 'month before';
  return [
    `In ${name}, ${p.short} collected ${n(o.total, lang)} general-type vulnerabilities, ${change(o.change, o.previousTotal, lang, prev)}: ${n(o.bySeverity.high, lang)} high (${share(o.bySeverity.high)}), ${n(o.bySeverity.medium, lang)} medium (${share(o.bySeverity.medium)}) and ${n(o.bySeverity.low, lang)} low (${share(o.bySeverity.low)})${o.unrated ? `, ${n(o.unrated, lang)} unrated` : ''}. The overall threat level is ${severityLabel(o.level, lang).toLowerCase()}.`,
    `Of these, ${n(o.zeroDay, lang)} were zero-days (${share(o.zeroDay)}), ${n(o.exploited, lang)} are known to be exploited (KEV), ${n(o.poc, lang)} have a public proof of concept and ${n(o.patched, lang)} a fix.${o.averageScore !== null ? ` ${n(o.scored, lang)} carry a CVSS score, averaging ${o.averageScore.toFixed(2)}.` : ''}`,
    `${n(o.event.count, lang)} event-type reports were received, ${change(o.event.change, o.event.previous, lang, prev)}.`,
  ];
}

export function disposalSentence(d: PeriodicData, lang: Lang): string {
  const t = d.disposal.total;
  if (lang === 'zh')
    return t.notified === 0
      ? '本期未发出漏洞通报。'
      : `本期共发出漏洞通报 ${t.notified} 次，已确认 ${t.acknowledged} 次，已修复 ${t.fixed} 次，其中按期（处置时限内）修复 ${t.fixedWithinSla} 次（${pct(t.fixedWithinSla / t.notified)}）${t.medianDaysToFix !== null ? `，修复用时中位数 ${t.medianDaysToFix} 天` : ''}。`;
  return t.notified === 0
    ? 'No notification was sent in the period.'
    : `${n(t.notified, lang)} notifications were sent: ${n(t.acknowledged, lang)} acknowledged, ${n(t.fixed, lang)} fixed, ${n(t.fixedWithinSla, lang)} of them within the SLA (${pct(t.fixedWithinSla / t.notified)})${t.medianDaysToFix !== null ? `; the median time to fix was ${t.medianDaysToFix} days` : ''}.`;
}

export function incidentSentence(d: PeriodicData, lang: Lang): string | null {
  const i = d.incidents;
  if (!i) return null;
  return lang === 'zh'
    ? `本期发现的网络安全事件 ${i.total} 起；本期登记 ${i.opened} 起，关闭 ${i.closed} 起。统计包含各 TLP 级别的事件，不列出任何事件的细节。`
    : `${n(i.total, lang)} incidents were discovered in the period; ${n(i.opened, lang)} were registered and ${n(i.closed, lang)} closed. The counts include incidents of every TLP level; none is named.`;
}
