/**
 * A recipient's portal (vendor or member unit, signed in): its organisation's notifications, overdue first;
 * open one to acknowledge, report the fix or dispute, and to write to the coordinator.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Answer } from '../api/client.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { NOTIFICATION_STATES, RECIPIENT_CATEGORIES, label } from '../labels.js';
import { Link } from '../main.js';
import { Status, ErrorLine, History } from './bits.js';
import { Thread } from './Messages.js';
import { RecipientActions } from './RecipientActions.js';
import { useLoad, usePages } from './useApi.js';

/** A notification as the board lists it (GET /api/v1/notifications). */
export type BoardPage = Answer<'listNotifications'>;
export type BoardItem = NonNullable<BoardPage['items']>[number];

export function Deadline({ item }: { item: { deadline?: string; overdue?: boolean } }) {
  const { lang } = useContext(LangContext);
  return (
    <span className={item.overdue ? 'overdue' : ''}>
      {item.deadline?.slice(0, 10)}
      {item.overdue && <span className="tag red">{lang === 'zh' ? '已逾期' : 'overdue'}</span>}
    </span>
  );
}

export function Inbox() {
  const { lang } = useContext(LangContext);
  const { me, ready } = useAuth();
  const board = usePages<BoardItem, BoardPage>(me ? 'inbox' : null, (cursor) =>
    call(client.GET('/api/v1/notifications', { params: { query: { limit: 100, cursor } } })),
  );
  if (ready && !me) return <p className="status">{lang === 'zh' ? '请先登录。' : 'Sign in first.'}</p>;
  return (
    <div>
      <h1>{lang === 'zh' ? '通报收件箱' : 'Notifications inbox'}</h1>
      <Status loading={board.loading} error={board.error} />
      {board.first.data?.items?.length === 0 && (
        <p className="status">
          {lang === 'zh' ? '贵单位目前没有收到漏洞通报。' : 'Your organisation has no notifications.'}
        </p>
      )}
      <table className="board">
        <thead>
          <tr>
            <th>{lang === 'zh' ? '漏洞' : 'Vulnerability'}</th>
            <th>{lang === 'zh' ? '状态' : 'State'}</th>
            <th>{lang === 'zh' ? '修复期限' : 'Fix by'}</th>
            <th>{lang === 'zh' ? '通报时间' : 'Notified'}</th>
          </tr>
        </thead>
        <tbody>
          {board.items.map((n) => (
            <tr key={n.id} className={n.overdue ? 'late' : ''}>
              <td>
                <Link to={`/inbox/${n.trackingNo ?? ''}`}>{n.title}</Link>
              </td>
              <td>{label(NOTIFICATION_STATES, n.state ?? '', lang)}</td>
              <td>
                <Deadline item={n} />
              </td>
              <td>{n.notifiedAt?.slice(0, 10)}</td>
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
    </div>
  );
}

export function InboxCase({ trackingNo }: { trackingNo: string }) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const list = useLoad(`${trackingNo}:${version}`, () =>
    call(client.GET('/api/v1/submissions/{trackingNo}/notifications', { params: { path: { trackingNo } } })),
  );
  // the organisation's own notification of this case (the list holds only its own), however many it has
  const item = list.data?.items?.[0];
  const report = useLoad(item ? String(item.id) : null, () =>
    item
      ? call(client.GET('/api/v1/notifications/{id}', { params: { path: { id: item.id } } }))
      : Promise.reject(new Error('no notification')),
  ).data?.report;
  if (!list.data) return <Status loading={list.loading} error={list.error} />;
  return (
    <article className="detail">
      <p>
        <Link to="/inbox">← {lang === 'zh' ? '通报收件箱' : 'Inbox'}</Link>
      </p>
      <h1>{report?.title ?? trackingNo}</h1>
      {report && (
        <>
          <dl className="facts">
            <dt>{lang === 'zh' ? '影响' : 'Affects'}</dt>
            <dd>
              {[report.vendor, report.product, report.version].filter(Boolean).join(' ') ||
                report.affectedSystem}
            </dd>
            {report.cvssVector && (
              <>
                <dt>CVSS</dt>
                <dd>
                  <code>{report.cvssVector}</code>
                </dd>
              </>
            )}
            {report.id && (
              <>
                <dt>{lang === 'zh' ? '漏洞编号' : 'Vulnerability id'}</dt>
                <dd>
                  <code>{report.id}</code>
                </dd>
              </>
            )}
          </dl>
          <p className="prose">{report.description}</p>
        </>
      )}
      <ErrorLine error={err} />
      {list.data.items?.map((n) => (
        <section key={n.id} className="notification">
          <dl className="facts">
            <dt>{lang === 'zh' ? '接收单位' : 'Recipient'}</dt>
            <dd>
              {n.organisation} · {label(RECIPIENT_CATEGORIES, n.category, lang)}
            </dd>
            <dt>{lang === 'zh' ? '状态' : 'State'}</dt>
            <dd>{label(NOTIFICATION_STATES, n.state, lang)}</dd>
            <dt>{lang === 'zh' ? '修复期限' : 'Fix by'}</dt>
            <dd>
              <Deadline item={n} />
            </dd>
            {n.fixUrl && (
              <>
                <dt>{lang === 'zh' ? '补丁' : 'Fix'}</dt>
                <dd>
                  <a href={n.fixUrl}>{n.fixUrl}</a>
                </dd>
              </>
            )}
          </dl>
          <RecipientActions
            state={n.state}
            act={(body) =>
              void perform(
                client.POST('/api/v1/notifications/{id}/actions', { params: { path: { id: n.id } }, body }),
              ).then(
                () => {
                  setErr(null);
                  setVersion((x) => x + 1);
                },
                (e: unknown) => setErr(messageOf(e)),
              )
            }
          />
          <History entries={n.events} states={NOTIFICATION_STATES} />
        </section>
      ))}
      <Thread trackingNo={trackingNo} />
    </article>
  );
}
