/**
 * A case in the analyst console: its duplicate candidates side by side, the workflow steps the table allows,
 * verification, disposal (notify, each recipient's state and deadline), publication, and its messages.
 */
import { useContext, useState } from 'react';
import { send } from '../api.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status, ErrorLine, History } from '../pages/bits.js';
import { useApi } from '../pages/useApi.js';
import { SUBMISSION_STATES } from '../labels.js';
import { Thread } from '../pages/Messages.js';
import { Attachments, type Attachment } from '../pages/Attachments.js';
import { Disposal } from './Disposal.js';
import type { NotificationView } from '../../../src/coordination/views.js';
import { text } from '../form.js';

const st = (s: string, lang: 'zh' | 'en') => SUBMISSION_STATES[s]?.[lang] ?? s;

interface CaseView {
  trackingNo: string;
  title: string;
  state: string;
  kind: string;
  vendor: string | null;
  product: string | null;
  version: string | null;
  affectedOrganisation: string | null;
  affectedSystem: string | null;
  description: string;
  reproduction: string | null;
  cvss: { vector: string; score: number | null; severity: string | null } | null;
  vulnerabilityId: string | null;
  next: string[];
  duplicateCandidates?: Array<{ id: string; title: string; score: number; kind: string }>;
  timeline: Array<{ at: string; actor: string; to: string; note: string | null }>;
  attachments: Attachment[];
}

export function Case({ trackingNo }: { trackingNo: string }) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const c = useApi<CaseView>(`/api/v1/submissions/${trackingNo}?v=${version}`);
  const notifications = useApi<{ items: NotificationView[] }>(
    `/api/v1/submissions/${trackingNo}/notifications?v=${version}`,
  );
  if (!c.data) return <Status loading={c.loading} error={c.error} />;
  const v = c.data;
  const step = (body: Record<string, unknown>) =>
    send('POST', `/api/v1/submissions/${trackingNo}/transitions`, body).then(
      () => {
        setErr(null);
        setVersion((x) => x + 1);
      },
      (e: unknown) => setErr(e instanceof Error ? e.message : String(e)),
    );
  return (
    <article className="detail">
      <p>
        <Link to="/console">← {lang === 'zh' ? '分诊队列' : 'Triage queue'}</Link>
      </p>
      <h1>{v.title}</h1>
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
                <span className="sev none">{Math.round(d.score * 100)}%</span>
                <div>
                  {d.kind === 'submission' ? (
                    <Link to={`/console/${d.id}`}>{d.title}</Link>
                  ) : (
                    <Link to={`/vulnerabilities/${d.id}`}>{d.title}</Link>
                  )}
                  <div className="meta">
                    <code>{d.id}</code>
                    {d.kind === 'submission' && v.next.includes('duplicate') && (
                      <button
                        type="button"
                        className="linkish"
                        onClick={() => void step({ to: 'duplicate', duplicateOf: d.id })}
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
        {v.next
          .filter((s) => ['triaged', 'verifying'].includes(s))
          .map((s) => (
            <button key={s} type="button" onClick={() => void step({ to: s })}>
              → {st(s, lang)}
            </button>
          ))}
        {v.next.includes('need_info') && (
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
        {v.next.includes('rejected') && (
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
        {v.next.includes('verified') && (
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
        {['verified', 'notified', 'fixed'].includes(v.state) && (
          <button
            type="button"
            onClick={() =>
              void send('POST', `/api/v1/submissions/${trackingNo}/publish`, {}).then(
                () => setVersion((x) => x + 1),
                (e: unknown) => setErr(e instanceof Error ? e.message : String(e)),
              )
            }
          >
            {lang === 'zh' ? '公开' : 'Publish'}
          </button>
        )}
      </div>
      <Attachments trackingNo={trackingNo} items={v.attachments} onChange={() => setVersion((x) => x + 1)} />
      <Disposal
        trackingNo={trackingNo}
        canNotify={['verified', 'notified', 'fixed'].includes(v.state)}
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
