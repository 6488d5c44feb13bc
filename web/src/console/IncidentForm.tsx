/**
 * Create or edit an incident: victims and sectors, dates, status, initial vector, TLP, the attack chain as
 * ordered steps (ATT&CK tactic, technique ids, linked vulnerability ids), affected assets, data taken,
 * indicators (defanged values are accepted and refanged by the server), attribution. The server validates and
 * names every problem by its field path; they are listed above the form.
 */
import { useContext, useState } from 'react';
import { ApiError, send } from '../api.js';
import { LangContext } from '../i18n.js';
import { INDICATOR_TYPES, label } from '../labels.js';
import { navigate } from '../main.js';
import { Status } from '../pages/bits.js';
import { useApi } from '../pages/useApi.js';
import {
  ASSET_KINDS,
  ATTACK_PHASES,
  SECTORS,
  STATUSES,
  TLP_LEVELS,
  VECTORS,
} from '../../../src/incidents/tables.js';

interface Step {
  order: number;
  phase: string;
  description: string;
  techniqueIds: string[];
  vulnerabilityIds: string[];
  assets?: string;
}
interface Draft {
  title: string;
  summary: string;
  victims: Array<{ name: string; sector: string; organisationId?: number }>;
  discoveredAt: string;
  startedAt?: string;
  endedAt?: string;
  status: string;
  vector: string;
  tlp: string;
  attackChain: Step[];
  assets: Array<{ kind: string; count: number }>;
  dataTaken?: string;
  indicators: Array<{ type: string; value: string; description?: string }>;
  attribution?: { actor: string; confidence: string };
}

const empty = (): Draft => ({
  title: '',
  summary: '',
  victims: [{ name: '', sector: 'other' }],
  discoveredAt: new Date().toISOString().slice(0, 10),
  status: 'open',
  vector: 'vulnerability-exploit',
  tlp: 'amber',
  attackChain: [
    { order: 1, phase: 'initial-access', description: '', techniqueIds: [], vulnerabilityIds: [] },
  ],
  assets: [],
  indicators: [],
});

const list = (s: string) =>
  s
    .split(/[\s,，、]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function Options({ table, lang }: { table: Record<string, { zh: string; en: string }>; lang: 'zh' | 'en' }) {
  return (
    <>
      {Object.keys(table).map((k) => (
        <option key={k} value={k}>
          {label(table, k, lang)}
        </option>
      ))}
    </>
  );
}

export function IncidentEdit({ id }: { id: string }) {
  const existing = useApi<Draft & { id: string }>(`/api/v1/incidents/${id}`);
  if (!existing.data) return <Status loading={existing.loading} error={existing.error} />;
  return <IncidentForm id={id} initial={existing.data} />;
}

export function IncidentForm({ id, initial }: { id?: string; initial?: Draft }) {
  const { lang } = useContext(LangContext);
  const [d, setD] = useState<Draft>(() => initial ?? empty());
  const [problems, setProblems] = useState<Array<{ field: string; message: string }>>([]);
  const [err, setErr] = useState<string | null>(null);
  const zh = lang === 'zh';
  const up = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const row = <K extends 'victims' | 'attackChain' | 'assets' | 'indicators'>(
    key: K,
    i: number,
    patch: Partial<Draft[K][number]>,
  ) => setD((x) => ({ ...x, [key]: x[key].map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  const drop = (key: 'victims' | 'attackChain' | 'assets' | 'indicators', i: number) =>
    setD((x) => ({ ...x, [key]: x[key].filter((_, j) => j !== i) }));
  return (
    <form
      className="panel wide incident-form"
      aria-label="incident"
      onSubmit={(e) => {
        e.preventDefault();
        const body: Record<string, unknown> = {
          ...d,
          attackChain: d.attackChain.map((s, i) => ({ ...s, order: i + 1 })),
        };
        for (const k of ['startedAt', 'endedAt', 'dataTaken'] as const) if (!d[k]) delete body[k];
        if (!d.attribution?.actor) delete body.attribution;
        send<{ id: string }>(
          id ? 'PUT' : 'POST',
          id ? `/api/v1/incidents/${id}` : '/api/v1/incidents',
          body,
        ).then(
          (r) => navigate(`/console/incidents/${r.id}`),
          (x: unknown) => {
            const details = x instanceof ApiError ? x.details : undefined;
            setProblems(Array.isArray(details?.problems) ? (details.problems as typeof problems) : []);
            setErr(x instanceof Error ? x.message : String(x));
          },
        );
      }}
    >
      <h1>{id ? (zh ? `编辑事件 ${id}` : `Edit ${id}`) : zh ? '新建安全事件' : 'New incident'}</h1>
      {err && (
        <div className="status error" role="alert">
          {problems.length ? (
            <ul>
              {problems.map((p) => (
                <li key={p.field + p.message}>
                  <code>{p.field}</code> {p.message}
                </li>
              ))}
            </ul>
          ) : (
            err
          )}
        </div>
      )}
      <label>
        {zh ? '事件名称' : 'Title'}
        <input value={d.title} onChange={(e) => up({ title: e.target.value })} required maxLength={300} />
      </label>
      <label>
        {zh ? '事件概述' : 'Summary'}
        <textarea value={d.summary} onChange={(e) => up({ summary: e.target.value })} rows={4} />
      </label>
      <div className="row3">
        <label>
          {zh ? '发现日期' : 'Discovered'}
          <input
            type="date"
            value={d.discoveredAt.slice(0, 10)}
            onChange={(e) => up({ discoveredAt: e.target.value })}
            required
          />
        </label>
        <label>
          {zh ? '开始日期' : 'Started'}
          <input
            type="date"
            value={d.startedAt?.slice(0, 10) ?? ''}
            onChange={(e) => up({ startedAt: e.target.value })}
          />
        </label>
        <label>
          {zh ? '结束日期' : 'Ended'}
          <input
            type="date"
            value={d.endedAt?.slice(0, 10) ?? ''}
            onChange={(e) => up({ endedAt: e.target.value })}
          />
        </label>
        <label>
          {zh ? '状态' : 'Status'}
          <select value={d.status} onChange={(e) => up({ status: e.target.value })} disabled={!!id}>
            <Options table={STATUSES} lang={lang} />
          </select>
        </label>
        <label>
          {zh ? '入侵途径' : 'Initial vector'}
          <select value={d.vector} onChange={(e) => up({ vector: e.target.value })}>
            <Options table={VECTORS} lang={lang} />
          </select>
        </label>
        <label>
          TLP
          <select value={d.tlp} onChange={(e) => up({ tlp: e.target.value })}>
            <Options table={TLP_LEVELS} lang={lang} />
          </select>
        </label>
      </div>

      <fieldset>
        <legend>{zh ? '受害单位' : 'Victims'}</legend>
        {d.victims.map((v, i) => (
          <div key={i} className="row3">
            <label>
              {zh ? '单位名称' : 'Organisation'}
              <input value={v.name} onChange={(e) => row('victims', i, { name: e.target.value })} required />
            </label>
            <label>
              {zh ? '行业' : 'Sector'}
              <select value={v.sector} onChange={(e) => row('victims', i, { sector: e.target.value })}>
                <Options table={SECTORS} lang={lang} />
              </select>
            </label>
            <button type="button" className="linkish" onClick={() => drop('victims', i)}>
              {zh ? '移除' : 'Remove'}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="linkish"
          onClick={() => up({ victims: [...d.victims, { name: '', sector: 'other' }] })}
        >
          {zh ? '+ 受害单位' : '+ Victim'}
        </button>
      </fieldset>

      <fieldset>
        <legend>{zh ? '攻击链（按顺序）' : 'Attack chain (in order)'}</legend>
        {d.attackChain.map((s, i) => (
          <div key={i} className="step">
            <strong>{i + 1}.</strong>
            <div className="row3">
              <label>
                {zh ? '阶段（ATT&CK 战术）' : 'Phase (ATT&CK tactic)'}
                <select value={s.phase} onChange={(e) => row('attackChain', i, { phase: e.target.value })}>
                  <Options table={ATTACK_PHASES} lang={lang} />
                </select>
              </label>
              <label>
                {zh ? 'ATT&CK 技术编号' : 'ATT&CK technique ids'}
                <input
                  defaultValue={s.techniqueIds.join(', ')}
                  placeholder="T1190, T1078.001"
                  onChange={(e) => row('attackChain', i, { techniqueIds: list(e.target.value) })}
                />
              </label>
              <label>
                {zh ? '利用的漏洞编号' : 'Vulnerability ids used'}
                <input
                  defaultValue={s.vulnerabilityIds.join(', ')}
                  placeholder="CVE-2021-26855, CNVD-2024-12345"
                  onChange={(e) => row('attackChain', i, { vulnerabilityIds: list(e.target.value) })}
                />
              </label>
            </div>
            <label>
              {zh ? '描述' : 'Description'}
              <input
                value={s.description}
                onChange={(e) => row('attackChain', i, { description: e.target.value })}
                required
              />
            </label>
            <button type="button" className="linkish" onClick={() => drop('attackChain', i)}>
              {zh ? '移除此步' : 'Remove step'}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="linkish"
          onClick={() =>
            up({
              attackChain: [
                ...d.attackChain,
                {
                  order: d.attackChain.length + 1,
                  phase: 'lateral-movement',
                  description: '',
                  techniqueIds: [],
                  vulnerabilityIds: [],
                },
              ],
            })
          }
        >
          {zh ? '+ 攻击步骤' : '+ Step'}
        </button>
      </fieldset>

      <fieldset>
        <legend>{zh ? '受影响资产' : 'Affected assets'}</legend>
        {d.assets.map((a, i) => (
          <div key={i} className="row3">
            <label>
              {zh ? '类型' : 'Kind'}
              <select value={a.kind} onChange={(e) => row('assets', i, { kind: e.target.value })}>
                <Options table={ASSET_KINDS} lang={lang} />
              </select>
            </label>
            <label>
              {zh ? '数量' : 'Count'}
              <input
                type="number"
                min={1}
                value={a.count}
                onChange={(e) => row('assets', i, { count: Number(e.target.value) })}
              />
            </label>
            <button type="button" className="linkish" onClick={() => drop('assets', i)}>
              {zh ? '移除' : 'Remove'}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="linkish"
          onClick={() => up({ assets: [...d.assets, { kind: 'server', count: 1 }] })}
        >
          {zh ? '+ 资产' : '+ Assets'}
        </button>
        <label>
          {zh ? '被窃取的数据' : 'Data taken'}
          <input value={d.dataTaken ?? ''} onChange={(e) => up({ dataTaken: e.target.value })} />
        </label>
      </fieldset>

      <fieldset>
        <legend>
          {zh
            ? '威胁指标（可粘贴去武器化格式，如 hxxp://evil[.]com）'
            : 'Indicators (defanged values welcome: hxxp://evil[.]com)'}
        </legend>
        {d.indicators.map((x, i) => (
          <div key={i} className="row3">
            <label>
              {zh ? '类型' : 'Type'}
              <select value={x.type} onChange={(e) => row('indicators', i, { type: e.target.value })}>
                <Options table={INDICATOR_TYPES} lang={lang} />
              </select>
            </label>
            <label>
              {zh ? '值' : 'Value'}
              <input
                value={x.value}
                onChange={(e) => row('indicators', i, { value: e.target.value })}
                required
              />
            </label>
            <label>
              {zh ? '说明' : 'Note'}
              <input
                value={x.description ?? ''}
                onChange={(e) => row('indicators', i, { description: e.target.value })}
              />
            </label>
            <button type="button" className="linkish" onClick={() => drop('indicators', i)}>
              {zh ? '移除' : 'Remove'}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="linkish"
          onClick={() => up({ indicators: [...d.indicators, { type: 'ipv4', value: '' }] })}
        >
          {zh ? '+ 指标' : '+ Indicator'}
        </button>
      </fieldset>

      <div className="row3">
        <label>
          {zh ? '归因（攻击组织）' : 'Attribution (actor)'}
          <input
            value={d.attribution?.actor ?? ''}
            onChange={(e) =>
              up({ attribution: { actor: e.target.value, confidence: d.attribution?.confidence ?? 'low' } })
            }
          />
        </label>
        <label>
          {zh ? '置信度' : 'Confidence'}
          <select
            value={d.attribution?.confidence ?? 'low'}
            onChange={(e) =>
              up({ attribution: { actor: d.attribution?.actor ?? '', confidence: e.target.value } })
            }
          >
            <option value="low">{zh ? '低' : 'Low'}</option>
            <option value="medium">{zh ? '中' : 'Medium'}</option>
            <option value="high">{zh ? '高' : 'High'}</option>
          </select>
        </label>
      </div>
      <button type="submit">{id ? (zh ? '保存' : 'Save') : zh ? '创建事件' : 'Create incident'}</button>
    </form>
  );
}
