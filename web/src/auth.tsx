/** Who is signed in (GET /api/v1/auth/me at start), shared by the pages. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, send, setCsrf, type Me } from './api.js';

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
    api<{ user: Me | null; csrfToken: string | null }>('/api/v1/auth/me').then(
      (r) => {
        setCsrf(r.csrfToken);
        setMe(r.user);
        setReady(true);
      },
      () => setReady(true),
    );
  }, []);
  const login = useCallback(async (email: string, password: string) => {
    const r = await send<{ user: Me; csrfToken: string }>('POST', '/api/v1/auth/login', { email, password });
    setCsrf(r.csrfToken);
    setMe(r.user);
  }, []);
  const logout = useCallback(async () => {
    await send('POST', '/api/v1/auth/logout');
    setCsrf(null);
    setMe(null);
  }, []);
  const value = useMemo(() => ({ me, ready, login, logout }), [me, ready, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
