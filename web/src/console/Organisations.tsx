/**
 * Organisations and their contacts: vendors, member units with sectors, branches, authorities, reporting
 * units. Analysts add organisations and contacts (e-mail, webhook — its secret shown once — portal inbox).
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Body } from '../api/client.js';
import { isCode } from '../vocabularies.js';
import { LangContext } from '../i18n.js';
import { ORG_KINDS, label } from '../labels.js';
import { Link, navigate } from '../main.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { text } from '../form.js';

const errText = messageOf;

export function Organisations({ search }: { search: string }) {
  const { lang } = useContext(LangContext);
  const params = new URLSearchParams(search);
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const q = params.get('q') ?? '';
  const kind = params.get('kind') ?? '';
  const list = useLoad(`orgs:${q}:${kind}:${version}`, () =>
    call(
      client.GET('/api/v1/organisations', {
        params: { query: { q, ...(isCode(ORG_KINDS, kind) ? { kind } : {}) } },
      }),
    ),
  );
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(search);
    if (v) p.set(k, v);
    else p.delete(k);
    navigate(`/console/organisations${p.size ? `?${p.toString()}` : ''}`);
  };
  return (
    <div>
      <h1>{lang === 'zh' ? '单位' : 'Organisations'}</h1>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          aria-label={lang === 'zh' ? '单位名称' : 'Name'}
          placeholder={lang === 'zh' ? '单位名称' : 'Name'}
          defaultValue={q}
          onChange={(e) => set('q', e.target.value)}
        />
        <select
          aria-label={lang === 'zh' ? '类型' : 'Kind'}
          value={kind}
          onChange={(e) => set('kind', e.target.value)}
        >
          <option value="">{lang === 'zh' ? '全部类型' : 'Any kind'}</option>
          {Object.keys(ORG_KINDS).map((k) => (
            <option key={k} value={k}>
              {label(ORG_KINDS, k, lang)}
            </option>
          ))}
        </select>
      </form>
      <Status loading={list.loading} error={list.error} empty={list.data?.items?.length === 0} />
      <table className="board">
        <tbody>
          {list.data?.items?.map((o) => (
            <tr key={o.id}>
              <td>
                <Link to={`/console/organisations/${o.id}`}>{o.name}</Link>
                {o.nameEn && <div className="meta">{o.nameEn}</div>}
              </td>
              <td>
                {label(ORG_KINDS, o.kind, lang)}{' '}
                {!o.verified && <span className="tag red">{lang === 'zh' ? '未核验' : 'unverified'}</span>}
              </td>
              <td>{o.sector ?? ''}</td>
              <td>{o.region ?? ''}</td>
              <td>{o.allianceCert ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="panel wide"
        aria-label="new organisation"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const newKind = text(f, 'kind', '');
          if (!isCode(ORG_KINDS, newKind)) return;
          const body: Body<'createOrganisation'> = { kind: newKind, name: text(f, 'name', '').trim() };
          for (const k of ['nameEn', 'sector', 'region', 'allianceCert'] as const) {
            const v = text(f, k, '').trim();
            if (v) body[k] = v;
          }
          call(client.POST('/api/v1/organisations', { body })).then(
            (o) => {
              form.reset();
              setErr(null);
              setVersion((x) => x + 1);
              if (o.id !== undefined) navigate(`/console/organisations/${o.id}`);
            },
            (x: unknown) => setErr(errText(x)),
          );
        }}
      >
        <h2>{lang === 'zh' ? '新增单位' : 'Add an organisation'}</h2>
        <div className="row3">
          <label>
            {lang === 'zh' ? '类型' : 'Kind'}
            <select name="kind" defaultValue="vendor">
              {Object.keys(ORG_KINDS).map((k) => (
                <option key={k} value={k}>
                  {label(ORG_KINDS, k, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {lang === 'zh' ? '名称' : 'Name'}
            <input name="name" required maxLength={300} />
          </label>
          <label>
            {lang === 'zh' ? '英文名称' : 'English name'}
            <input name="nameEn" maxLength={300} />
          </label>
          <label>
            {lang === 'zh' ? '行业' : 'Sector'}
            <input name="sector" maxLength={100} placeholder="banking, energy…" />
          </label>
          <label>
            {lang === 'zh' ? '地区' : 'Region'}
            <input name="region" maxLength={100} />
          </label>
          <label>
            {lang === 'zh' ? '联盟证书编号' : 'Alliance certificate'}
            <input name="allianceCert" maxLength={100} />
          </label>
        </div>
        <ErrorLine error={err} />
        <button type="submit">{lang === 'zh' ? '新增' : 'Add'}</button>
      </form>
    </div>
  );
}

export function Organisation({ id }: { id: number }) {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const path = { id };
  const o = useLoad(`${id}:${version}`, () =>
    call(client.GET('/api/v1/organisations/{id}', { params: { path } })),
  );
  if (!o.data) return <Status loading={o.loading} error={o.error} />;
  const org = o.data;
  return (
    <article className="detail">
      <p>
        <Link to="/console/organisations">← {lang === 'zh' ? '单位' : 'Organisations'}</Link> ·{' '}
        <Link to={`/console/disposal?organisationId=${org.id}`}>
          {lang === 'zh' ? '处置看板' : 'Disposal board'}
        </Link>
      </p>
      <h1>{org.name}</h1>
      <dl className="facts">
        <dt>{lang === 'zh' ? '类型' : 'Kind'}</dt>
        <dd>{label(ORG_KINDS, org.kind, lang)}</dd>
        <dt>{lang === 'zh' ? '核验' : 'Standing'}</dt>
        <dd>
          {org.verified
            ? `${lang === 'zh' ? '已核验' : 'verified'} ${org.verifiedAt?.slice(0, 10) ?? ''}`
            : lang === 'zh'
              ? '未核验：不能接收通报'
              : 'not verified: cannot receive notifications'}{' '}
          <button
            type="button"
            onClick={() =>
              void perform(
                client.POST('/api/v1/organisations/{id}/verification', {
                  params: { path },
                  body: { verified: !org.verified },
                }),
              ).then(
                () => {
                  setErr(null);
                  setVersion((x) => x + 1);
                },
                (x: unknown) => setErr(errText(x)),
              )
            }
          >
            {org.verified ? (lang === 'zh' ? '撤销核验' : 'Withdraw') : lang === 'zh' ? '核验' : 'Verify'}
          </button>
        </dd>
        {org.nameEn && (
          <>
            <dt>{lang === 'zh' ? '英文名称' : 'English name'}</dt>
            <dd>{org.nameEn}</dd>
          </>
        )}
        {org.sector && (
          <>
            <dt>{lang === 'zh' ? '行业' : 'Sector'}</dt>
            <dd>{org.sector}</dd>
          </>
        )}
      </dl>
      <h2>{lang === 'zh' ? '联系人' : 'Contacts'}</h2>
      {(org.contacts ?? []).length === 0 && (
        <p className="status">
          {lang === 'zh'
            ? '还没有联系人：通报无法送达。'
            : 'No contact yet: notifications cannot reach them.'}
        </p>
      )}
      <table className="board">
        <tbody>
          {org.contacts?.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.email ?? ''}</td>
              <td className="meta">{c.webhookUrl ?? ''}</td>
              <td>{c.portal ? (lang === 'zh' ? '站内信' : 'Portal inbox') : ''}</td>
              <td>
                {c.mechanism === 'established'
                  ? lang === 'zh'
                    ? '已建立渠道'
                    : 'Established'
                  : lang === 'zh'
                    ? '公开渠道'
                    : 'Public channel'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {secret && (
        <p className="ok" role="status">
          {lang === 'zh' ? 'Webhook 签名密钥（只显示这一次）：' : 'Webhook signing secret (shown once): '}
          <code>{secret}</code>
        </p>
      )}
      <form
        className="panel wide"
        aria-label="new contact"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const body: Body<'addContact'> = {
            name: text(f, 'name', ''),
            portal: f.get('portal') === 'on',
            mechanism: text(f, 'mechanism', 'established') === 'public' ? 'public' : 'established',
          };
          for (const k of ['email', 'webhookUrl'] as const) {
            const v = text(f, k, '').trim();
            if (v) body[k] = v;
          }
          call(client.POST('/api/v1/organisations/{id}/contacts', { params: { path }, body })).then(
            (r) => {
              form.reset();
              setErr(null);
              setSecret(r.webhookSecret ?? null);
              setVersion((x) => x + 1);
            },
            (x: unknown) => setErr(errText(x)),
          );
        }}
      >
        <h2>{lang === 'zh' ? '新增联系人' : 'Add a contact'}</h2>
        <div className="row3">
          <label>
            {lang === 'zh' ? '姓名或岗位' : 'Name or role'}
            <input name="name" required maxLength={200} />
          </label>
          <label>
            {lang === 'zh' ? '电子邮件' : 'E-mail'}
            <input name="email" type="email" maxLength={254} />
          </label>
          <label>
            Webhook URL
            <input name="webhookUrl" type="url" maxLength={2000} />
          </label>
          <label>
            {lang === 'zh' ? '渠道' : 'Channel'}
            <select name="mechanism" defaultValue="established">
              <option value="established">{lang === 'zh' ? '已建立渠道' : 'Established'}</option>
              <option value="public">{lang === 'zh' ? '公开渠道' : 'Public channel'}</option>
            </select>
          </label>
          <label className="inline">
            <input name="portal" type="checkbox" /> {lang === 'zh' ? '站内信' : 'Portal inbox'}
          </label>
        </div>
        <ErrorLine error={err} />
        <button type="submit">{lang === 'zh' ? '新增' : 'Add'}</button>
      </form>
    </article>
  );
}
