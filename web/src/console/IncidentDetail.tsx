/**
 * One incident: victims, dates, the attack chain with ATT&CK techniques and the vulnerabilities used (linked
 * to their records), assets, indicators, attribution, history; status changes; STIX 2.1 export; disposal —
 * notifying the victims and others through the pipeline (an event-type case on the disposal board).
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform, type Answer, type Body } from '../api/client.js';
import { LangContext } from '../i18n.js';
import {
  INDICATOR_TYPES,
  RECIPIENT_CATEGORIES,
  RECIPIENT_CATEGORY_CODES,
  isRecipientCategory,
  label,
} from '../labels.js';
import { Link } from '../main.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { useVocabularies, type LabelTable } from '../vocabularies.js';
import { Tlp } from './Incidents.js';
import { IncidentLegal } from './IncidentLegal.js';
import { text } from '../form.js';

type Detail = Answer<'getIncident'>;
type IncidentStatus = Body<'transitionIncident'>['to'];
type Category = Body<'notifyIncident'>['recipients'][number]['category'];
const CATEGORIES: readonly Category[] = RECIPIENT_CATEGORY_CODES;
const isCategory = (c: string): c is Category => isRecipientCategory(c);

const EVENTS: Record<string, { zh: string; en: string }> = {
  created: { zh: '创建', en: 'created' },
  imported: { zh: '从 STIX 导入', en: 'imported from STIX' },
  edited: { zh: '编辑', en: 'edited' },
  status: { zh: '状态', en: 'status' },
  case: { zh: '转入处置', en: 'handed to disposal' },
  notified: { zh: '已通报', en: 'recipients notified' },
};
function describe(
  h: NonNullable<Detail['history']>[number],
  statuses: LabelTable,
  lang: 'zh' | 'en',
): string {
  const what = label(EVENTS, h.kind ?? '', lang);
  const st = (x: string | null | undefined) => (x ? label(statuses, x, lang) : '');
  if (h.kind === 'status') return `${what}：${st(h.fromStatus)} → ${st(h.toStatus)}`;
  if (h.kind === 'created' || h.kind === 'imported') return `${what}（${st(h.toStatus)}）`;
  if (h.kind === 'edited') return `${what}：${(h.fields ?? []).join(', ')}`;
  return what;
}

const attackUrl = (t: string) => `https://attack.mitre.org/techniques/${t.replace('.', '/')}/`;

export function IncidentDetail({ id, search }: { id: string; search: string }) {
  const { lang } = useContext(LangContext);
  const zh = lang === 'zh';
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const path = { id };
  const i = useLoad(`${id}:${version}`, () =>
    call(client.GET('/api/v1/incidents/{id}', { params: { path } })),
  );
  const orgs = useLoad('organisations', () => call(client.GET('/api/v1/organisations')));
  const tables = useVocabularies()?.incidents;
  const warnings = new URLSearchParams(search).get('warnings');
  const fail = (x: unknown) => setErr(messageOf(x));
  if (!i.data) return <Status loading={i.loading} error={i.error} />;
  const v = i.data;
  const statuses: LabelTable = tables?.statuses ?? {};
  // the statuses this one may change to, as the platform's transition table says
  const next: IncidentStatus[] = (tables?.transitions[v.status] ?? []).filter((s): s is IncidentStatus =>
    Object.hasOwn(statuses, s),
  );
  return (
    <article className="detail">
      <p>
        <Link to="/console/incidents">← {zh ? '安全事件' : 'Incidents'}</Link>
      </p>
      <h1>
        {v.title} <Tlp tlp={v.tlp} />
      </h1>
      {warnings && (
        <p className="status" role="status">
          {zh
            ? `已从 STIX 导入，${warnings} 处内容无法对应，已忽略。`
            : `Imported from STIX; ${warnings} item(s) could not be mapped and were ignored.`}
        </p>
      )}
      <ErrorLine error={err} />
      <dl className="facts">
        <dt>{zh ? '编号' : 'Id'}</dt>
        <dd>
          <code>{v.id}</code>
        </dd>
        <dt>{zh ? '状态' : 'Status'}</dt>
        <dd>{label(statuses, v.status, lang)}</dd>
        <dt>{zh ? '受害单位' : 'Victims'}</dt>
        <dd>
          {v.victims
            .map((x) => `${x.name ?? ''}（${label(tables?.sectors ?? {}, x.sector ?? '', lang)}）`)
            .join('、')}
        </dd>
        <dt>{zh ? '日期' : 'Dates'}</dt>
        <dd>
          {zh ? '发现 ' : 'discovered '}
          {v.discoveredAt.slice(0, 10)}
          {v.startedAt && ` · ${zh ? '开始 ' : 'started '}${v.startedAt.slice(0, 10)}`}
          {v.endedAt && ` · ${zh ? '结束 ' : 'ended '}${v.endedAt.slice(0, 10)}`}
        </dd>
        <dt>{zh ? '入侵途径' : 'Vector'}</dt>
        <dd>{label(tables?.vectors ?? {}, v.vector, lang)}</dd>
        {!!v.assets?.length && (
          <>
            <dt>{zh ? '受影响资产' : 'Assets'}</dt>
            <dd>
              {v.assets
                .map((a) => `${label(tables?.assetKinds ?? {}, a.kind ?? '', lang)} ${a.count ?? ''}`)
                .join(' · ')}
            </dd>
          </>
        )}
        {v.dataTaken && (
          <>
            <dt>{zh ? '被窃取数据' : 'Data taken'}</dt>
            <dd>{v.dataTaken}</dd>
          </>
        )}
        {v.attribution && (
          <>
            <dt>{zh ? '归因' : 'Attribution'}</dt>
            <dd>
              {v.attribution.actor} · {zh ? '置信度 ' : 'confidence '}
              {v.attribution.confidence}
            </dd>
          </>
        )}
      </dl>
      {v.summary && <p className="prose">{v.summary}</p>}
      <div className="actions">
        {next.map((to) => (
          <button
            key={to}
            type="button"
            onClick={() =>
              void perform(
                client.POST('/api/v1/incidents/{id}/transitions', { params: { path }, body: { to } }),
              ).then(() => setVersion((x) => x + 1), fail)
            }
          >
            → {label(statuses, to, lang)}
          </button>
        ))}
        <Link to={`/console/incidents/${id}/edit`}>{zh ? '编辑' : 'Edit'}</Link>
        <a href={`/api/v1/incidents/${id}/stix?download=true`}>{zh ? '导出 STIX 2.1' : 'Export STIX 2.1'}</a>
      </div>
      <h2>{zh ? '攻击链' : 'Attack chain'}</h2>
      <ol className="chain">
        {v.attackChain?.map((s) => (
          <li key={s.order}>
            <strong>{label(tables?.attackPhases ?? {}, s.phase ?? '', lang)}</strong> {s.description}
            <div className="meta">
              {s.techniqueIds?.map((t) => (
                <a key={t} href={attackUrl(t)} className="tag">
                  {t}
                </a>
              ))}
              {s.vulnerabilityIds?.map((x) => (
                <Link key={x} to={`/vulnerabilities/${x}`}>
                  {x}
                </Link>
              ))}
              {s.assets && <span>{s.assets}</span>}
            </div>
          </li>
        ))}
      </ol>
      <h2>{zh ? '威胁指标' : 'Indicators'}</h2>
      {!v.indicators?.length && <p className="status">{zh ? '没有记录指标。' : 'No indicators recorded.'}</p>}
      <table className="board">
        <tbody>
          {v.indicators?.map((x) => (
            <tr key={`${x.type ?? ''}${x.value ?? ''}`}>
              <td>{label(INDICATOR_TYPES, x.type ?? '', lang)}</td>
              <td>
                <code>{x.value}</code>
              </td>
              <td className="meta">{x.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <IncidentLegal v={v} zh={zh} onSaved={() => setVersion(version + 1)} />
      <h2>{zh ? '处置' : 'Disposal'}</h2>
      {v.caseTrackingNo ? (
        <p>
          {zh ? '处置案件：' : 'Disposal case: '}
          <Link to={`/console/${v.caseTrackingNo}`}>{v.caseTrackingNo}</Link>
        </p>
      ) : (
        <p className="status">{zh ? '尚未通报任何单位。' : 'Nobody has been notified yet.'}</p>
      )}
      <form
        className="panel wide"
        aria-label="notify"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const category = text(f, 'category');
          if (!isCategory(category)) return;
          perform(
            client.POST('/api/v1/incidents/{id}/notifications', {
              params: { path },
              body: { recipients: [{ organisationId: Number(text(f, 'organisationId')), category }] },
            }),
          ).then(() => setVersion((x) => x + 1), fail);
        }}
      >
        <div className="row3">
          <label>
            {zh ? '通报单位' : 'Notify'}
            <select name="organisationId" required>
              {orgs.data?.items
                ?.filter((o) => !['individual', 'reporting_unit', 'coordinator'].includes(o.kind ?? ''))
                .map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
            </select>
          </label>
          <label>
            {zh ? '类别' : 'Category'}
            <select name="category" defaultValue="affected_org">
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {label(RECIPIENT_CATEGORIES, c, lang)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="submit">{zh ? '发送通报' : 'Send notification'}</button>
      </form>
      <h2>{zh ? '变更历史' : 'History'}</h2>
      <ol className="history">
        {v.history?.map((h, k) => (
          <li key={k}>
            {h.at?.slice(0, 16).replace('T', ' ')} · {describe(h, statuses, lang)} · {h.actor}
            {h.note ? ` · ${h.note}` : ''}
          </li>
        ))}
      </ol>
    </article>
  );
}
