/** One alliance member's page (/alliance/CCTGA-000150): its certificate, status, dates and what an active member receives. */
import { useContext } from 'react';
import { call, client, type Answer } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status } from './bits.js';
import { useLoad } from './useApi.js';

type Member = Answer<'getAllianceMember'>;

const STATUS_LABEL: Record<Member['status'], { zh: string; en: string }> = {
  active: { zh: '有效', en: 'Active' },
  suspended: { zh: '暂停', en: 'Suspended' },
  expired: { zh: '已过期', en: 'Expired' },
};

/** What membership brings while it is active (the sharing audience of issue 17). */
const RECEIVES = [
  { zh: '公开前的漏洞预警（早期通报）', en: 'Early warnings of vulnerabilities before publication' },
  {
    zh: 'CSAF 提供方的 TLP:AMBER 文档（/.well-known/csaf/amber/，以成员单位账号登录）',
    en: 'TLP:AMBER documents of the CSAF provider (/.well-known/csaf/amber/, signed in with a member account)',
  },
  {
    zh: '关注清单提前预警：匹配的漏洞在禁止公开期内即告知（注明公开日期）',
    en: 'Watchlist early warnings: matching records while still under embargo, with the date they may be published',
  },
] as const;

export function AllianceMember({ certificate }: { certificate: string }) {
  const { lang } = useContext(LangContext);
  const zh = lang === 'zh';
  const m = useLoad(`alliance-member:${certificate}`, () =>
    call(client.GET('/api/v1/alliance/members/{certificate}', { params: { path: { certificate } } })),
  );
  return (
    <article className="detail">
      <p>
        <Link to="/alliance">← {zh ? '联盟成员' : 'Alliance members'}</Link>
      </p>
      <Status loading={m.loading && !m.data} error={m.error} />
      {m.data && (
        <>
          <h1>{!zh && m.data.nameEn ? m.data.nameEn : m.data.name}</h1>
          {m.data.nameEn && <p className="meta">{zh ? m.data.nameEn : m.data.name}</p>}
          <dl className="facts">
            <dt>{zh ? '联盟证书编号' : 'Certificate'}</dt>
            <dd>
              <code>{m.data.certificate}</code>
              {m.data.certificateRaw !== m.data.certificate && (
                <span className="meta">
                  {' '}
                  ({zh ? '名单原文' : 'as listed'} <code>{m.data.certificateRaw}</code>)
                </span>
              )}
            </dd>
            <dt>{zh ? '状态' : 'Status'}</dt>
            <dd>{STATUS_LABEL[m.data.status][lang]}</dd>
            <dt>{zh ? '加入日期' : 'Joined'}</dt>
            <dd>{m.data.joinedOn}</dd>
            <dt>{zh ? '有效期至（续期日期）' : 'Valid until (renewal)'}</dt>
            <dd>{m.data.renewalOn ?? '—'}</dd>
          </dl>
          <h2>{zh ? '成员单位可获得' : 'What a member receives'}</h2>
          {m.data.status === 'active' ? (
            <ul>
              {RECEIVES.map((r) => (
                <li key={r.en}>{r[lang]}</li>
              ))}
            </ul>
          ) : (
            <p className="meta">
              {zh
                ? '成员资格暂停或过期期间不接收联盟共享内容。'
                : 'While suspended or expired, a member receives none of the alliance’s shared material.'}
            </p>
          )}
        </>
      )}
    </article>
  );
}
