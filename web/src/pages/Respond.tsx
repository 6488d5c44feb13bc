/** What a notified vendor or organisation opens from the link in its notification: no account needed. */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { LangContext } from '../i18n.js';
import { Status, ErrorLine, History } from './bits.js';
import { useLoad } from './useApi.js';
import { RecipientActions } from './RecipientActions.js';
import { NOTIFICATION_STATES, label } from '../labels.js';
import { call, client, type Answer, type Body } from '../api/client.js';

type View = Answer<'getByLink'>;
type Notification = View['notification'];

const L = {
  title: { zh: '漏洞通报', en: 'Vulnerability notification' },
  deadline: { zh: '修复期限', en: 'Fix by' },
  state: { zh: '状态', en: 'State' },
  overdue: { zh: '已逾期', en: 'overdue' },
  done: { zh: '已记录，谢谢。', en: 'Recorded — thank you.' },
} as const;

export function Respond({ token }: { token: string }) {
  const { lang } = useContext(LangContext);
  const path = { token };
  const { data, error, loading } = useLoad<View>(token, () =>
    call(client.GET('/api/v1/respond/{token}', { params: { path } })),
  );
  const [n, setN] = useState<Notification | null>(null);
  const [err, setErr] = useState<string | null>(null);
  if (!data) return <Status loading={loading} error={error} />;
  const current = n ?? data.notification;
  const act = (body: Body<'actByLink'>) =>
    call(client.POST('/api/v1/respond/{token}', { params: { path }, body })).then(
      (x) => {
        setN(x);
        setErr(null);
      },
      (e: unknown) => setErr(messageOf(e)),
    );
  const r = data.report;
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
        <dd>{label(NOTIFICATION_STATES, current.state, lang)}</dd>
      </dl>
      <p className="prose">{r.description}</p>
      {n && (
        <p className="ok" role="status">
          {L.done[lang]}
        </p>
      )}
      <ErrorLine error={err} />
      <RecipientActions state={current.state} act={(body) => void act(body)} />
      <History entries={current.events} states={NOTIFICATION_STATES} />
    </article>
  );
}
