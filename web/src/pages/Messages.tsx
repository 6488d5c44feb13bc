/**
 * A case's message thread. The coordinator picks the audience (internal, the reporter, all recipients, one
 * organisation); a reporter or a recipient writes to its own thread. The API decides what each may read.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Body } from '../api/client.js';
import { isCode } from '../vocabularies.js';
import { LangContext } from '../i18n.js';
import { AUDIENCES, label } from '../labels.js';
import { Status, ErrorLine } from './bits.js';
import { useLoad } from './useApi.js';
import { text } from '../form.js';

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
  const path = { trackingNo };
  const list = useLoad(`${trackingNo}:${version}`, () =>
    call(client.GET('/api/v1/submissions/{trackingNo}/messages', { params: { path } })),
  );
  const coordinator = organisations !== undefined;
  const orgName = (id: number | null | undefined) => organisations?.find((o) => o.id === id)?.name ?? '';
  return (
    <section aria-label="messages" className="thread">
      <h2>{lang === 'zh' ? '沟通记录' : 'Messages'}</h2>
      <Status loading={list.loading && !list.data} error={list.error} />
      {list.data?.items?.length === 0 && (
        <p className="status">{lang === 'zh' ? '还没有消息。' : 'No messages yet.'}</p>
      )}
      <ol className="messages">
        {list.data?.items?.map((m) => (
          <li key={m.id} className={`msg ${m.side ?? ''}`}>
            <div className="meta">
              <strong>{m.author}</strong>
              <span>{label(SIDES, m.side, lang)}</span>
              {coordinator && (
                <span className="tag">
                  → {label(AUDIENCES, m.audience, lang)}
                  {m.audience === 'organisation' ? ` ${orgName(m.organisationId)}` : ''}
                </span>
              )}
              <span>{m.createdAt?.slice(0, 16).replace('T', ' ')}</span>
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
          const body: Body<'postMessage'> = { body: text(f, 'body', '') };
          if (coordinator && isCode(AUDIENCES, audience)) {
            body.audience = audience;
            if (audience === 'organisation') body.organisationId = Number(text(f, 'organisationId'));
          }
          perform(client.POST('/api/v1/submissions/{trackingNo}/messages', { params: { path }, body })).then(
            () => {
              form.reset();
              setErr(null);
              setVersion((x) => x + 1);
            },
            (x: unknown) => setErr(messageOf(x)),
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
