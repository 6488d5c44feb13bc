/**
 * Case hand-over on the console's case page: a case handed over to a peer ("coordinated by national"), with the
 * board the peer sent back — each notification's state and deadline there, overdue by our clock — or a case
 * received from a peer (its reference and the reporter's credit as sent); and, for an open case not handed
 * over, the form that hands it to a peer.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Answer } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { NOTIFICATION_STATES, RECIPIENT_CATEGORIES, SUBMISSION_STATES, label } from '../labels.js';
import { ErrorLine } from '../pages/bits.js';
import { Deadline } from '../pages/Inbox.js';
import { useLoad } from '../pages/useApi.js';
import { text } from '../form.js';

type View = Answer<'getSubmissionHandover'>;
const OPEN = ['submitted', 'triaged', 'need_info', 'verifying', 'verified', 'notified'];

const DELIVERY = {
  pending: { zh: '待送达（对方恢复后自动送达）', en: 'waiting (delivered once the peer answers)' },
  sent: { zh: '已送达', en: 'delivered' },
  failed: { zh: '对方拒收', en: 'refused by the peer' },
} as const;

function Sent({ h, lang }: { h: NonNullable<View['handedOver']>; lang: 'zh' | 'en' }) {
  const c = h.coordination;
  return (
    <>
      <p className="meta">
        {lang === 'zh'
          ? `已于 ${h.at.slice(0, 16).replace('T', ' ')} 由 ${h.by} 移交 ${h.peer} 协调处置（第 ${h.version} 次发送，${label(DELIVERY, h.delivery, lang)}）`
          : `Handed over to ${h.peer} for coordination by ${h.by} on ${h.at.slice(0, 16).replace('T', ' ')} (send ${h.version}, ${label(DELIVERY, h.delivery, lang)})`}
        {h.deliveryError && <span className="error"> {h.deliveryError}</span>}
      </p>
      {c ? (
        <>
          <p>
            <strong>{lang === 'zh' ? `由 ${h.peer} 协调` : `Coordinated by ${h.peer}`}</strong> {c.trackingNo}{' '}
            · {label(SUBMISSION_STATES, c.state, lang)}
            {c.vulnerabilityId ? ` · ${c.vulnerabilityId}` : ''}
            {c.stateReason ? ` · ${c.stateReason}` : ''}
          </p>
          {c.board.length ? (
            <table className="board">
              <thead>
                <tr>
                  <th>{lang === 'zh' ? '通报对象' : 'Recipient'}</th>
                  <th>{lang === 'zh' ? '类别' : 'Category'}</th>
                  <th>{lang === 'zh' ? '状态' : 'State'}</th>
                  <th>{lang === 'zh' ? '期限' : 'Deadline'}</th>
                  <th>{lang === 'zh' ? '修复' : 'Fix'}</th>
                </tr>
              </thead>
              <tbody>
                {c.board.map((b) => (
                  <tr key={`${b.organisation}:${b.category}`} className={b.overdue ? 'overdue' : ''}>
                    <td>{b.organisation}</td>
                    <td>{label(RECIPIENT_CATEGORIES, b.category, lang)}</td>
                    <td>{label(NOTIFICATION_STATES, b.state, lang)}</td>
                    <td>
                      <Deadline item={b} />
                    </td>
                    <td>{b.fixUrl ? <a href={b.fixUrl}>{b.fixUrl}</a> : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="meta">{lang === 'zh' ? '尚未通报任何单位' : 'Nobody notified yet'}</p>
          )}
          <p className="meta">
            {lang === 'zh' ? '最近更新' : 'Last update'} {c.updatedAt.slice(0, 16).replace('T', ' ')} (v
            {c.version})
          </p>
        </>
      ) : (
        <p className="meta">
          {lang === 'zh' ? `尚未收到 ${h.peer} 的处置状态` : `No board from ${h.peer} yet`}
        </p>
      )}
    </>
  );
}

export function Handover({
  trackingNo,
  state,
  onChange,
}: {
  trackingNo: string;
  state: string | undefined;
  onChange: () => void;
}) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const path = { trackingNo };
  const v = useLoad(`${trackingNo}:${version}`, () =>
    call(client.GET('/api/v1/submissions/{trackingNo}/hand-over', { params: { path } })),
  );
  const d = v.data;
  if (!d) return null;
  const r = d.received;
  if (!d.handedOver && !r && !OPEN.includes(state ?? '')) return null;
  return (
    <section aria-label="hand-over">
      <h2>{lang === 'zh' ? '平台间移交' : 'Hand-over between instances'}</h2>
      {d.handedOver && <Sent h={d.handedOver} lang={lang} />}
      {r && (
        <p className="meta">
          {lang === 'zh'
            ? `由 ${r.peer} 移交（对方编号 ${r.reference}，第 ${r.version} 版）${r.credit ? `，报送者：${r.credit}` : ''}${r.reporterEmail ? ` <${r.reporterEmail}>` : ''}`
            : `Received from ${r.peer} (its ${r.reference}, version ${r.version})${r.credit ? `, reported by ${r.credit}` : ''}${r.reporterEmail ? ` <${r.reporterEmail}>` : ''}`}
        </p>
      )}
      {!r && OPEN.includes(state ?? '') && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const peer = text(new FormData(e.currentTarget), 'peer', '').trim();
            void perform(
              client.POST('/api/v1/submissions/{trackingNo}/hand-over', { params: { path }, body: { peer } }),
            ).then(
              () => {
                setErr(null);
                setVersion((x) => x + 1);
                onChange();
              },
              (e2: unknown) => setErr(messageOf(e2)),
            );
          }}
        >
          <label>
            {lang === 'zh' ? '移交给对等平台' : 'Hand over to peer'}
            <input name="peer" required defaultValue={d.handedOver?.peer ?? ''} placeholder="national" />
          </label>
          <button type="submit">
            {d.handedOver
              ? lang === 'zh'
                ? '重新发送'
                : 'Send again'
              : lang === 'zh'
                ? '移交'
                : 'Hand over'}
          </button>
        </form>
      )}
      <ErrorLine error={err} />
    </section>
  );
}
