import { useT } from '../i18n.js';

export function Report() {
  const t = useT();
  return (
    <div className="report">
      <h1>{t('report')}</h1>
      <p className="prose">{t('reportIntro')}</p>
      <ol>
        <li>
          <code>POST /api/v1/auth/register</code>
        </li>
        <li>
          <code>POST /api/v1/auth/login</code>
        </li>
        <li>
          <code>POST /api/v1/submissions</code>
        </li>
      </ol>
      <p>
        <a href="/api/docs">API docs</a>
      </p>
    </div>
  );
}
