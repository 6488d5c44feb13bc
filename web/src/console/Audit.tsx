/** The audit log, newest first, filtered by action prefix, paged by id (admins). */
import { useContext, useState } from 'react';
import { LangContext } from '../i18n.js';
import { Status } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { call, client } from '../api/client.js';

export function Audit() {
  const { lang } = useContext(LangContext);
  const [action, setAction] = useState('');
  const [before, setBefore] = useState<number[]>([]);
  const cursor = before.at(-1);
  const log = useLoad(`audit:${action}:${cursor ?? ''}`, () =>
    call(
      client.GET('/api/v1/audit', {
        params: {
          query: { limit: 100, ...(action ? { action } : {}), ...(cursor ? { before: cursor } : {}) },
        },
      }),
    ),
  );
  const items = log.data?.items ?? [];
  return (
    <div>
      <h1>{lang === 'zh' ? '审计日志' : 'Audit log'}</h1>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          aria-label={lang === 'zh' ? '操作前缀' : 'Action prefix'}
          placeholder={
            lang === 'zh' ? '操作前缀，如 login. 或 submission.' : 'Action prefix: login., submission.'
          }
          value={action}
          onChange={(e) => {
            setAction(e.target.value);
            setBefore([]);
          }}
        />
      </form>
      <Status loading={log.loading} error={log.error} />
      {log.data && items.length === 0 && (
        <p className="status">{lang === 'zh' ? '没有记录。' : 'No entries.'}</p>
      )}
      <table className="board">
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td className="meta">{e.at.slice(0, 19).replace('T', ' ')}</td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.targetKind} {e.targetId}
              </td>
              <td className="meta">{e.detail ? JSON.stringify(e.detail) : ''}</td>
              <td className="meta">{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {before.length > 0 && (
          <button type="button" onClick={() => setBefore((b) => b.slice(0, -1))}>
            {lang === 'zh' ? '上一页' : 'Previous'}
          </button>
        )}{' '}
        {items.length === 100 && (
          <button type="button" onClick={() => setBefore((b) => [...b, items.at(-1)?.id ?? 0])}>
            {lang === 'zh' ? '下一页' : 'Next page'}
          </button>
        )}
      </p>
    </div>
  );
}
