import { lazy, StrictMode, Suspense, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { initialLang, LangContext, useT, type Lang } from './i18n.js';
import { Home } from './pages/Home.js';
import { List } from './pages/List.js';
import { Detail } from './pages/Detail.js';
import { Bulletins } from './pages/Bulletins.js';
import { Reports, ReportsNavLabel } from './pages/Reports.js';
import { Submit } from './pages/Submit.js';
import { Login, Register } from './pages/Account.js';
import { Mine, MySubmission } from './pages/Mine.js';
import { Respond } from './pages/Respond.js';
import { Inbox, InboxCase } from './pages/Inbox.js';
import { Vendor, Vendors } from './pages/Vendors.js';
import { RankingPage } from './pages/Ranking.js';
import { Watchlists } from './pages/Watchlists.js';
import { Alliance } from './pages/Alliance.js';
import { AllianceMember } from './pages/AllianceMember.js';
import { TipOff, TipOffFollow } from './pages/TipOff.js';
import { Setup } from './pages/Setup.js';
import { DrillRespond } from './pages/DrillRespond.js';
import { AuthProvider, useAuth } from './auth.js';
import { setLanguage } from './api.js';
import { VocabulariesProvider } from './vocabularies.js';
import './styles.css';

/** A minimal history router: the URL holds the page and the query, so a search can be shared. */
export function navigate(to: string) {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}
export function Link(props: { to: string; children: React.ReactNode; className?: string }) {
  return (
    <a
      href={props.to}
      className={props.className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

function useLocation() {
  const [loc, setLoc] = useState(() => ({ path: location.pathname, search: location.search }));
  useEffect(() => {
    const on = () => setLoc({ path: location.pathname, search: location.search });
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return loc;
}

// the console is its own chunk: public visitors never download it
const Console = lazy(() => import('./console/index.js'));

function Shell() {
  const t = useT();
  const { path, search } = useLocation();
  let page: React.ReactNode;
  const detail = /^\/vulnerabilities\/(.+)$/.exec(path);
  if (detail?.[1]) page = <Detail id={decodeURIComponent(detail[1])} />;
  else if (path === '/vulnerabilities') page = <List search={search} />;
  else if (path === '/bulletins') page = <Bulletins />;
  else if (path === '/reports') page = <Reports />;
  else if (path === '/report') page = <Submit />;
  else if (path === '/login') page = <Login />;
  else if (path === '/setup') page = <Setup search={search} />;
  else if (path === '/register') page = <Register />;
  else if (path === '/me') page = <Mine />;
  else if (path === '/console' || path.startsWith('/console/'))
    page = (
      <Suspense fallback={<p className="status">{t('loading')}</p>}>
        <Console path={path} search={search} />
      </Suspense>
    );
  else if (path === '/inbox') page = <Inbox />;
  else if (/^\/inbox\/S-[\w-]+$/.test(path)) page = <InboxCase trackingNo={path.split('/').at(-1) ?? ''} />;
  else if (path === '/vendors') page = <Vendors />;
  else if (/^\/vendors\/.+$/.test(path))
    page = <Vendor name={decodeURIComponent(path.slice('/vendors/'.length))} />;
  else if (path === '/ranking') page = <RankingPage search={search} />;
  else if (path === '/watchlists') page = <Watchlists />;
  else if (path === '/drills') page = <DrillRespond />;
  else if (path === '/alliance') page = <Alliance />;
  else if (/^\/alliance\/[\w-]+$/.test(path))
    page = <AllianceMember certificate={path.slice('/alliance/'.length)} />;
  else if (path === '/tipoff') page = <TipOff />;
  else if (path === '/tipoff/follow') page = <TipOffFollow />;
  else if (/^\/respond\/[\w-]{43}$/.test(path)) page = <Respond token={path.split('/').at(-1) ?? ''} />;
  else if (/^\/me\/submissions\/[\w-]+$/.test(path))
    page = <MySubmission trackingNo={path.split('/').at(-1) ?? ''} search={search} />;
  else page = <Home />;
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          {t('brand')}
        </Link>
        <nav aria-label="main">
          <Link to="/vulnerabilities">{t('vulns')}</Link>
          <Link to="/bulletins">{t('bulletins')}</Link>
          <Link to="/reports">
            <ReportsNavLabel />
          </Link>
          <Link to="/vendors">{t('vendors')}</Link>
          <Link to="/report" className="cta">
            {t('report')}
          </Link>
          <AccountLink />
          <LangSwitch />
        </nav>
      </header>
      <main>{page}</main>
      <Footer />
    </>
  );
}

function Footer() {
  const { lang } = useContext(LangContext);
  return (
    <footer className="bottom">
      <a href={`/api/v1/vulnerabilities.atom${lang === 'en' ? '?lang=en' : ''}`}>
        {lang === 'zh' ? '订阅更新（Atom）' : 'Updates (Atom feed)'}
      </a>
      <Link to="/ranking">{lang === 'zh' ? '报送排行' : 'Reporter ranking'}</Link>
      <a href="/api/docs">{lang === 'zh' ? 'API 文档' : 'API documentation'}</a>
      <Link to="/report">{lang === 'zh' ? '报送漏洞' : 'Report a vulnerability'}</Link>
      <Link to="/tipoff">{lang === 'zh' ? '匿名举报' : 'Tip-off without an account'}</Link>
      <Link to="/alliance">{lang === 'zh' ? '联盟成员' : 'Alliance members'}</Link>
    </footer>
  );
}

function AccountLink() {
  const { me } = useAuth();
  const t = useT();
  if (!me) return <Link to="/login">{t('signIn')}</Link>;
  return (
    <>
      {(me.role === 'analyst' || me.role === 'admin') && <Link to="/console">{t('console')}</Link>}
      {me.role === 'recipient' && <Link to="/inbox">{t('inbox')}</Link>}
      {me.role === 'recipient' && <Link to="/watchlists">{t('watchlists')}</Link>}
      {me.role === 'recipient' && (
        <Link to="/drills">
          <DrillsNavLabel />
        </Link>
      )}
      <Link to="/me">{me.displayName}</Link>
    </>
  );
}

function DrillsNavLabel() {
  const { lang } = useContext(LangContext);
  return <>{lang === 'zh' ? '演练' : 'Exercises'}</>;
}

function LangSwitch() {
  const t = useT();
  return (
    <LangContext.Consumer>
      {({ lang, setLang }) => (
        <button
          type="button"
          className="lang"
          onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          aria-label="language"
        >
          {t('language')}
        </button>
      )}
    </LangContext.Consumer>
  );
}

function App() {
  // the client sends the UI language as Accept-Language from the first request on
  const [lang, setLangState] = useState<Lang>(() => {
    const l = initialLang();
    setLanguage(l);
    return l;
  });
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('vulnshare.lang', l);
    setLanguage(l);
    setLangState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return (
    <LangContext.Provider value={value}>
      <VocabulariesProvider>
        <AuthProvider>
          <Shell />
        </AuthProvider>
      </VocabulariesProvider>
    </LangContext.Provider>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
