/**
 * Disposal of one case: who was notified, in what category, their state and deadline (overdue highlighted),
 * each recipient's history; and the form that notifies more organisations.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Answer, type Body } from '../api/client.js';
import { LangContext } from '../i18n.js';
import {
  NOTIFICATION_STATES,
  ORG_KINDS,
  RECIPIENT_CATEGORIES,
  RECIPIENT_CATEGORY_CODES,
  isRecipientCategory,
  label,
} from '../labels.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { Deadline } from '../pages/Inbox.js';
import { useLoad, type Loaded } from '../pages/useApi.js';

type Org = NonNullable<Answer<'listOrganisations'>['items']>[number];
type Category = Body<'notifyRecipients'>['recipients'][number]['category'];
/** A case's notifications (GET /api/v1/submissions/{trackingNo}/notifications). */
export type CaseNotifications = Answer<'listSubmissionNotifications'>;

const CATEGORIES: readonly Category[] = RECIPIENT_CATEGORY_CODES;
const isCategory = (c: string): c is Category => isRecipientCategory(c);

/** The default category for an organisation kind (the analyst can change it). */
const CATEGORY_FOR_KIND: Record<string, Category> = {
  vendor: 'vendor',
  member_unit: 'critical_sector',
  regional_branch: 'regional_branch',
  authority: 'authority',
};

export function Disposal({
  trackingNo,
  canNotify,
  notifications,
  onChange,
}: {
  trackingNo: string;
  canNotify: boolean;
  notifications: Loaded<CaseNotifications>;
  onChange: () => void;
}) {
  const { lang } = useContext(LangContext);
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Array<{ org: Org & { id: number }; category: Category }>>([]);
  const [err, setErr] = useState<string | null>(null);
  const orgs = useLoad(canNotify ? `orgs:${q}` : null, () =>
    call(client.GET('/api/v1/organisations', { params: { query: { q } } })),
  );
  const notified = new Set(notifications.data?.items?.map((n) => n.organisationId));
  const candidates = (orgs.data?.items ?? []).flatMap((o) =>
    o.id !== undefined &&
    !['individual', 'reporting_unit', 'coordinator'].includes(o.kind ?? '') &&
    !notified.has(o.id)
      ? [{ ...o, id: o.id }]
      : [],
  );
  return (
    <section aria-label="disposal">
      <h2>{lang === 'zh' ? '处置' : 'Disposal'}</h2>
      <Status loading={notifications.loading && !notifications.data} error={notifications.error} />
      {notifications.data?.items?.length === 0 && (
        <p className="status">{lang === 'zh' ? '尚未通报任何单位。' : 'Nobody has been notified yet.'}</p>
      )}
      {!!notifications.data?.items?.length && (
        <table className="board">
          <thead>
            <tr>
              <th>{lang === 'zh' ? '接收单位' : 'Recipient'}</th>
              <th>{lang === 'zh' ? '类别' : 'Category'}</th>
              <th>{lang === 'zh' ? '状态' : 'State'}</th>
              <th>{lang === 'zh' ? '修复期限' : 'Fix by'}</th>
              <th>{lang === 'zh' ? '记录' : 'History'}</th>
            </tr>
          </thead>
          <tbody>
            {notifications.data.items.map((n) => (
              <tr key={n.id} className={n.overdue ? 'late' : ''}>
                <td>{n.organisation}</td>
                <td>{label(RECIPIENT_CATEGORIES, n.category, lang)}</td>
                <td>
                  {label(NOTIFICATION_STATES, n.state, lang)}
                  {n.fixUrl && (
                    <>
                      {' '}
                      <a href={n.fixUrl}>{lang === 'zh' ? '补丁' : 'fix'}</a>
                    </>
                  )}
                  {n.answer && <div className="meta">{n.answer}</div>}
                  {n.state === 'undeliverable' && (
                    <div className="meta warn">
                      {lang === 'zh'
                        ? '该单位没有联系方式（邮箱、Webhook 或站内信箱），未发出任何消息。'
                        : 'This organisation has no contact (e-mail, webhook or portal inbox): nothing was sent.'}
                    </div>
                  )}
                </td>
                <td>
                  <Deadline item={n} />
                </td>
                <td className="meta">
                  {n.events
                    .map(
                      (e) =>
                        `${e.at.slice(5, 16).replace('T', ' ')} ${label(NOTIFICATION_STATES, e.to, lang)}`,
                    )
                    .join(' · ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canNotify && (
        <form
          className="panel wide"
          aria-label="notify"
          onSubmit={(e) => {
            e.preventDefault();
            perform(
              client.POST('/api/v1/submissions/{trackingNo}/notifications', {
                params: { path: { trackingNo } },
                body: { recipients: picked.map((p) => ({ organisationId: p.org.id, category: p.category })) },
              }),
            ).then(
              () => {
                setPicked([]);
                setErr(null);
                onChange();
              },
              (x: unknown) => setErr(messageOf(x)),
            );
          }}
        >
          <h3>{lang === 'zh' ? '通报' : 'Notify'}</h3>
          <label>
            {lang === 'zh' ? '查找单位' : 'Find an organisation'}
            <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="D-Link, 银行…" />
          </label>
          <ul className="picks">
            {candidates.slice(0, 8).map((o) => (
              <li key={o.id}>
                <button
                  type="button"
                  className="linkish"
                  disabled={picked.some((p) => p.org.id === o.id)}
                  onClick={() =>
                    setPicked((x) => [
                      ...x,
                      { org: o, category: CATEGORY_FOR_KIND[o.kind ?? ''] ?? 'affected_org' },
                    ])
                  }
                >
                  + {o.name}
                </button>{' '}
                <span className="meta">
                  {label(ORG_KINDS, o.kind ?? '', lang)}
                  {o.sector ? ` · ${o.sector}` : ''}
                </span>
              </li>
            ))}
            {orgs.data && candidates.length === 0 && (
              <li className="status">{lang === 'zh' ? '没有可通报的单位。' : 'No organisation to add.'}</li>
            )}
          </ul>
          {picked.map((p, i) => (
            <div key={p.org.id} className="row3">
              <span>{p.org.name}</span>
              <label>
                {lang === 'zh' ? '类别' : 'Category'}
                <select
                  value={p.category}
                  onChange={(e) => {
                    const category = e.target.value;
                    if (isCategory(category))
                      setPicked((x) => x.map((y, j) => (j === i ? { ...y, category } : y)));
                  }}
                >
                  {CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {label(RECIPIENT_CATEGORIES, c, lang)}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="linkish"
                onClick={() => setPicked((x) => x.filter((_, j) => j !== i))}
              >
                {lang === 'zh' ? '移除' : 'Remove'}
              </button>
            </div>
          ))}
          <ErrorLine error={err} />
          <button type="submit" disabled={picked.length === 0}>
            {lang === 'zh' ? `发送通报（${picked.length}）` : `Send notifications (${picked.length})`}
          </button>
        </form>
      )}
    </section>
  );
}
