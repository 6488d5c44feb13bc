/**
 * Incidents in the console: search and filter, this month's figures (by sector, vector, status — the
 * bulletin's and the annual summary's source), import a STIX 2.1 bundle, open or create one.
 */
import { lazy, Suspense, useContext, useMemo, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, type Answer, type Query } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { label } from '../labels.js';
import { Link, navigate } from '../main.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { isCode, useVocabularies } from '../vocabularies.js';

const Chart = lazy(() => import('../pages/Chart.js').then((m) => ({ default: m.Chart })));

export type IncidentSummary = NonNullable<Answer<'listIncidents'>['items']>[number];

export const TLP_CLASS: Record<string, string> = {
  clear: 'tlp clear',
  green: 'tlp green',
  amber: 'tlp amber',
  'amber+strict': 'tlp amber',
  red: 'tlp red',
};

export function Tlp({ tlp }: { tlp: string }) {
  return <span className={TLP_CLASS[tlp] ?? 'tlp'}>{`TLP:${tlp.toUpperCase()}`}</span>;
}

export function Incidents({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const params = new URLSearchParams(search);
  const [err, setErr] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string[]>([]);
  const tables = useVocabularies()?.incidents;
  const query: Query<'listIncidents'> = { limit: 50 };
  const q = params.get('q');
  if (q) query.q = q;
  const status = params.get('status');
  if (isCode(tables?.statuses, status)) query.status = status;
  const sector = params.get('sector');
  if (isCode(tables?.sectors, sector)) query.sector = sector;
  const at = cursor.at(-1);
  if (at) query.cursor = at;
  // the filters are codes of the platform's tables: the list waits for them
  const list = useLoad(tables ? JSON.stringify(query) : null, () =>
    call(client.GET('/api/v1/incidents', { params: { query } })),
  );
  const month = new Date().toISOString().slice(0, 7);
  const fig = useLoad(month, () =>
    call(client.GET('/api/v1/incidents/figures', { params: { query: { period: 'month', at: month } } })),
  );
  const statuses = tables?.statuses ?? {};
  const sectors = tables?.sectors ?? {};
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(search);
    if (v) p.set(k, v);
    else p.delete(k);
    setCursor([]);
    navigate(`/console/incidents${p.size ? `?${p.toString()}` : ''}`);
  };
  const option = useMemo(() => {
    if (!fig.data) return null;
    const rows = Object.entries(fig.data.bySector ?? {}).filter(([, n]) => n > 0);
    return {
      grid: { left: 90, right: 20, top: 10, bottom: 20 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rows.map(([s]) => label(sectors, s, lang)) },
      series: [{ type: 'bar', data: rows.map(([, n]) => n), itemStyle: { color: '#1f4e8c' } }],
    };
  }, [fig.data, lang, sectors]);
  return (
    <div>
      <h1>{lang === 'zh' ? '安全事件' : 'Incidents'}</h1>
      <p>
        <Link to="/console/incidents/new">{lang === 'zh' ? '+ 新建事件' : '+ New incident'}</Link>
        {' · '}
        <label className="inline">
          {lang === 'zh' ? '导入 STIX 2.1：' : 'Import STIX 2.1: '}
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              void f
                .text()
                .then((t) =>
                  call(
                    client.POST('/api/v1/incidents/import', {
                      body: JSON.parse(t) as Record<string, unknown>,
                    }),
                  ),
                )
                .then(
                  (r) => {
                    const warnings = r.warnings?.length ?? 0;
                    if (r.incident)
                      navigate(
                        `/console/incidents/${r.incident.id}${warnings ? `?warnings=${warnings}` : ''}`,
                      );
                  },
                  (x: unknown) => setErr(messageOf(x)),
                );
            }}
          />
        </label>
      </p>
      <ErrorLine error={err} />
      {fig.data && (
        <section aria-label="figures" className="two">
          <div>
            <h2>
              {lang === 'zh' ? `本月事件（${fig.data.id}）` : `This month (${fig.data.id})`}: {fig.data.total}
            </h2>
            <p className="meta">
              {Object.entries(fig.data.byStatus ?? {})
                .map(([s, n]) => `${label(statuses, s, lang)} ${n}`)
                .join(' · ')}
            </p>
            <p className="meta">
              {Object.entries(fig.data.byVector ?? {})
                .filter(([, n]) => n > 0)
                .map(([s, n]) => `${label(tables?.vectors ?? {}, s, lang)} ${n}`)
                .join(' · ') || (lang === 'zh' ? '本月尚无事件。' : 'No incident this month yet.')}
            </p>
          </div>
          {option && !!fig.data.total && (
            <Suspense fallback={null}>
              <Chart option={option} height={180} label={lang === 'zh' ? '按行业' : 'By sector'} />
            </Suspense>
          )}
        </section>
      )}
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label={lang === 'zh' ? '搜索事件' : 'Search incidents'}
          placeholder={lang === 'zh' ? '关键词、指标、CVE 编号' : 'Words, an indicator, a CVE id'}
          defaultValue={params.get('q') ?? ''}
          onChange={(e) => set('q', e.target.value)}
        />
        <select
          aria-label={lang === 'zh' ? '状态' : 'Status'}
          value={params.get('status') ?? ''}
          onChange={(e) => set('status', e.target.value)}
        >
          <option value="">{lang === 'zh' ? '全部状态' : 'Any status'}</option>
          {Object.keys(statuses).map((s) => (
            <option key={s} value={s}>
              {label(statuses, s, lang)}
            </option>
          ))}
        </select>
        <select
          aria-label={lang === 'zh' ? '行业' : 'Sector'}
          value={params.get('sector') ?? ''}
          onChange={(e) => set('sector', e.target.value)}
        >
          <option value="">{lang === 'zh' ? '全部行业' : 'Any sector'}</option>
          {Object.keys(sectors).map((s) => (
            <option key={s} value={s}>
              {label(sectors, s, lang)}
            </option>
          ))}
        </select>
      </form>
      <Status loading={list.loading} error={list.error} />
      {list.data?.items?.length === 0 && (
        <p className="status">{lang === 'zh' ? '没有符合条件的事件。' : 'No incident matches.'}</p>
      )}
      <table className="board">
        <tbody>
          {list.data?.items?.map((i) => (
            <tr key={i.id}>
              <td>
                <Link to={`/console/incidents/${i.id ?? ''}`}>{i.title}</Link>
                <div className="meta">
                  <code>{i.id}</code> {i.victims?.join('、')}
                </div>
              </td>
              <td>{label(statuses, i.status ?? '', lang)}</td>
              <td>{i.sectors?.map((s) => label(sectors, s, lang)).join('、')}</td>
              <td>{label(tables?.vectors ?? {}, i.vector ?? '', lang)}</td>
              <td>
                <Tlp tlp={i.tlp ?? ''} />
              </td>
              <td className="meta">{i.discoveredAt?.slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {cursor.length > 0 && (
          <button type="button" onClick={() => setCursor((c) => c.slice(0, -1))}>
            {lang === 'zh' ? '上一页' : 'Previous'}
          </button>
        )}{' '}
        {list.data?.nextCursor && (
          <button type="button" onClick={() => setCursor((c) => [...c, list.data?.nextCursor ?? ''])}>
            {lang === 'zh' ? '下一页' : 'Next page'}
          </button>
        )}
      </p>
    </div>
  );
}
