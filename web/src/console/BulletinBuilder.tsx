/**
 * The bulletin builder: pick a week, see the draft computed from the store, pin or drop vendor alerts, add
 * news items, preview the HTML in either language, publish (figures frozen from then on).
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Body } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { text } from '../form.js';

type Editorial = Required<Body<'setBulletinEditorial'>>;

/**
 * What the builder reads of a bulletin's JSON form. The document describes that body only as an object
 * (GET /api/v1/bulletins/{id} answers several media types and its JSON schema lists no properties yet), so
 * the page reads the fields it shows and checks each one instead of trusting a copied interface.
 */
interface Draft {
  state: 'draft' | 'published';
  publishedAt: string | null;
  editorial: Editorial;
  start: string;
  end: string;
  total: number;
  high: number;
  alertVendors: string[];
  topVendors: string[];
}
type Json = Record<string, unknown>;
const obj = (x: unknown): Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {};
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
const strs = (x: unknown): string[] => arr(x).filter((v): v is string => typeof v === 'string');

function readDraft(answer: unknown): Draft {
  const body = obj(answer);
  const ed = obj(body.editorial);
  const fig = obj(body.figures);
  const overview = obj(fig.overview);
  return {
    state: body.state === 'published' ? 'published' : 'draft',
    publishedAt: typeof body.publishedAt === 'string' ? body.publishedAt : null,
    editorial: {
      news: arr(ed.news).map((n) => {
        const o = obj(n);
        const item: Editorial['news'][number] = { title: str(o.title) };
        if (typeof o.summary === 'string') item.summary = o.summary;
        if (typeof o.url === 'string') item.url = o.url;
        return item;
      }),
      verifications: arr(ed.verifications).map((v) => {
        const o = obj(v);
        const item: Editorial['verifications'][number] = {
          title: str(o.title),
          description: str(o.description),
        };
        for (const k of ['pocUrl', 'referenceUrl', 'provider'] as const)
          if (typeof o[k] === 'string') item[k] = o[k];
        return item;
      }),
      pinnedAlerts: strs(ed.pinnedAlerts),
      droppedAlerts: strs(ed.droppedAlerts),
    },
    start: str(fig.start),
    end: str(fig.end),
    total: num(overview.total),
    high: num(obj(overview.bySeverity).high),
    alertVendors: arr(fig.alerts).map((a) => str(obj(a).vendor)),
    topVendors: arr(obj(fig.vendors).rows).map((r) => str(obj(r).vendor)),
  };
}

export function BulletinBuilder({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const asked = new URLSearchParams(search).get('week');
  // without a week: last week, as the platform's calendar counts it
  const lastWeek = useLoad(asked ? null : 'current', () => call(client.GET('/api/v1/weeks'))).data?.previous;
  const week = asked ?? lastWeek ?? null;
  const [version, setVersion] = useState(0);
  const [previewLang, setPreviewLang] = useState(lang);
  const [err, setErr] = useState<string | null>(null);
  const d = useLoad(week ? `${week}:${version}` : null, () =>
    call(
      client.GET('/api/v1/bulletins/{id}', {
        params: { path: { id: week ?? '' }, query: { format: 'json', lang, download: false } },
      }),
    ).then(readDraft),
  );
  const fail = (x: unknown) => setErr(messageOf(x));
  const path = { id: week ?? '' };
  const save = (e: Editorial) =>
    perform(client.PUT('/api/v1/bulletins/{id}/editorial', { params: { path }, body: e })).then(() => {
      setErr(null);
      setVersion((x) => x + 1);
    }, fail);
  const b = d.data;
  const ed = b?.editorial;
  const frozen = b?.state === 'published';
  const candidates = b
    ? [...b.alertVendors, ...(ed?.droppedAlerts ?? []), ...b.topVendors].filter(
        (v, i, all) => v && all.indexOf(v) === i,
      )
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
          defaultValue={week ?? ''}
          key={week}
          pattern="\d{4}-W\d{2}"
        />
        <button type="submit">{lang === 'zh' ? '打开' : 'Open'}</button>
      </form>
      <Status loading={d.loading && !b} error={d.error} />
      <ErrorLine error={err} />
      {b && ed && (
        <>
          <p className="meta">
            {b.start} – {b.end} ·{' '}
            {frozen
              ? `${lang === 'zh' ? '已发布' : 'Published'} ${b.publishedAt?.slice(0, 16).replace('T', ' ') ?? ''}`
              : lang === 'zh'
                ? '草稿（数据实时计算）'
                : 'Draft (computed live)'}{' '}
            · {lang === 'zh' ? '收录' : 'collected'} {b.total} · {lang === 'zh' ? '高危' : 'high'} {b.high}
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
                    const shown = b.alertVendors.includes(v);
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
            <a href={`/api/v1/bulletins/${week ?? ''}?lang=${previewLang}&format=pdf`}>PDF</a>
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
                  perform(client.POST('/api/v1/bulletins/{id}/publish', { params: { path } })).then(
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
            src={`/api/v1/bulletins/${week ?? ''}?lang=${previewLang}&format=html&v=${version}`}
          />
        </>
      )}
    </div>
  );
}
