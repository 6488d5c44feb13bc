/**
 * The analyst console's triage queue: submissions by workflow state, newest first. Public tip-offs (origin
 * 'public', from /api/v1/tipoffs) are marked 公众举报 / public tip-off, and `?origin=public` lists only them.
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

/** The mark a public tip-off carries in the queue and on its case page. */
export function TipoffMark({ lang }: { lang: 'zh' | 'en' }) {
  return <span className="tag red tipoff">{lang === 'zh' ? '公众举报' : 'public tip-off'}</span>;
}

export function Queue({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const params = new URLSearchParams(search);
  const state = params.get('state') ?? '';
  const onlyTipoffs = params.get('origin') === 'public';
  const query = { limit: 100, ...(isState(state) ? { state } : {}) };
  const list = useLoad(onlyTipoffs ? null : `queue:${state}`, () =>
    call(client.GET('/api/v1/submissions', { params: { query } })),
  );
  // the same order and filter as the list: the tip-offs among its 100 newest rows are among these 100
  const tipoffs = useLoad(`queue-tipoffs:${state}`, () =>
    call(client.GET('/api/v1/tipoffs', { params: { query } })),
  );
  const tipped = new Set(tipoffs.data?.items.map((t) => t.trackingNo) ?? []);
  const rows = onlyTipoffs
    ? tipoffs.data?.items.map((t) => ({ ...t, kind: 'event' as const, severity: null }))
    : list.data?.items;
  const shown = onlyTipoffs ? tipoffs : list;
  const link = (s: string, origin: boolean) => {
    const q = new URLSearchParams({ ...(s ? { state: s } : {}), ...(origin ? { origin: 'public' } : {}) });
    return `/console${q.size ? `?${q.toString()}` : ''}`;
  };
  return (
    <div>
      <h1>{lang === 'zh' ? '分诊队列' : 'Triage queue'}</h1>
      <nav className="tabs" aria-label="states">
        <Link to={link('', onlyTipoffs)} className={state === '' ? 'on' : ''}>
          {lang === 'zh' ? '全部' : 'All'}
        </Link>
        {STATES.map((s) => (
          <Link key={s} to={link(s, onlyTipoffs)} className={s === state ? 'on' : ''}>
            {label(SUBMISSION_STATES, s, lang)}
          </Link>
        ))}
      </nav>
      <nav className="tabs" aria-label="origin">
        <Link to={link(state, false)} className={onlyTipoffs ? '' : 'on'}>
          {lang === 'zh' ? '全部来源' : 'Every origin'}
        </Link>
        <Link to={link(state, true)} className={onlyTipoffs ? 'on' : ''}>
          {lang === 'zh' ? '仅公众举报' : 'Public tip-offs only'}
        </Link>
      </nav>
      <Status loading={shown.loading} error={shown.error} empty={rows?.length === 0} />
      <table className="queue">
        <tbody>
          {rows?.map((s) => (
            <tr key={s.trackingNo} className={tipped.has(s.trackingNo) ? 'tipoff' : undefined}>
              <td>{label(SUBMISSION_STATES, s.state, lang)}</td>
              <td>
                <Link to={`/console/${s.trackingNo}`}>{s.title}</Link>
                {tipped.has(s.trackingNo) && (
                  <>
                    {' '}
                    <TipoffMark lang={lang} />
                  </>
                )}
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
