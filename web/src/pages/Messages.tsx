/**
 * A case's message thread. The coordinator picks the audience (internal, the reporter, all recipients, one
 * organisation); a reporter or a recipient writes to its own thread. The API decides what each may read.
 */
import { useContext, useState } from 'react';
import { send } from '../api.js';
import { LangContext } from '../i18n.js';
import { AUDIENCES, label } from '../labels.js';
import { Status, ErrorLine } from './bits.js';
import { useApi } from './useApi.js';
import { text } from '../form.js';

interface Message {
  id: number;
  author: string;
  side: 'coordinator' | 'reporter' | 'recipient';
  audience: string;
  organisationId: number | null;
  body: string;
  createdAt: string;
}

const SIDES = {
  coordinator: { zh: '协调方', en: 'Coordinator' },
  reporter: { zh: '报送人', en: 'Reporter' },
  recipient: { zh: '接收方', en: 'Recipient' },
} as const;

export function Thread({
  trackingNo,
  organisations,
}: {
  trackingNo: string;
  /** Set for the coordinator: the notified organisations one can write to. */
  organisations?: Array<{ id: number; name: string }>;
}) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [audience, setAudience] = useState('reporter');
  const [err, setErr] = useState<string | null>(null);
  const list = useApi<{ items: Message[] }>(`/api/v1/submissions/${trackingNo}/messages?v=${version}`);
  const coordinator = organisations !== undefined;
  const orgName = (id: number | null) => organisations?.find((o) => o.id === id)?.name ?? '';
  return (
    <section aria-label="messages" className="thread">
      <h2>{lang === 'zh' ? '沟通记录' : 'Messages'}</h2>
      <Status loading={list.loading && !list.data} error={list.error} />
      {list.data?.items.length === 0 && (
        <p className="status">{lang === 'zh' ? '还没有消息。' : 'No messages yet.'}</p>
      )}
      <ol className="messages">
        {list.data?.items.map((m) => (
          <li key={m.id} className={`msg ${m.side}`}>
            <div className="meta">
              <strong>{m.author}</strong>
              <span>{SIDES[m.side][lang]}</span>
              {coordinator && (
                <span className="tag">
                  → {label(AUDIENCES, m.audience, lang)}
                  {m.audience === 'organisation' ? ` ${orgName(m.organisationId)}` : ''}
                </span>
              )}
              <span>{m.createdAt.slice(0, 16).replace('T', ' ')}</span>
            </div>
            <p className="prose">{m.body}</p>
          </li>
        ))}
      </ol>
      <ErrorLine error={err} />
      <form
        className="panel wide"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const body: Record<string, unknown> = { body: text(f, 'body', '') };
          if (coordinator) {
            body.audience = audience;
            if (audience === 'organisation') body.organisationId = Number(f.get('organisationId'));
          }
          send('POST', `/api/v1/submissions/${trackingNo}/messages`, body).then(
            () => {
              form.reset();
              setErr(null);
              setVersion((x) => x + 1);
            },
            (x: unknown) => setErr(x instanceof Error ? x.message : String(x)),
          );
        }}
      >
        {coordinator && (
          <div className="row3">
            <label>
              {lang === 'zh' ? '发给' : 'To'}
              <select name="audience" value={audience} onChange={(e) => setAudience(e.target.value)}>
                {Object.keys(AUDIENCES).map((a) => (
                  <option key={a} value={a}>
                    {label(AUDIENCES, a, lang)}
                  </option>
                ))}
              </select>
            </label>
            {audience === 'organisation' && (
              <label>
                {lang === 'zh' ? '单位' : 'Organisation'}
                <select name="organisationId" required>
                  {organisations.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
        )}
        <label>
          {lang === 'zh' ? '消息' : 'Message'}
          <textarea name="body" required rows={3} maxLength={20000} />
        </label>
        <button type="submit">{lang === 'zh' ? '发送' : 'Send'}</button>
      </form>
    </section>
  );
}
