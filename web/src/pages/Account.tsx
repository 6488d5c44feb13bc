import { useContext, useState } from 'react';
import { ErrorLine } from './bits.js';
import { messageOf } from '../api.js';
import { client, perform } from '../api/client.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { navigate } from '../main.js';
import { text } from '../form.js';

const L = {
  login: { zh: '登录', en: 'Sign in' },
  register: { zh: '注册', en: 'Register' },
  email: { zh: '电子邮箱', en: 'E-mail' },
  password: { zh: '密码（至少 12 位）', en: 'Password (12+ characters)' },
  name: { zh: '姓名或昵称', en: 'Name' },
  asUnit: { zh: '以单位身份注册（安全企业）', en: 'Register a reporting unit (security company)' },
  unit: { zh: '单位名称', en: 'Organisation name' },
  noAccount: { zh: '还没有账号？注册', en: 'No account? Register' },
  registered: {
    zh: '注册已受理，请用该邮箱和密码登录。如果该邮箱已有账号，账号和密码保持不变，我们已通知其主人。',
    en: 'Registration accepted — sign in with this e-mail address and password. If the address already had an account, it is unchanged and its owner has been told.',
  },
  passwordHint: {
    zh: '请用不常见的长短语；常见、已泄露或全为空格的密码会被拒绝。',
    en: 'Use a long, uncommon passphrase; common, breached or blank passwords are refused.',
  },
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
        login(text(f, 'email'), text(f, 'password')).then(
          () => navigate('/me'),
          (x: unknown) => setError(messageOf(x)),
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
        perform(
          client.POST('/api/v1/auth/register', {
            body: {
              email: text(f, 'email'),
              password: text(f, 'password'),
              displayName: text(f, 'displayName'),
              ...(unit ? { organisation: { kind: 'reporting_unit', name: text(f, 'unit') } } : {}),
            },
          }),
        ).then(
          () => navigate('/login?registered=1'),
          (x: unknown) => setError(messageOf(x)),
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
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          maxLength={256}
          aria-describedby="password-hint"
          required
        />
      </label>
      <p id="password-hint" className="meta">
        {L.passwordHint[lang]}
      </p>
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
