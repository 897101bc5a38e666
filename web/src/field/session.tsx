// Who is working in the field view, online or not. Online, the desktop's AuthProvider knows the
// account. Offline, /auth/me cannot answer, so the field view carries on as the last account that
// used it on this phone (kept in IndexedDB) and only captures; sending waits for a live session of
// that same account. A session that ended while offline asks for a login and keeps the queue.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me } from '../../../contracts/auth.ts';
import { api, ApiError, setCsrfToken } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { loadLastUser, saveLastUser, type FieldUser } from './db.ts';

export type SessionState =
  /** Asking the server (or IndexedDB) who this is. */
  | 'checking'
  /** A live session for `user`. */
  | 'live'
  /** No network: working as the last account seen here. */
  | 'offline'
  /** The server answered 401: log in again (the queue waits). */
  | 'expired'
  /** Nobody has ever used the field view here and there is no network. */
  | 'unknown';

type FieldSession = {
  user: FieldUser | null;
  state: SessionState;
  online: boolean;
  /** Ask the server again (after the network returns, after a 401 during sync). */
  recheck: () => Promise<void>;
  markExpired: () => void;
  markOffline: () => void;
};

const Ctx = createContext<FieldSession | null>(null);

const fieldUserOf = (m: Me): FieldUser => ({ id: m.id, username: m.username, displayName: m.displayName, cadreId: m.cadreId, unitName: m.unitName, regionName: m.regionName });

export function FieldSessionProvider({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  const [user, setUser] = useState<FieldUser | null>(null);
  const [state, setState] = useState<SessionState>('checking');
  const [online, setOnline] = useState(() => navigator.onLine);

  const live = useCallback((m: Me) => {
    setCsrfToken(m.csrfToken);
    const u = fieldUserOf(m);
    setUser(u);
    setState('live');
    void saveLastUser(u);
  }, []);

  const fallBack = useCallback(async (why: 'offline' | 'expired') => {
    const last = await loadLastUser().catch(() => null);
    setUser((u) => u ?? last?.value ?? null);
    setState(why === 'expired' ? 'expired' : last ? 'offline' : 'unknown');
  }, []);

  const recheck = useCallback(async () => {
    try {
      live(await api.get<Me>('/api/v1/auth/me', undefined, { quiet: true, noRedirect: true }));
    } catch (e) {
      await fallBack(e instanceof ApiError && e.status === 401 ? 'expired' : 'offline');
    }
  }, [live, fallBack]);

  // Follow the desktop's session; when it has none, find out whether that is the network or a login.
  useEffect(() => {
    if (me === undefined) return;
    if (me) live(me);
    else void recheck();
  }, [me, live, recheck]);

  useEffect(() => {
    const up = () => {
      setOnline(true);
      void recheck();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [recheck]);

  // The phone says it is online but the server did not answer (server down, captive portal):
  // ask again now and then, since no 'online' event will come.
  useEffect(() => {
    if (!online || (state !== 'offline' && state !== 'unknown')) return;
    const id = window.setInterval(() => void recheck(), 30_000);
    return () => window.clearInterval(id);
  }, [online, state, recheck]);

  const value = useMemo<FieldSession>(
    () => ({
      user,
      state,
      online,
      recheck,
      markExpired: () => setState('expired'),
      markOffline: () => setState((s) => (s === 'live' ? 'offline' : s)),
    }),
    [user, state, online, recheck],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useFieldSession(): FieldSession {
  const c = useContext(Ctx);
  if (!c) throw new Error('useFieldSession outside FieldSessionProvider');
  return c;
}
