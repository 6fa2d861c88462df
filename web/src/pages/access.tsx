import { useState } from 'preact/hooks';
import { describeError } from '../api';
import { useConsole } from '../context';
import { formatTime } from '../format';
import { usePolling } from '../polling';
import type { AccessOverview, AccessRequest } from '../types';

/**
 * Access: strangers waiting to be let in, each with Approve / Deny (the same decision as the
 * card in the chat's admin conversation), then who was let in and which identities are linked.
 */
export function AccessPage() {
  const { api } = useConsole();
  const [decided, setDecided] = useState<Record<string, AccessRequest>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const {
    data,
    error: loadError,
    reload,
  } = usePolling(() => api.get<AccessOverview>('/v1/access'), 4000, [api]);

  /** Revokes a membership or unlinks an identity, then reads the page again. */
  const undo = async (what: string, path: string) => {
    setBusy(what);
    setError(null);
    try {
      await api.delete(path);
      reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  const decide = async (request: AccessRequest, decision: 'approve' | 'deny') => {
    setBusy(request.id);
    setError(null);
    try {
      const next = await api.post<AccessRequest>(
        `/v1/access/requests/${encodeURIComponent(request.id)}/decision`,
        { decision },
      );
      setDecided((d) => ({ ...d, [next.id]: next }));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  const shown = new Set((data?.requests ?? []).map((r) => r.id));
  const requests = [
    ...(data?.requests ?? []).map((r) => decided[r.id] ?? r),
    ...Object.values(decided).filter((r) => !shown.has(r.id)),
  ];
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title">Access</h1>
      {(error ?? loadError) && (
        <p class="error" role="alert">
          {error ?? loadError}
        </p>
      )}
      <h2>Waiting to be let in</h2>
      {data && requests.length === 0 && <p class="empty">Nobody is waiting.</p>}
      <div class="cards">
        {requests.map((r) => (
          <article key={r.id} class={`card approval approval-${r.state}`} data-access-request={r.id}>
            <h3>
              {r.principal} asks to talk to the agent (joins <code>{r.group}</code>)
            </h3>
            <p class="meta">
              On {r.channel} at {formatTime(r.created_at)}
              {r.state === 'pending' && <> · expires {formatTime(r.expires_at)}</>}
            </p>
            <pre class="args">{r.text}</pre>
            {r.state === 'pending' ? (
              <div class="actions">
                <button
                  type="button"
                  class="approve"
                  disabled={busy !== null}
                  onClick={() => decide(r, 'approve')}
                >
                  Approve
                </button>
                <button type="button" class="deny" disabled={busy !== null} onClick={() => decide(r, 'deny')}>
                  Deny
                </button>
              </div>
            ) : (
              <p class="outcome" role="status">
                {r.state === 'approved' ? 'Let in' : r.state === 'denied' ? 'Turned away' : 'Expired'}
                {r.decided_by && ` by ${r.decided_by}`}
              </p>
            )}
          </article>
        ))}
      </div>
      <h2>Let in</h2>
      {data && data.memberships.length === 0 && <p class="empty">Nobody was let in through the journal.</p>}
      <ul>
        {(data?.memberships ?? []).map((m) => (
          <li key={`${m.principal} ${m.group}`} data-membership={`${m.principal} ${m.group}`}>
            {m.principal} in <code>{m.group}</code>, by {m.granted_by} at {formatTime(m.granted_at)}{' '}
            <button
              type="button"
              class="deny"
              disabled={busy !== null}
              onClick={() =>
                undo(
                  `${m.principal} ${m.group}`,
                  `/v1/access/memberships/${encodeURIComponent(m.principal)}?group=${encodeURIComponent(m.group)}`,
                )
              }
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <h2>Linked identities</h2>
      {data && data.links.length === 0 && <p class="empty">No identities are linked.</p>}
      <ul>
        {(data?.links ?? []).map((l) => (
          <li key={l.principal} data-link={l.principal}>
            {l.principal} is {l.person}{' '}
            <button
              type="button"
              class="deny"
              disabled={busy !== null}
              onClick={() => undo(l.principal, `/v1/links/${encodeURIComponent(l.principal)}`)}
            >
              Unlink
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
