/** zh / en, switchable and remembered (localStorage). */
import { createContext, useContext } from 'react';

export type Lang = 'zh' | 'en';
const DICT = {
  brand: { zh: 'vulnshare 信息安全漏洞共享平台', en: 'vulnshare Vulnerability Sharing Platform' },
  home: { zh: '首页', en: 'Home' },
  vulns: { zh: '漏洞列表', en: 'Vulnerabilities' },
  bulletins: { zh: '周报', en: 'Bulletins' },
  report: { zh: '报送漏洞', en: 'Report a vulnerability' },
  search: { zh: '搜索', en: 'Search' },
  searchPlaceholder: {
    zh: '关键词或编号：缓冲区溢出、DIR-823G、CVE-2024-0204',
    en: 'Words or an id: buffer overflow, DIR-823G, CVE-2024-0204',
  },
  severity: { zh: '危害级别', en: 'Severity' },
  high: { zh: '高危', en: 'High' },
  medium: { zh: '中危', en: 'Medium' },
  low: { zh: '低危', en: 'Low' },
  objectType: { zh: '影响对象类型', en: 'Affected object' },
  industry: { zh: '行业', en: 'Industry' },
  vendor: { zh: '厂商', en: 'Vendor' },
  exploited: { zh: '已被利用', en: 'Exploited' },
  zeroDay: { zh: '0day', en: 'Zero-day' },
  sort: { zh: '排序', en: 'Sort' },
  relevance: { zh: '相关度', en: 'Relevance' },
  date: { zh: '日期', en: 'Date' },
  score: { zh: '评分', en: 'Score' },
  results: { zh: '条结果', en: 'results' },
  facetsEstimated: { zh: '匹配过多，计数为抽样估计', en: 'Many matches: counts estimated from a sample' },
  more: { zh: '下一页', en: 'Next page' },
  noResults: { zh: '没有找到符合条件的漏洞。', en: 'No vulnerability matches.' },
  loading: { zh: '加载中…', en: 'Loading…' },
  error: { zh: '出错了：', en: 'Something went wrong: ' },
  weekFigures: { zh: '本周态势', en: 'This week' },
  collected: { zh: '收录漏洞', en: 'Collected' },
  latestHigh: { zh: '最新高危漏洞', en: 'Latest high-severity' },
  latestExploited: { zh: '已知被利用', en: 'Known exploited' },
  weeklyTrend: { zh: '近 10 周收录与平均分值', en: 'Last 10 weeks: collected and average score' },
  aliases: { zh: '编号', en: 'Identifiers' },
  description: { zh: '描述', en: 'Description' },
  products: { zh: '影响产品', en: 'Affected products' },
  cvss: { zh: 'CVSS 评分', en: 'CVSS' },
  metrics: { zh: '指标', en: 'Metrics' },
  solution: { zh: '解决方案', en: 'Solution' },
  references: { zh: '参考链接', en: 'References' },
  sources: { zh: '来源', en: 'Sources' },
  history: { zh: '变更历史', en: 'History' },
  dates: { zh: '日期', en: 'Dates' },
  published: { zh: '公开', en: 'Published' },
  weakness: { zh: '漏洞类型', en: 'Weakness' },
  weaknessInferred: { zh: '由平台根据描述推断', en: 'inferred by the platform from the text' },
  credits: { zh: '发现者', en: 'Credits' },
  notFound: { zh: '没有这个漏洞。', en: 'No such vulnerability.' },
  noBulletins: { zh: '还没有发布的周报。', en: 'No bulletin has been published yet.' },
  issue: { zh: '期', en: 'Issue' },
  reportIntro: {
    zh: '安全企业和个人研究人员可注册后通过 API 报送漏洞（网页表单即将上线）。报送后您将获得跟踪编号，并可查看处理进度。',
    en: 'Security companies and researchers register and report through the API (the web form is coming). You get a tracking number and can follow the case.',
  },
  language: { zh: 'English', en: '中文' },
  signIn: { zh: '登录', en: 'Sign in' },
  console: { zh: '分析控制台', en: 'Console' },
  inbox: { zh: '通报收件箱', en: 'Inbox' },
  watchlists: { zh: '关注列表', en: 'Watchlists' },
  vendors: { zh: '厂商', en: 'Vendors' },
  kind: { zh: '类型', en: 'Kind' },
  general: { zh: '通用型', en: 'General' },
  event: { zh: '事件型', en: 'Event' },
  any: { zh: '全部', en: 'Any' },
  yes: { zh: '是', en: 'Yes' },
} as const;
export type Key = keyof typeof DICT;

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: 'zh',
  setLang: () => undefined,
});
export function useT() {
  const { lang } = useContext(LangContext);
  return (k: Key) => DICT[k][lang];
}
export const initialLang = (): Lang => {
  const saved = localStorage.getItem('vulnshare.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
};
