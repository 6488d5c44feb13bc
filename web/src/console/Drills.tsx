/**
 * Exercises (应急演练) for the control team: the list, a new exercise from its JSON (scenario, participants,
 * injects), start and end, the live timeline of the selected one (refreshed every 15 s while it runs) and the
 * after-action report as HTML or PDF.
 */
import { useContext, useEffect, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, type Body } from '../api/client.js';
import { text } from '../form.js';
import { LangContext } from '../i18n.js';
import { ErrorLine, Status } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';

const STATE_LABEL = {
  draft: { zh: '草稿', en: 'draft' },
  running: { zh: '进行中', en: 'running' },
  ended: { zh: '已结束', en: 'ended' },
} as const;

const TEMPLATE = JSON.stringify(
  {
    title: '年度应急演练',
    scenario: { zh: '场景说明……', en: 'Scenario …' },
    participantIds: [1, 2],
    injects: [
      {
        dueAt: new Date(Date.now() + 3_600_000).toISOString(),
        channels: ['email', 'inbox'],
        subject: '注入 1',
        body: '……',
        artefacts: '',
        expected: [{ key: 'ack', description: '30 分钟内确认', withinMinutes: 30 }],
      },
    ],
  },
  null,
  2,
);

export function Drills() {
  const { lang } = useContext(LangContext);
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const list = useLoad(`drills:${version}`, () => call(client.GET('/api/v1/drills', {})));
  const items = list.data?.items ?? [];

  async function create(f: FormData) {
    setErr(null);
    let body: Body<'createDrill'>;
    try {
      body = JSON.parse(text(f, 'json')) as Body<'createDrill'>;
    } catch (e) {
      setErr(`JSON: ${messageOf(e)}`);
      return;
    }
    try {
      const d = await call(client.POST('/api/v1/drills', { body }));
      setSelected(d.id);
      setVersion((v) => v + 1);
    } catch (e) {
      setErr(messageOf(e));
    }
  }

  async function move(id: number, to: 'start' | 'end') {
    setErr(null);
    try {
      await call(
        to === 'start'
          ? client.POST('/api/v1/drills/{id}/start', { params: { path: { id } } })
          : client.POST('/api/v1/drills/{id}/end', { params: { path: { id } } }),
      );
      setVersion((v) => v + 1);
    } catch (e) {
      setErr(messageOf(e));
    }
  }

  return (
    <div>
      <h1>{lang === 'zh' ? '应急演练' : 'Exercises'}</h1>
      <Status loading={list.loading} error={list.error} />
      <ErrorLine error={err} />
      <table className="board">
        <thead>
          <tr>
            <th>#</th>
            <th>{lang === 'zh' ? '名称' : 'Title'}</th>
            <th>{lang === 'zh' ? '状态' : 'State'}</th>
            <th>{lang === 'zh' ? '参演单位' : 'Participants'}</th>
            <th>{lang === 'zh' ? '注入' : 'Injects'}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} className={selected === d.id ? 'on' : ''}>
              <td>{d.id}</td>
              <td>
                <button type="button" className="link" onClick={() => setSelected(d.id)}>
                  {d.title}
                </button>
              </td>
              <td>{STATE_LABEL[d.state][lang]}</td>
              <td>{d.participants.map((p) => p.name).join('、')}</td>
              <td>
                {d.injects.filter((i) => i.sentAt).length} / {d.injects.length}
              </td>
              <td>
                {d.state === 'draft' && (
                  <button type="button" onClick={() => void move(d.id, 'start')}>
                    {lang === 'zh' ? '开始' : 'Start'}
                  </button>
                )}
                {d.state === 'running' && (
                  <button type="button" onClick={() => void move(d.id, 'end')}>
                    {lang === 'zh' ? '结束' : 'End'}
                  </button>
                )}{' '}
                <a
                  href={`/api/v1/drills/${d.id}/report?format=html&lang=${lang}`}
                  target="_blank"
                  rel="noreferrer"
                >
                  HTML
                </a>{' '}
                <a
                  href={`/api/v1/drills/${d.id}/report?format=pdf&lang=${lang}`}
                  target="_blank"
                  rel="noreferrer"
                >
                  PDF
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected !== null && (
        <Timeline id={selected} running={items.find((d) => d.id === selected)?.state === 'running'} />
      )}
      <details>
        <summary>{lang === 'zh' ? '新建演练（JSON）' : 'New exercise (JSON)'}</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create(new FormData(e.currentTarget));
          }}
        >
          <textarea
            name="json"
            aria-label={lang === 'zh' ? '演练 JSON' : 'Exercise JSON'}
            rows={18}
            defaultValue={TEMPLATE}
            style={{ width: '100%', fontFamily: 'monospace' }}
          />
          <button type="submit">{lang === 'zh' ? '创建草稿' : 'Create draft'}</button>
        </form>
      </details>
    </div>
  );
}

function Timeline({ id, running }: { id: number; running: boolean }) {
  const { lang } = useContext(LangContext);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick((n) => n + 1), 15_000);
    return () => clearInterval(t);
  }, [running]);
  const tl = useLoad(`drill-timeline:${id}:${tick}`, () =>
    call(client.GET('/api/v1/drills/{id}/timeline', { params: { path: { id } } })),
  );
  const entries = tl.data?.entries ?? [];
  return (
    <section>
      <h2>{lang === 'zh' ? '实时时间线' : 'Live timeline'}</h2>
      <Status loading={tl.loading && !tl.data} error={tl.error} empty={!!tl.data && entries.length === 0} />
      <table className="board">
        <tbody>
          {entries.map((e, n) => (
            <tr key={n}>
              <td className="meta">{e.at.slice(0, 16).replace('T', ' ')}</td>
              <td>
                {lang === 'zh' ? '注入' : 'Inject'} {e.seq}
              </td>
              <td>{e.organisation}</td>
              <td>
                {e.kind === 'inject_sent'
                  ? `${lang === 'zh' ? '已送达' : 'sent'} (${e.messages ?? 0})`
                  : `${e.responseKind ?? ''}${e.fulfils ? ` → ${e.fulfils}` : ''}`}
              </td>
              <td>{e.kind === 'response' ? e.text : e.subject}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
