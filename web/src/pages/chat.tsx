import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api';
import { RunEntry } from '../components/run-entry';
import { useConsole } from '../context';
import { formatAgo } from '../format';
import { href, navigate } from '../router';
import type { Run, Session, SessionWithRuns } from '../types';

/** Sessions the signed-in person can see: all of them with `read_admin`, else those they spoke in. */
function useSessions(): { sessions: Session[]; error: string | null; reload: () => void } {
  const { api, me } = useConsole();
  const [sessions, setSessions] = useState<Session[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    void (async () => {
      try {
        if (me.read_admin) {
          setSessions((await api.get<{ sessions: Session[] }>('/v1/sessions?limit=100')).sessions);
        } else {
          const own = await api.get<{ runs: Run[] }>(
            `/v1/runs?principal=${encodeURIComponent(me.principal)}&limit=200`,
          );
          const ids = [...new Set(own.runs.map((r) => r.session_id))].slice(0, 30);
          setSessions(await Promise.all(ids.map((id) => api.get<Session>(`/v1/sessions/${id}`))));
        }
        setError(null);
      } catch (e) {
        setError(describeError(e));
      }
    })();
  }, [api, me]);
  useEffect(reload, [reload]);
  return { sessions, error, reload };
}

/** Chat: the sessions list beside one conversation, with a box to send the next message. */
export function ChatPage(props: { sessionId: string | undefined }) {
  const { api, me } = useConsole();
  const { sessions, error: listError, reload } = useSessions();
  const [session, setSession] = useState<SessionWithRuns | null>(null);
  const [runIds, setRunIds] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const id = props.sessionId && props.sessionId !== 'new' ? props.sessionId : undefined;

  useEffect(() => {
    setSession(null);
    setRunIds([]);
    setError(null);
    if (!id) return;
    api
      .get<SessionWithRuns>(`/v1/sessions/${encodeURIComponent(id)}`)
      .then((s) => {
        setSession(s);
        setRunIds([...s.runs].sort((a, b) => a.created_at - b.created_at).map((r) => r.id));
      })
      .catch((e: unknown) => setError(describeError(e)));
  }, [api, id]);

  const writable = !session || session.channel === 'console';
  const send = async (event: Event) => {
    event.preventDefault();
    const message = text.trim();
    if (!message || sending) return;
    setSending(true);
    setError(null);
    try {
      const target = session
        ? { session_id: session.id }
        : { session_key: `console:${me.principal.replace(/^console:/, '')}:${Date.now().toString(36)}` };
      const sent = await api.post<{ session_id: string; run_id: string }>('/v1/messages', {
        ...target,
        text: message,
      });
      setText('');
      if (!session) {
        navigate(href('chat', sent.session_id));
        reload();
      } else setRunIds((ids) => (ids.includes(sent.run_id) ? ids : [...ids, sent.run_id]));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  return (
    <div class="chat">
      <aside class="sessions" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <a class="button" href={href('chat', 'new')}>
          New conversation
        </a>
        {listError && (
          <p class="error" role="alert">
            {listError}
          </p>
        )}
        <ul>
          {sessions.map((s) => (
            <li key={s.id}>
              <a href={href('chat', s.id)} aria-current={s.id === id ? 'page' : undefined}>
                <span class="key">{s.key}</span>
                <span class="meta">
                  {s.channel} · {formatAgo(s.created_at)}
                </span>
              </a>
            </li>
          ))}
        </ul>
        {sessions.length === 0 && !listError && <p class="empty">No sessions yet.</p>}
      </aside>
      <section class="conversation" aria-labelledby="conversation-title">
        <h1 id="conversation-title">{session ? session.key : 'New conversation'}</h1>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <ol class="turns" aria-live="polite">
          {runIds.map((runId) => (
            <RunEntry key={runId} runId={runId} />
          ))}
        </ol>
        {writable ? (
          <form class="composer" onSubmit={send}>
            <label for="message">Message</label>
            <textarea
              id="message"
              ref={input}
              rows={3}
              value={text}
              placeholder="Ask the agent…"
              onInput={(e) => setText(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
              }}
            />
            <div class="composer-actions">
              <span class="hint">Ctrl+Enter sends</span>
              <button type="submit" disabled={sending || !text.trim()}>
                {sending ? 'Sending…' : 'Send'}
              </button>
            </div>
          </form>
        ) : (
          <p class="hint">This conversation belongs to {session?.channel}; reply there.</p>
        )}
      </section>
    </div>
  );
}
