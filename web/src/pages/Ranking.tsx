/** Reporters of a week, ranked by original then reported reports (the bulletin's Table 1); individuals together. */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';
import { Status } from './bits.js';
import { useApi } from './useApi.js';
import { parseWeekId, shiftWeek } from '../../../src/vulns/calendar.js';

interface Ranking {
  week: string;
  start: string;
  end: string;
  rows: Array<{ rank: number; name: string | null; kind: string; reported: number; original: number }>;
  total: { reported: number; original: number };
}

export function RankingPage({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const week = new URLSearchParams(search).get('week');
  const r = useApi<Ranking>(`/api/v1/reporters/ranking${week ? `?week=${week}` : ''}`);
  const shift = (by: number) => {
    if (r.data) navigate(`/ranking?week=${shiftWeek(parseWeekId(r.data.week), by).id}`);
  };
  return (
    <div>
      <h1>{lang === 'zh' ? '报送排行' : 'Reporter ranking'}</h1>
      {r.data && (
        <p className="meta">
          <button type="button" className="linkish" onClick={() => shift(-1)}>
            ← {lang === 'zh' ? '上一周' : 'previous week'}
          </button>{' '}
          {r.data.week} · {r.data.start} – {r.data.end}{' '}
          <button type="button" className="linkish" onClick={() => shift(1)}>
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
