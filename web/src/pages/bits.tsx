import { useContext } from 'react';
import { LangContext, useT } from '../i18n.js';
import type { Answer } from '../api/client.js';
import { Link } from '../main.js';

/** One row of a vulnerability search answer. */
export type VulnItem = NonNullable<Answer<'searchVulnerabilities'>['items']>[number];

export const pick = (t: { zh?: string; en?: string } | undefined, lang: 'zh' | 'en') =>
  (lang === 'zh' ? (t?.zh ?? t?.en) : (t?.en ?? t?.zh)) ?? '';

const SEVERITIES = ['high', 'medium', 'low'] as const;
const isSeverity = (s: unknown): s is (typeof SEVERITIES)[number] =>
  (SEVERITIES as readonly unknown[]).includes(s);

export function Severity({ s }: { s: string | null | undefined }) {
  const t = useT();
  if (!isSeverity(s)) return <span className="sev none">—</span>;
  return <span className={`sev ${s}`}>{t(s)}</span>;
}

export function VulnRow({ v }: { v: VulnItem }) {
  const { lang } = useContext(LangContext);
  const id = v.id ?? '';
  return (
    <li className="vuln">
      <Severity s={v.severity} />
      <div>
        <Link to={`/vulnerabilities/${encodeURIComponent(id)}`}>{pick(v.title, lang) || id}</Link>
        <div className="meta">
          <code>{id}</code>
          {typeof v.score === 'number' && <span>CVSS {v.score.toFixed(1)}</span>}
          {v.vendors?.[0] && <span>{v.vendors[0]}</span>}
          {v.published && <span>{v.published.slice(0, 10)}</span>}
          {v.exploited && <span className="tag red">KEV</span>}
          {v.zeroDay && <span className="tag">0day</span>}
        </div>
      </div>
    </li>
  );
}

export function Status({
  loading,
  error,
  empty,
}: {
  loading: boolean;
  error: string | null;
  empty?: boolean;
}) {
  const t = useT();
  if (error)
    return (
      <p className="status error">
        {t('error')}
        {error}
      </p>
    );
  if (loading) return <p className="status">{t('loading')}</p>;
  if (empty) return <p className="status">{t('noResults')}</p>;
  return null;
}

/** An error the user must see, announced to screen readers. */
export function ErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="status error" role="alert">
      {error}
    </p>
  );
}

/** Actors the server names by side, not by person: outsiders see "coordinator" where an analyst acted. */
const ACTORS: Record<string, { zh: string; en: string }> = {
  coordinator: { zh: '协调机构', en: 'Coordinator' },
  system: { zh: '系统', en: 'System' },
};

/** A dated history of state changes: "2026-11-23 17:28 · 已确认 · psirt@… · note". */
export function History({
  entries,
  states,
}: {
  entries: Array<{ at?: string; actor?: string; to?: string; note?: string | null }> | undefined;
  states: Record<string, { zh: string; en: string }>;
}) {
  const { lang } = useContext(LangContext);
  return (
    <ol className="history">
      {entries?.map((e, i) => (
        <li key={i}>
          {e.at?.slice(0, 16).replace('T', ' ')} · {states[e.to ?? '']?.[lang] ?? e.to} ·{' '}
          {ACTORS[e.actor ?? '']?.[lang] ?? e.actor}
          {e.note ? ` · ${e.note}` : ''}
        </li>
      ))}
    </ol>
  );
}
