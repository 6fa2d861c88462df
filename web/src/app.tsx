import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from './api';
import { Console } from './context';
import { AccessPage } from './pages/access';
import { ApprovalsPage } from './pages/approvals';
import { ChatPage } from './pages/chat';
import { EventsPage } from './pages/events';
import { GrantsPage } from './pages/grants';
import { RunsPage } from './pages/runs';
import { SignIn } from './pages/sign-in';
import { TapePage } from './pages/tape';
import { UsagePage } from './pages/usage';
import { href, useRoute } from './router';
import { tokenStore } from './token-store';
import type { Me } from './types';

/** The pages, each shown to those the policy lets read it. */
const PAGES: { id: string; label: string; shown: (me: Me) => boolean }[] = [
  { id: 'chat', label: 'Chat', shown: () => true },
  { id: 'approvals', label: 'Approvals', shown: (me) => me.read_admin || me.approve },
  { id: 'runs', label: 'Runs', shown: () => true },
  { id: 'grants', label: 'Grants', shown: (me) => me.read_grants },
  { id: 'events', label: 'Recent events', shown: (me) => me.read_events },
  { id: 'usage', label: 'Usage', shown: () => true },
  { id: 'access', label: 'Access', shown: (me) => me.read_access },
];

/** The console: the sign-in form until a token is accepted, then the pages. */
export function App() {
  const [session, setSession] = useState<{ token: string; me: Me } | null>(null);
  const [restoring, setRestoring] = useState(() => tokenStore.read() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((why: string | null = null) => {
    tokenStore.clear();
    setSession(null);
    setNotice(why);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const me = await createApi(token).get<Me>('/v1/console/me');
    tokenStore.write(token);
    setNotice(null);
    setSession({ token, me });
  }, []);

  useEffect(() => {
    const saved = tokenStore.read();
    if (!saved) return;
    signIn(saved)
      .catch(() => signOut('Your saved token is no longer accepted; sign in again.'))
      .finally(() => setRestoring(false));
  }, [signIn, signOut]);

  if (restoring) return <p class="boot">Signing in…</p>;
  if (!session) return <SignIn onSignIn={signIn} notice={notice} />;
  return <Shell token={session.token} me={session.me} onSignOut={() => signOut()} onExpired={signOut} />;
}

function Shell(props: { token: string; me: Me; onSignOut: () => void; onExpired: (why: string) => void }) {
  const { token, me, onExpired } = props;
  const api = useMemo(
    () => createApi(token, () => onExpired('The daemon no longer accepts your token; sign in again.')),
    [token, onExpired],
  );
  const route = useRoute();
  const page = route.parts[0] ?? 'chat';
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [page]);

  let content = <ChatPage sessionId={route.parts[1]} />;
  if (page === 'approvals') content = <ApprovalsPage />;
  else if (page === 'runs' && route.parts[1]) content = <TapePage runId={route.parts[1]} />;
  else if (page === 'runs') content = <RunsPage query={route.query} />;
  else if (page === 'events') content = <EventsPage />;
  else if (page === 'grants') content = <GrantsPage />;
  else if (page === 'usage') content = <UsagePage />;
  else if (page === 'access') content = <AccessPage />;

  return (
    <Console.Provider value={{ api, me }}>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Switchboard</span>
        <nav aria-label="Console pages">
          <ul class="nav-list">
            {PAGES.filter((p) => p.shown(me)).map((p) => (
              <li key={p.id}>
                <a href={href(p.id)} aria-current={page === p.id ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          Signed in as <strong data-testid="principal">{me.principal}</strong>
          <button type="button" class="link" onClick={props.onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {content}
      </main>
    </Console.Provider>
  );
}
