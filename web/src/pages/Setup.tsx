/**
 * The first run (/setup?token=…): the link `vulnshare serve` printed creates the first admin, under the
 * usual password rules; then the page signs the admin in and offers to load the demo data set.
 */
import { useContext, useEffect, useState } from 'react';
import { ErrorLine } from './bits.js';
import { messageOf } from '../api.js';
import { call, client, type Answer } from '../api/client.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';
import { text } from '../form.js';

const L = {
  title: { zh: '初始设置', en: 'First-run setup' },
  intro: {
    zh: '这是 vulnshare 的第一次启动：请创建第一个管理员账号。此链接只能使用一次。',
    en: 'This is the first run of vulnshare: create the first admin account. This link works once.',
  },
  noToken: {
    zh: '缺少设置令牌：请打开服务启动时在控制台输出的完整链接（/setup?token=…）。',
    en: 'No setup token: open the full link the server printed at start (/setup?token=…).',
  },
  done: {
    zh: '已经有管理员了，初始设置已完成。',
    en: 'An admin exists: the setup is complete.',
  },
  email: { zh: '管理员邮箱', en: 'Admin e-mail' },
  name: { zh: '姓名', en: 'Name' },
  password: {
    zh: '密码（至少 12 位，不常见的长短语）',
    en: 'Password (12+ characters, an uncommon passphrase)',
  },
  create: { zh: '创建管理员', en: 'Create the admin' },
  created: { zh: '管理员已创建并已登录。', en: 'The admin was created and is signed in.' },
  demoOffer: {
    zh: '要先看看一个填满数据的平台吗？演示数据包含数百条漏洞记录（CNVD 式与 CVE 式）、单位、各个状态的报告、已发布的周报和一起事件，全部为虚构数据。',
    en: 'Want to see a populated platform first? The demo holds a few hundred records (CNVD-like and CVE-like), organisations, reports in every state, a published bulletin and an incident — all invented.',
  },
  loadDemo: { zh: '加载演示数据', en: 'Load the demo' },
  loading: { zh: '正在加载演示数据……', en: 'Loading the demo…' },
  skip: { zh: '不用了，进入控制台', en: 'No thanks — open the console' },
  loaded: { zh: '演示数据已加载', en: 'Demo loaded' },
  records: { zh: '条记录', en: 'records' },
  reports: { zh: '份报告', en: 'reports' },
  accounts: {
    zh: '演示账号的共用密码（仅显示一次）：',
    en: 'The demo accounts share this password (shown once): ',
  },
  home: { zh: '查看门户首页', en: 'Open the portal' },
  console: { zh: '打开分析控制台', en: 'Open the console' },
} as const;

type Demo = Answer<'loadDemo'>;

export function Setup(props: { search: string }) {
  const { lang } = useContext(LangContext);
  const { login } = useAuth();
  const token = new URLSearchParams(props.search).get('token') ?? '';
  const [status, setStatus] = useState<Answer<'getSetupStatus'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<'form' | 'demo' | 'loading' | 'loaded'>('form');
  const [demo, setDemo] = useState<Demo | null>(null);

  useEffect(() => {
    call(client.GET('/api/v1/setup')).then(setStatus, (x: unknown) => setError(messageOf(x)));
  }, []);

  if (step === 'form' && status?.adminExists)
    return (
      <section className="panel">
        <h1>{L.title[lang]}</h1>
        <p className="ok">{L.done[lang]}</p>
        <a href="/login">{lang === 'zh' ? '登录' : 'Sign in'}</a>
      </section>
    );

  if (step === 'form')
    return (
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const email = text(f, 'email');
          const password = text(f, 'password');
          setError(null);
          call(
            client.POST('/api/v1/setup', {
              body: { token, email, displayName: text(f, 'displayName'), password },
            }),
          )
            .then(() => login(email, password))
            .then(
              () => setStep('demo'),
              (x: unknown) => setError(messageOf(x)),
            );
        }}
      >
        <h1>{L.title[lang]}</h1>
        <p>{token ? L.intro[lang] : L.noToken[lang]}</p>
        <label>
          {L.email[lang]}
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          {L.name[lang]}
          <input name="displayName" required />
        </label>
        <label>
          {L.password[lang]}
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            maxLength={256}
            required
          />
        </label>
        <ErrorLine error={error} />
        <button type="submit" disabled={!token}>
          {L.create[lang]}
        </button>
      </form>
    );

  if (step === 'demo' || step === 'loading')
    return (
      <section className="panel">
        <h1>{L.title[lang]}</h1>
        <p className="ok">{L.created[lang]}</p>
        <p>{L.demoOffer[lang]}</p>
        <ErrorLine error={error} />
        {step === 'loading' ? (
          <p className="status">{L.loading[lang]}</p>
        ) : (
          <p>
            <button
              type="button"
              onClick={() => {
                setStep('loading');
                setError(null);
                call(client.POST('/api/v1/demo')).then(
                  (d) => {
                    setDemo(d);
                    setStep('loaded');
                  },
                  (x: unknown) => {
                    setError(messageOf(x));
                    setStep('demo');
                  },
                );
              }}
            >
              {L.loadDemo[lang]}
            </button>{' '}
            <a
              href="/console"
              onClick={(e) => {
                e.preventDefault();
                navigate('/console');
              }}
            >
              {L.skip[lang]}
            </a>
          </p>
        )}
      </section>
    );

  return (
    <section className="panel">
      <h1>{L.loaded[lang]}</h1>
      {demo && (
        <p>
          {demo.records.read} {L.records[lang]} · {demo.submissionsCreated} {L.reports[lang]} ·{' '}
          {demo.bulletin.week} · {demo.incident.id}
        </p>
      )}
      {demo?.password && (
        <p>
          {L.accounts[lang]}
          <code>{demo.password}</code>
        </p>
      )}
      <p>
        <a href="/">{L.home[lang]}</a> · <a href="/console">{L.console[lang]}</a>
      </p>
    </section>
  );
}
