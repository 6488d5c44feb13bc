import { lazy, Suspense, useContext, useMemo, useState } from 'react';
import { Attachments } from './Attachments.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status, History, ErrorLine } from './bits.js';
import { SUBMISSION_STATES, label } from '../labels.js';
import { useLoad, type Loaded } from './useApi.js';
import { call, client, type Answer } from '../api/client.js';
import { Thread } from './Messages.js';

const Chart = lazy(() => import('./Chart.js').then((m) => ({ default: m.Chart })));

export function Mine() {
  const { lang } = useContext(LangContext);
  const { me, logout } = useAuth();
  const list = useLoad(me && me.role !== 'recipient' ? 'mine' : null, () =>
    call(client.GET('/api/v1/submissions', { params: { query: { mine: true } } })),
  );
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
      {(me.failedSignInsSinceLastLogin ?? 0) > 0 && (
        <p className="status error" role="status">
          {lang === 'zh'
            ? `自上次登录以来，有人用错误密码尝试登录您的账号 ${me.failedSignInsSinceLastLogin} 次。如果不是您本人，请确认密码没有在别处使用。`
            : `${me.failedSignInsSinceLastLogin} sign-ins with a wrong password were tried on your account since your previous sign-in. If that was not you, make sure this password is not used anywhere else.`}
        </p>
      )}
      {me.role === 'recipient' ? (
        // a recipient (vendor, member unit) receives notifications; it has no reports of its own
        <p>
          <Link to="/inbox">{lang === 'zh' ? '通报收件箱' : 'Notifications inbox'}</Link> ·{' '}
          <Link to="/watchlists">{lang === 'zh' ? '关注清单' : 'Watchlists'}</Link>
        </p>
      ) : (
        <MyReports list={list} />
      )}
    </div>
  );
}

function MyReports({ list }: { list: Loaded<Answer<'listSubmissions'>> }) {
  const { lang } = useContext(LangContext);
  return (
    <>
      <MyStats />
      <h2>{lang === 'zh' ? '我的报送' : 'My reports'}</h2>
      <Status loading={list.loading} error={list.error} empty={list.data?.items?.length === 0} />
      <ul className="list">
        {list.data?.items?.map((s) => (
          <li key={s.trackingNo} className="vuln">
            <span className="sev none">{label(SUBMISSION_STATES, s.state, lang)}</span>
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
    </>
  );
}

export function MySubmission({ trackingNo, search }: { trackingNo: string; search: string }) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const refused = new URLSearchParams(search).get('upload');
  const { data, error, loading } = useLoad(`${trackingNo}:${version}`, () =>
    call(client.GET('/api/v1/submissions/{trackingNo}', { params: { path: { trackingNo } } })),
  );
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
        <dd>{label(SUBMISSION_STATES, data.state, lang)}</dd>
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
      <History entries={data.timeline} states={SUBMISSION_STATES} />
      {refused && version === 0 && <ErrorLine error={refused} />}
      <Attachments
        trackingNo={trackingNo}
        items={data.attachments ?? []}
        onChange={() => setVersion((x) => x + 1)}
      />
      <Thread trackingNo={trackingNo} />
    </article>
  );
}

/** The reporter's own counts for the last 12 weeks (ECharts, like the bulletin) and a link to the ranking. */
function MyStats() {
  const { lang } = useContext(LangContext);
  const s = useLoad('reporter-stats', () =>
    call(client.GET('/api/v1/reporters/me', { params: { query: { weeks: 12 } } })),
  );
  const names = useMemo(
    () => ({
      reported: lang === 'zh' ? '报送' : 'Reported',
      original: lang === 'zh' ? '原创' : 'Original',
      verified: lang === 'zh' ? '已收录' : 'Verified',
    }),
    [lang],
  );
  const option = useMemo(
    () =>
      s.data && {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 30, right: 10, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: s.data.weeks.map((w) => w.week.slice(5)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: (['reported', 'original', 'verified'] as const).map((k) => ({
          name: names[k],
          type: 'bar',
          data: s.data?.weeks.map((w) => w[k]) ?? [],
        })),
      },
    [s.data, names],
  );
  if (!s.data) return <Status loading={s.loading} error={s.error} />;
  const sum = (k: 'reported' | 'original' | 'verified') => s.data?.weeks.reduce((a, w) => a + w[k], 0) ?? 0;
  return (
    <section aria-label="statistics">
      <h2>{lang === 'zh' ? '我的统计（近 12 周）' : 'My statistics (last 12 weeks)'}</h2>
      <div className="cards">
        {(['reported', 'original', 'verified'] as const).map((k) => (
          <div key={k} className="card">
            <div className="num">{sum(k)}</div>
            {names[k]}
          </div>
        ))}
      </div>
      {option && (
        <Suspense fallback={null}>
          <Chart option={option} height={200} label={lang === 'zh' ? '每周报送' : 'Reports per week'} />
        </Suspense>
      )}
      <p>
        <Link to="/ranking">{lang === 'zh' ? '本周报送排行' : 'This week’s reporter ranking'}</Link>
      </p>
    </section>
  );
}
