import { CancelButton } from '../components/cancel-button';
import { StateBadge } from '../components/state-badge';
import { TapeBody } from '../components/tape-body';
import { formatTime } from '../format';
import { useLiveRun } from '../live-run';
import { href } from '../router';
import { TERMINAL } from '../types';

/** The tape of one run: every event in order with its kind, time and a readable body; live while running. */
export function TapePage(props: { runId: string }) {
  const live = useLiveRun(props.runId);
  const { run } = live;
  const tape = [...live.tape].sort((a, b) => a.seq - b.seq);
  return (
    <section aria-labelledby="tape-title">
      <p>
        <a href={href('runs')}>← All runs</a>
      </p>
      <h1 id="tape-title">
        Run <code>{props.runId}</code>
      </h1>
      {live.error && (
        <p class="error" role="alert">
          {live.error}
        </p>
      )}
      {run && (
        <dl class="summary">
          <dt>State</dt>
          <dd>
            <StateBadge state={run.state} />{' '}
            {!TERMINAL.includes(run.state) && <CancelButton run={run} onDone={live.refresh} />}
            {run.reason && <span class="reason"> {run.reason}</span>}
          </dd>
          <dt>Principal</dt>
          <dd>{run.principal}</dd>
          <dt>Agent</dt>
          <dd>{run.agent ?? 'default'}</dd>
          <dt>Session</dt>
          <dd>
            <a href={href('chat', run.session_id)}>{run.session_id}</a>
          </dd>
          <dt>Channel</dt>
          <dd>{run.channel}</dd>
          <dt>Started</dt>
          <dd>{formatTime(run.created_at)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(run.finished_at)}</dd>
        </dl>
      )}
      <h2>Tape ({tape.length} events)</h2>
      <ol class="tape" aria-label="Tape events in order">
        {tape.map((event) => (
          <li
            key={event.seq}
            class={`tape-event kind-${event.kind}`}
            data-seq={event.seq}
            data-kind={event.kind}
          >
            <div class="tape-head">
              <span class="seq">#{event.seq}</span>
              <span class="kind">{event.kind}</span>
              <time dateTime={new Date(event.at).toISOString()}>{formatTime(event.at)}</time>
            </div>
            <TapeBody kind={event.kind} body={event.body} />
          </li>
        ))}
      </ol>
    </section>
  );
}
