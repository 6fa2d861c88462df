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

/** Who "Always allow" covers. */
const AUDIENCES = [
  { value: 'requester', label: 'the person who asked' },
  { value: 'conversation', label: 'anyone in this conversation' },
  { value: 'everyone', label: 'everyone' },
] as const;

/** How long "Always allow" lasts. */
const EXPIRIES = [
  { value: '', label: 'revoked' },
  { value: '1d', label: 'a day from now' },
  { value: '7d', label: 'a week from now' },
  { value: '30d', label: 'a month from now' },
];

/**
 * One tool call waiting for a human: the tool, its arguments and who asked, with Approve / Deny;
 * after a decision, the outcome and who decided. A refusal is shown, never swallowed.
 */
export function ApprovalCard(props: { approval: Approval; onChange: (approval: Approval) => void }) {
  const { api } = useConsole();
  const { approval } = props;
  const [busy, setBusy] = useState<'approve' | 'deny' | 'always' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [grantFor, setGrantFor] = useState<(typeof AUDIENCES)[number]['value']>('requester');
  const [expiresIn, setExpiresIn] = useState<string>('');

  const decide = async (decision: 'approve' | 'deny' | 'always') => {
    setBusy(decision);
    setError(null);
    const body =
      decision === 'always'
        ? {
            decision: 'approve',
            scope: 'always',
            grant: { for: grantFor, ...(expiresIn ? { expires_in: expiresIn } : {}) },
          }
        : { decision };
    try {
      props.onChange(
        await api.post<Approval>(`/v1/approvals/${encodeURIComponent(approval.id)}/decision`, body),
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
          <fieldset class="always">
            <legend>
              Always allow this tool with these arguments (for shell_exec: a simple command's program)
            </legend>
            <label>
              For{' '}
              <select
                value={grantFor}
                onChange={(e) => setGrantFor(e.currentTarget.value as typeof grantFor)}
              >
                {AUDIENCES.map((a) => (
                  <option key={a.value} value={a.value}>
                    {a.label}
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              Until{' '}
              <select value={expiresIn} onChange={(e) => setExpiresIn(e.currentTarget.value)}>
                {EXPIRIES.map((x) => (
                  <option key={x.value} value={x.value}>
                    {x.label}
                  </option>
                ))}
              </select>
            </label>{' '}
            <button type="button" class="always" disabled={busy !== null} onClick={() => decide('always')}>
              {busy === 'always' ? 'Allowing…' : 'Always allow'}
            </button>
          </fieldset>
        </div>
      ) : (
        <p class="outcome" role="status">
          {approval.grant_id ? 'Always allowed' : OUTCOME[approval.state]}
          {approval.decided_by && ` by ${approval.decided_by}`}
          {approval.grant_id && ` (grant ${approval.grant_id})`}
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
