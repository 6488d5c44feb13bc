/**
 * A participant's view of the exercises its organisation takes part in: the injects that reached it (marked
 * [EXERCISE / 演练]), what each expects, and a form to acknowledge, report findings or actions taken (naming
 * the expected action fulfilled) or ask a question.
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, type Answer } from '../api/client.js';
import { text } from '../form.js';
import { LangContext } from '../i18n.js';
import { ErrorLine, Status } from './bits.js';
import { useLoad } from './useApi.js';

type Inject = Answer<'myDrills'>['items'][number]['injects'][number];

const KINDS = {
  acknowledge: { zh: '确认收到', en: 'Acknowledge' },
  finding: { zh: '分析发现', en: 'Finding' },
  action: { zh: '已采取措施', en: 'Action taken' },
  question: { zh: '提问', en: 'Question' },
} as const;
type Kind = keyof typeof KINDS;
const isKind = (s: string): s is Kind => s in KINDS;

export function DrillRespond() {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const mine = useLoad(`my-drills:${version}`, () => call(client.GET('/api/v1/drills/mine', {})));
  const items = mine.data?.items ?? [];
  return (
    <div>
      <h1>{lang === 'zh' ? '应急演练' : 'Exercises'}</h1>
      <Status loading={mine.loading} error={mine.error} empty={!!mine.data && items.length === 0} />
      {items.map((d) => (
        <section key={d.id}>
          <h2>
            [EXERCISE / 演练] {d.title} <span className="meta">({d.state})</span>
          </h2>
          <p>{lang === 'zh' ? d.scenario.zh || d.scenario.en : d.scenario.en || d.scenario.zh}</p>
          {d.injects.map((i) => (
            <InjectCard
              key={i.id}
              drillId={d.id}
              inject={i}
              open={d.state === 'running'}
              onSent={() => setVersion((v) => v + 1)}
            />
          ))}
        </section>
      ))}
    </div>
  );
}

function InjectCard(props: { drillId: number; inject: Inject; open: boolean; onSent: () => void }) {
  const { lang } = useContext(LangContext);
  const { inject: i } = props;
  const [err, setErr] = useState<string | null>(null);
  async function send(f: FormData): Promise<boolean> {
    setErr(null);
    const kind = text(f, 'kind', 'acknowledge');
    const fulfils = text(f, 'fulfils');
    if (!isKind(kind)) return false;
    try {
      await call(
        client.POST('/api/v1/drills/{id}/injects/{injectId}/responses', {
          params: { path: { id: props.drillId, injectId: i.id } },
          body: { kind, text: text(f, 'text'), ...(fulfils ? { fulfils } : {}) },
        }),
      );
      props.onSent();
      return true;
    } catch (e) {
      setErr(messageOf(e));
      return false;
    }
  }
  return (
    <article className="card">
      <h3>
        {i.subject} <span className="meta">{i.deliveredAt.slice(0, 16).replace('T', ' ')}</span>
      </h3>
      <pre style={{ whiteSpace: 'pre-wrap' }}>{i.body}</pre>
      {i.artefacts && <pre style={{ whiteSpace: 'pre-wrap' }}>{i.artefacts}</pre>}
      {i.expected.length > 0 && (
        <ul>
          {i.expected.map((e) => (
            <li key={e.key}>
              {e.description} ({e.key},{' '}
              {lang === 'zh' ? `${e.withinMinutes} 分钟内` : `within ${e.withinMinutes} min`})
            </li>
          ))}
        </ul>
      )}
      {i.responses.length > 0 && (
        <ol>
          {i.responses.map((r) => (
            <li key={r.id}>
              <span className="meta">{r.at.slice(0, 16).replace('T', ' ')}</span>{' '}
              {isKind(r.kind) ? KINDS[r.kind][lang] : r.kind}
              {r.fulfils ? ` → ${r.fulfils}` : ''}: {r.text}
            </li>
          ))}
        </ol>
      )}
      {props.open && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            void send(new FormData(form)).then((ok) => ok && form.reset());
          }}
        >
          <select name="kind" aria-label={lang === 'zh' ? '响应类型' : 'Response kind'}>
            {(Object.keys(KINDS) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KINDS[k][lang]}
              </option>
            ))}
          </select>{' '}
          <select name="fulfils" aria-label={lang === 'zh' ? '完成的预期动作' : 'Expected action fulfilled'}>
            <option value="">{lang === 'zh' ? '（不对应预期动作）' : '(no expected action)'}</option>
            {i.expected.map((e) => (
              <option key={e.key} value={e.key}>
                {e.description}
              </option>
            ))}
          </select>
          <textarea
            name="text"
            required
            maxLength={20000}
            rows={3}
            aria-label={lang === 'zh' ? '内容' : 'Text'}
          />
          <button type="submit">{lang === 'zh' ? '提交' : 'Send'}</button>
          <ErrorLine error={err} />
        </form>
      )}
    </article>
  );
}
