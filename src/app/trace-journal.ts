/**
 * OpenTelemetry traces of runs, read off the journal: every step a run commits says what
 * happened (a model call began or ended, a tool ran, a human was asked, a reply went out), so a
 * decorator around the `JournalStore` makes one trace per run from receive to delivery without
 * touching the loop that writes them. Spans: `switchboard.run` (the root) with `receive`,
 * `model`, `tool` (with the policy's decision), `approval` and `deliver` children. The trace id
 * is derived from the run id, so a run taken over by another replica continues the same trace.
 */
import { createHash } from 'node:crypto';
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Run, TapeEvent } from '../core/types.js';
import type { JournalStore, StepCommit } from '../journal/store.js';
import type { ApprovalRequestBody, ToolCallBody } from '../orchestrator/tape-view.js';
import { decorateJournal } from './instrument-journal.js';

/** Open traces kept at most; the oldest is ended when more runs are in flight. */
const MAX_OPEN_RUNS = 10_000;

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** The ids every replica gives a run's trace and root span: hashes of the run id. */
export function runTraceIds(runId: string): { traceId: string; spanId: string } {
  const digest = createHash('sha256').update(`switchboard.run:${runId}`).digest('hex');
  return { traceId: digest.slice(0, 32), spanId: digest.slice(32, 48) };
}

/** One run's open spans. */
interface RunTrace {
  root: Span | undefined;
  ctx: Context;
  model: Span | undefined;
  tools: Map<string, Span>;
  approvals: Map<string, Span>;
  /** Set once the run is terminal and its last reply or notice is on its way. */
  awaitingFinalDelivery: boolean;
}

/**
 * Wraps `journal` so runs become traces on `tracer`. `startRoot` makes the root span of a new
 * run with its derived ids (see `createRunTracer`). Every other member is the journal's own.
 */
export function traceJournal(
  journal: JournalStore,
  tracer: Tracer,
  startRoot: (runId: string, startTime: number) => Span,
): JournalStore {
  const runs = new Map<string, RunTrace>();
  const deliveries = new Map<string, { span: Span; runId: string; final: boolean }>();

  /** A run's trace: the one this process opened, or the same trace continued from its id. */
  const traceOf = (runId: string): RunTrace => {
    let found = runs.get(runId);
    if (!found) {
      const ids = runTraceIds(runId);
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        ...ids,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      found = {
        root: undefined,
        ctx: parent,
        model: undefined,
        tools: new Map(),
        approvals: new Map(),
        awaitingFinalDelivery: false,
      };
      remember(runId, found);
    }
    return found;
  };
  const remember = (runId: string, t: RunTrace) => {
    runs.set(runId, t);
    if (runs.size > MAX_OPEN_RUNS) {
      const [oldest] = runs.keys();
      if (oldest !== undefined) finish(oldest);
    }
  };
  const child = (t: RunTrace, name: string, attributes: Record<string, string | number | boolean> = {}) =>
    tracer.startSpan(`switchboard.${name}`, { attributes }, t.ctx);
  /** Ends every open span of a run, the root last. */
  const finish = (runId: string, state?: string) => {
    const t = runs.get(runId);
    if (!t) return;
    runs.delete(runId);
    t.model?.end();
    for (const span of [...t.tools.values(), ...t.approvals.values()]) span.end();
    if (state) t.root?.setAttribute('switchboard.run.state', state);
    if (state === 'failed') t.root?.setStatus({ code: SpanStatusCode.ERROR });
    // Given its start, a span would end on Date.now() (whole milliseconds); end it on the same
    // clock as its children, so the run never seems to end before its last delivery.
    t.root?.end(performance.timeOrigin + performance.now());
  };

  const onTape = (t: RunTrace, event: TapeEvent, step: StepCommit) => {
    switch (event.kind) {
      case 'provider_request':
        t.model?.end();
        t.model = child(t, 'model');
        break;
      case 'provider_response':
        if (step.usage) t.model?.setAttribute('gen_ai.usage.total_tokens', step.usage.totalTokens);
        t.model?.end();
        t.model = undefined;
        break;
      case 'error':
        t.model?.setStatus({ code: SpanStatusCode.ERROR });
        t.model?.end();
        t.model = undefined;
        break;
      case 'approval_request': {
        const body = event.body as ApprovalRequestBody;
        t.approvals.set(
          body.approvalId,
          child(t, 'approval', { 'switchboard.tool': body.tool, 'switchboard.policy.decision': 'ask' }),
        );
        break;
      }
      case 'tool_call': {
        const body = event.body as ToolCallBody;
        t.tools.set(
          body.toolCallId,
          child(t, 'tool', {
            'switchboard.tool': body.tool,
            'switchboard.policy.decision': body.via === 'policy' ? 'allow' : body.via,
          }),
        );
        break;
      }
      case 'tool_output': {
        const body = event.body as { toolCallId: string; denied?: boolean; ok?: boolean };
        const span =
          t.tools.get(body.toolCallId) ??
          child(t, 'tool', { 'switchboard.policy.decision': body.denied ? 'deny' : 'unknown' });
        t.tools.delete(body.toolCallId);
        if (body.denied || body.ok === false) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        break;
      }
      default:
        break;
    }
  };

  const onStep = (runId: string, step: StepCommit, tape: readonly TapeEvent[], run: Run) => {
    const t = traceOf(runId);
    for (const event of tape) onTape(t, event, step);
    if (!TERMINAL.has(run.state)) return;
    t.root?.setAttribute('switchboard.run.state', run.state);
    const final = step.outbox?.some((item) => item.kind === 'reply' || item.kind === 'notice') ?? false;
    if (final) t.awaitingFinalDelivery = true;
    else finish(runId, run.state);
  };

  const settle = (outboxId: string, error?: string, retrying = false) => {
    const delivery = deliveries.get(outboxId);
    if (!delivery) return;
    deliveries.delete(outboxId);
    if (error) delivery.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    delivery.span.end();
    const t = runs.get(delivery.runId);
    if (delivery.final && !retrying && t?.awaitingFinalDelivery) finish(delivery.runId);
  };

  return decorateJournal(journal, {
    acceptInbound: async (input) => {
      // On the clock OpenTelemetry stamps spans with (not Date.now(), which can differ by a
      // millisecond), so the run's start never comes after a child span's.
      const started = performance.timeOrigin + performance.now();
      const result = await journal.acceptInbound(input);
      if (result.duplicate) return result;
      const root = startRoot(result.run.id, started);
      root.setAttributes({
        'switchboard.run.id': result.run.id,
        'switchboard.session.id': result.session.id,
        'switchboard.channel': input.message.channel,
      });
      const t: RunTrace = {
        root,
        ctx: trace.setSpan(ROOT_CONTEXT, root),
        model: undefined,
        tools: new Map(),
        approvals: new Map(),
        awaitingFinalDelivery: false,
      };
      remember(result.run.id, t);
      tracer.startSpan('switchboard.receive', { startTime: started }, t.ctx).end();
      return result;
    },
    commitStep: async (runId, step) => {
      const result = await journal.commitStep(runId, step);
      onStep(runId, step, result.tape, result.run);
      return result;
    },
    decideApproval: async (decision) => {
      const approval = await journal.decideApproval(decision);
      const t = runs.get(approval.runId);
      const span = t?.approvals.get(approval.id);
      if (span && t) {
        span.setAttribute('switchboard.approval.decision', approval.state);
        span.end();
        t.approvals.delete(approval.id);
      }
      return approval;
    },
    cancelRun: async (runId, by, reason, now) => {
      const result = await journal.cancelRun(runId, by, reason, now);
      finish(runId, 'cancelled');
      return result;
    },
    claimOutbox: async (claim) => {
      const items = await journal.claimOutbox(claim);
      for (const item of items) {
        if (item.runId === null || deliveries.has(item.id)) continue;
        const t = traceOf(item.runId);
        deliveries.set(item.id, {
          span: child(t, 'deliver', {
            'switchboard.outbox.kind': item.kind,
            'switchboard.channel': item.channel,
          }),
          runId: item.runId,
          final: item.kind === 'reply' || item.kind === 'notice',
        });
      }
      return items;
    },
    completeOutbox: async (id, receipt, now) => {
      await journal.completeOutbox(id, receipt, now);
      settle(id);
    },
    failOutbox: async (id, error, retryAt, now) => {
      await journal.failOutbox(id, error, retryAt, now);
      settle(id, error, retryAt !== null);
    },
  });
}
