/**
 * An organisation's watchlists (a recipient's own; analysts see every organisation's): the products it runs
 * (vendor, product, a version or range — "< 15.03.05.20", ">= 2.0, < 2.4.1" — or a CPE 2.3 name) and keywords;
 * alerts come once per vulnerability and reason (new, published, exploited), now or as a daily / weekly digest.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Answer } from '../api/client.js';
import { isCode } from '../vocabularies.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { label } from '../labels.js';
import { Link } from '../main.js';
import { ErrorLine, Status } from './bits.js';
import { useLoad } from './useApi.js';
import { text } from '../form.js';

type Item = NonNullable<NonNullable<Answer<'listWatchlists'>['items']>[number]['items']>[number];

const DELIVERY = {
  immediate: { zh: '即时', en: 'Immediately' },
  daily: { zh: '每日摘要', en: 'Daily digest' },
  weekly: { zh: '每周摘要', en: 'Weekly digest' },
};
const REASONS = {
  new: { zh: '新收录', en: 'New' },
  published: { zh: '新公开', en: 'Published' },
  exploited: { zh: '已被利用', en: 'Exploited' },
};
const KINDS = {
  product: { zh: '产品', en: 'Product' },
  cpe: { zh: 'CPE 2.3', en: 'CPE 2.3' },
  keyword: { zh: '关键词', en: 'Keyword' },
};

const describe = (i: Item) =>
  i.kind === 'cpe'
    ? (i.cpe ?? '')
    : i.kind === 'keyword'
      ? `“${i.keyword ?? ''}”`
      : [i.vendor, i.product, i.range].filter(Boolean).join(' · ');

export function Watchlists() {
  const { lang } = useContext(LangContext);
  const { me, ready } = useAuth();
  const zh = lang === 'zh';
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const lists = useLoad(me ? `lists:${version}` : null, () => call(client.GET('/api/v1/watchlists')));
  const alerts = useLoad(me ? `alerts:${version}` : null, () =>
    call(client.GET('/api/v1/watchlists/alerts', { params: { query: { limit: 50 } } })),
  );
  if (ready && !me) return <p className="status">{zh ? '请先登录。' : 'Sign in first.'}</p>;
  const done = () => {
    setErr(null);
    setVersion((x) => x + 1);
  };
  const fail = (x: unknown) => setErr(messageOf(x));
  return (
    <div>
      <h1>{zh ? '关注列表与预警' : 'Watchlists and alerts'}</h1>
      <p className="meta">
        {zh
          ? '列出贵单位使用的产品（厂商、产品、版本或版本范围，或 CPE 2.3 名称）和关键词；收录、公开或发现被利用的相关漏洞时，将按设定即时或以摘要方式通知贵单位的联系人，每个漏洞每种原因只通知一次。'
          : 'List the products your organisation runs (vendor, product, a version or range, or a CPE 2.3 name) and keywords; when a matching vulnerability is collected, published or found exploited, your contacts hear of it once per vulnerability and reason, immediately or in a digest.'}
      </p>
      <ErrorLine error={err} />
      <Status loading={lists.loading && !lists.data} error={lists.error} />
      {lists.data?.items?.length === 0 && (
        <p className="status">{zh ? '还没有关注列表。' : 'No watchlist yet.'}</p>
      )}
      {lists.data?.items?.map((w) => (
        <section key={w.id} className="panel watchlist" aria-label={w.name}>
          <h2>
            {w.name} <span className="tag">{label(DELIVERY, w.delivery, lang)}</span>
          </h2>
          {!w.items?.length && <p className="status">{zh ? '列表为空。' : 'Empty.'}</p>}
          <ul>
            {w.items?.map((i) => (
              <li key={i.id}>
                <span className="tag">{label(KINDS, i.kind, lang)}</span> {describe(i)}{' '}
                <button
                  type="button"
                  className="linkish"
                  onClick={() =>
                    void perform(
                      client.DELETE('/api/v1/watchlists/{id}/items/{itemId}', {
                        params: { path: { id: w.id ?? 0, itemId: i.id ?? 0 } },
                      }),
                    ).then(done, fail)
                  }
                >
                  {zh ? '移除' : 'Remove'}
                </button>
              </li>
            ))}
          </ul>
          <AddItem watchlistId={w.id} onDone={done} onFail={fail} />
        </section>
      ))}
      <form
        className="panel wide"
        aria-label="new watchlist"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const delivery = text(f, 'delivery', 'immediate');
          perform(
            client.POST('/api/v1/watchlists', {
              body: { name: text(f, 'name', ''), ...(isCode(DELIVERY, delivery) ? { delivery } : {}) },
            }),
          ).then(() => {
            form.reset();
            done();
          }, fail);
        }}
      >
        <h2>{zh ? '新建关注列表' : 'New watchlist'}</h2>
        <div className="row3">
          <label>
            {zh ? '名称' : 'Name'}
            <input name="name" required maxLength={200} />
          </label>
          <label>
            {zh ? '通知方式' : 'Delivery'}
            <select name="delivery" defaultValue="immediate">
              {Object.keys(DELIVERY).map((d) => (
                <option key={d} value={d}>
                  {label(DELIVERY, d, lang)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="submit">{zh ? '新建' : 'Create'}</button>
      </form>
      <h2>{zh ? '最近的预警' : 'Recent alerts'}</h2>
      {alerts.data?.items?.length === 0 && <p className="status">{zh ? '还没有预警。' : 'No alerts yet.'}</p>}
      <table className="board">
        <tbody>
          {alerts.data?.items?.map((a) => (
            <tr key={a.id}>
              <td>
                <Link to={`/vulnerabilities/${a.vulnerabilityId ?? ''}`}>{a.title ?? a.vulnerabilityId}</Link>
                <div className="meta">
                  <code>{a.vulnerabilityId}</code> {a.matchReason}
                </div>
              </td>
              <td>{label(REASONS, a.reason, lang)}</td>
              <td className="meta">{a.watchlist ?? ''}</td>
              <td className="meta">{a.createdAt?.slice(0, 16).replace('T', ' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddItem({
  watchlistId,
  onDone,
  onFail,
}: {
  watchlistId: number;
  onDone: () => void;
  onFail: (x: unknown) => void;
}) {
  const { lang } = useContext(LangContext);
  const zh = lang === 'zh';
  const [kind, setKind] = useState<keyof typeof KINDS>('product');
  return (
    <form
      aria-label={zh ? '添加关注项' : 'add an item'}
      className="additem"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const f = new FormData(form);
        const v = (k: string) => text(f, k, '').trim() || undefined;
        const item =
          kind === 'product'
            ? { kind, vendor: v('vendor'), product: v('product'), range: v('range') }
            : kind === 'cpe'
              ? { kind, cpe: v('cpe') }
              : { kind, keyword: v('keyword') };
        perform(
          client.POST('/api/v1/watchlists/{id}/items', {
            params: { path: { id: watchlistId } },
            body: { items: [item] },
          }),
        ).then(() => {
          form.reset();
          onDone();
        }, onFail);
      }}
    >
      <div className="row3">
        <label>
          {zh ? '类型' : 'Kind'}
          <select
            value={kind}
            onChange={(e) => {
              const k = e.target.value;
              if (isCode(KINDS, k)) setKind(k);
            }}
          >
            {Object.keys(KINDS).map((k) => (
              <option key={k} value={k}>
                {label(KINDS, k, lang)}
              </option>
            ))}
          </select>
        </label>
        {kind === 'product' && (
          <>
            <label>
              {zh ? '厂商' : 'Vendor'}
              <input name="vendor" placeholder="Tenda" />
            </label>
            <label>
              {zh ? '产品' : 'Product'}
              <input name="product" required placeholder="AC15" />
            </label>
            <label>
              {zh ? '版本或范围' : 'Version or range'}
              <input name="range" placeholder="<= 15.03.05.19" />
            </label>
          </>
        )}
        {kind === 'cpe' && (
          <label>
            CPE 2.3
            <input name="cpe" required placeholder="cpe:2.3:o:tenda:ac15_firmware:*:*:*:*:*:*:*:*" />
          </label>
        )}
        {kind === 'keyword' && (
          <label>
            {zh ? '关键词' : 'Keyword'}
            <input name="keyword" required placeholder="Exchange" />
          </label>
        )}
        <button type="submit">{zh ? '添加' : 'Add'}</button>
      </div>
    </form>
  );
}
