/**
 * The disposal board: every notification across cases, overdue first, a page at a time ("more"); filter by
 * recipient, state, overdue. The totals per recipient and per state come from the server and count every
 * notification the filter matches, not only the rows loaded.
 */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import {
  NOTIFICATION_STATES,
  NOTIFICATION_STATE_CODES,
  RECIPIENT_CATEGORIES,
  label,
  type NotificationState,
} from '../labels.js';
import { Link, navigate } from '../main.js';
import { Status } from '../pages/bits.js';
import { Deadline, type BoardItem, type BoardPage } from '../pages/Inbox.js';
import { usePages } from '../pages/useApi.js';
import { call, client, type Query } from '../api/client.js';

type BoardQuery = Query<'listNotifications'>;
const isState = (s: string | null): s is NotificationState =>
  (NOTIFICATION_STATE_CODES as ReadonlyArray<string | null>).includes(s);

/** The board's URL query as the operation's parameters. */
function boardQuery(p: URLSearchParams): BoardQuery {
  // limit: the server's default page size (the document marks the parameter required)
  const q: BoardQuery = { limit: 100 };
  const state = p.get('state');
  if (isState(state)) q.state = state;
  if (p.get('overdue') === 'true') q.overdue = true;
  const org = Number(p.get('organisationId'));
  if (Number.isInteger(org) && org > 0) q.organisationId = org;
  return q;
}

export function Board({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const params = new URLSearchParams(search);
  const board = usePages<BoardItem, BoardPage>(`board:${params.toString()}`, (cursor) =>
    call(client.GET('/api/v1/notifications', { params: { query: { ...boardQuery(params), cursor } } })),
  );
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(search);
    if (v) p.set(k, v);
    else p.delete(k);
    navigate(`/console/disposal${p.size ? `?${p.toString()}` : ''}`);
  };
  const items = board.items;
  const summary = board.first.data?.summary;
  const byOrg = summary?.byOrganisation ?? [];
  return (
    <div>
      <h1>{lang === 'zh' ? '处置看板' : 'Disposal board'}</h1>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <select
          aria-label={lang === 'zh' ? '状态' : 'State'}
          value={params.get('state') ?? ''}
          onChange={(e) => set('state', e.target.value)}
        >
          <option value="">{lang === 'zh' ? '全部状态' : 'Any state'}</option>
          {NOTIFICATION_STATE_CODES.map((s) => (
            <option key={s} value={s}>
              {label(NOTIFICATION_STATES, s, lang)}
              {summary?.byState && isState(s) && !params.get('state') ? ` (${summary.byState[s] ?? 0})` : ''}
            </option>
          ))}
        </select>
        <label className="inline">
          <input
            type="checkbox"
            checked={params.get('overdue') === 'true'}
            onChange={(e) => set('overdue', e.target.checked ? 'true' : '')}
          />{' '}
          {lang === 'zh' ? '只看逾期' : 'Overdue only'}
        </label>
        {params.get('organisationId') && (
          <button type="button" className="linkish" onClick={() => set('organisationId', '')}>
            {lang === 'zh' ? '× 全部接收单位' : '× all recipients'}
          </button>
        )}
      </form>
      <Status loading={board.loading} error={board.error} />
      {summary && (
        <p className="meta" aria-label="board totals">
          {lang === 'zh'
            ? `共 ${summary.total} 条通报，逾期 ${summary.overdue} 条；已显示 ${items.length} 条。`
            : `${summary.total} notifications, ${summary.overdue} overdue; ${items.length} shown.`}
        </p>
      )}
      {board.first.data && items.length === 0 && (
        <p className="status">{lang === 'zh' ? '没有符合条件的通报。' : 'No notification matches.'}</p>
      )}
      {byOrg.length > 0 && (
        <>
          <h2>{lang === 'zh' ? '按接收单位' : 'Per recipient'}</h2>
          <table className="board">
            <thead>
              <tr>
                <th>{lang === 'zh' ? '单位' : 'Organisation'}</th>
                <th>{lang === 'zh' ? '通报' : 'Notified'}</th>
                <th>{lang === 'zh' ? '未结' : 'Open'}</th>
                <th>{lang === 'zh' ? '逾期' : 'Overdue'}</th>
              </tr>
            </thead>
            <tbody>
              {byOrg.map((c) => (
                <tr key={c.organisationId} className={c.overdue ? 'late' : ''}>
                  <td>
                    <button
                      type="button"
                      className="linkish"
                      onClick={() => set('organisationId', String(c.organisationId ?? ''))}
                    >
                      {c.organisation}
                    </button>
                  </td>
                  <td>{c.total}</td>
                  <td>{c.open}</td>
                  <td>{c.overdue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {items.length > 0 && (
        <>
          <h2>{lang === 'zh' ? '按案件' : 'Per case'}</h2>
          <table className="board">
            <thead>
              <tr>
                <th>{lang === 'zh' ? '案件' : 'Case'}</th>
                <th>{lang === 'zh' ? '接收单位' : 'Recipient'}</th>
                <th>{lang === 'zh' ? '状态' : 'State'}</th>
                <th>{lang === 'zh' ? '修复期限' : 'Fix by'}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((n) => (
                <tr key={n.id} className={n.overdue ? 'late' : ''}>
                  <td>
                    <Link to={`/console/${n.trackingNo ?? ''}`}>{n.title}</Link>
                    <div className="meta">
                      <code>{n.trackingNo}</code>
                    </div>
                  </td>
                  <td>
                    {n.organisation}
                    <div className="meta">{label(RECIPIENT_CATEGORIES, n.category ?? '', lang)}</div>
                  </td>
                  <td className={n.state === 'undeliverable' ? 'warn' : ''}>
                    {label(NOTIFICATION_STATES, n.state ?? '', lang)}
                  </td>
                  <td>
                    <Deadline item={n} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {board.hasMore && (
            <p>
              <button type="button" onClick={board.more} disabled={board.loading}>
                {lang === 'zh' ? '更多' : 'More'}
              </button>
            </p>
          )}
        </>
      )}
    </div>
  );
}
