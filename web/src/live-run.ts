import { useCallback, useEffect, useState } from 'preact/hooks';
import { describeError } from './api';
import { useConsole } from './context';
import { type Approval, type Run, type RunState, type TapeEvent, TERMINAL } from './types';

/** A run as it happens: its row, its tape so far, the answer (streamed, then final) and its approvals. */
export interface LiveRun {
  run: Run | null;
  tape: TapeEvent[];
  /** The final reply once written, else the text streamed by the current provider call. */
  answer: string;
  /** True while text is arriving as `delta` events. */
  streaming: boolean;
  approvals: Approval[];
  error: string | null;
  /** Re-reads the run and its approvals (after a cancel or a decision). */
  refresh(): Promise<void>;
  /** Replaces one approval with a newer copy (a decision's answer). */
  updateApproval(approval: Approval): void;
}

const isTerminal = (state: RunState | undefined) => state !== undefined && TERMINAL.includes(state);

/**
 * Follows one run: reads it, then its live event stream (`GET /v1/runs/:id/events`, read with
 * fetch so the token goes in a header) until the run ends; a dropped stream is re-opened.
 */
export function useLiveRun(runId: string): LiveRun {
  const { api } = useConsole();
  const [run, setRun] = useState<Run | null>(null);
  const [tape, setTape] = useState<TapeEvent[]>([]);
  const [reply, setReply] = useState<string | null>(null);
  const [streamed, setStreamed] = useState('');
  const [streaming, setStreaming] = useState(false);
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [error, setError] = useState<string | null>(null);

  const loadApprovals = useCallback(async () => {
    const list = await api.get<{ approvals: Approval[] }>(
      `/v1/approvals?run_id=${encodeURIComponent(runId)}`,
    );
    setApprovals(list.approvals.sort((a, b) => a.created_at - b.created_at));
  }, [api, runId]);

  const refresh = useCallback(async () => {
    try {
      setRun(await api.get<Run>(`/v1/runs/${encodeURIComponent(runId)}`));
      await loadApprovals();
    } catch (e) {
      setError(describeError(e));
    }
  }, [api, runId, loadApprovals]);

  useEffect(() => {
    const abort = new AbortController();
    let ended = false;
    const onTape = (event: TapeEvent) => {
      setTape((list) => (list.some((e) => e.seq === event.seq) ? list : [...list, event]));
      const body = (event.body ?? {}) as Record<string, unknown>;
      if (event.kind === 'reply' && typeof body.text === 'string') setReply(body.text);
      if (event.kind === 'provider_request') setStreamed('');
      if (event.kind === 'provider_response') setStreaming(false);
      if (event.kind === 'state' && typeof body.to === 'string') {
        const to = body.to as RunState;
        setRun((r) => (r ? { ...r, state: to, reason: (body.reason as string | undefined) ?? r.reason } : r));
      }
      if (['approval_request', 'approval_decision', 'state'].includes(event.kind))
        void loadApprovals().catch(() => {});
    };
    const follow = async () => {
      for (let attempt = 0; !ended && !abort.signal.aborted; attempt++) {
        try {
          await api.stream(
            `/v1/runs/${encodeURIComponent(runId)}/events`,
            (sse) => {
              if (sse.event === 'tape') onTape(JSON.parse(sse.data) as TapeEvent);
              else if (sse.event === 'delta') {
                const { text } = JSON.parse(sse.data) as { text: string };
                setStreaming(true);
                setStreamed((s) => s + text);
              } else if (sse.event === 'end') ended = true;
            },
            abort.signal,
          );
        } catch (e) {
          if (abort.signal.aborted) return;
          if (attempt >= 3) {
            setError(`The live stream stopped: ${describeError(e)}`);
            return;
          }
        }
        if (!ended) await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
      setStreaming(false);
      if (!abort.signal.aborted) await refresh();
    };
    void (async () => {
      try {
        const first = await api.get<Run>(`/v1/runs/${encodeURIComponent(runId)}`);
        if (abort.signal.aborted) return;
        setRun(first);
        await loadApprovals();
        if (isTerminal(first.state)) {
          const read = await api.get<{ events: TapeEvent[] }>(`/v1/runs/${encodeURIComponent(runId)}/tape`);
          for (const event of read.events) onTape(event);
        } else await follow();
      } catch (e) {
        if (!abort.signal.aborted) setError(describeError(e));
      }
    })();
    return () => abort.abort();
  }, [api, runId, loadApprovals, refresh]);

  const updateApproval = useCallback(
    (approval: Approval) => setApprovals((list) => list.map((a) => (a.id === approval.id ? approval : a))),
    [],
  );
  return {
    run,
    tape,
    answer: reply ?? streamed,
    streaming: streaming && reply === null,
    approvals,
    error,
    refresh,
    updateApproval,
  };
}
