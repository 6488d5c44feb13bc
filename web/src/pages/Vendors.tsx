/** Vendor pages: vendors by number of records, and one vendor's records with its Atom feed. */
import { useContext, useState } from 'react';
import { call, client } from '../api/client.js';
import { LangContext, useT } from '../i18n.js';
import { Link } from '../main.js';
import { Status, VulnRow } from './bits.js';
import { useLoad } from './useApi.js';

export function Vendors() {
  const t = useT();
  const { lang } = useContext(LangContext);
  const [q, setQ] = useState('');
  const list = useLoad(`vendors:${q}`, () =>
    call(client.GET('/api/v1/vendors', { params: { query: { limit: 100, ...(q ? { q } : {}) } } })),
  );
  return (
    <div>
      <h1>{lang === 'zh' ? '厂商' : 'Vendors'}</h1>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label={t('vendor')}
          placeholder={lang === 'zh' ? '厂商名称' : 'Vendor name'}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </form>
      <Status
        loading={list.loading && !list.data}
        error={list.error}
        empty={list.data?.items?.length === 0}
      />
      <ul className="vendors">
        {list.data?.items?.map((v) => (
          <li key={v.vendor}>
            <Link to={`/vendors/${encodeURIComponent(v.vendor ?? '')}`}>{v.vendor}</Link>{' '}
            <span className="meta">
              {v.count} · {t('high')} {v.high}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Vendor({ name }: { name: string }) {
  const t = useT();
  const { lang } = useContext(LangContext);
  const v = encodeURIComponent(name);
  const r = useLoad(name, () =>
    call(
      client.GET('/api/v1/vulnerabilities', {
        params: { query: { vendor: [name], sort: 'date', limit: 50, facets: ['severity'] } },
      }),
    ),
  );
  const sev: Record<string, number> = {};
  for (const f of r.data?.facets?.severity ?? []) if (f.value) sev[f.value] = f.count ?? 0;
  return (
    <div>
      <p>
        <Link to="/vendors">← {lang === 'zh' ? '厂商' : 'Vendors'}</Link>
      </p>
      <h1>{name}</h1>
      {r.data && (
        <p className="meta">
          {r.data.total}
          {r.data.totalIsExact ? '' : '+'} {t('results')} · {t('high')} {sev.high ?? 0} · {t('medium')}{' '}
          {sev.medium ?? 0} · {t('low')} {sev.low ?? 0} ·{' '}
          <Link to={`/vulnerabilities?vendor=${v}`}>
            {lang === 'zh' ? '在列表中筛选' : 'Filter in the list'}
          </Link>{' '}
          · <a href={`/api/v1/vulnerabilities.atom?vendor=${v}&lang=${lang}`}>Atom</a>
        </p>
      )}
      <Status loading={r.loading} error={r.error} empty={r.data?.items?.length === 0} />
      <ul className="list">
        {r.data?.items?.map((x) => (
          <VulnRow key={x.id} v={x} />
        ))}
      </ul>
    </div>
  );
}
