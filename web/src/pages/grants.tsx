import { useState } from 'preact/hooks';
import { describeError } from '../api';
import { useConsole } from '../context';
import { formatTime } from '../format';
import { usePolling } from '../polling';
import type { Grant } from '../types';

/** What a grant covers, in words. */
function covers(grant: Grant): string {
  return grant.pattern.kind === 'program'
    ? `simple commands running ${grant.pattern.program}`
    : 'these exact arguments';
}

/** Who a grant covers, in words. */
function audience(grant: Grant): string {
  if (grant.scope.kind === 'requester') return grant.scope.principal;
  if (grant.scope.kind === 'conversation')
    return `anyone in ${grant.scope.conversation.platform}:${grant.scope.conversation.channel}`;
  return 'everyone';
}

/**
 * The grants "Always allow" made, in force ones first (or all, revoked and expired too), each with
 * Revoke; refreshed every few seconds. A refusal is shown, never swallowed.
 */
export function GrantsPage() {
  const { api } = useConsole();
  const [all, setAll] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const {
    data,
    error: loadError,
    updatedAt,
    reload,
  } = usePolling(
    async () => (await api.get<{ grants: Grant[] }>(`/v1/grants${all ? '?all=true' : ''}`)).grants,
    4000,
    [api, all],
  );
  const revoke = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await api.delete<Grant>(`/v1/grants/${encodeURIComponent(id)}`);
      reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="grants-title">
      <h1 id="grants-title">Grants</h1>
      <p class="hint">
        Each grant lets a tool run without asking for the calls it covers. The operator's forbid policies
        always win over a grant.
      </p>
      <div class="filters">
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> Show
          revoked and expired grants too
        </label>
        {updatedAt && <span class="hint">Updated {formatTime(updatedAt)}</span>}
      </div>
      {(error ?? loadError) && (
        <p class="error" role="alert">
          {error ?? loadError}
        </p>
      )}
      {data && data.length === 0 && <p class="empty">No grants.</p>}
      {data && data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Covers</th>
              <th scope="col">For</th>
              <th scope="col">Made</th>
              <th scope="col">Until</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map((g) => (
              <tr key={g.id} data-grant={g.id}>
                <td>
                  <code>{g.tool}</code>
                </td>
                <td>{covers(g)}</td>
                <td>{audience(g)}</td>
                <td>
                  {formatTime(g.created_at)} by {g.created_by}
                </td>
                <td>
                  {g.revoked_at
                    ? `revoked ${formatTime(g.revoked_at)} by ${g.revoked_by ?? 'someone'}`
                    : g.expires_at
                      ? formatTime(g.expires_at)
                      : 'revoked'}
                </td>
                <td>
                  {g.revoked_at === null && (
                    <button type="button" class="deny" disabled={busy !== null} onClick={() => revoke(g.id)}>
                      {busy === g.id ? 'Revoking…' : 'Revoke'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
