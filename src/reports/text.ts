/**
 * The bulletin's words: one template table per language, fed only by computed figures. Renderers (HTML,
 * Markdown) lay these strings out; nothing here is typed by hand per week.
 */
import { INDUSTRY_LABELS, OBJECT_TYPE_LABELS, type Industry, type Severity } from '../vulns/model.js';
import {
  lowerFirst,
  type Alert,
  type BulletinData,
  type Change,
  type RecordRef,
  type Text,
} from './figures.js';
import type { DisposalCategory } from './rules.js';

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export interface PlatformSettings {
  name: Text;
  /** Short name used in sentences ("CNVD", "vulnshare"). */
  short: string;
  about: Array<{ heading: Text; body: Text }>;
  contacts: Array<{ label: Text; value: string }>;
  /** Where a record is shown; {id} is replaced. */
  recordUrl: string;
  /** Where the full list is. */
  listUrl: string;
}

/** The text of t in lang, falling back to the other language (records often exist in one only). */
export const pick = (t: Text | undefined, lang: Lang): string =>
  (lang === 'zh' ? (t?.zh ?? t?.en) : (t?.en ?? t?.zh)) ?? '';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const n = (x: number, lang: Lang) => (lang === 'en' ? x.toLocaleString('en-US') : String(x));
const fmt2 = (x: number) => x.toFixed(2);
export const recordUrl = (p: PlatformSettings, id: string) =>
  p.recordUrl.replace('{id}', encodeURIComponent(id));

const SEVERITY_WORD: Record<Lang, Record<Severity, string>> = {
  zh: { high: '高', medium: '中', low: '低' },
  en: { high: 'high', medium: 'medium', low: 'low' },
};
const SEVERITY_RATING: Record<Lang, Record<Severity, string>> = {
  zh: { high: '高危', medium: '中危', low: '低危' },
  en: { high: 'High', medium: 'Medium', low: 'Low' },
};
export const severityLabel = (s: Severity | null, lang: Lang) =>
  s ? SEVERITY_RATING[lang][s] : lang === 'zh' ? '未评级' : 'Unrated';
export const severityShort = (s: Severity | null, lang: Lang) => (s ? SEVERITY_WORD[lang][s] : '—');

const DISPOSAL_LABEL: Record<Lang, Record<DisposalCategory, string>> = {
  zh: {
    critical_sector: '银行、保险、能源等重要行业单位',
    telecom_operator: '基础电信企业',
    regional_branch: '各分中心（地方重要部门）',
    education_cert: '教育行业应急组织（高校科研院所）',
    authority: '上级信息安全协调机构',
  },
  en: {
    critical_sector: 'Critical-sector organisations (banking, insurance, energy…)',
    telecom_operator: 'Telecom operators',
    regional_branch: 'Regional branches (local government bodies)',
    education_cert: 'Education-sector CERTs (universities, research institutes)',
    authority: 'Higher authorities',
  },
};
export const disposalLabel = (c: DisposalCategory, lang: Lang) => DISPOSAL_LABEL[lang][c];
export const objectTypeLabel = (t: keyof typeof OBJECT_TYPE_LABELS | null, lang: Lang) =>
  t ? OBJECT_TYPE_LABELS[t][lang] : lang === 'zh' ? '未分类' : 'Unclassified';
export const industryLabel = (i: Industry, lang: Lang) => INDUSTRY_LABELS[i][lang];

const list = (items: string[], lang: Lang) => {
  if (lang === 'zh') return items.join('、');
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
};
const quoteTitles = (refs: RecordRef[], lang: Lang) =>
  lang === 'zh'
    ? `“${refs.map((r) => pick(r.title, lang)).join('、')}”`
    : refs.map((r) => `“${pick(r.title, lang)}”`).join(', ');

export function changeText(c: Change, lastWeek: number, lang: Lang): string {
  if (lang === 'zh') {
    switch (c.direction) {
      case 'up':
        return c.ratio >= 1
          ? `与上周（${lastWeek} 个）环比增加 ${fmt2(c.ratio)} 倍`
          : `与上周（${lastWeek} 个）环比增加 ${pct(c.ratio)}`;
      case 'down':
        return `与上周（${lastWeek} 个）环比减少 ${pct(c.ratio)}`;
      case 'same':
        return `与上周（${lastWeek} 个）持平`;
      case 'new':
        return '上周为 0 个';
      case 'none':
        return '与上周同为 0 个';
    }
  }
  switch (c.direction) {
    case 'up':
      return `${pct(c.ratio)} more than last week (${n(lastWeek, lang)})`;
    case 'down':
      return `${pct(c.ratio)} fewer than last week (${n(lastWeek, lang)})`;
    case 'same':
      return `the same as last week (${n(lastWeek, lang)})`;
    case 'new':
      return 'against none last week';
    case 'none':
      return 'none last week either';
  }
}

export interface Labels {
  title: string;
  issue: string;
  range: string;
  sections: {
    overview: string;
    disposal: string;
    reporting: string;
    types: string;
    alerts: string;
    verification: string;
    news: string;
  };
  figure1: string;
  figure2: string;
  industryFigure: (i: Industry) => string;
  table1: string;
  table1Head: [string, string, string];
  table1Total: string;
  individuals: string;
  table2: string;
  table2Head: [string, string];
  table3: string;
  table3Head: [string, string, string, string];
  table4: string;
  table4Head: [string, string, string, string];
  editorialMark: string;
  verificationHeads: { description: string; info: string; provider: string; poc: string; reference: string };
  verificationNote: string;
  references: string;
  noneThisWeek: string;
  page: string;
  generated: (at: string) => string;
  about: string;
}

export function labels(d: BulletinData, p: PlatformSettings, lang: Lang): Labels {
  const short = p.short;
  if (lang === 'zh')
    return {
      title: '信息安全漏洞周报',
      issue: `${d.year}年第${d.week}期`,
      range: `${d.start.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1年$2月$3日')}-${d.end.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1年$2月$3日')}`,
      sections: {
        overview: '本周漏洞态势研判情况',
        disposal: '本周漏洞事件处置情况',
        reporting: '本周漏洞报送情况统计',
        types: '本周漏洞按类型和厂商统计',
        alerts: '本周重要漏洞安全告警',
        verification: '本周重要漏洞攻击验证情况',
        news: '本周漏洞要闻速递',
      },
      figure1: `图 1 ${short} 收录漏洞近 ${d.scoreTrend.length} 周平均分值分布图`,
      figure2: '图 2 本周漏洞按影响类型分布',
      industryFigure: (i) =>
        `图 ${3 + ['telecom', 'mobile_internet', 'ics'].indexOf(i)} ${{ telecom: '电信行业', mobile_internet: '移动互联网行业', ics: '工控系统行业' }[i]}漏洞统计`,
      table1: '表 1 漏洞报送情况统计表',
      table1Head: ['报送单位或个人', '漏洞报送数量', '原创漏洞数'],
      table1Total: '报送总计',
      individuals: '个人',
      table2: '表 2 漏洞按影响类型统计表',
      table2Head: ['漏洞影响对象类型', '漏洞数量'],
      table3: '表 3 漏洞产品涉及厂商分布统计表',
      table3Head: ['序号', '厂商（产品）', '漏洞数量', '所占比例'],
      table4: '表 4 部分重要高危漏洞列表',
      table4Head: [`${short} 编号`, '漏洞名称', '综合评级', '修复方式'],
      editorialMark: '（本节由分析人员编辑）',
      verificationHeads: {
        description: '验证描述',
        info: '验证信息',
        provider: '信息提供者',
        poc: 'POC 链接',
        reference: '参考链接',
      },
      verificationNote:
        '注：以上验证信息（方法）可能带有攻击性，仅供安全研究之用。请广大用户加强对漏洞的防范工作，尽快下载相关补丁。',
      references: '参考链接',
      noneThisWeek: '本周无。',
      page: '第 {page} 页 / 共 {pages} 页',
      generated: (at) => `由数据生成于 ${at}`,
      about: `关于 ${short}`,
    };
  return {
    title: 'Weekly Vulnerability Bulletin',
    issue: `${d.year}, No. ${d.week}`,
    range: `${d.start} – ${d.end}`,
    sections: {
      overview: 'This week’s vulnerability situation',
      disposal: 'Vulnerability incident handling this week',
      reporting: 'Reports received this week',
      types: 'Vulnerabilities by type and vendor',
      alerts: 'Important vulnerability alerts',
      verification: 'Attack verification of important vulnerabilities',
      news: 'Vulnerability news in brief',
    },
    figure1: `Figure 1 Average score of vulnerabilities collected by ${short}, last ${d.scoreTrend.length} weeks`,
    figure2: 'Figure 2 This week’s vulnerabilities by affected object type',
    industryFigure: (i) =>
      `Figure ${3 + ['telecom', 'mobile_internet', 'ics'].indexOf(i)} ${INDUSTRY_LABELS[i].en} vulnerabilities`,
    table1: 'Table 1 Reports by reporting organisation or individual',
    table1Head: ['Reporter', 'Reported', 'Original'],
    table1Total: 'Total',
    individuals: 'Individuals',
    table2: 'Table 2 Vulnerabilities by affected object type',
    table2Head: ['Affected object type', 'Vulnerabilities'],
    table3: 'Table 3 Vulnerabilities by vendor',
    table3Head: ['#', 'Vendor (product)', 'Vulnerabilities', 'Share'],
    table4: 'Table 4 Selected high-severity vulnerabilities',
    table4Head: ['ID', 'Name', 'Rating', 'Fix'],
    editorialMark: '(entered by an analyst)',
    verificationHeads: {
      description: 'Description',
      info: 'Verification',
      provider: 'Provided by',
      poc: 'POC',
      reference: 'Reference',
    },
    verificationNote:
      'Note: the verification information (methods) above may be offensive and is for security research only. Apply the fixes as soon as possible.',
    references: 'References',
    noneThisWeek: 'None this week.',
    page: 'Page {page} of {pages}',
    generated: (at) => `Generated from the data at ${at}`,
    about: `About ${short}`,
  };
}

/** 本周漏洞态势研判情况: the overview paragraphs. */
export function overviewText(d: BulletinData, p: PlatformSettings, lang: Lang): string[] {
  const o = d.overview;
  const s = p.short;
  if (o.total === 0 && o.event.thisWeek === 0)
    return lang === 'zh'
      ? [`本周（${d.start} 至 ${d.end}）${s} 未收录漏洞，也未接到事件型漏洞报告。`]
      : [
          `${s} collected no vulnerabilities and received no event-type reports this week (${d.start} – ${d.end}).`,
        ];
  if (lang === 'zh') {
    const level = `本周信息安全漏洞威胁整体评价级别为${SEVERITY_WORD.zh[o.level]}。`;
    let body = `${p.name.zh ?? s}（以下简称 ${s}）本周共收集、整理信息安全漏洞 ${o.total} 个，其中高危漏洞 ${o.bySeverity.high} 个、中危漏洞 ${o.bySeverity.medium} 个、低危漏洞 ${o.bySeverity.low} 个`;
    body += o.unrated ? `、未评级 ${o.unrated} 个。` : '。';
    body +=
      o.averageScore !== null
        ? `漏洞平均分值为 ${fmt2(o.averageScore)}${o.unscored ? `（按有 CVSS 分值的 ${o.scored} 个计算，${o.unscored} 个无分值）` : ''}。`
        : o.total
          ? `本周收录的漏洞均无 CVSS 分值，未计算平均分值。`
          : '';
    if (o.total) {
      body += `本周收录的漏洞中，涉及 0day 漏洞 ${o.zeroDay} 个（占 ${pct(o.zeroDayShare ?? 0)}）`;
      body += o.zeroDayExamples.length
        ? `，其中互联网上出现${quoteTitles(o.zeroDayExamples, lang)}等零日代码攻击漏洞。`
        : '。';
    }
    if (o.exploited) body += `其中 ${o.exploited} 个已知在野利用。`;
    body += `本周 ${s} 接到的涉及党政机关和企事业单位的事件型漏洞总数 ${o.event.thisWeek} 个，${changeText(o.event.change, o.event.lastWeek, lang)}。`;
    return [level, body];
  }
  const level = `The overall threat level of this week is ${SEVERITY_WORD.en[o.level]}.`;
  let body = `This week ${p.name.en ?? s} (${s}) collected ${n(o.total, lang)} vulnerabilities: ${n(o.bySeverity.high, lang)} high, ${n(o.bySeverity.medium, lang)} medium and ${n(o.bySeverity.low, lang)} low severity${o.unrated ? `, ${n(o.unrated, lang)} unrated` : ''}.`;
  body +=
    o.averageScore !== null
      ? ` The average score is ${fmt2(o.averageScore)}${o.unscored ? ` (over the ${n(o.scored, lang)} with a CVSS score; ${n(o.unscored, lang)} had none)` : ''}.`
      : o.total
        ? ' None of them has a CVSS score, so no average is given.'
        : '';
  if (o.total) {
    body += ` ${n(o.zeroDay, lang)} (${pct(o.zeroDayShare ?? 0)}) are zero-day vulnerabilities`;
    body += o.zeroDayExamples.length
      ? `, among them ${quoteTitles(o.zeroDayExamples, lang)}, with attack code seen on the Internet.`
      : '.';
  }
  if (o.exploited) body += ` ${n(o.exploited, lang)} are known to be exploited.`;
  body += ` ${s} received ${n(o.event.thisWeek, lang)} event-type vulnerability reports concerning government bodies and enterprises, ${changeText(o.event.change, o.event.lastWeek, lang)}.`;
  return [level, body];
}

export function disposalText(d: BulletinData, p: PlatformSettings, lang: Lang): string[] {
  const c = d.disposal.counts;
  const s = p.short;
  const orgs = d.disposal.organisations;
  if (lang === 'zh') {
    const out = [
      `本周，${s} 向银行、保险、能源等重要行业单位通报漏洞事件 ${c.critical_sector} 起，向基础电信企业通报漏洞事件 ${c.telecom_operator} 起，协调各分中心验证和处置涉及地方重要部门漏洞事件 ${c.regional_branch} 起，协调教育行业应急组织验证和处置高校科研院所系统漏洞事件 ${c.education_cert} 起，向上级信息安全协调机构上报涉及部委门户、子站或直属单位信息系统漏洞事件 ${c.authority} 起。`,
    ];
    out.push(
      orgs.length
        ? `此外，${s} 通过已建立的联系机制或涉事单位公开联系渠道向以下单位通报了其信息系统或软硬件产品存在的漏洞，具体处置单位情况如下所示：`
        : `本周没有向厂商或涉事单位发出的通报记录。`,
    );
    return out;
  }
  const out = [
    `This week ${s} notified critical-sector organisations (banking, insurance, energy…) of ${c.critical_sector} vulnerability incidents and telecom operators of ${c.telecom_operator}; coordinated regional branches on ${c.regional_branch} incidents affecting local government bodies and education-sector CERTs on ${c.education_cert} affecting universities and research institutes; and reported ${c.authority} incidents affecting ministries to higher authorities.`,
  ];
  out.push(
    orgs.length
      ? `${s} also notified the following organisations, through established contacts or their public channels, of vulnerabilities in their systems or products:`
      : 'No notifications to vendors or affected organisations were recorded this week.',
  );
  return out;
}

export function reportingText(
  d: BulletinData,
  p: PlatformSettings,
  lang: Lang,
  individualsLabel: string,
): string {
  const r = d.reporters;
  const s = p.short;
  if (r.rows.length === 0)
    return lang === 'zh'
      ? `本周 ${s} 未收到署名报送的漏洞。`
      : `${s} received no credited reports this week.`;
  const indiv = r.rows.find((x) => x.kind === 'individuals');
  if (lang === 'zh') {
    let t = '本周报送情况如表 1 所示。';
    if (r.topCollected.length) t += `其中，${list(r.topCollected, lang)}等单位报送公开收集的漏洞数量较多。`;
    if (r.total.original > 0) {
      const who = list(r.originalContributors, lang);
      t += `${who}${indiv?.original ? `${who ? '及其他' : ''}${individualsLabel}白帽子` : ''}向 ${s} 提交了 ${r.total.original} 个原创漏洞。`;
    }
    return t;
  }
  let t = 'Table 1 lists this week’s reports.';
  if (r.topCollected.length)
    t += ` ${list(r.topCollected, lang)} reported the most publicly collected vulnerabilities.`;
  if (r.total.original > 0) {
    const who = [...r.originalContributors, ...(indiv?.original ? ['individual researchers'] : [])];
    t += ` ${list(who, lang)} submitted ${n(r.total.original, lang)} original vulnerabilities to ${s}.`;
  }
  return t;
}

export function typesText(d: BulletinData, p: PlatformSettings, lang: Lang): string {
  const s = p.short;
  const parts = d.objectTypes.map((t) =>
    lang === 'zh'
      ? `${objectTypeLabel(t.type, lang)} ${t.count} 个`
      : `${objectTypeLabel(t.type, lang)} ${t.count}`,
  );
  return lang === 'zh'
    ? `本周，${s} 收录了 ${d.overview.total} 个漏洞。${parts.join('，')}。`
    : `This week ${s} collected ${n(d.overview.total, lang)} vulnerabilities: ${parts.join(', ')}.`;
}

export function vendorsText(d: BulletinData, p: PlatformSettings, lang: Lang): string {
  const top = d.vendors.rows.slice(0, 3).map((r) => r.vendor);
  if (!top.length) return '';
  return lang === 'zh'
    ? `${p.short} 整理和发布的漏洞涉及 ${list(top, lang)}等多家厂商的产品，部分漏洞数量按厂商统计如表 3 所示。`
    : `The vulnerabilities concern products of ${n(d.vendors.distinct, lang)} vendors, among them ${list(top, lang)}; Table 3 counts them by vendor.`;
}

export function industriesText(d: BulletinData, p: PlatformSettings, lang: Lang): string {
  const c = d.industries.counts;
  const ex = d.industries.highExamples;
  if (lang === 'zh') {
    let t = `本周，${p.short} 收录了 ${c.telecom} 个电信行业漏洞，${c.mobile_internet} 个移动互联网行业漏洞，${c.ics} 个工控行业漏洞（如下图所示）。`;
    if (ex.length)
      t += `其中，${quoteTitles(ex, lang)}等漏洞的综合评级为“高危”。相关厂商已经发布了漏洞的修补程序，请参照 ${p.short} 相关行业漏洞库。`;
    return t;
  }
  let t = `This week ${p.short} collected ${n(c.telecom, lang)} telecom, ${n(c.mobile_internet, lang)} mobile-internet and ${n(c.ics, lang)} industrial-control vulnerabilities (figures below).`;
  if (ex.length) t += ` Among them ${quoteTitles(ex, lang)} are rated high.`;
  return t;
}

export function alertHeading(a: Alert, index: number, lang: Lang): string {
  const what = a.single
    ? pick(a.single.title, lang)
    : lang === 'zh'
      ? `${a.vendor} 产品安全漏洞`
      : `${a.vendor} product vulnerabilities`;
  return lang === 'zh' ? `${index + 1}、${what}` : `${index + 1}. ${what}`;
}

const impactsText = (a: Alert, lang: Lang) =>
  lang === 'zh'
    ? a.impacts.map((i) => i.zh ?? '').join('，')
    : list(
        a.impacts.map((i) => i.en ?? ''),
        lang,
      );

export function alertBody(a: Alert, p: PlatformSettings, lang: Lang): { intro: string; body: string } {
  const intro = a.intro.map((t) => pick(t, lang)).join(lang === 'zh' ? '' : ' ');
  const subject = a.single ? (a.products[0] ?? a.vendor) : lang === 'zh' ? '上述产品' : 'these products';
  const weak = a.weaknesses.map((w) => pick(w, lang)).filter(Boolean);
  const groups = a.groups.map((g) => {
    const stem = pick(g.stem, lang);
    if (a.single) return stem;
    const ids =
      g.ids.join(lang === 'zh' ? '、' : ', ') +
      (g.more ? (lang === 'zh' ? ` 等 ${g.ids.length + g.more} 个` : ` and ${g.more} more`) : '');
    return lang === 'zh' ? `${stem}（${ids}）` : `${stem} (${ids})`;
  });
  const moreGroups = a.moreGroups
    ? lang === 'zh'
      ? `，以及其他 ${a.moreGroups} 类漏洞`
      : `; and ${a.moreGroups} more kinds`
    : '';
  const highNames = a.highGroups.slice(0, 4).map((g) => pick(g, lang));
  const highMore = a.highGroups.length > 4;
  if (lang === 'zh') {
    let body = `本周，${subject}被披露存在${weak.length === 1 ? weak[0] + '漏洞' : '多个漏洞'}，攻击者可利用漏洞${impactsText(a, lang)}。`;
    if (!a.single) {
      body += `${p.short} 收录的相关漏洞包括：${groups.join('、')}${moreGroups}。`;
      if (a.allHigh) body += '上述漏洞的综合评级为“高危”。';
      else if (a.high.length)
        body += `其中，“${highNames.join('、')}”${highMore ? '等' : ''}漏洞的综合评级为“高危”。`;
    }
    body +=
      a.fix === 'all'
        ? `目前，厂商已经发布了上述漏洞的修补程序。${p.short} 提醒用户及时下载补丁更新，避免引发漏洞相关的网络安全事件。`
        : a.fix === 'none'
          ? `目前，厂商尚未发布上述漏洞的修补程序。${p.short} 提醒广大用户随时关注厂商主页，以获取最新版本。`
          : `目前，厂商已发布部分漏洞的修补程序，其余尚未修复。${p.short} 提醒用户及时下载补丁更新，并随时关注厂商主页。`;
    return { intro, body };
  }
  let body = `This week ${subject} ${a.single ? 'was' : 'were'} disclosed to have ${weak.length === 1 ? `a ${lowerFirst(weak[0] ?? '')} vulnerability` : 'several vulnerabilities'}; an attacker can ${impactsText(a, lang)}.`;
  if (!a.single) {
    body += ` ${p.short} lists: ${groups.join('; ')}${moreGroups}.`;
    if (a.allHigh) body += ' All are rated high.';
    else if (a.high.length) body += ` Rated high: ${highNames.join('; ')}${highMore ? ' and others' : ''}.`;
  }
  body +=
    a.fix === 'all'
      ? ' The vendor has released fixes; apply them promptly.'
      : a.fix === 'none'
        ? ' No fix has been released yet; watch the vendor’s site for updates.'
        : ' Fixes exist for some of them; apply them and watch the vendor’s site for the rest.';
  return { intro, body };
}

export function summaryText(d: BulletinData, lang: Lang): string {
  const [first, ...rest] = d.alerts;
  if (!first) return lang === 'zh' ? '小结：本周没有需要单独告警的漏洞。' : 'Summary: no alerts this week.';
  const name = (a: Alert) =>
    a.single ? (a.products[0] ?? a.vendor) : lang === 'zh' ? `${a.vendor}产品` : `${a.vendor} products`;
  const weak = (a: Alert) =>
    a.weaknesses.length === 1
      ? lang === 'zh'
        ? `${pick(a.weaknesses[0], lang)}漏洞`
        : `a ${lowerFirst(pick(a.weaknesses[0], lang))} vulnerability`
      : lang === 'zh'
        ? '多个漏洞'
        : 'several vulnerabilities';
  const middle = rest.filter((a) => !a.single);
  const singles = rest.filter((a) => a.single);
  const impacts = (as: Alert[]) =>
    [...new Set(as.flatMap((a) => a.impacts.map((i) => pick(i, lang))))].slice(0, 4);
  if (lang === 'zh') {
    let t = `小结：本周，${name(first)}被披露存在${weak(first)}，攻击者可利用漏洞${impacts([first]).join('，')}。`;
    if (middle.length)
      t += `此外，${middle.map((a) => a.vendor).join('、')}等多款产品被披露存在多个漏洞，攻击者可利用漏洞${impacts(middle).join('，')}等。`;
    if (singles.length)
      t += `另外，${singles.map(name).join('、')}被披露存在${singles.map(weak).join('、')}，攻击者可利用漏洞${impacts(singles).join('，')}。`;
    return t + '建议相关用户随时关注上述厂商主页，及时获取修复补丁或解决方案。';
  }
  let t = `Summary: this week ${name(first)} ${first.single ? 'was' : 'were'} found to have ${weak(first)}; an attacker can ${list(impacts([first]), lang)}.`;
  if (middle.length)
    t += ` Products of ${list(
      middle.map((a) => a.vendor),
      lang,
    )} were found to have several vulnerabilities that let an attacker ${list(impacts(middle), lang)}.`;
  if (singles.length)
    t += ` ${list(singles.map(name), lang)} ${singles.length === 1 ? 'was' : 'were'} found to have ${list(singles.map(weak), lang)}.`;
  return t + ' Users should watch these vendors’ sites and apply fixes as they are released.';
}

export function table4Intro(p: PlatformSettings, lang: Lang): string {
  return lang === 'zh'
    ? `更多高危漏洞如表 4 所示，详细信息可根据 ${p.short} 编号，在 ${p.short} 官网进行查询。`
    : `Table 4 lists more high-severity vulnerabilities; look them up by id on the ${p.short} portal.`;
}

export function alertsIntro(p: PlatformSettings, lang: Lang): string {
  return lang === 'zh'
    ? `本周，${p.short} 整理和发布以下重要安全漏洞信息。`
    : `This week ${p.short} highlights the following vulnerabilities.`;
}

export function verificationIntro(p: PlatformSettings, lang: Lang): string {
  return lang === 'zh'
    ? `本周，${p.short} 建议注意防范以下已公开漏洞攻击验证情况。`
    : `${p.short} draws attention to the following verified public attacks.`;
}
