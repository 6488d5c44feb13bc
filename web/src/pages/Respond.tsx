/** What a notified vendor or organisation opens from the link in its notification: no account needed. */
import { useContext, useState } from 'react';
import { send } from '../api.js';
import { LangContext } from '../i18n.js';
import { Status } from './bits.js';
import { useApi } from './useApi.js';

interface Notification {
  id: number;
  organisation: string;
  state: string;
  deadline: string;
  fixUrl: string | null;
  answer: string | null;
  overdue: boolean;
  events: Array<{ at: string; actor: string; to: string; note: string | null }>;
}
interface View {
  notification: Notification;
  report: {
    id: string | null;
    title: string;
    vendor: string | null;
    product: string | null;
    version: string | null;
    affectedSystem: string | null;
    description: string;
    severity: string | null;
    cvssVector: string | null;
  };
}

const L = {
  title: { zh: '漏洞通报', en: 'Vulnerability notification' },
  deadline: { zh: '修复期限', en: 'Fix by' },
  state: { zh: '状态', en: 'State' },
  overdue: { zh: '已逾期', en: 'overdue' },
  acknowledge: { zh: '确认收到', en: 'Acknowledge' },
  fix: { zh: '已修复', en: 'Report the fix' },
  fixUrl: { zh: '补丁或公告链接', en: 'Patch or advisory link' },
  dispute: { zh: '提出异议', en: 'Dispute' },
  reason: { zh: '异议理由', en: 'Reason' },
  done: { zh: '已记录，谢谢。', en: 'Recorded — thank you.' },
} as const;
const STATES: Record<string, { zh: string; en: string }> = {
  sent: { zh: '已发送', en: 'Sent' },
  delivered: { zh: '已送达', en: 'Delivered' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  fixed: { zh: '已修复', en: 'Fixed' },
  disputed: { zh: '有异议', en: 'Disputed' },
  no_response: { zh: '未响应', en: 'No response' },
};

export function Respond({ token }: { token: string }) {
  const { lang } = useContext(LangContext);
  const { data, error, loading } = useApi<View>(`/api/v1/respond/${token}`);
  const [n, setN] = useState<Notification | null>(null);
  const [err, setErr] = useState<string | null>(null);
  if (!data) return <Status loading={loading} error={error} />;
  const current = n ?? data.notification;
  const act = (body: Record<string, string>) =>
    send<Notification>('POST', `/api/v1/respond/${token}`, body).then(
      (x) => {
        setN(x);
        setErr(null);
      },
      (e: unknown) => setErr(e instanceof Error ? e.message : String(e)),
    );
  const r = data.report;
  const open = !['fixed', 'disputed'].includes(current.state);
  return (
    <article className="detail">
      <h1>
        {L.title[lang]} · {current.organisation}
      </h1>
      <dl className="facts">
        <dt>{lang === 'zh' ? '漏洞' : 'Vulnerability'}</dt>
        <dd>
          {r.title} {r.id && <code>{r.id}</code>}
        </dd>
        <dt>{lang === 'zh' ? '影响' : 'Affects'}</dt>
        <dd>{[r.vendor, r.product, r.version].filter(Boolean).join(' ') || r.affectedSystem}</dd>
        {r.cvssVector && (
          <>
            <dt>CVSS</dt>
            <dd>
              <code>{r.cvssVector}</code>
            </dd>
          </>
        )}
        <dt>{L.deadline[lang]}</dt>
        <dd>
          {current.deadline.slice(0, 10)}{' '}
          {current.overdue && <span className="tag red">{L.overdue[lang]}</span>}
        </dd>
        <dt>{L.state[lang]}</dt>
        <dd>{STATES[current.state]?.[lang] ?? current.state}</dd>
      </dl>
      <p className="prose">{r.description}</p>
      {n && (
        <p className="ok" role="status">
          {L.done[lang]}
        </p>
      )}
      {err && (
        <p className="status error" role="alert">
          {err}
        </p>
      )}
      {open && (
        <div className="actions">
          <button
            type="button"
            onClick={() => void act({ action: 'acknowledge' })}
            disabled={current.state === 'acknowledged'}
          >
            {L.acknowledge[lang]}
          </button>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act({ action: 'fix', fixUrl: String(new FormData(e.currentTarget).get('fixUrl') ?? '') });
            }}
          >
            <label>
              {L.fixUrl[lang]}
              <input name="fixUrl" type="url" required />
            </label>
            <button type="submit">{L.fix[lang]}</button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act({ action: 'dispute', note: String(new FormData(e.currentTarget).get('note') ?? '') });
            }}
          >
            <label>
              {L.reason[lang]}
              <input name="note" required />
            </label>
            <button type="submit">{L.dispute[lang]}</button>
          </form>
        </div>
      )}
      <ol className="history">
        {current.events.map((e, i) => (
          <li key={i}>
            {e.at.slice(0, 16).replace('T', ' ')} · {STATES[e.to]?.[lang] ?? e.to} · {e.actor}
            {e.note ? ` · ${e.note}` : ''}
          </li>
        ))}
      </ol>
    </article>
  );
}
