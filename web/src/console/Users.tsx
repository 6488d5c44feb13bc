/** Users with role and organisation; an admin creates accounts of any role (recipients belong to an organisation). */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, perform } from '../api/client.js';
import { isCode } from '../vocabularies.js';
import { LangContext } from '../i18n.js';
import { ROLES, label } from '../labels.js';
import { Status, ErrorLine } from '../pages/bits.js';
import { useLoad } from '../pages/useApi.js';
import { text } from '../form.js';

export function Users() {
  const { lang } = useContext(LangContext);
  const [q, setQ] = useState('');
  const [role, setRole] = useState('');
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const list = useLoad(`users:${q}:${role}:${version}`, () =>
    call(
      client.GET('/api/v1/users', {
        params: { query: { q, ...(isCode(ROLES, role) ? { role } : {}) } },
      }),
    ),
  );
  const orgs = useLoad('organisations', () => call(client.GET('/api/v1/organisations')));
  return (
    <div>
      <h1>{lang === 'zh' ? '用户' : 'Users'}</h1>
      <form className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          aria-label={lang === 'zh' ? '姓名或邮箱' : 'Name or e-mail'}
          placeholder={lang === 'zh' ? '姓名或邮箱' : 'Name or e-mail'}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <select
          aria-label={lang === 'zh' ? '角色' : 'Role'}
          value={role}
          onChange={(e) => setRole(e.target.value)}
        >
          <option value="">{lang === 'zh' ? '全部角色' : 'Any role'}</option>
          {Object.keys(ROLES).map((r) => (
            <option key={r} value={r}>
              {label(ROLES, r, lang)}
            </option>
          ))}
        </select>
      </form>
      <Status loading={list.loading} error={list.error} empty={list.data?.items?.length === 0} />
      <table className="board">
        <tbody>
          {list.data?.items?.map((u) => (
            <tr key={u.id}>
              <td>
                {u.displayName}
                <div className="meta">{u.email}</div>
              </td>
              <td>{label(ROLES, u.role, lang)}</td>
              <td>{u.organisation ?? ''}</td>
              <td className="meta">
                {lang === 'zh' ? '最近登录 ' : 'last sign-in '}
                {u.lastLoginAt ? u.lastLoginAt.slice(0, 16).replace('T', ' ') : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="panel wide"
        aria-label="new user"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const org = text(f, 'organisationId', '');
          const newRole = text(f, 'role', '');
          if (!isCode(ROLES, newRole)) return;
          perform(
            client.POST('/api/v1/users', {
              body: {
                email: text(f, 'email', ''),
                displayName: text(f, 'displayName', ''),
                password: text(f, 'password', ''),
                role: newRole,
                ...(org ? { organisationId: Number(org) } : {}),
              },
            }),
          ).then(
            () => {
              form.reset();
              setErr(null);
              setVersion((x) => x + 1);
            },
            (x: unknown) => setErr(messageOf(x)),
          );
        }}
      >
        <h2>{lang === 'zh' ? '新增用户' : 'Add a user'}</h2>
        <div className="row3">
          <label>
            {lang === 'zh' ? '姓名' : 'Name'}
            <input name="displayName" required maxLength={200} />
          </label>
          <label>
            {lang === 'zh' ? '电子邮件' : 'E-mail'}
            <input name="email" type="email" required />
          </label>
          <label>
            {lang === 'zh' ? '初始密码（至少 12 位）' : 'Initial password (12+ characters)'}
            <input name="password" type="password" required minLength={12} autoComplete="new-password" />
          </label>
          <label>
            {lang === 'zh' ? '角色' : 'Role'}
            <select name="role" defaultValue="analyst">
              {Object.keys(ROLES).map((r) => (
                <option key={r} value={r}>
                  {label(ROLES, r, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {lang === 'zh' ? '所属单位' : 'Organisation'}
            <select name="organisationId" defaultValue="">
              <option value="">—</option>
              {orgs.data?.items?.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorLine error={err} />
        <button type="submit">{lang === 'zh' ? '新增' : 'Add'}</button>
      </form>
    </div>
  );
}
