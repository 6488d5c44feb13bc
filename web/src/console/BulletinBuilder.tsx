/**
 * The bulletin builder: pick a week, see the draft computed from the store, pin or drop vendor alerts, add
 * news items, preview the HTML in either language, publish (figures frozen from then on).
 */
import { useContext, useState } from 'react';
import { send } from '../api.js';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { useApi } from '../pages/useApi.js';
import { calendarDay, shiftWeek, weekOf } from '../../../src/vulns/calendar.js';
import { text } from '../form.js';

interface Editorial {
  news: Array<{ title: string; summary?: string; url?: string }>;
  verifications: Array<Record<string, string>>;
  pinnedAlerts: string[];
  droppedAlerts: string[];
}
interface Draft {
  id: string;
  state: 'draft' | 'published';
  publishedAt: string | null;
  editorial: Editorial;
  figures: {
    start: string;
    end: string;
    overview: { total: number; bySeverity: { high: number; medium: number; low: number } };
    alerts: Array<{ vendor: string; pinned: boolean; products: string[] }>;
    vendors: { rows: Array<{ vendor: string; count: number }> };
  };
}

export function BulletinBuilder({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const week =
    new URLSearchParams(search).get('week') ??
    shiftWeek(weekOf(calendarDay(new Date().toISOString())), -1).id;
  const [version, setVersion] = useState(0);
  const [previewLang, setPreviewLang] = useState(lang);
  const [err, setErr] = useState<string | null>(null);
  const d = useApi<Draft>(`/api/v1/bulletins/${week}?format=json&v=${version}`);
  const fail = (x: unknown) => setErr(x instanceof Error ? x.message : String(x));
  const save = (e: Editorial) =>
    send('PUT', `/api/v1/bulletins/${week}/editorial`, e).then(() => {
      setErr(null);
      setVersion((x) => x + 1);
    }, fail);
  const b = d.data;
  const ed = b?.editorial;
  const frozen = b?.state === 'published';
  const candidates = b
    ? [
        ...b.figures.alerts.map((a) => a.vendor),
        ...(ed?.droppedAlerts ?? []),
        ...b.figures.vendors.rows.map((r) => r.vendor),
      ].filter((v, i, all) => all.indexOf(v) === i)
    : [];
  return (
    <div>
      <h1>{lang === 'zh' ? '周报编辑' : 'Bulletin builder'}</h1>
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/console/bulletins?week=${text(new FormData(e.currentTarget), 'week', '')}`);
        }}
      >
        <input
          name="week"
          aria-label={lang === 'zh' ? '周' : 'Week'}
          defaultValue={week}
          pattern="\d{4}-W\d{2}"
        />
        <button type="submit">{lang === 'zh' ? '打开' : 'Open'}</button>
      </form>
      <Status loading={d.loading && !b} error={d.error} />
      <ErrorLine error={err} />
      {b && ed && (
        <>
          <p className="meta">
            {b.figures.start} – {b.figures.end} ·{' '}
            {frozen
              ? `${lang === 'zh' ? '已发布' : 'Published'} ${b.publishedAt?.slice(0, 16).replace('T', ' ') ?? ''}`
              : lang === 'zh'
                ? '草稿（数据实时计算）'
                : 'Draft (computed live)'}{' '}
            · {lang === 'zh' ? '收录' : 'collected'} {b.figures.overview.total} ·{' '}
            {lang === 'zh' ? '高危' : 'high'} {b.figures.overview.bySeverity.high}
          </p>
          <div className="sidebyside">
            <section aria-label="alerts">
              <h2>{lang === 'zh' ? '厂商漏洞预警' : 'Vendor alerts'}</h2>
              {candidates.length === 0 && (
                <p className="status">
                  {lang === 'zh' ? '本周没有可预警的厂商。' : 'No vendor to alert on this week.'}
                </p>
              )}
              <table className="board">
                <tbody>
                  {candidates.slice(0, 15).map((v) => {
                    const pinned = ed.pinnedAlerts.includes(v);
                    const dropped = ed.droppedAlerts.includes(v);
                    const shown = b.figures.alerts.some((a) => a.vendor === v);
                    return (
                      <tr key={v} className={dropped ? 'dim' : ''}>
                        <td>
                          {v} {pinned && <span className="tag">{lang === 'zh' ? '置顶' : 'pinned'}</span>}
                          {shown && !pinned && <span className="tag">{lang === 'zh' ? '入选' : 'in'}</span>}
                          {dropped && <span className="tag red">{lang === 'zh' ? '已移除' : 'dropped'}</span>}
                        </td>
                        <td>
                          <button
                            type="button"
                            className="linkish"
                            disabled={frozen}
                            onClick={() =>
                              void save({
                                ...ed,
                                pinnedAlerts: pinned
                                  ? ed.pinnedAlerts.filter((x) => x !== v)
                                  : [...ed.pinnedAlerts, v],
                                droppedAlerts: ed.droppedAlerts.filter((x) => x !== v),
                              })
                            }
                          >
                            {pinned ? (lang === 'zh' ? '取消置顶' : 'Unpin') : lang === 'zh' ? '置顶' : 'Pin'}
                          </button>{' '}
                          <button
                            type="button"
                            className="linkish"
                            disabled={frozen}
                            onClick={() =>
                              void save({
                                ...ed,
                                droppedAlerts: dropped
                                  ? ed.droppedAlerts.filter((x) => x !== v)
                                  : [...ed.droppedAlerts, v],
                                pinnedAlerts: ed.pinnedAlerts.filter((x) => x !== v),
                              })
                            }
                          >
                            {dropped ? (lang === 'zh' ? '恢复' : 'Restore') : lang === 'zh' ? '移除' : 'Drop'}
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </section>
            <section aria-label="news">
              <h2>{lang === 'zh' ? '本周漏洞要闻' : 'News items'}</h2>
              {ed.news.length === 0 && (
                <p className="status">{lang === 'zh' ? '还没有要闻。' : 'No news items yet.'}</p>
              )}
              <ol>
                {ed.news.map((n, i) => (
                  <li key={i}>
                    <strong>{n.title}</strong> {n.url && <a href={n.url}>{n.url}</a>}
                    {n.summary && <p className="prose">{n.summary}</p>}
                    {!frozen && (
                      <button
                        type="button"
                        className="linkish"
                        onClick={() => void save({ ...ed, news: ed.news.filter((_, j) => j !== i) })}
                      >
                        {lang === 'zh' ? '删除' : 'Remove'}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
              {!frozen && (
                <form
                  className="panel wide"
                  aria-label="add news"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const form = e.currentTarget;
                    const f = new FormData(form);
                    const item: Editorial['news'][number] = { title: text(f, 'title', '') };
                    const summary = text(f, 'summary', '').trim();
                    const url = text(f, 'url', '').trim();
                    if (summary) item.summary = summary;
                    if (url) item.url = url;
                    void save({ ...ed, news: [...ed.news, item] }).then(() => form.reset());
                  }}
                >
                  <label>
                    {lang === 'zh' ? '标题' : 'Title'}
                    <input name="title" required maxLength={300} />
                  </label>
                  <label>
                    {lang === 'zh' ? '摘要' : 'Summary'}
                    <textarea name="summary" rows={3} maxLength={4000} />
                  </label>
                  <label>
                    {lang === 'zh' ? '链接' : 'Link'}
                    <input name="url" type="url" />
                  </label>
                  <button type="submit">{lang === 'zh' ? '添加要闻' : 'Add news item'}</button>
                </form>
              )}
            </section>
          </div>
          <div className="actions">
            <button type="button" onClick={() => setPreviewLang(previewLang === 'zh' ? 'en' : 'zh')}>
              {lang === 'zh' ? '预览语言：' : 'Preview language: '}
              {previewLang === 'zh' ? '中文' : 'English'}
            </button>
            <a href={`/api/v1/bulletins/${week}?lang=${previewLang}&format=pdf`}>PDF</a>
            {!frozen && (
              <button
                type="button"
                onClick={() => {
                  if (
                    !confirm(
                      lang === 'zh'
                        ? '发布后数据将冻结，确定发布？'
                        : 'Publishing freezes the figures. Publish?',
                    )
                  )
                    return;
                  send('POST', `/api/v1/bulletins/${week}/publish`).then(
                    () => setVersion((x) => x + 1),
                    fail,
                  );
                }}
              >
                {lang === 'zh' ? '发布周报' : 'Publish'}
              </button>
            )}
          </div>
          <iframe
            className="preview"
            title={lang === 'zh' ? '周报预览' : 'Bulletin preview'}
            src={`/api/v1/bulletins/${week}?lang=${previewLang}&format=html&v=${version}`}
          />
        </>
      )}
    </div>
  );
}
