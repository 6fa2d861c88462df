import { ConflictError } from '../core/errors.js';
import type { Run, TapeEvent } from '../core/types.js';
import type { NewOutboxItem, StepCommit } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { type ChatMessage, ProviderError } from '../providers/provider.js';
import type { ExecuteOutcome } from '../runtime/scheduler.js';
import type { Wakeups } from '../runtime/wakeups.js';
import { DROPPED_NOTE, planContext, type SummaryBody, summarize, summaryMessage } from './compaction.js';
import { HISTORY_KINDS, HISTORY_MAX_RUNS, runMessages } from './context.js';
import type { InputPreparer } from './input.js';
import { filesChosenSinceLastModelCall } from './sent-files.js';
import { TapeView } from './tape-view.js';
import { ToolStep, type ToolStepDeps } from './tool-step.js';

/** What the executor needs; all injected so tests can use fakes and a fake clock. */
export interface RunExecutorDeps extends ToolStepDeps {
  /** Told of every commit and streamed delta (live views, outbox delivery). */
  wakeups: Wakeups;
  logger: Logger;
  /** Observes provider call latency (metrics). */
  observeProvider?: (ms: number, ok: boolean) => void;
  /** Normalizes the input, reads attachments and injects memory (`orchestrator/input.ts`). */
  input?: InputPreparer;
}

/**
 * The step loop of one run (DESIGN.md section 1). Every decision is derived from the run's tape,
 * so `execute` can be called again after an approval or a restart and continues where the run
 * stood. Writes go through `commitStep` with `expectState: 'running'`, so a cancelled run stops at
 * its next write.
 */
export class RunExecutor {
  private readonly toolStep: ToolStep;

  constructor(private readonly deps: RunExecutorDeps) {
    this.toolStep = new ToolStep(deps, (run, step) => this.commit(run, step));
  }

  /** Drives `run` (state `running`) until it finishes, waits for an approval, or is cancelled. */
  async execute(run: Run, signal: AbortSignal): Promise<ExecuteOutcome> {
    try {
      return await this.loop(run, signal);
    } catch (error) {
      if (error instanceof ConflictError || signal.aborted) return 'stopped';
      this.deps.logger.error({ err: error, runId: run.id }, 'run failed unexpectedly');
      await this.fail(
        run,
        `internal error: ${(error as Error).message}`,
        'Sorry, something went wrong on my side.',
      ).catch(() => {});
      return 'finished';
    }
  }

  private async loop(run: Run, signal: AbortSignal): Promise<ExecuteOutcome> {
    const { clock } = this.deps;
    for (;;) {
      if (signal.aborted) return 'stopped';
      const tape = await this.deps.journal.readTape(run.id);
      const view = new TapeView(tape);
      if (view.hasReply()) return 'finished';

      const pending = view.pendingToolCalls();
      if (pending.length > 0) {
        for (const call of pending) {
          const result = await this.toolStep.handle(run, view, call, signal);
          if (result === 'wait') return 'waiting';
        }
        continue;
      }

      const budget = this.overBudget(run, view, clock());
      if (budget) {
        await this.fail(run, budget, `I had to stop: ${budget}.`);
        return 'finished';
      }

      const response = await this.callProvider(run, tape, signal);
      if (response === 'stopped') return 'stopped';
      if (response === 'failed') return 'finished';
      if (response.toolCalls.length === 0) {
        this.deps.input?.forget(run.id);
        return 'finished';
      }
    }
  }

  private overBudget(run: Run, view: TapeView, now: number): string | undefined {
    const agent = this.deps.agents.get(run.agent).config;
    if (view.steps >= agent.max_steps) return `the step limit (${agent.max_steps}) was reached`;
    if (view.toolCallsRequested > agent.max_tool_calls)
      return `the tool call limit (${agent.max_tool_calls}) was reached`;
    if (view.tokensUsed >= agent.max_tokens_per_run)
      return `the token budget (${agent.max_tokens_per_run}) was spent`;
    if (run.startedAt !== null && now - run.startedAt > agent.max_wall_time)
      return 'the time limit was reached';
    return undefined;
  }

  private async callProvider(
    run: Run,
    tape: TapeEvent[],
    signal: AbortSignal,
  ): Promise<
    'stopped' | 'failed' | { text: string; toolCalls: { id: string; name: string; arguments: string }[] }
  > {
    const { tools, clock } = this.deps;
    const { config: agent, provider } = this.deps.agents.get(run.agent);
    const earlier = await this.earlierTurns(run, tape, signal);
    if (earlier === 'stopped') return 'stopped';
    const prepared = await this.deps.input?.prepare(run, tape, signal);
    const messages = [
      { role: 'system' as const, content: agent.system_prompt },
      ...earlier,
      ...runMessages(tape, prepared?.message),
    ];
    const toolSpecs = tools.specs(agent.tools);
    // Refused attachments are told to the person once, with the run's first model call.
    const notice =
      prepared?.notice !== undefined && !tape.some((e) => e.kind === 'provider_request')
        ? [this.outbox(run, 'notice', { text: prepared.notice })]
        : [];
    // Files `send_file` chose go out with this commit, once, before the model is asked again.
    const files: NewOutboxItem[] = filesChosenSinceLastModelCall(tape).map((payload) => ({
      channel: run.channel,
      conversation: run.conversation,
      kind: 'file',
      payload,
    }));
    const outbox = [...notice, ...files];
    await this.commit(run, {
      ...(outbox.length > 0 ? { outbox } : {}),
      tape: [
        {
          kind: 'provider_request',
          body: {
            agent: this.deps.agents.get(run.agent).name,
            provider: provider.name,
            model: provider.model,
            messages: messages.length,
            historyMessages: earlier.length,
            tools: toolSpecs.map((t) => t.name),
            ...(prepared ? { input: prepared.record } : {}),
          },
        },
      ],
    });

    const remaining =
      run.startedAt === null ? agent.max_wall_time : agent.max_wall_time - (clock() - run.startedAt);
    const callSignal = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, remaining))]);
    const started = clock();
    this.deps.onActivity?.(run, 'thinking…');
    let fresh = true;
    try {
      const response = await provider.complete({
        messages,
        tools: toolSpecs,
        signal: callSignal,
        maxTokens: agent.max_completion_tokens,
        onDelta: (text) => {
          this.deps.wakeups.announce({ type: 'run_delta', runId: run.id, text, ...(fresh ? { fresh } : {}) });
          fresh = false;
        },
      });
      this.deps.observeProvider?.(clock() - started, true);
      const answered: Omit<StepCommit, 'now' | 'expectState'> = {
        tape: [
          {
            kind: 'provider_response',
            body: {
              text: response.text,
              toolCalls: response.toolCalls,
              usage: response.usage,
              finishReason: response.finishReason,
              model: response.model,
              latencyMs: clock() - started,
            },
          },
        ],
        usage: response.usage,
      };
      // A final answer is recorded, replied and finished in the same commit as the response.
      await this.commit(
        run,
        response.toolCalls.length > 0 ? answered : this.finalStep(run, answered, response.text),
      );
      return response;
    } catch (error) {
      this.deps.observeProvider?.(clock() - started, false);
      if (signal.aborted) return 'stopped';
      if (error instanceof ConflictError) throw error;
      const kind = error instanceof ProviderError ? error.kind : 'unknown';
      const reason = callSignal.aborted
        ? 'the time limit was reached during a model call'
        : `model call failed (${kind})`;
      this.deps.logger.warn({ runId: run.id, kind, err: error }, 'provider call failed');
      await this.commit(run, {
        tape: [{ kind: 'error', body: { source: 'provider', kind, message: (error as Error).message } }],
      });
      await this.fail(run, reason, `Sorry, I could not answer: ${reason}. Please try again.`);
      return 'failed';
    }
  }

  /**
   * The session's earlier turns for this run's request: the latest summary and the recent turns
   * that fit the agent's budget. Turns that no longer fit are summarised first (a `summary` on
   * this run's tape, its tokens counted); when that fails, or compaction is off, they are left out
   * and the model is told so — never silently.
   */
  private async earlierTurns(
    run: Run,
    tape: TapeEvent[],
    signal: AbortSignal,
  ): Promise<ChatMessage[] | 'stopped'> {
    const { config: agent, provider } = this.deps.agents.get(run.agent);
    const history = await this.deps.journal.readSessionHistory(run.sessionId, {
      beforeRunId: run.id,
      maxRuns: HISTORY_MAX_RUNS,
      kinds: [...HISTORY_KINDS, 'summary'],
    });
    const pending = tape.findLast((e) => e.kind === 'summary')?.body as SummaryBody | undefined;
    const plan = planContext(history, agent.context_tokens, pending);
    let summary = plan.summary;
    let dropped = false;
    if (plan.overflow.length > 0) {
      const failedBefore = tape.some(
        (e) => e.kind === 'error' && (e.body as { source?: string }).source === 'summary',
      );
      if (!agent.compaction || failedBefore) dropped = true;
      else {
        try {
          summary = await summarize(provider, plan.summary, plan.overflow, {
            maxTokens: agent.summary_tokens,
            signal,
          });
          if (summary.text === '') throw new Error('the model returned an empty summary');
          await this.commit(run, { tape: [{ kind: 'summary', body: summary }], usage: summary.usage });
        } catch (error) {
          if (signal.aborted) return 'stopped';
          if (error instanceof ConflictError) throw error;
          this.deps.logger.warn({ runId: run.id, err: error }, 'summarising earlier turns failed');
          await this.commit(run, {
            tape: [{ kind: 'error', body: { source: 'summary', message: (error as Error).message } }],
          });
          summary = plan.summary;
          dropped = true;
        }
      }
    }
    return [
      ...(summary ? [summaryMessage(summary)] : []),
      ...(dropped ? [DROPPED_NOTE] : []),
      ...plan.recent,
    ];
  }

  /** `step` extended by the reply: on the tape, in the outbox, and the run `succeeded`. */
  private finalStep(
    run: Run,
    step: Omit<StepCommit, 'now' | 'expectState'>,
    text: string,
  ): Omit<StepCommit, 'now' | 'expectState'> {
    return {
      ...step,
      tape: [...(step.tape ?? []), { kind: 'reply', body: { text } }],
      outbox: [...(step.outbox ?? []), this.outbox(run, 'reply', { text: text || '(no answer)' })],
      transition: { to: 'succeeded' },
    };
  }

  private async fail(run: Run, reason: string, userText: string): Promise<void> {
    await this.commit(run, {
      outbox: [this.outbox(run, 'notice', { text: userText })],
      transition: { to: 'failed', reason },
    });
  }

  private outbox(run: Run, kind: 'reply' | 'notice', payload: { text: string }): NewOutboxItem {
    return { channel: run.channel, conversation: run.conversation, kind, payload };
  }

  private async commit(run: Run, step: Omit<StepCommit, 'now' | 'expectState'>): Promise<void> {
    await this.deps.journal.commitStep(run.id, { ...step, now: this.deps.clock(), expectState: 'running' });
    const outbox = (step.outbox?.length ?? 0) > 0;
    this.deps.wakeups.announce({ type: 'run_changed', runId: run.id, outbox });
  }
}
