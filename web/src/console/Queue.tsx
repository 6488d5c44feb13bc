/**
 * The analyst console's triage queue: submissions by workflow state, newest first.
 */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status } from '../pages/bits.js';
import { useApi } from '../pages/useApi.js';
import { SUBMISSION_STATES, label } from '../labels.js';

export function Queue({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const state = new URLSearchParams(search).get('state') ?? '';
  const list = useApi<{
    items: Array<{
      trackingNo: string;
      kind: string;
      state: string;
      title: string;
      severity: string | null;
      createdAt: string;
    }>;
  }>(`/api/v1/submissions?limit=100${state ? `&state=${state}` : ''}`);
  return (
    <div>
      <h1>{lang === 'zh' ? '分诊队列' : 'Triage queue'}</h1>
      <nav className="tabs" aria-label="states">
        <Link to="/console">{lang === 'zh' ? '全部' : 'All'}</Link>
        {['submitted', 'triaged', 'need_info', 'verifying', 'verified', 'notified', 'fixed'].map((s) => (
          <Link key={s} to={`/console?state=${s}`} className={s === state ? 'on' : ''}>
            {label(SUBMISSION_STATES, s, lang)}
          </Link>
        ))}
      </nav>
      <Status loading={list.loading} error={list.error} empty={list.data?.items.length === 0} />
      <table className="queue">
        <tbody>
          {list.data?.items.map((s) => (
            <tr key={s.trackingNo}>
              <td>{label(SUBMISSION_STATES, s.state, lang)}</td>
              <td>
                <Link to={`/console/${s.trackingNo}`}>{s.title}</Link>
              </td>
              <td>
                {s.kind === 'event'
                  ? lang === 'zh'
                    ? '事件型'
                    : 'Event'
                  : lang === 'zh'
                    ? '通用型'
                    : 'General'}
              </td>
              <td>{s.severity ?? '—'}</td>
              <td>
                <code>{s.trackingNo}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
