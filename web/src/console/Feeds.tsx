/**
 * Feed status for admins and analysts: each remote catalogue's format, URL, schedule, last success, last error,
 * consecutive failures, records changed on the last run and the next run; admins add feeds and sync one now.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Body } from '../api/client.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { ErrorLine, Status } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { text } from '../form.js';

type Format = Body<'addFeed'>['format'];
const FORMATS: readonly Format[] = ['kev', 'cve5', 'cnvd-xml', 'csaf', 'csaf-provider'];
const isFormat = (f: string): f is Format => (FORMATS as readonly string[]).includes(f);

const when = (s: string | null | undefined) => (s ? s.slice(0, 16).replace('T', ' ') : '—');

export function Feeds() {
  const { lang } = useContext(LangContext);
  const { me } = useAuth();
  const zh = lang === 'zh';
  const admin = me?.role === 'admin';
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const list = useLoad(`feeds:${version}`, () => call(client.GET('/api/v1/feeds')));
  const fail = (x: unknown) => setErr(messageOf(x));
  return (
    <div>
      <h1>{zh ? '数据源同步' : 'Feeds'}</h1>
      <ErrorLine error={err} />
      <Status loading={list.loading && !list.data} error={list.error} />
      {list.data?.items?.length === 0 && (
        <p className="status">{zh ? '还没有配置数据源。' : 'No feed is configured.'}</p>
      )}
      <table className="board">
        <thead>
          <tr>
            <th>{zh ? '名称' : 'Name'}</th>
            <th>{zh ? '计划' : 'Schedule'}</th>
            <th>{zh ? '最近成功' : 'Last success'}</th>
            <th>{zh ? '最近一次' : 'Last run'}</th>
            <th>{zh ? '下次' : 'Next run'}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((f) => (
            <tr key={f.name} className={f.status.consecutiveFailures ? 'late' : ''}>
              <td>
                <strong>{f.name}</strong> <span className="tag">{f.format}</span>
                <div className="meta">{f.url}</div>
              </td>
              <td>{f.schedule ?? (zh ? '手动' : 'on demand')}</td>
              <td>{when(f.status.lastSuccessAt)}</td>
              <td>
                {f.status.lastOutcome ?? '—'}
                {f.status.lastOutcome === 'imported' && (
                  <div className="meta">
                    {zh ? '读取' : 'read'} {f.status.lastCounts.read} · {zh ? '新增' : 'new'}{' '}
                    {f.status.lastCounts.imported} · {zh ? '更新' : 'updated'} {f.status.lastCounts.updated} ·{' '}
                    {zh ? '拒绝' : 'rejected'} {f.status.lastCounts.rejected}
                  </div>
                )}
                {f.status.consecutiveFailures > 0 && (
                  <div className="overdue">
                    {zh
                      ? `连续失败 ${f.status.consecutiveFailures} 次：`
                      : `${f.status.consecutiveFailures} failure(s) in a row: `}
                    {f.status.lastError}
                  </div>
                )}
              </td>
              <td>{when(f.status.nextRunAt)}</td>
              <td>
                {admin && (
                  <button
                    type="button"
                    disabled={busy === f.name}
                    onClick={() => {
                      setBusy(f.name);
                      perform(
                        client.POST('/api/v1/feeds/{name}/sync', {
                          params: { path: { name: f.name }, query: { force: false } },
                        }),
                      )
                        .then(() => setErr(null), fail)
                        .finally(() => {
                          setBusy(null);
                          setVersion((x) => x + 1);
                        });
                    }}
                  >
                    {busy === f.name ? (zh ? '同步中…' : 'Syncing…') : zh ? '立即同步' : 'Sync now'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <form
          className="panel wide"
          aria-label="new feed"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const f = new FormData(form);
            const schedule = text(f, 'schedule', '').trim();
            const format = text(f, 'format', 'kev');
            if (!isFormat(format)) return;
            perform(
              client.POST('/api/v1/feeds', {
                body: {
                  name: text(f, 'name', ''),
                  format,
                  url: text(f, 'url', ''),
                  ...(schedule ? { schedule } : {}),
                },
              }),
            ).then(() => {
              form.reset();
              setErr(null);
              setVersion((x) => x + 1);
            }, fail);
          }}
        >
          <h2>{zh ? '新增数据源' : 'Add a feed'}</h2>
          <div className="row3">
            <label>
              {zh ? '名称' : 'Name'}
              <input name="name" required placeholder="kev" />
            </label>
            <label>
              {zh ? '格式' : 'Format'}
              <select name="format" defaultValue="kev">
                <option value="kev">CISA KEV</option>
                <option value="cve5">CVE JSON 5</option>
                <option value="cnvd-xml">CNVD XML</option>
              </select>
            </label>
            <label>
              {zh ? '计划（如 6h、1d，留空为手动）' : 'Schedule (6h, 1d; empty: on demand)'}
              <input name="schedule" placeholder="6h" />
            </label>
          </div>
          <label>
            URL
            <input name="url" type="url" required />
          </label>
          <button type="submit">{zh ? '新增' : 'Add'}</button>
        </form>
      )}
    </div>
  );
}
