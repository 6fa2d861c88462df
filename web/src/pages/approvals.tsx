import { useState } from 'preact/hooks';
import { ApprovalCard } from '../components/approval-card';
import { useConsole } from '../context';
import { formatTime } from '../format';
import { usePolling } from '../polling';
import { href } from '../router';
import type { Approval } from '../types';

const STATES = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'all'] as const;

/** Approvals: pending ones first, with Approve / Deny; refreshed every few seconds. */
export function ApprovalsPage() {
  const { api } = useConsole();
  const [state, setState] = useState<(typeof STATES)[number]>('pending');
  const [decided, setDecided] = useState<Record<string, Approval>>({});
  const { data, error, updatedAt } = usePolling(
    async () => {
      const q = state === 'all' ? '' : `&state=${state}`;
      return (await api.get<{ approvals: Approval[] }>(`/v1/approvals?limit=100${q}`)).approvals;
    },
    4000,
    [api, state],
  );
  const shown = new Set((data ?? []).map((a) => a.id));
  // Decided here but no longer in the filtered list: keep showing the outcome.
  const list = [
    ...(data ?? []).map((a) => decided[a.id] ?? a),
    ...Object.values(decided).filter((a) => !shown.has(a.id)),
  ];
  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      <div class="filters">
        <label for="approval-state">Show</label>
        <select
          id="approval-state"
          value={state}
          onChange={(e) => setState(e.currentTarget.value as typeof state)}
        >
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {updatedAt && <span class="hint">Updated {formatTime(updatedAt)}</span>}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && list.length === 0 && <p class="empty">No {state === 'all' ? '' : state} approvals.</p>}
      <div class="cards">
        {list.map((a) => (
          <div key={a.id}>
            <ApprovalCard approval={a} onChange={(next) => setDecided((d) => ({ ...d, [next.id]: next }))} />
            <p class="card-link">
              <a href={href('runs', a.run_id)}>Run {a.run_id}</a> ·{' '}
              <a href={href('chat', a.session_id)}>Conversation</a>
            </p>
          </div>
        ))}
      </div>
    </section>
  );
}
