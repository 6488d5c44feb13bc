/** The disposal board: every notification across cases, overdue first; filter by recipient, state, overdue. */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { CLOSED_STATES } from '../../../src/coordination/rules.js';
import { NOTIFICATION_STATES, RECIPIENT_CATEGORIES, label } from '../labels.js';
import { Link, navigate } from '../main.js';
import { Status } from '../pages/bits.js';
import { Deadline } from '../pages/Inbox.js';
import type { BoardItem } from '../../../src/coordination/views.js';
import { useApi } from '../pages/useApi.js';

export function Board({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const params = new URLSearchParams(search);
  const board = useApi<{ items: BoardItem[] }>(`/api/v1/notifications?${params.toString()}`);
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(search);
    if (v) p.set(k, v);
    else p.delete(k);
    navigate(`/console/disposal${p.size ? `?${p.toString()}` : ''}`);
  };
  const items = board.data?.items ?? [];
  const byOrg = new Map<string, { total: number; overdue: number; open: number }>();
  for (const n of items) {
    const o = byOrg.get(n.organisation) ?? { total: 0, overdue: 0, open: 0 };
    o.total++;
    if (n.overdue) o.overdue++;
    if (!(CLOSED_STATES as readonly string[]).includes(n.state)) o.open++;
    byOrg.set(n.organisation, o);
  }
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
          {Object.keys(NOTIFICATION_STATES).map((s) => (
            <option key={s} value={s}>
              {label(NOTIFICATION_STATES, s, lang)}
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
      </form>
      <Status loading={board.loading} error={board.error} />
      {board.data && items.length === 0 && (
        <p className="status">{lang === 'zh' ? '没有符合条件的通报。' : 'No notification matches.'}</p>
      )}
      {byOrg.size > 0 && (
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
              {[...byOrg].map(([org, c]) => (
                <tr key={org} className={c.overdue ? 'late' : ''}>
                  <td>{org}</td>
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
                    <Link to={`/console/${n.trackingNo}`}>{n.title}</Link>
                    <div className="meta">
                      <code>{n.trackingNo}</code>
                    </div>
                  </td>
                  <td>
                    {n.organisation}
                    <div className="meta">{label(RECIPIENT_CATEGORIES, n.category, lang)}</div>
                  </td>
                  <td>{label(NOTIFICATION_STATES, n.state, lang)}</td>
                  <td>
                    <Deadline item={n} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
