/** Who is signed in (GET /api/v1/auth/me at start), shared by the pages. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { setCsrf } from './api.js';
import { call, client, perform, type Answer } from './api/client.js';

/** The signed-in user as the session answer describes it. */
export type Me = NonNullable<Answer<'getSession'>['user']>;

interface AuthState {
  me: Me | null;
  ready: boolean;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}
const AuthContext = createContext<AuthState>({
  me: null,
  ready: false,
  login: () => Promise.resolve(),
  logout: () => Promise.resolve(),
});
export const useAuth = () => useContext(AuthContext);

export function AuthProvider({ children }: { children: React.ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    call(client.GET('/api/v1/auth/me')).then(
      (r) => {
        setCsrf(r.csrfToken ?? null);
        setMe(r.user ?? null);
        setReady(true);
      },
      () => setReady(true),
    );
  }, []);
  const login = useCallback(async (email: string, password: string) => {
    const r = await call(client.POST('/api/v1/auth/login', { body: { email, password } }));
    setCsrf(r.csrfToken ?? null);
    setMe(r.user ?? null);
  }, []);
  const logout = useCallback(async () => {
    await perform(client.POST('/api/v1/auth/logout'));
    setCsrf(null);
    setMe(null);
  }, []);
  const value = useMemo(() => ({ me, ready, login, logout }), [me, ready, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
