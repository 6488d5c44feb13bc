/** Reporters of a week, ranked by original then reported reports (the bulletin's Table 1); individuals together. */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';
import { Status } from './bits.js';
import { useLoad } from './useApi.js';
import { call, client } from '../api/client.js';

export function RankingPage({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const week = new URLSearchParams(search).get('week');
  const r = useLoad(week ?? 'current', () =>
    call(client.GET('/api/v1/reporters/ranking', { params: { query: week ? { week } : {} } })),
  );
  // the weeks before and after, as the server counts weeks
  const shown = r.data?.week ?? null;
  const around = useLoad(shown, () =>
    call(client.GET('/api/v1/weeks', { params: { query: shown ? { week: shown } : {} } })),
  ).data;
  const go = (to: string | undefined) => {
    if (to) navigate(`/ranking?week=${to}`);
  };
  return (
    <div>
      <h1>{lang === 'zh' ? '报送排行' : 'Reporter ranking'}</h1>
      {r.data && (
        <p className="meta">
          <button type="button" className="linkish" onClick={() => go(around?.previous)} disabled={!around}>
            ← {lang === 'zh' ? '上一周' : 'previous week'}
          </button>{' '}
          {r.data.week} · {r.data.start} – {r.data.end}{' '}
          <button type="button" className="linkish" onClick={() => go(around?.next)} disabled={!around}>
            {lang === 'zh' ? '下一周' : 'next week'} →
          </button>
        </p>
      )}
      <p className="meta">
        {lang === 'zh'
          ? '按周报表 1 的口径统计：经核实的报送，计入核实所在的一周。'
          : 'Counted as in Table 1 of the weekly bulletin: verified reports, in the week they were verified.'}
      </p>
      <Status loading={r.loading} error={r.error} />
      {r.data?.rows.length === 0 && (
        <p className="status">{lang === 'zh' ? '这一周没有报送。' : 'No reports this week.'}</p>
      )}
      {!!r.data?.rows.length && (
        <table className="board">
          <thead>
            <tr>
              <th>#</th>
              <th>{lang === 'zh' ? '报送单位' : 'Reporter'}</th>
              <th>{lang === 'zh' ? '原创' : 'Original'}</th>
              <th>{lang === 'zh' ? '报送' : 'Reported'}</th>
            </tr>
          </thead>
          <tbody>
            {r.data.rows.map((x) => (
              <tr key={`${x.rank}`}>
                <td>{x.rank}</td>
                <td>{x.name ?? (lang === 'zh' ? '个人' : 'Individuals')}</td>
                <td>{x.original}</td>
                <td>{x.reported}</td>
              </tr>
            ))}
            <tr>
              <td />
              <td>{lang === 'zh' ? '合计' : 'Total'}</td>
              <td>{r.data.total.original}</td>
              <td>{r.data.total.reported}</td>
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}
