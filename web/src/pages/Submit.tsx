import { useContext, useEffect, useState } from 'react';
import { ACCEPT, uploadAll } from './Attachments.js';
import { ErrorLine } from './bits.js';
import { messageOf } from '../api.js';
import { call, client, type Body } from '../api/client.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { Link, navigate } from '../main.js';
import { METRIC_NAMES } from '../labels.js';

/** CVSS 3.1 base metrics and their values; names from METRIC_NAMES. */
const METRICS: Array<{ key: string; values: Array<[string, string, string]> }> = [
  {
    key: 'AV',
    values: [
      ['N', '网络', 'Network'],
      ['A', '邻接', 'Adjacent'],
      ['L', '本地', 'Local'],
      ['P', '物理', 'Physical'],
    ],
  },
  {
    key: 'AC',
    values: [
      ['L', '低', 'Low'],
      ['H', '高', 'High'],
    ],
  },
  {
    key: 'PR',
    values: [
      ['N', '无', 'None'],
      ['L', '低', 'Low'],
      ['H', '高', 'High'],
    ],
  },
  {
    key: 'UI',
    values: [
      ['N', '不需要', 'None'],
      ['R', '需要', 'Required'],
    ],
  },
  {
    key: 'S',
    values: [
      ['U', '不变', 'Unchanged'],
      ['C', '改变', 'Changed'],
    ],
  },
  {
    key: 'C',
    values: [
      ['H', '高', 'High'],
      ['L', '低', 'Low'],
      ['N', '无', 'None'],
    ],
  },
  {
    key: 'I',
    values: [
      ['H', '高', 'High'],
      ['L', '低', 'Low'],
      ['N', '无', 'None'],
    ],
  },
  {
    key: 'A',
    values: [
      ['H', '高', 'High'],
      ['L', '低', 'Low'],
      ['N', '无', 'None'],
    ],
  },
];

const L = {
  title: { zh: '报送漏洞', en: 'Report a vulnerability' },
  signIn: { zh: '请先登录或注册。', en: 'Sign in or register first.' },
  kind: { zh: '类型', en: 'Kind' },
  general: { zh: '通用型（产品漏洞）', en: 'General (a product flaw)' },
  event: { zh: '事件型（某单位的系统）', en: 'Event (one organisation’s system)' },
  vtitle: { zh: '漏洞名称', en: 'Title' },
  vendor: { zh: '厂商', en: 'Vendor' },
  product: { zh: '产品', en: 'Product' },
  version: { zh: '版本', en: 'Version' },
  org: { zh: '涉事单位', en: 'Affected organisation' },
  system: { zh: '系统地址（URL 或主机）', en: 'System (URL or host)' },
  description: { zh: '漏洞描述', en: 'Description' },
  reproduction: { zh: '复现步骤 / POC', en: 'Reproduction / POC' },
  cvss: { zh: 'CVSS 3.1 评分', en: 'CVSS 3.1' },
  original: { zh: '原创（本人发现）', en: 'Original (found by me)' },
  collected: { zh: '公开收集', en: 'Collected from a public source' },
  source: { zh: '来源链接', en: 'Source link' },
  submit: { zh: '提交', en: 'Submit' },
  severity: {
    high: { zh: '高危', en: 'High' },
    medium: { zh: '中危', en: 'Medium' },
    low: { zh: '低危', en: 'Low' },
  },
} as const;

export function Submit() {
  const { lang } = useContext(LangContext);
  const { me, ready } = useAuth();
  const [kind, setKind] = useState<'general' | 'event'>('general');
  const [originality, setOriginality] = useState<'original' | 'collected'>('original');
  const [metrics, setMetrics] = useState<Record<string, string>>({});
  const [score, setScore] = useState<{ base: number; severity: 'high' | 'medium' | 'low' } | null>(null);
  // the score follows the metrics as they are picked
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const complete = METRICS.every((m) => metrics[m.key]);
  const vector = complete
    ? `CVSS:3.1/${METRICS.map((m) => `${m.key}:${metrics[m.key] ?? ''}`).join('/')}`
    : null;

  useEffect(() => {
    if (!vector) return setScore(null);
    let live = true;
    call(client.POST('/api/v1/cvss/score', { body: { vector } })).then(
      ({ base, severity }) => {
        if (!live) return;
        // a vector whose base score or band the answer leaves out shows no score
        const band = severity === 'high' || severity === 'medium' || severity === 'low' ? severity : null;
        setScore(typeof base === 'number' && band ? { base, severity: band } : null);
      },
      () => live && setScore(null),
    );
    return () => {
      live = false;
    };
  }, [vector]);

  if (ready && !me)
    return (
      <div className="panel">
        <h1>{L.title[lang]}</h1>
        <p>{L.signIn[lang]}</p>
        <Link to="/login">{lang === 'zh' ? '登录' : 'Sign in'}</Link> ·{' '}
        <Link to="/register">{lang === 'zh' ? '注册' : 'Register'}</Link>
      </div>
    );
  return (
    <form
      className="panel wide"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const v = (k: string) => {
          const x = f.get(k);
          return typeof x === 'string' && x.trim() ? x.trim() : undefined;
        };
        const body: Body<'createSubmission'> = {
          kind,
          // the form requires these; the server names whichever is missing
          title: v('title') ?? '',
          description: v('description') ?? '',
          ...(kind === 'general'
            ? { vendor: v('vendor'), product: v('product'), version: v('version') }
            : { affectedOrganisation: v('org'), affectedSystem: v('system') }),
          reproduction: v('reproduction'),
          ...(vector ? { cvssVector: vector } : {}),
          originality,
          ...(originality === 'collected' ? { sourceUrl: v('source') } : {}),
        };
        call(client.POST('/api/v1/submissions', { body }))
          .then(async ({ trackingNo }) => {
            if (!trackingNo) throw new Error('HTTP 201: no tracking number');
            try {
              await uploadAll(trackingNo, files);
            } catch (x) {
              // the report is in; say which file was refused on its page
              navigate(`/me/submissions/${trackingNo}?upload=${encodeURIComponent(messageOf(x))}`);
              return;
            }
            navigate(`/me/submissions/${trackingNo}`);
          })
          .catch((x: unknown) => setError(messageOf(x)));
      }}
    >
      <h1>{L.title[lang]}</h1>
      <fieldset>
        <legend>{L.kind[lang]}</legend>
        {(['general', 'event'] as const).map((k) => (
          <label key={k} className="inline">
            <input type="radio" name="kind" checked={kind === k} onChange={() => setKind(k)} /> {L[k][lang]}
          </label>
        ))}
      </fieldset>
      <label>
        {L.vtitle[lang]}
        <input name="title" required maxLength={300} />
      </label>
      {kind === 'general' ? (
        <div className="row3">
          <label>
            {L.vendor[lang]}
            <input name="vendor" required />
          </label>
          <label>
            {L.product[lang]}
            <input name="product" required />
          </label>
          <label>
            {L.version[lang]}
            <input name="version" />
          </label>
        </div>
      ) : (
        <div className="row3">
          <label>
            {L.org[lang]}
            <input name="org" required />
          </label>
          <label>
            {L.system[lang]}
            <input name="system" required />
          </label>
        </div>
      )}
      <label>
        {L.description[lang]}
        <textarea name="description" required rows={5} />
      </label>
      <label>
        {L.reproduction[lang]}
        <textarea name="reproduction" rows={4} />
      </label>
      <fieldset className="cvsscalc">
        <legend>{L.cvss[lang]}</legend>
        {METRICS.map((m) => (
          <label key={m.key}>
            {METRIC_NAMES[m.key]?.[lang] ?? m.key}
            <select
              value={metrics[m.key] ?? ''}
              onChange={(e) => setMetrics((x) => ({ ...x, [m.key]: e.target.value }))}
            >
              <option value="">—</option>
              {m.values.map(([v, zh, en]) => (
                <option key={v} value={v}>
                  {lang === 'zh' ? zh : en} ({v})
                </option>
              ))}
            </select>
          </label>
        ))}
        <output aria-live="polite" className="score">
          {score ? (
            <>
              <strong>{score.base.toFixed(1)}</strong>{' '}
              <span className={`sev ${score.severity}`}>{L.severity[score.severity][lang]}</span>{' '}
              <code>{vector}</code>
            </>
          ) : (
            '—'
          )}
        </output>
      </fieldset>
      <fieldset>
        {(['original', 'collected'] as const).map((k) => (
          <label key={k} className="inline">
            <input
              type="radio"
              name="originality"
              checked={originality === k}
              onChange={() => setOriginality(k)}
            />{' '}
            {L[k][lang]}
          </label>
        ))}
        {originality === 'collected' && (
          <label>
            {L.source[lang]}
            <input name="source" type="url" required />
          </label>
        )}
      </fieldset>
      <label>
        {lang === 'zh'
          ? '附件（验证材料、截图、日志；PDF、PNG、JPEG、ZIP、文本，每个不超过 10 MB）'
          : 'Attachments (proof, screenshots, logs: PDF, PNG, JPEG, ZIP, text; ≤ 10 MB each)'}
        <input type="file" multiple accept={ACCEPT} onChange={(e) => setFiles([...(e.target.files ?? [])])} />
      </label>
      <ErrorLine error={error} />
      <button type="submit">{L.submit[lang]}</button>
    </form>
  );
}
