import { App as AntApp } from 'antd';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { roleMay, type Me, type Permission } from '../../contracts/auth.ts';
import { api, ApiError, setApiHandlers, setCsrfToken } from './api.ts';

type Auth = {
  /** undefined while the first /auth/me is under way; null when nobody is logged in. */
  me: Me | null | undefined;
  login: (username: string, password: string) => Promise<Me>;
  logout: () => Promise<void>;
  /** Why the last session ended, shown once on the login page. */
  endedBy: ApiError | null;
  clearEnded: () => void;
  /** The user pressed 退出: the next login starts on the overview, not on the last page. */
  loggedOut: boolean;
};

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const { message } = AntApp.useApp();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [endedBy, setEndedBy] = useState<ApiError | null>(null);
  const [loggedOut, setLoggedOut] = useState(false);

  useEffect(() => {
    setApiHandlers({
      error: (m) => void message.error(m),
      unauthorized: (err) => {
        setMe(null);
        // The login page shows why (超时退出) in place of a floating notice.
        if (err.code === 'SESSION_EXPIRED') setEndedBy(err);
      },
    });
  }, [message]);

  useEffect(() => {
    let cancelled = false;
    api
      .get<Me>('/api/v1/auth/me', undefined, { quiet: true, noRedirect: true })
      .then((m) => {
        if (cancelled) return;
        setCsrfToken(m.csrfToken);
        setMe(m);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.code === 'SESSION_EXPIRED') setEndedBy(e);
        setMe(null);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const m = await api.post<Me>('/api/v1/auth/login', { username, password }, { quiet: true, noRedirect: true });
    setCsrfToken(m.csrfToken);
    setEndedBy(null);
    setLoggedOut(false);
    setMe(m);
    return m;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post<void>('/api/v1/auth/logout', undefined, { quiet: true, noRedirect: true });
    } catch {
      /* the session may already be gone; log out locally anyway */
    }
    setCsrfToken(null);
    setLoggedOut(true);
    setMe(null);
  }, []);

  const value = useMemo<Auth>(
    () => ({ me, login, logout, endedBy, clearEnded: () => setEndedBy(null), loggedOut }),
    [me, login, logout, endedBy, loggedOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The signed-in user; only for pages under RequireAuth. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a session');
  return me;
}

export type { Permission };

export const can = (me: Pick<Me, 'role'> | null | undefined, p: Permission) =>
  !!me && roleMay(me.role, p);
