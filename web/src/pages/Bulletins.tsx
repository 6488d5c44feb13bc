import { useContext } from 'react';
import { LangContext, useT } from '../i18n.js';
import { Status } from './bits.js';
import { useLoad } from './useApi.js';
import { call, client } from '../api/client.js';

export function Bulletins() {
  const t = useT();
  const { lang } = useContext(LangContext);
  const { data, error, loading } = useLoad('bulletins', () =>
    call(client.GET('/api/v1/bulletins', { params: { query: { limit: 100 } } })),
  );
  return (
    <div>
      <h1>{t('bulletins')}</h1>
      <Status loading={loading} error={error} />
      {data?.items?.length === 0 && <p className="status">{t('noBulletins')}</p>}
      <ul className="list">
        {data?.items?.map((b) => (
          <li key={b.id} className="bulletin">
            <strong>{lang === 'zh' ? `${b.year}年第${b.week}期` : `${b.year}, No. ${b.week}`}</strong>
            <span className="meta">
              {b.start} – {b.end} · {b.total} · {t('high')} {b.high}
            </span>
            <a href={`/api/v1/bulletins/${b.id}?lang=${lang}&format=html`}>HTML</a>
            <a href={`/api/v1/bulletins/${b.id}?lang=${lang}&format=pdf`}>PDF</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
