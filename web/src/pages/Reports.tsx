import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { Status } from './bits.js';
import { useLoad } from './useApi.js';
import { call, client } from '../api/client.js';

const WORDS = {
  zh: {
    title: '月报与年报',
    nav: '月报·年报',
    intro: '已发布的信息安全漏洞月报和年度报告：发布后数据即冻结。',
    none: '尚未发布月报或年报。',
    monthly: '月报',
    annual: '年报',
    total: '收录',
    high: '高危',
  },
  en: {
    title: 'Monthly and annual reports',
    nav: 'Reports',
    intro: 'Published monthly and annual vulnerability reports; their figures are frozen once published.',
    none: 'No monthly or annual report has been published yet.',
    monthly: 'Monthly',
    annual: 'Annual',
    total: 'collected',
    high: 'high',
  },
} as const;

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const periodName = (id: string, lang: 'zh' | 'en') => {
  const m = /^(\d{4})-(\d{2})$/.exec(id);
  if (!m) return lang === 'zh' ? `${id}年` : id;
  return lang === 'zh' ? `${m[1]}年${Number(m[2])}月` : `${EN_MONTHS[Number(m[2]) - 1] ?? ''} ${m[1]}`;
};

/** /reports: the published monthly and annual reports, newest period first, with their HTML / PDF / Markdown. */
export function Reports() {
  const { lang } = useContext(LangContext);
  const w = WORDS[lang];
  const { data, error, loading } = useLoad('periodic-reports', () =>
    call(client.GET('/api/v1/reports', { params: { query: { limit: 200 } } })),
  );
  return (
    <div>
      <h1>{w.title}</h1>
      <p className="meta">{w.intro}</p>
      <Status loading={loading} error={error} />
      {data?.items.length === 0 && <p className="status">{w.none}</p>}
      <ul className="list" aria-label={w.title}>
        {data?.items.map((r) => (
          <li key={`${r.kind}-${r.id}`} className="bulletin" data-report={r.id}>
            <strong>
              {r.kind === 'year' ? w.annual : w.monthly} · {periodName(r.id, lang)}
            </strong>
            <span className="meta">
              {r.start} – {r.end} · {w.total} {r.total} · {w.high} {r.high}
            </span>
            <a href={r.links[`html_${lang}`]}>HTML</a>
            <a href={r.links[`pdf_${lang}`]}>PDF</a>
            <a href={r.links[`md_${lang}`]}>Markdown</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The main navigation's label for /reports, in the UI language. */
export function ReportsNavLabel() {
  const { lang } = useContext(LangContext);
  return <>{WORDS[lang].nav}</>;
}
