import { useState } from 'preact/hooks';
import { ApiError, describeError } from '../api';
import { useConsole } from '../context';
import { formatTime, pretty } from '../format';
import type { Approval } from '../types';
import { StateBadge } from './state-badge';

const OUTCOME: Record<Approval['state'], string> = {
  pending: 'Waiting for a decision',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired (counted as denied)',
  cancelled: 'Cancelled with the run',
};

/**
 * One tool call waiting for a human: the tool, its arguments and who asked, with Approve / Deny;
 * after a decision, the outcome and who decided. A refusal is shown, never swallowed.
 */
export function ApprovalCard(props: { approval: Approval; onChange: (approval: Approval) => void }) {
  const { api } = useConsole();
  const { approval } = props;
  const [busy, setBusy] = useState<'approve' | 'deny' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const decide = async (decision: 'approve' | 'deny') => {
    setBusy(decision);
    setError(null);
    try {
      props.onChange(
        await api.post<Approval>(`/v1/approvals/${encodeURIComponent(approval.id)}/decision`, { decision }),
      );
    } catch (e) {
      setError(describeError(e));
      if (e instanceof ApiError && e.status === 409) {
        try {
          props.onChange(await api.get<Approval>(`/v1/approvals/${encodeURIComponent(approval.id)}`));
        } catch {
          // the refusal is already shown
        }
      }
    } finally {
      setBusy(null);
    }
  };

  const titleId = `approval-${approval.id}`;
  return (
    <article
      class={`card approval approval-${approval.state}`}
      aria-labelledby={titleId}
      data-approval={approval.id}
    >
      <h3 id={titleId}>
        Approval needed: <code>{approval.tool}</code> <StateBadge state={approval.state} />
      </h3>
      <p class="meta">
        Requested by {approval.requester} at {formatTime(approval.created_at)}
        {approval.state === 'pending' && <> · expires {formatTime(approval.expires_at)}</>}
      </p>
      <span class="visually-hidden">Arguments:</span>
      <pre class="args">{pretty(approval.args)}</pre>
      {approval.state === 'pending' ? (
        <div class="actions">
          <button type="button" class="approve" disabled={busy !== null} onClick={() => decide('approve')}>
            {busy === 'approve' ? 'Approving…' : 'Approve'}
          </button>
          <button type="button" class="deny" disabled={busy !== null} onClick={() => decide('deny')}>
            {busy === 'deny' ? 'Denying…' : 'Deny'}
          </button>
        </div>
      ) : (
        <p class="outcome" role="status">
          {OUTCOME[approval.state]}
          {approval.decided_by && ` by ${approval.decided_by}`}
          {approval.decided_at && ` at ${formatTime(approval.decided_at)}`}
          {approval.reason && ` (${approval.reason})`}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
