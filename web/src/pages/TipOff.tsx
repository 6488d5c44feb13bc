/**
 * Public tip-offs (举报): the form anyone may send without an account, which shows the receipt code once, and
 * the follow page where the receipt shows the case and the coordinator's questions. The receipt is typed in,
 * never put in the URL (it would stay in the history and in server logs).
 */
import { useContext, useState } from 'react';
import { call, client, type Answer, type Body } from '../api/client.js';
import { ApiError, messageOf } from '../api.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';

type Kind = Body<'submitTipoff'>['kind'];
type Case = Answer<'followTipoff'>;

const STATUS_LABEL: Record<Case['status'], { zh: string; en: string }> = {
  received: { zh: '已收到', en: 'Received' },
  in_review: { zh: '核实中', en: 'Under review' },
  question: { zh: '需要您补充信息', en: 'We have a question for you' },
  in_disposal: { zh: '处置中', en: 'Being handled' },
  resolved: { zh: '已处置', en: 'Resolved' },
  closed: { zh: '已关闭', en: 'Closed' },
};

/**
 * What a refused tip-off says: over the size limit (413) or too many from one address (429) in plain words,
 * in English with the server's words (the window, when to retry); anything else as the server said it.
 */
function refusal(x: unknown, zh: boolean): string {
  if (x instanceof ApiError && x.status === 413)
    return zh
      ? '内容过长，超过了举报的大小上限：请精简描述，提交后可凭回执码补充。'
      : 'This is longer than a tip-off may be: shorten the description; you can add to it later with your receipt.';
  if (x instanceof ApiError && x.status === 429)
    return zh
      ? '同一网络地址提交次数已达上限，请稍后再试。'
      : `Too many tip-offs from your network address for now: please try again later (${x.message}).`;
  return messageOf(x);
}

export function TipOff() {
  const { lang } = useContext(LangContext);
  const zh = lang === 'zh';
  const [kind, setKind] = useState<Kind>('vulnerability');
  const [form, setForm] = useState({
    title: '',
    affectedOrganisation: '',
    affectedSystem: '',
    description: '',
    contact: '',
  });
  const [sent, setSent] = useState<Answer<'submitTipoff', 201> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      setForm({ ...form, [name]: e.target.value }),
  });

  if (sent)
    return (
      <div className="tipoff">
        <h1>{zh ? '举报已收到' : 'Tip-off received'}</h1>
        <p>
          {zh
            ? '您的回执码（只显示这一次，请妥善保存）：'
            : 'Your receipt code (shown only this once — keep it):'}
        </p>
        <p className="receipt">
          <code>{sent.receipt}</code>
        </p>
        <p className="meta">
          {zh ? '受理编号' : 'Case number'} {sent.trackingNo}
        </p>
        <p>
          <Link to="/tipoff/follow">
            {zh ? '凭回执码查看进展、回答问题' : 'Follow the case with your receipt'}
          </Link>
        </p>
      </div>
    );

  return (
    <div className="tipoff">
      <h1>{zh ? '网络安全举报' : 'Report a security problem'}</h1>
      <p className="meta">
        {zh
          ? '无需注册。举报安全事件或在用系统的漏洞；提交后获得回执码，凭回执码查看进展。'
          : 'No account needed. Report a security incident or a vulnerability in a deployed system; you get a receipt code to follow the case.'}{' '}
        <Link to="/tipoff/follow">{zh ? '已有回执码？' : 'Have a receipt?'}</Link>
      </p>
      <form
        className="panel wide"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          const body: Body<'submitTipoff'> = {
            kind,
            title: form.title,
            affectedOrganisation: form.affectedOrganisation,
            affectedSystem: form.affectedSystem,
            description: form.description,
            ...(form.contact.trim() ? { contact: form.contact.trim() } : {}),
          };
          call(client.POST('/api/v1/tipoffs', { body }))
            .then(setSent, (x: unknown) => setError(refusal(x, zh)))
            .finally(() => setBusy(false));
        }}
      >
        <fieldset>
          <legend>{zh ? '举报类型' : 'What are you reporting?'}</legend>
          <label className="inline">
            <input
              type="radio"
              checked={kind === 'vulnerability'}
              onChange={() => setKind('vulnerability')}
            />{' '}
            {zh ? '在用系统漏洞' : 'A vulnerability in a deployed system'}
          </label>{' '}
          <label className="inline">
            <input type="radio" checked={kind === 'incident'} onChange={() => setKind('incident')} />{' '}
            {zh ? '安全事件' : 'A security incident'}
          </label>
        </fieldset>
        <label>
          {zh ? '标题' : 'Title'}
          <input required maxLength={300} {...field('title')} />
        </label>
        <label>
          {zh ? '涉及单位' : 'Organisation concerned'}
          <input required maxLength={500} {...field('affectedOrganisation')} />
        </label>
        <label>
          {zh ? '涉及系统（网址、主机或说明）' : 'System (URL, host or description)'}
          <input required maxLength={500} {...field('affectedSystem')} />
        </label>
        <label>
          {zh ? '详细描述' : 'Description'}
          <textarea required rows={8} maxLength={20000} {...field('description')} />
        </label>
        <label>
          {zh ? '联系方式（选填，仅工作人员可见）' : 'Contact (optional, staff only)'}
          <input maxLength={200} {...field('contact')} />
        </label>
        {error && <p className="status error">{error}</p>}
        <button type="submit" disabled={busy}>
          {zh ? '提交举报' : 'Send'}
        </button>
      </form>
    </div>
  );
}

export function TipOffFollow() {
  const { lang } = useContext(LangContext);
  const zh = lang === 'zh';
  const [receipt, setReceipt] = useState('');
  const [c, setCase] = useState<Case | null>(null);
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    call(client.GET('/api/v1/tipoffs/{receipt}', { params: { path: { receipt } } })).then(
      setCase,
      (x: unknown) => {
        setCase(null);
        setError(messageOf(x));
      },
    );
  };
  return (
    <div className="tipoff">
      <h1>{zh ? '举报进展' : 'Follow a tip-off'}</h1>
      <form className="search" onSubmit={load}>
        <input
          aria-label={zh ? '回执码' : 'Receipt code'}
          placeholder="TIP-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
          value={receipt}
          onChange={(e) => setReceipt(e.target.value)}
        />
        <button type="submit">{zh ? '查看' : 'Show'}</button>
      </form>
      {error && <p className="status error">{error}</p>}
      {c && (
        <section>
          <h2>{c.title}</h2>
          <p className="meta">
            {c.trackingNo} · {STATUS_LABEL[c.status][lang]}
            {c.closedReason ? ` · ${c.closedReason}` : ''}
          </p>
          <ul className="messages">
            {c.messages.map((m, i) => (
              <li key={i} className={m.from}>
                <span className="meta">
                  {m.from === 'coordinator' ? (zh ? '工作人员' : 'Coordinator') : zh ? '您' : 'You'} · {m.at}
                </span>
                <p>{m.body}</p>
              </li>
            ))}
          </ul>
          {c.status !== 'closed' && c.status !== 'resolved' && (
            <form
              className="panel"
              onSubmit={(e) => {
                e.preventDefault();
                call(
                  client.POST('/api/v1/tipoffs/{receipt}', {
                    params: { path: { receipt } },
                    body: { body: answer },
                  }),
                ).then(
                  (next) => {
                    setCase(next);
                    setAnswer('');
                  },
                  (x: unknown) => setError(refusal(x, zh)),
                );
              }}
            >
              <label>
                {zh ? '回复或补充' : 'Answer or add information'}
                <textarea
                  required
                  rows={4}
                  maxLength={5000}
                  value={answer}
                  onChange={(e) => setAnswer(e.target.value)}
                />
              </label>
              <button type="submit">{zh ? '发送' : 'Send'}</button>
            </form>
          )}
        </section>
      )}
    </div>
  );
}
