import { useContext, useState } from 'react';
import { ErrorLine } from './bits.js';
import { send } from '../api.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';

const L = {
  login: { zh: '登录', en: 'Sign in' },
  register: { zh: '注册', en: 'Register' },
  email: { zh: '电子邮箱', en: 'E-mail' },
  password: { zh: '密码（至少 12 位）', en: 'Password (12+ characters)' },
  name: { zh: '姓名或昵称', en: 'Name' },
  asUnit: { zh: '以单位身份注册（安全企业）', en: 'Register a reporting unit (security company)' },
  unit: { zh: '单位名称', en: 'Organisation name' },
  noAccount: { zh: '还没有账号？注册', en: 'No account? Register' },
  registered: { zh: '注册成功，请登录。', en: 'Registered — now sign in.' },
} as const;

export function Login() {
  const { lang } = useContext(LangContext);
  const { login } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const registered = new URLSearchParams(location.search).has('registered');
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        login(String(f.get('email')), String(f.get('password'))).then(
          () => navigate('/me'),
          (x: unknown) => setError(x instanceof Error ? x.message : String(x)),
        );
      }}
    >
      <h1>{L.login[lang]}</h1>
      {registered && <p className="ok">{L.registered[lang]}</p>}
      <label>
        {L.email[lang]}
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        {L.password[lang]}
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <ErrorLine error={error} />
      <button type="submit">{L.login[lang]}</button>
      <p>
        <a href="/register">{L.noAccount[lang]}</a>
      </p>
    </form>
  );
}

export function Register() {
  const { lang } = useContext(LangContext);
  const [unit, setUnit] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        send('POST', '/api/v1/auth/register', {
          email: f.get('email'),
          password: f.get('password'),
          displayName: f.get('displayName'),
          ...(unit ? { organisation: { kind: 'reporting_unit', name: f.get('unit') } } : {}),
        }).then(
          () => navigate('/login?registered=1'),
          (x: unknown) => setError(x instanceof Error ? x.message : String(x)),
        );
      }}
    >
      <h1>{L.register[lang]}</h1>
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
        <input name="password" type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <label className="inline">
        <input type="checkbox" checked={unit} onChange={(e) => setUnit(e.target.checked)} /> {L.asUnit[lang]}
      </label>
      {unit && (
        <label>
          {L.unit[lang]}
          <input name="unit" required />
        </label>
      )}
      <ErrorLine error={error} />
      <button type="submit">{L.register[lang]}</button>
    </form>
  );
}
