/**
 * Create or edit an incident: victims and sectors, dates, status, initial vector, TLP, the attack chain as
 * ordered steps (ATT&CK tactic, technique ids, linked vulnerability ids), affected assets, data taken,
 * indicators (defanged values are accepted and refanged by the server), attribution. The server validates and
 * names every problem by its field path; they are listed above the form.
 */
import { useContext, useState } from 'react';
import { ApiError, messageOf } from '../api.js';
import { call, client, type Answer } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { INDICATOR_TYPES } from '../labels.js';
import { navigate } from '../main.js';
import { Status } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { useVocabularies } from '../vocabularies.js';

/** The incident as the form edits it: the document's fields, without what the server keeps. */
type Draft = Omit<
  Answer<'getIncident'>,
  'id' | 'createdAt' | 'updatedAt' | 'caseTrackingNo' | 'history' | 'sharedWithOrganisationIds'
>;
type Rows = 'victims' | 'attackChain' | 'assets' | 'indicators';

const CONFIDENCES = {
  low: { zh: '低', en: 'Low' },
  medium: { zh: '中', en: 'Medium' },
  high: { zh: '高', en: 'High' },
};

/** The per-field problems an invalid_input error lists in its details. */
function problemsOf(details: Record<string, unknown>): Array<{ field: string; message: string }> {
  const list = details.problems;
  if (!Array.isArray(list)) return [];
  return list.flatMap((p: unknown) =>
    typeof p === 'object' && p !== null && 'field' in p && 'message' in p
      ? [{ field: String(p.field), message: String(p.message) }]
      : [],
  );
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

/** A select over a code table: it only ever yields one of the table's codes. */
function Choice<K extends string>({
  table,
  value,
  onChange,
  disabled,
}: {
  table: Record<K, { zh: string; en: string }> | undefined;
  value: K | undefined;
  onChange: (k: K) => void;
  disabled?: boolean;
}) {
  const { lang } = useContext(LangContext);
  const isCode = (k: string): k is K => !!table && Object.hasOwn(table, k);
  return (
    <select
      value={value ?? ''}
      disabled={disabled}
      onChange={(e) => {
        const k = e.target.value;
        if (isCode(k)) onChange(k);
      }}
    >
      {Object.keys(table ?? {})
        .filter(isCode)
        .map((k) => (
          <option key={k} value={k}>
            {table?.[k][lang] ?? k}
          </option>
        ))}
    </select>
  );
}

export function IncidentEdit({ id }: { id: string }) {
  const existing = useLoad(id, () =>
    call(client.GET('/api/v1/incidents/{id}', { params: { path: { id } } })),
  );
  if (!existing.data) return <Status loading={existing.loading} error={existing.error} />;
  return <IncidentForm id={id} initial={existing.data} />;
}

export function IncidentForm({ id, initial }: { id?: string; initial?: Draft }) {
  const { lang } = useContext(LangContext);
  const tables = useVocabularies()?.incidents;
  const [d, setD] = useState<Draft>(() => initial ?? empty());
  const [problems, setProblems] = useState<Array<{ field: string; message: string }>>([]);
  const [err, setErr] = useState<string | null>(null);
  const zh = lang === 'zh';
  const up = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const row = <K extends Rows>(key: K, i: number, patch: Partial<NonNullable<Draft[K]>[number]>) =>
    setD((x) => ({
      ...x,
      [key]: (x[key] ?? []).map((r, j) => (j === i ? { ...r, ...patch } : r)),
    }));
  const drop = (key: Rows, i: number) =>
    setD((x) => ({ ...x, [key]: (x[key] ?? []).filter((_, j) => j !== i) }));
  const chain = d.attackChain ?? [];
  const assets = d.assets ?? [];
  const indicators = d.indicators ?? [];
  return (
    <form
      className="panel wide incident-form"
      aria-label="incident"
      onSubmit={(e) => {
        e.preventDefault();
        const body: Record<string, unknown> = {
          ...d,
          attackChain: chain.map((s, i) => ({ ...s, order: i + 1 })),
        };
        for (const k of ['startedAt', 'endedAt', 'dataTaken'] as const) if (!d[k]) delete body[k];
        if (!d.attribution?.actor) delete body.attribution;
        call(
          id
            ? client.PUT('/api/v1/incidents/{id}', { params: { path: { id } }, body })
            : client.POST('/api/v1/incidents', { body }),
        ).then(
          (r) => navigate(`/console/incidents/${r.id}`),
          (x: unknown) => {
            setProblems(x instanceof ApiError ? problemsOf(x.details) : []);
            setErr(messageOf(x));
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
          <Choice
            table={tables?.statuses}
            value={d.status}
            onChange={(status) => up({ status })}
            disabled={!!id}
          />
        </label>
        <label>
          {zh ? '入侵途径' : 'Initial vector'}
          <Choice table={tables?.vectors} value={d.vector} onChange={(vector) => up({ vector })} />
        </label>
        <label>
          TLP
          <Choice table={tables?.tlpLevels} value={d.tlp} onChange={(tlp) => up({ tlp })} />
        </label>
      </div>

      <fieldset>
        <legend>{zh ? '受害单位' : 'Victims'}</legend>
        {d.victims.map((v, i) => (
          <div key={i} className="row3">
            <label>
              {zh ? '单位名称' : 'Organisation'}
              <input
                value={v.name ?? ''}
                onChange={(e) => row('victims', i, { name: e.target.value })}
                required
              />
            </label>
            <label>
              {zh ? '行业' : 'Sector'}
              <Choice
                table={tables?.sectors}
                value={v.sector}
                onChange={(sector) => row('victims', i, { sector })}
              />
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
        {chain.map((s, i) => (
          <div key={i} className="step">
            <strong>{i + 1}.</strong>
            <div className="row3">
              <label>
                {zh ? '阶段（ATT&CK 战术）' : 'Phase (ATT&CK tactic)'}
                <Choice
                  table={tables?.attackPhases}
                  value={s.phase}
                  onChange={(phase) => row('attackChain', i, { phase })}
                />
              </label>
              <label>
                {zh ? 'ATT&CK 技术编号' : 'ATT&CK technique ids'}
                <input
                  defaultValue={s.techniqueIds?.join(', ')}
                  placeholder="T1190, T1078.001"
                  onChange={(e) => row('attackChain', i, { techniqueIds: list(e.target.value) })}
                />
              </label>
              <label>
                {zh ? '利用的漏洞编号' : 'Vulnerability ids used'}
                <input
                  defaultValue={s.vulnerabilityIds?.join(', ')}
                  placeholder="CVE-2021-26855, CNVD-2024-12345"
                  onChange={(e) => row('attackChain', i, { vulnerabilityIds: list(e.target.value) })}
                />
              </label>
            </div>
            <label>
              {zh ? '描述' : 'Description'}
              <input
                value={s.description ?? ''}
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
                ...chain,
                {
                  order: chain.length + 1,
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
        {assets.map((a, i) => (
          <div key={i} className="row3">
            <label>
              {zh ? '类型' : 'Kind'}
              <Choice
                table={tables?.assetKinds}
                value={a.kind}
                onChange={(kind) => row('assets', i, { kind })}
              />
            </label>
            <label>
              {zh ? '数量' : 'Count'}
              <input
                type="number"
                min={1}
                value={a.count ?? 1}
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
          onClick={() => up({ assets: [...assets, { kind: 'server', count: 1 }] })}
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
        {indicators.map((x, i) => (
          <div key={i} className="row3">
            <label>
              {zh ? '类型' : 'Type'}
              <Choice
                table={INDICATOR_TYPES}
                value={x.type}
                onChange={(type) => row('indicators', i, { type })}
              />
            </label>
            <label>
              {zh ? '值' : 'Value'}
              <input
                value={x.value ?? ''}
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
          onClick={() => up({ indicators: [...indicators, { type: 'ipv4', value: '' }] })}
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
          <Choice
            table={CONFIDENCES}
            value={d.attribution?.confidence ?? 'low'}
            onChange={(confidence) => up({ attribution: { actor: d.attribution?.actor ?? '', confidence } })}
          />
        </label>
      </div>
      <button type="submit">{id ? (zh ? '保存' : 'Save') : zh ? '创建事件' : 'Create incident'}</button>
    </form>
  );
}
