/**
 * The analyst console, loaded as its own chunk (public visitors never download it). Analysts and admins only:
 * the API refuses everyone else; here a visitor without the role is told so and sees nothing else.
 */
import { useContext } from 'react';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { Link } from '../main.js';
import { Audit } from './Audit.js';
import { Board } from './Board.js';
import { BulletinBuilder } from './BulletinBuilder.js';
import { Case } from './Case.js';
import { Organisation, Organisations } from './Organisations.js';
import { Queue } from './Queue.js';
import { Users } from './Users.js';
import { Feeds } from './Feeds.js';
import { Incidents } from './Incidents.js';
import { IncidentEdit, IncidentForm } from './IncidentForm.js';
import { IncidentDetail } from './IncidentDetail.js';
import { Drills } from './Drills.js';
import { Peers } from '../pages/Peers.js';
import { PeerNotices } from '../pages/PeerNotices.js';

const SECTIONS = [
  { path: '/console', zh: '分诊队列', en: 'Triage', admin: false },
  { path: '/console/disposal', zh: '处置看板', en: 'Disposal', admin: false },
  { path: '/console/incidents', zh: '安全事件', en: 'Incidents', admin: false },
  { path: '/console/bulletins', zh: '周报编辑', en: 'Bulletin', admin: false },
  { path: '/console/drills', zh: '应急演练', en: 'Exercises', admin: false },
  { path: '/console/organisations', zh: '单位', en: 'Organisations', admin: false },
  { path: '/console/feeds', zh: '数据源', en: 'Feeds', admin: false },
  { path: '/console/users', zh: '用户', en: 'Users', admin: true },
  { path: '/console/audit', zh: '审计日志', en: 'Audit log', admin: true },
  { path: '/console/notices', zh: '提前通报', en: 'Advance notices', admin: false },
  { path: '/console/peers', zh: '联邦节点', en: 'Peers', admin: true },
] as const;

export default function Console({ path, search }: { path: string; search: string }) {
  const { lang } = useContext(LangContext);
  const { me, ready } = useAuth();
  if (!ready) return null;
  if (!me || (me.role !== 'analyst' && me.role !== 'admin'))
    return (
      <p className="status" role="alert">
        {lang === 'zh'
          ? '分析控制台仅供分析人员使用，请以分析人员身份登录。'
          : 'The console is for analysts: sign in as one.'}{' '}
        <Link to="/login">{lang === 'zh' ? '登录' : 'Sign in'}</Link>
      </p>
    );
  const admin = me.role === 'admin';
  let page: React.ReactNode;
  const org = /^\/console\/organisations\/(\d+)$/.exec(path);
  const inc = /^\/console\/incidents\/(INC-\d{4}-\d{4,})(\/edit)?$/.exec(path);
  if (path === '/console/disposal') page = <Board search={search} />;
  else if (path === '/console/incidents') page = <Incidents search={search} />;
  else if (path === '/console/incidents/new') page = <IncidentForm />;
  else if (inc?.[1] && inc[2]) page = <IncidentEdit id={inc[1]} />;
  else if (inc?.[1]) page = <IncidentDetail id={inc[1]} search={search} />;
  else if (path === '/console/bulletins') page = <BulletinBuilder search={search} />;
  else if (path === '/console/organisations') page = <Organisations search={search} />;
  else if (org?.[1]) page = <Organisation id={Number(org[1])} />;
  else if (path === '/console/feeds') page = <Feeds />;
  else if (path === '/console/drills') page = <Drills />;
  else if (path === '/console/users' && admin) page = <Users />;
  else if (path === '/console/audit' && admin) page = <Audit />;
  else if (path === '/console/peers' && admin) page = <Peers />;
  else if (path === '/console/notices') page = <PeerNotices />;
  else if (/^\/console\/S-[\w-]+$/.test(path)) page = <Case trackingNo={path.split('/').at(-1) ?? ''} />;
  else page = <Queue search={search} />;
  return (
    <div className="console">
      <nav className="tabs console-nav" aria-label={lang === 'zh' ? '控制台' : 'console'}>
        {SECTIONS.filter((s) => admin || !s.admin).map((s) => (
          <Link
            key={s.path}
            to={s.path}
            className={
              path === s.path || (s.path !== '/console' && path.startsWith(`${s.path}/`)) ? 'on' : ''
            }
          >
            {s[lang]}
          </Link>
        ))}
      </nav>
      {page}
    </div>
  );
}
