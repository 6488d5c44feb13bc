/** The alliance member directory (网络安全威胁治理联盟成员): searchable by name or certificate number. */
import { useContext, useState } from 'react';
import { call, client, type Answer } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Status } from './bits.js';
import { useLoad } from './useApi.js';

type Member = Answer<'listAllianceMembers'>['members'][number];

const STATUS_LABEL: Record<Member['status'], { zh: string; en: string }> = {
  active: { zh: '有效', en: 'Active' },
  suspended: { zh: '暂停', en: 'Suspended' },
  expired: { zh: '已过期', en: 'Expired' },
};

export function Alliance() {
  const { lang } = useContext(LangContext);
  const zh = lang === 'zh';
  const [q, setQ] = useState('');
  const [after, setAfter] = useState<string[]>([]);
  const cursor = after.at(-1);
  const list = useLoad(`alliance:${q}:${cursor ?? ''}`, () =>
    call(
      client.GET('/api/v1/alliance/members', {
        params: { query: { limit: 100, ...(q ? { q } : {}), ...(cursor ? { after: cursor } : {}) } },
      }),
    ),
  );
  const counts = list.data?.counts;
  return (
    <div>
      <h1>{zh ? '网络安全威胁治理联盟成员' : 'Cyber Threat Governance Alliance members'}</h1>
      <p className="meta">
        {zh
          ? '联盟成员单位及其联盟证书编号（CCTGA）。可按单位名称或证书编号搜索。'
          : 'Member organisations and their alliance certificate numbers (CCTGA). Search by name or number.'}
        {counts &&
          ` ${zh ? '有效' : 'Active'} ${counts.active} · ${zh ? '暂停' : 'suspended'} ${counts.suspended} · ${
            zh ? '已过期' : 'expired'
          } ${counts.expired}`}
      </p>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label={zh ? '单位名称或证书编号' : 'Name or certificate number'}
          placeholder={zh ? '单位名称或证书编号（如 150）' : 'Name or certificate number (e.g. 150)'}
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setAfter([]);
          }}
        />
      </form>
      <Status
        loading={list.loading && !list.data}
        error={list.error}
        empty={list.data?.members.length === 0}
      />
      {list.data && list.data.members.length > 0 && (
        <table className="table alliance">
          <thead>
            <tr>
              <th>{zh ? '联盟证书编号' : 'Certificate'}</th>
              <th>{zh ? '单位名称' : 'Organisation'}</th>
              <th>{zh ? '状态' : 'Status'}</th>
              <th>{zh ? '加入日期' : 'Joined'}</th>
              <th>{zh ? '续期日期' : 'Renewal'}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.members.map((m) => (
              <tr key={m.certificate}>
                <td>
                  <code>{m.certificate}</code>
                </td>
                <td>
                  <Link to={`/alliance/${m.certificate}`}>{!zh && m.nameEn ? m.nameEn : m.name}</Link>
                </td>
                <td>{STATUS_LABEL[m.status][lang]}</td>
                <td>{m.joinedOn}</td>
                <td>{m.renewalOn ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {after.length > 0 && (
          <button type="button" onClick={() => setAfter(after.slice(0, -1))}>
            {zh ? '上一页' : 'Previous'}
          </button>
        )}{' '}
        {list.data?.next && (
          <button type="button" onClick={() => setAfter([...after, list.data?.next ?? ''])}>
            {zh ? '下一页' : 'Next'}
          </button>
        )}
      </p>
    </div>
  );
}
