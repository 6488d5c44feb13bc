import { useContext } from 'react';
import { LangContext, useT } from '../i18n.js';
import { Severity, Status, pick } from './bits.js';
import { useLoad } from './useApi.js';
import { call, client } from '../api/client.js';
import { METRIC_NAMES } from '../labels.js';

const DATE_NAMES: Record<string, { zh: string; en: string }> = {
  submitted: { zh: '报送', en: 'submitted' },
  collected: { zh: '收录', en: 'collected' },
  published: { zh: '公开', en: 'published' },
  updated: { zh: '更新', en: 'updated' },
};

export function Detail({ id }: { id: string }) {
  const t = useT();
  const { lang } = useContext(LangContext);
  const { data, error, code, loading } = useLoad(id, () =>
    call(client.GET('/api/v1/vulnerabilities/{id}', { params: { path: { id }, query: { raw: false } } })),
  );
  if (!data?.vulnerability)
    return <Status loading={loading} error={code === 'not_found' ? t('notFound') : error} />;
  const v = data.vulnerability;
  return (
    <article className="detail">
      <h1>
        <Severity s={v.severity} /> {pick(v.title, lang) || id}
      </h1>
      <dl className="facts">
        <dt>{t('aliases')}</dt>
        <dd>
          {v.aliases?.map((a) => (
            <code key={a}>{a}</code>
          ))}
        </dd>
        <dt>{t('kind')}</dt>
        <dd>
          {t(v.kind === 'event' ? 'event' : 'general')}
          {v.zeroDay && <span className="tag">0day</span>}
          {v.exploited && <span className="tag red">KEV {v.exploited.dateAdded}</span>}
        </dd>
        {!!v.weaknesses?.length && (
          <>
            <dt>{t('weakness')}</dt>
            <dd>
              {v.weaknesses
                .map(
                  (w) =>
                    `${pick({ zh: w.nameZh, en: w.nameEn }, lang)}${w.cwe ? ` (${w.cwe})` : ''}${w.source === 'inferred' ? ` — ${t('weaknessInferred')}` : ''}`,
                )
                .join('；')}
            </dd>
          </>
        )}
        <dt>{t('dates')}</dt>
        <dd>
          {Object.entries(v.dates ?? {})
            .filter(([, d]) => d)
            .map(([k, d]) => `${DATE_NAMES[k]?.[lang] ?? k} ${String(d).slice(0, 10)}`)
            .join(' · ')}
        </dd>
        {!!v.credits?.length && (
          <>
            <dt>{t('credits')}</dt>
            <dd>{v.credits.join('、')}</dd>
          </>
        )}
      </dl>
      <h2>{t('description')}</h2>
      <p className="prose">{pick(v.description, lang)}</p>
      {!!v.products?.length && (
        <>
          <h2>{t('products')}</h2>
          <ul>
            {v.products.map((p, i) => (
              <li key={i}>
                {p.vendor} {p.product} {p.versions?.join(', ')}
              </li>
            ))}
          </ul>
        </>
      )}
      {!!v.cvss?.length && (
        <>
          <h2>{t('cvss')}</h2>
          {v.cvss.map((c) => (
            <div key={c.vector} className="cvss">
              <div>
                <strong>{c.baseScore?.toFixed(1)}</strong> CVSS {c.version} <code>{c.vector}</code>
                {c.provider ? ` · ${c.provider}` : ''}
              </div>
              <table>
                <tbody>
                  {(c.vector ?? '')
                    .replace(/^CVSS:[\d.]+\//, '')
                    .split('/')
                    .map((m) => m.split(':'))
                    .filter(([k]) => k && METRIC_NAMES[k])
                    .map(([k, val]) => (
                      <tr key={k}>
                        <th>{METRIC_NAMES[k ?? '']?.[lang]}</th>
                        <td>
                          {k}:{val}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          ))}
        </>
      )}
      {(v.solution || v.patch) && (
        <>
          <h2>{t('solution')}</h2>
          {v.solution && <p className="prose">{v.solution}</p>}
          {v.patch?.url && (
            <p>
              <a href={v.patch.url} rel="noreferrer noopener">
                {v.patch.name ?? v.patch.url}
              </a>
            </p>
          )}
        </>
      )}
      {!!v.references?.length && (
        <>
          <h2>{t('references')}</h2>
          <ul className="refs">
            {v.references.map((r) => (
              <li key={r.url}>
                <a href={r.url} rel="noreferrer noopener">
                  {r.name ?? r.url}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('sources')}</h2>
      <ul>
        {data.sources?.map((s) => (
          <li key={`${s.source}:${s.key}`}>
            {s.source?.toUpperCase()} <code>{s.key}</code> · {s.updatedAt?.slice(0, 10)}
          </li>
        ))}
      </ul>
      <h2>{t('history')}</h2>
      <ol className="history">
        {data.history?.map((h, i) => (
          <li key={i}>
            {h.at?.slice(0, 19).replace('T', ' ')} · {h.change} · {h.source ?? ''} {h.sourceKey ?? ''}
            {Object.keys(h.fields ?? {}).length > 0 && (
              <span className="meta"> ({Object.keys(h.fields ?? {}).join(', ')})</span>
            )}
          </li>
        ))}
      </ol>
    </article>
  );
}
