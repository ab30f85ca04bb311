import type { Locale, Me } from '@renkei/contract';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, apiRequest, onUnauthenticated, setCsrfToken } from './api.ts';
import { setUiLocale } from './i18n.ts';
import { queryClient } from './query-client.ts';

export type { Me };

/** Why the last session ended, to say so on the login page. */
export type SessionEnd = 'logged_out' | 'expired' | null;

export interface Session {
  status: 'loading' | 'authenticated' | 'anonymous';
  me: Me | null;
  /** Set when /me could not be read for a reason other than "not logged in" (e.g. the server is down). */
  loadError: unknown;
  ended: SessionEnd;
  /** Adopt a Me from any response that returns one: keeps the CSRF token fresh and the language in step. */
  applyMe: (me: Me) => void;
  update: (patch: UpdateMe) => Promise<Me>;
  logout: () => Promise<void>;
  reload: () => void;
}

export interface UpdateMe {
  locale?: Locale;
  timeZone?: string;
  displayName?: string;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [status, setStatus] = useState<Session['status']>('loading');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [ended, setEnded] = useState<SessionEnd>(null);
  const [loadCount, setLoadCount] = useState(0);
  const statusRef = useRef(status);
  useEffect(() => {
    statusRef.current = status;
  }, [status]);

  const applyMe = useCallback((next: Me) => {
    setCsrfToken(next.csrfToken);
    setMe(next);
    setStatus('authenticated');
    setLoadError(null);
    setEnded(null);
    void setUiLocale(next.locale);
  }, []);

  const clear = useCallback((reason: SessionEnd) => {
    setCsrfToken(null);
    // The next person to log in here must not see what the last one loaded.
    queryClient.clear();
    setMe(null);
    setStatus('anonymous');
    setEnded(reason);
  }, []);

  useEffect(() => {
    let cancelled = false;
    setStatus('loading');
    apiRequest<Me>('GET', '/me').then(
      (loaded) => {
        if (!cancelled) applyMe(loaded);
      },
      (error: unknown) => {
        if (cancelled) return;
        clear(null);
        const notLoggedIn = error instanceof ApiError && error.status === 401;
        setLoadError(notLoggedIn ? null : error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [applyMe, clear, loadCount]);

  useEffect(
    () =>
      onUnauthenticated(() => {
        if (statusRef.current === 'authenticated') clear('expired');
      }),
    [clear],
  );

  const update = useCallback(
    async (patch: UpdateMe) => {
      const updated = await apiRequest<Me>('PATCH', '/me', patch);
      applyMe(updated);
      return updated;
    },
    [applyMe],
  );

  const logout = useCallback(async () => {
    try {
      await apiRequest<undefined>('POST', '/auth/logout');
    } catch (error) {
      // Already logged out on the server: nothing is lost by forgetting the session here too.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    clear('logged_out');
  }, [clear]);

  const reload = useCallback(() => setLoadCount((count) => count + 1), []);

  const value = useMemo<Session>(
    () => ({ status, me, loadError, ended, applyMe, update, logout, reload }),
    [status, me, loadError, ended, applyMe, update, logout, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The current session; only inside SessionProvider. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession must be used inside SessionProvider');
  return session;
}

/** The logged-in user; only on pages that are shown to logged-in users. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe needs a logged-in user');
  return me;
}
