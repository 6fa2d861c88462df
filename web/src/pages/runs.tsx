import { useState } from 'preact/hooks';
import { StateBadge } from '../components/state-badge';
import { useConsole } from '../context';
import { formatTime } from '../format';
import { usePolling } from '../polling';
import { href, navigate } from '../router';
import type { Run } from '../types';

const STATES = ['', 'accepted', 'running', 'succeeded', 'failed', 'cancelled'];

/** Runs, filtered by state, session and principal (kept in the URL), each linking to its tape. */
export function RunsPage(props: { query: URLSearchParams }) {
  const { api, me } = useConsole();
  const state = props.query.get('state') ?? '';
  const sessionId = props.query.get('session_id') ?? '';
  const principal = props.query.get('principal') ?? (me.read_admin ? '' : me.principal);
  const [draft, setDraft] = useState({ state, sessionId, principal });
  const { data, error } = usePolling(
    async () => {
      const q = new URLSearchParams({ limit: '100' });
      if (state) q.set('state', state);
      if (sessionId) q.set('session_id', sessionId);
      if (principal) q.set('principal', principal);
      return (await api.get<{ runs: Run[] }>(`/v1/runs?${q}`)).runs;
    },
    5000,
    [api, state, sessionId, principal],
  );

  const apply = (event: Event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (draft.state) q.set('state', draft.state);
    if (draft.sessionId.trim()) q.set('session_id', draft.sessionId.trim());
    if (draft.principal.trim()) q.set('principal', draft.principal.trim());
    navigate(`#/runs${q.size > 0 ? `?${q}` : ''}`);
  };

  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter runs">
        <label>
          State
          <select value={draft.state} onChange={(e) => setDraft({ ...draft, state: e.currentTarget.value })}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Session
          <input
            value={draft.sessionId}
            placeholder="session id"
            onInput={(e) => setDraft({ ...draft, sessionId: e.currentTarget.value })}
          />
        </label>
        <label>
          Principal
          <input
            value={draft.principal}
            placeholder="e.g. console:alice"
            onInput={(e) => setDraft({ ...draft, principal: e.currentTarget.value })}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && data.length === 0 && <p class="empty">No runs match.</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">State</th>
                <th scope="col">Principal</th>
                <th scope="col">Agent</th>
                <th scope="col">Message</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {data.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={href('runs', run.id)}>
                      <code>{run.id}</code>
                    </a>
                  </td>
                  <td>
                    <StateBadge state={run.state} />
                  </td>
                  <td>{run.principal}</td>
                  <td>{run.agent ?? 'default'}</td>
                  <td class="excerpt">{run.text.length > 80 ? `${run.text.slice(0, 80)}…` : run.text}</td>
                  <td>{formatTime(run.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
