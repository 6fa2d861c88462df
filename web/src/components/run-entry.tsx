import { formatTime } from '../format';
import { useLiveRun } from '../live-run';
import { href } from '../router';
import { TERMINAL } from '../types';
import { ApprovalCard } from './approval-card';
import { CancelButton } from './cancel-button';
import { StateBadge } from './state-badge';

/** One turn of a conversation: the message, the answer as it streams, its approvals and state. */
export function RunEntry(props: { runId: string }) {
  const live = useLiveRun(props.runId);
  const { run } = live;
  if (!run) return <li class="turn">{live.error ? <p class="error">{live.error}</p> : 'Loading…'}</li>;
  const active = !TERMINAL.includes(run.state);
  return (
    <li class="turn" data-run={run.id} data-state={run.state}>
      <div class="message from-user">
        <span class="who">{run.principal}</span> <time>{formatTime(run.created_at)}</time>
        <p>{run.text}</p>
      </div>
      {live.approvals.map((a) => (
        <ApprovalCard key={a.id} approval={a} onChange={live.updateApproval} />
      ))}
      <div class="message from-agent" aria-busy={active ? 'true' : 'false'}>
        <div class="run-meta">
          <StateBadge state={run.state} label="Run" />
          {active && <CancelButton run={run} onDone={live.refresh} />}
          <a href={href('runs', run.id)}>Tape</a>
        </div>
        {live.answer ? (
          <p class="answer" data-testid="answer">
            {live.answer}
            {live.streaming && <span class="cursor" aria-hidden="true" />}
          </p>
        ) : active ? (
          <p class="pending">{run.state === 'accepted' ? 'Queued…' : 'Thinking…'}</p>
        ) : null}
        {run.reason && run.state !== 'succeeded' && <p class="reason">{run.reason}</p>}
        {live.error && (
          <p class="error" role="alert">
            {live.error}
          </p>
        )}
      </div>
    </li>
  );
}
