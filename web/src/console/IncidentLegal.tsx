/**
 * The incident's legal fields in the console: responsible parties, measures and penalties with their legal
 * basis, misused certificates and their revocation — shown, and edited as JSON (the server's validator names
 * every field with a problem). Saving replaces the incident with these three lists changed (PUT).
 */
import { useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, type Answer, type Body } from '../api/client.js';

type Detail = Answer<'getIncident'>;
type Legal = Pick<Detail, 'responsibleParties' | 'measures' | 'certificates'>;

const MEASURES: Record<string, string> = {
  rectification_order: '责令整改 / Order to rectify',
  warning: '警告 / Warning',
  fine: '罚款 / Fine',
  confiscation: '没收违法所得 / Confiscation',
  suspension: '暂停相关业务 / Suspension',
  certificate_revocation: '吊销证书 / Certificate revocation',
  punishment: '依法惩处 / Punished according to law',
  notification: '通报 / Notification',
};
const LAWS: Record<string, string> = {
  data_security_law: '《数据安全法》',
  cybersecurity_law: '《网络安全法》',
  mlps: '网络安全等级保护制度',
  pipl: '《个人信息保护法》',
  counter_espionage_law: '《反间谍法》',
  ciip_regulations: '《关键信息基础设施安全保护条例》',
};

export function IncidentLegal({ v, zh, onSaved }: { v: Detail; zh: boolean; onSaved: () => void }) {
  const legal: Legal = {
    responsibleParties: v.responsibleParties ?? [],
    measures: v.measures ?? [],
    certificates: v.certificates ?? [],
  };
  const [draft, setDraft] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const save = () => {
    let parsed: Legal;
    try {
      parsed = JSON.parse(draft ?? '{}') as Legal;
    } catch (x) {
      return setErr(messageOf(x));
    }
    const { id, history: _h, caseTrackingNo: _c, ...rest } = v;
    void _h;
    void _c;
    const body = { ...rest, ...parsed } as Body<'updateIncident'>;
    call(client.PUT('/api/v1/incidents/{id}', { params: { path: { id } }, body })).then(
      () => {
        setDraft(null);
        setErr(null);
        onSaved();
      },
      (x: unknown) => setErr(messageOf(x)),
    );
  };
  return (
    <section className="legal">
      <h2>{zh ? '法律责任与处置措施' : 'Responsibility and measures'}</h2>
      {!legal.responsibleParties?.length && !legal.measures?.length && !legal.certificates?.length && (
        <p className="status">{zh ? '没有记录。' : 'Nothing recorded.'}</p>
      )}
      {!!legal.responsibleParties?.length && (
        <p>
          {zh ? '责任方：' : 'Responsible: '}
          {legal.responsibleParties.map((r) => `${r.name}（${r.role}）`).join('、')}
        </p>
      )}
      {!!legal.measures?.length && (
        <ul>
          {legal.measures.map((m, i) => (
            <li key={i}>
              <strong>{MEASURES[m.kind] ?? m.kind}</strong> {m.description}
              {m.amountCny !== undefined && ` · ${m.amountCny} ${zh ? '元' : 'CNY'}`}
              <span className="meta">
                {' '}
                · {zh ? '依据' : 'basis'}{' '}
                {m.legalBasis
                  .map(
                    (b) => `${b.law === 'other' ? (b.text ?? '') : (LAWS[b.law] ?? b.law)}${b.article ?? ''}`,
                  )
                  .join('；')}
                {m.authority && ` · ${m.authority}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {!!legal.certificates?.length && (
        <table className="board">
          <tbody>
            {legal.certificates.map((c) => (
              <tr key={`${c.issuer}|${c.serialNumber}`}>
                <td>{c.issuer}</td>
                <td>
                  <code>{c.serialNumber}</code>
                </td>
                <td>
                  <code>{c.thumbprintSha256 ?? c.thumbprintSha1 ?? ''}</code>
                </td>
                <td>
                  {c.revocation}
                  {c.revokedAt ? ` ${c.revokedAt}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {draft === null ? (
        <button type="button" onClick={() => setDraft(JSON.stringify(legal, null, 2))}>
          {zh ? '编辑（JSON）' : 'Edit (JSON)'}
        </button>
      ) : (
        <div>
          <textarea
            aria-label={zh ? '法律责任 JSON' : 'Legal fields JSON'}
            rows={14}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <p>
            <button type="button" onClick={save}>
              {zh ? '保存' : 'Save'}
            </button>{' '}
            <button type="button" onClick={() => setDraft(null)}>
              {zh ? '取消' : 'Cancel'}
            </button>
          </p>
        </div>
      )}
      {err && <p className="status error">{err}</p>}
    </section>
  );
}
