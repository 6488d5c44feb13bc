/**
 * A case in the analyst console: its duplicate candidates side by side, the workflow steps the table allows,
 * verification, disposal (notify, each recipient's state and deadline), publication, and its messages.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Body } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status, ErrorLine, History } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { SUBMISSION_STATES } from '../labels.js';
import { Thread } from '../pages/Messages.js';
import { Attachments } from '../pages/Attachments.js';
import { Disposal } from './Disposal.js';
import { Handover } from './Handover.js';
import { TipoffMark } from './Queue.js';
import { text } from '../form.js';

const st = (s: string | undefined, lang: 'zh' | 'en') => (s ? (SUBMISSION_STATES[s]?.[lang] ?? s) : '');
type Step = Body<'transitionSubmission'>;
type Target = Step['to'];
/** The steps this page offers buttons or forms for. */
const STEPS: readonly Target[] = ['triaged', 'verifying', 'need_info', 'rejected', 'verified', 'duplicate'];

export function Case({ trackingNo }: { trackingNo: string }) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const key = `${trackingNo}:${version}`;
  const path = { trackingNo };
  const c = useLoad(key, () => call(client.GET('/api/v1/submissions/{trackingNo}', { params: { path } })));
  const notifications = useLoad(key, () =>
    call(client.GET('/api/v1/submissions/{trackingNo}/notifications', { params: { path } })),
  );
  // a public tip-off (404 for any other submission): marked, with what its tipster reported and left as contact
  const tipoff = useLoad(trackingNo, () =>
    call(client.GET('/api/v1/submissions/{trackingNo}/tipoff', { params: { path } })),
  );
  if (!c.data) return <Status loading={c.loading} error={c.error} />;
  const v = c.data;
  const next = v.next ?? [];
  const step = (body: Step) =>
    perform(client.POST('/api/v1/submissions/{trackingNo}/transitions', { params: { path }, body })).then(
      () => {
        setErr(null);
        setVersion((x) => x + 1);
      },
      (e: unknown) => setErr(messageOf(e)),
    );
  return (
    <article className="detail">
      <p>
        <Link to="/console">← {lang === 'zh' ? '分诊队列' : 'Triage queue'}</Link>
      </p>
      <h1>{v.title}</h1>
      {tipoff.data && (
        <p className="meta tipoff-note">
          <TipoffMark lang={lang} />{' '}
          {tipoff.data.kind === 'incident'
            ? lang === 'zh'
              ? '举报安全事件'
              : 'reports a security incident'
            : lang === 'zh'
              ? '举报在用系统漏洞'
              : 'reports a vulnerability in a deployed system'}{' '}
          · {lang === 'zh' ? '联系方式' : 'contact'}:{' '}
          {tipoff.data.contact ?? (lang === 'zh' ? '未留' : 'none left')}
        </p>
      )}
      <div className="sidebyside">
        <section>
          <dl className="facts">
            <dt>{lang === 'zh' ? '状态' : 'State'}</dt>
            <dd>{st(v.state, lang)}</dd>
            <dt>{lang === 'zh' ? '对象' : 'Affects'}</dt>
            <dd>
              {[v.vendor, v.product, v.version].filter(Boolean).join(' ') ||
                `${v.affectedOrganisation ?? ''} ${v.affectedSystem ?? ''}`}
            </dd>
            {v.cvss && (
              <>
                <dt>CVSS</dt>
                <dd>
                  {v.cvss.score} <code>{v.cvss.vector}</code>
                </dd>
              </>
            )}
            {v.vulnerabilityId && (
              <>
                <dt>ID</dt>
                <dd>
                  <code>{v.vulnerabilityId}</code>
                </dd>
              </>
            )}
          </dl>
          <p className="prose">{v.description}</p>
          {v.reproduction && <pre className="prose">{v.reproduction}</pre>}
        </section>
        <section aria-label="duplicates">
          <h2>{lang === 'zh' ? '疑似重复' : 'Possible duplicates'}</h2>
          {(v.duplicateCandidates ?? []).length === 0 && (
            <p className="status">{lang === 'zh' ? '未发现疑似重复。' : 'None found.'}</p>
          )}
          <ul className="list">
            {v.duplicateCandidates?.map((d) => (
              <li key={d.id} className="vuln">
                <span className="sev none">{Math.round((d.score ?? 0) * 100)}%</span>
                <div>
                  {d.kind === 'submission' ? (
                    <Link to={`/console/${d.id ?? ''}`}>{d.title}</Link>
                  ) : (
                    <Link to={`/vulnerabilities/${d.id ?? ''}`}>{d.title}</Link>
                  )}
                  <div className="meta">
                    <code>{d.id}</code>
                    {d.kind === 'submission' && d.id && next.includes('duplicate') && (
                      <button
                        type="button"
                        className="linkish"
                        onClick={() => void step({ to: 'duplicate', duplicateOf: d.id ?? '' })}
                      >
                        {lang === 'zh' ? '标记为其重复' : 'Mark as its duplicate'}
                      </button>
                    )}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <ErrorLine error={err} />
      <div className="actions">
        {STEPS.filter((s) => (s === 'triaged' || s === 'verifying') && next.includes(s)).map((s) => (
          <button key={s} type="button" onClick={() => void step({ to: s })}>
            → {st(s, lang)}
          </button>
        ))}
        {next.includes('need_info') && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void step({ to: 'need_info', note: text(new FormData(e.currentTarget), 'note', '') });
            }}
          >
            <label>
              {lang === 'zh' ? '需要补充的信息' : 'Information needed'}
              <input name="note" required />
            </label>
            <button type="submit">→ {st('need_info', lang)}</button>
          </form>
        )}
        {next.includes('rejected') && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void step({
                to: 'rejected',
                reason: text(new FormData(e.currentTarget), 'reason', ''),
              });
            }}
          >
            <label>
              {lang === 'zh' ? '不通过的理由' : 'Reason for rejecting'}
              <input name="reason" required />
            </label>
            <button type="submit">→ {st('rejected', lang)}</button>
          </form>
        )}
        {next.includes('verified') && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              void step({
                to: 'verified',
                verification: {
                  environment: text(f, 'environment', ''),
                  steps: text(f, 'steps', ''),
                  result: 'reproduced',
                  verifier: text(f, 'verifier', ''),
                },
              });
            }}
          >
            <label>
              {lang === 'zh' ? '验证环境' : 'Environment'}
              <input name="environment" required />
            </label>
            <label>
              {lang === 'zh' ? '验证步骤' : 'Steps'}
              <input name="steps" required />
            </label>
            <label>
              {lang === 'zh' ? '信息提供者' : 'Verified by'}
              <input name="verifier" required />
            </label>
            <button type="submit">→ {st('verified', lang)}</button>
          </form>
        )}
        {['verified', 'notified', 'fixed'].includes(v.state ?? '') && (
          <button
            type="button"
            onClick={() =>
              void perform(
                client.POST('/api/v1/submissions/{trackingNo}/publish', { params: { path }, body: {} }),
              ).then(
                () => setVersion((x) => x + 1),
                (e: unknown) => setErr(messageOf(e)),
              )
            }
          >
            {lang === 'zh' ? '公开' : 'Publish'}
          </button>
        )}
      </div>
      <Attachments
        trackingNo={trackingNo}
        items={v.attachments ?? []}
        onChange={() => setVersion((x) => x + 1)}
      />
      <Handover trackingNo={trackingNo} state={v.state} onChange={() => setVersion((x) => x + 1)} />
      <Disposal
        trackingNo={trackingNo}
        canNotify={['verified', 'notified', 'fixed'].includes(v.state ?? '')}
        notifications={notifications}
        onChange={() => setVersion((x) => x + 1)}
      />
      <h2>{lang === 'zh' ? '处理记录' : 'Timeline'}</h2>
      <History entries={v.timeline} states={SUBMISSION_STATES} />
      <Thread
        trackingNo={trackingNo}
        organisations={(notifications.data?.items ?? []).map((n) => ({
          id: n.organisationId,
          name: n.organisation,
        }))}
      />
    </article>
  );
}
