import { useState } from 'preact/hooks';
import { useConsole } from '../context';
import { formatTime } from '../format';
import { usePolling } from '../polling';
import type { JournalEvent } from '../types';

/** What an event is about, in a few words: run, session, principal, state. */
function summary(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .slice(0, 6)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' · ');
}

/** The journal's recent events, newest first, refreshed every 3 seconds unless paused. */
export function EventsPage() {
  const { api } = useConsole();
  const [paused, setPaused] = useState(false);
  const { data, error, updatedAt } = usePolling(
    async () => (await api.get<{ events: JournalEvent[] }>('/v1/events/recent?limit=100')).events,
    paused ? 0 : 3000,
    [api, paused],
  );
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Recent events</h1>
      <div class="filters">
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume live updates' : 'Pause live updates'}
        </button>
        <span class="hint" role="status">
          {updatedAt ? `Updated ${formatTime(updatedAt)}` : 'Loading…'}
          {paused ? ' (paused)' : ''}
        </span>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Journal events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {data.map((e) => (
                <tr key={e.id} data-type={e.type}>
                  <td>{formatTime(e.at)}</td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td class="excerpt">{summary(e.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
