import { lazy, Suspense, useContext, useMemo } from 'react';
import { LangContext, useT } from '../i18n.js';
import { call, client } from '../api/client.js';
import { Link } from '../main.js';
// ECharts loads after the first render: the page's text does not wait for the chart library
const Chart = lazy(() => import('./Chart.js').then((m) => ({ default: m.Chart })));
import { Status, VulnRow } from './bits.js';
import { useLoad } from './useApi.js';

export function Home() {
  const t = useT();
  const { lang } = useContext(LangContext);
  const stats = useLoad('stats', () =>
    call(client.GET('/api/v1/stats', { params: { query: { weeks: 10 } } })),
  );
  const high = useLoad('high', () =>
    call(
      client.GET('/api/v1/vulnerabilities', {
        params: { query: { severity: ['high'], sort: 'date', limit: 8 } },
      }),
    ),
  );
  const kev = useLoad('kev', () =>
    call(
      client.GET('/api/v1/vulnerabilities', {
        params: { query: { exploited: true, sort: 'date', limit: 8 } },
      }),
    ),
  );
  // the API answers newest week first; the chart runs oldest → newest left to right, the cards name the newest
  const weeks = useMemo(() => [...(stats.data?.byWeek ?? [])].reverse(), [stats.data]);
  const last = weeks.at(-1);
  const option = useMemo(
    () => ({
      animation: false,
      color: ['#1f4e8c', '#d9822b'],
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 44, right: 44, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: weeks.map((w) => w.week.replace(/^\d{4}-/, '')) },
      yAxis: [
        { type: 'value', name: lang === 'zh' ? '数量' : 'Count', minInterval: 1 },
        { type: 'value', name: lang === 'zh' ? '平均分值' : 'Avg score', min: 0, max: 10 },
      ],
      series: [
        { type: 'bar', name: t('collected'), data: weeks.map((w) => w.total), barMaxWidth: 26 },
        {
          type: 'line',
          name: lang === 'zh' ? '平均分值' : 'Average score',
          yAxisIndex: 1,
          data: weeks.map((w) => w.averageScore),
          connectNulls: false,
        },
      ],
    }),
    [weeks, lang, t],
  );
  return (
    <div className="home">
      <section className="hero">
        <h1>{t('brand')}</h1>
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const q = new FormData(e.currentTarget).get('q');
            location.assign(`/vulnerabilities?q=${encodeURIComponent(typeof q === 'string' ? q : '')}`);
          }}
        >
          <input name="q" type="search" aria-label={t('search')} placeholder={t('searchPlaceholder')} />
          <button type="submit">{t('search')}</button>
        </form>
      </section>
      <section className="cards" aria-label={t('weekFigures')}>
        <div className="card">
          <div className="num">{stats.data?.total ?? '—'}</div>
          <div>{lang === 'zh' ? '收录漏洞总数' : 'Vulnerabilities in total'}</div>
        </div>
        <div className="card">
          <div className="num">{last?.total ?? '—'}</div>
          <div>
            {t('weekFigures')} · {last?.week ?? ''}
          </div>
        </div>
        <div className="card">
          <div className="num high">{last?.high ?? '—'}</div>
          <div>{t('high')}</div>
        </div>
        <div className="card">
          <div className="num">{last?.averageScore?.toFixed(2) ?? '—'}</div>
          <div>{lang === 'zh' ? '平均分值' : 'Average score'}</div>
        </div>
      </section>
      <section>
        <h2>{t('weeklyTrend')}</h2>
        <Status loading={stats.loading} error={stats.error} />
        {weeks.length > 0 && (
          <Suspense fallback={<div style={{ height: 260 }} />}>
            <Chart option={option} label={t('weeklyTrend')} />
          </Suspense>
        )}
      </section>
      <div className="two">
        <section>
          <h2>{t('latestHigh')}</h2>
          <Status loading={high.loading} error={high.error} empty={high.data?.items?.length === 0} />
          <ul className="list">
            {high.data?.items?.map((v) => (
              <VulnRow key={v.id} v={v} />
            ))}
          </ul>
          <Link to="/vulnerabilities?severity=high&sort=date">{t('vulns')} →</Link>
        </section>
        <section>
          <h2>{t('latestExploited')}</h2>
          <Status loading={kev.loading} error={kev.error} empty={kev.data?.items?.length === 0} />
          <ul className="list">
            {kev.data?.items?.map((v) => (
              <VulnRow key={v.id} v={v} />
            ))}
          </ul>
          <Link to="/vulnerabilities?exploited=true&sort=date">{t('vulns')} →</Link>
        </section>
      </div>
    </div>
  );
}
