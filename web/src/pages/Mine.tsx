import { useContext } from 'react';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status } from './bits.js';
import { SUBMISSION_STATES } from '../labels.js';
import { useApi } from './useApi.js';

export function Mine() {
  const { lang } = useContext(LangContext);
  const { me, logout } = useAuth();
  const list = useApi<{
    items: Array<{
      trackingNo: string;
      title: string;
      state: string;
      createdAt: string;
      vulnerabilityId: string | null;
    }>;
  }>(me ? '/api/v1/submissions?mine=true' : null);
  if (!me) return <p className="status">{lang === 'zh' ? '请先登录。' : 'Sign in first.'}</p>;
  return (
    <div>
      <h1>
        {me.displayName} <span className="meta">{me.email}</span>
      </h1>
      <p>
        <Link to="/report">{lang === 'zh' ? '报送新漏洞' : 'Report a new vulnerability'}</Link> ·{' '}
        <button type="button" className="linkish" onClick={() => void logout()}>
          {lang === 'zh' ? '退出' : 'Sign out'}
        </button>
      </p>
      <h2>{lang === 'zh' ? '我的报送' : 'My reports'}</h2>
      <Status loading={list.loading} error={list.error} empty={list.data?.items.length === 0} />
      <ul className="list">
        {list.data?.items.map((s) => (
          <li key={s.trackingNo} className="vuln">
            <span className="sev none">{SUBMISSION_STATES[s.state]?.[lang] ?? s.state}</span>
            <div>
              <Link to={`/me/submissions/${s.trackingNo}`}>{s.title}</Link>
              <div className="meta">
                <code>{s.trackingNo}</code>
                {s.vulnerabilityId && <code>{s.vulnerabilityId}</code>}
                <span>{s.createdAt.slice(0, 10)}</span>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MySubmission({ trackingNo }: { trackingNo: string }) {
  const { lang } = useContext(LangContext);
  const { data, error, loading } = useApi<{
    trackingNo: string;
    title: string;
    state: string;
    vulnerabilityId: string | null;
    cvss: { vector: string; score: number | null; severity: string | null } | null;
    timeline: Array<{ at: string; actor: string; to: string; note: string | null }>;
  }>(`/api/v1/submissions/${trackingNo}`);
  if (!data) return <Status loading={loading} error={error} />;
  return (
    <article className="detail">
      <h1>{data.title}</h1>
      <dl className="facts">
        <dt>{lang === 'zh' ? '跟踪编号' : 'Tracking number'}</dt>
        <dd>
          <code>{data.trackingNo}</code>
        </dd>
        <dt>{lang === 'zh' ? '状态' : 'State'}</dt>
        <dd>{SUBMISSION_STATES[data.state]?.[lang] ?? data.state}</dd>
        {data.vulnerabilityId && (
          <>
            <dt>{lang === 'zh' ? '漏洞编号' : 'Vulnerability id'}</dt>
            <dd>
              <code>{data.vulnerabilityId}</code>
            </dd>
          </>
        )}
        {data.cvss && (
          <>
            <dt>CVSS</dt>
            <dd>
              {data.cvss.score} <code>{data.cvss.vector}</code>
            </dd>
          </>
        )}
      </dl>
      <h2>{lang === 'zh' ? '处理进度' : 'Timeline'}</h2>
      <ol className="history">
        {data.timeline.map((t, i) => (
          <li key={i}>
            {t.at.slice(0, 16).replace('T', ' ')} · {SUBMISSION_STATES[t.to]?.[lang] ?? t.to} · {t.actor}
            {t.note ? ` · ${t.note}` : ''}
          </li>
        ))}
      </ol>
    </article>
  );
}
