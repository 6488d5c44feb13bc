/**
 * The analyst console's triage queue: submissions by workflow state, newest first.
 */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { SUBMISSION_STATES, label } from '../labels.js';
import { call, client, type Query } from '../api/client.js';

type State = NonNullable<Query<'listSubmissions'>['state']>;
/** The states an analyst works through, in order (the tabs). */
const STATES: readonly State[] = [
  'submitted',
  'triaged',
  'need_info',
  'verifying',
  'verified',
  'notified',
  'fixed',
];
const isState = (s: string): s is State => (STATES as readonly string[]).includes(s);

export function Queue({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const state = new URLSearchParams(search).get('state') ?? '';
  const list = useLoad(`queue:${state}`, () =>
    call(
      client.GET('/api/v1/submissions', {
        params: { query: { limit: 100, ...(isState(state) ? { state } : {}) } },
      }),
    ),
  );
  return (
    <div>
      <h1>{lang === 'zh' ? '分诊队列' : 'Triage queue'}</h1>
      <nav className="tabs" aria-label="states">
        <Link to="/console">{lang === 'zh' ? '全部' : 'All'}</Link>
        {STATES.map((s) => (
          <Link key={s} to={`/console?state=${s}`} className={s === state ? 'on' : ''}>
            {label(SUBMISSION_STATES, s, lang)}
          </Link>
        ))}
      </nav>
      <Status loading={list.loading} error={list.error} empty={list.data?.items?.length === 0} />
      <table className="queue">
        <tbody>
          {list.data?.items?.map((s) => (
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
