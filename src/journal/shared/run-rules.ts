import { ConflictError } from '../../core/errors.js';
import { assertTransition, isTerminal } from '../../core/run-state.js';
import type { ConversationRef, Run, RunState } from '../../core/types.js';
import type { JournalStore, NewOutboxItem, StepCommit } from '../store.js';
import type { JsonForm, RunRowOf } from './rows.js';

// The decisions both stores make about runs and their outbox items, free of any SQL.

/** What recovery did with one run. */
export type Recovery = { outcome: 'failed' | 'resumable'; run: Run } | { outcome: 'skipped' };

/** The options of `JournalStore.recoverRuns`, handed down to each run's recovery. */
export type RecoverOptions = Parameters<JournalStore['recoverRuns']>[0];

/** Sorts the outcomes of recovering each run into the runs failed and the runs to resume. */
export function tallyRecoveries(results: Iterable<Recovery>): { failed: Run[]; resumable: Run[] } {
  const failed: Run[] = [];
  const resumable: Run[] = [];
  for (const result of results) {
    if (result.outcome === 'failed') failed.push(result.run);
    else if (result.outcome === 'resumable') resumable.push(result.run);
  }
  return { failed, resumable };
}

/** What a run transition may carry besides the target state. */
export interface TransitionOptions {
  reason?: string;
  lease?: { owner: string; expiresAt: number };
  data?: Record<string, unknown>;
}

/**
 * The row a run moves to when it goes to `to` (throws when the state machine forbids it): sets
 * startedAt / finishedAt / reason and drops the lease of a finished run. Also returns the body of
 * the `state` tape event and the data of the `run.<state>` journal event.
 */
export function nextRunRow<R extends RunRowOf<JsonForm>>(
  run: R,
  to: RunState,
  now: number,
  options: TransitionOptions,
): { next: R; body: Record<string, unknown>; eventData: Record<string, unknown> } {
  assertTransition(run.id, run.state, to);
  const terminal = isTerminal(to);
  const next: R = {
    ...run,
    state: to,
    updated_at: now,
    started_at: to === 'running' ? (run.started_at ?? now) : run.started_at,
    finished_at: terminal ? now : run.finished_at,
    reason: options.reason ?? run.reason,
    lease_owner: terminal ? null : (options.lease?.owner ?? run.lease_owner),
    lease_expires_at: terminal ? null : (options.lease?.expiresAt ?? run.lease_expires_at),
  };
  const body = { from: run.state, to, ...(options.reason !== undefined ? { reason: options.reason } : {}) };
  const eventData = { runId: run.id, sessionId: run.session_id, ...body, ...options.data };
  return { next, body, eventData };
}

/** The approval an `approval_card` / `approval_update` item belongs to, so it can be linked. */
export function linkedApprovalId(item: NewOutboxItem): string | null {
  return item.kind === 'approval_card' || item.kind === 'approval_update' ? item.payload.approvalId : null;
}

/** Refuses a step whose run is no longer in the state the step was computed for. */
export function checkExpectedState(runId: string, state: RunState, step: StepCommit): void {
  if (step.expectState !== undefined && state !== step.expectState) {
    throw new ConflictError(
      `run ${runId} is ${state}, not ${step.expectState}; this step was not written`,
      'run_state_changed',
      state,
    );
  }
}

/** Refuses to cancel a run that has already finished. */
export function checkCancellable(runId: string, state: RunState): void {
  if (isTerminal(state)) {
    throw new ConflictError(
      `run ${runId} already ${state}; there is nothing to cancel`,
      'run_finished',
      state,
    );
  }
}

/** The usage a step adds for its run's principal. */
export function stepUsage(step: StepCommit): {
  prompt: number;
  completion: number;
  total: number;
  tools: number;
  toolMs: number;
  toolSource: string | null;
} {
  return {
    prompt: step.usage?.promptTokens ?? 0,
    completion: step.usage?.completionTokens ?? 0,
    total: step.usage?.totalTokens ?? 0,
    tools: step.toolExecution ? 1 : 0,
    toolMs: Math.round(step.toolExecution?.ms ?? 0),
    toolSource: step.toolExecution ? (step.toolExecution.source ?? 'builtin') : null,
  };
}

/** Whether recovery may touch a run: it is `running` and its lease is gone (or `all` was asked). */
export function isRecoverable(run: RunRowOf<JsonForm>, now: number, all: boolean): boolean {
  const leaseLive = run.lease_owner !== null && run.lease_expires_at !== null && run.lease_expires_at > now;
  return run.state === 'running' && (!leaseLive || all);
}

/** The notice telling the user that recovery failed their run and they should send it again. */
export function interruptedNotice(
  run: { channel: string; text: string },
  conversation: ConversationRef,
  reason: string,
): NewOutboxItem {
  return {
    channel: run.channel,
    conversation,
    kind: 'notice',
    payload: {
      text: `Sorry, I was interrupted (${reason}) and could not finish answering "${preview(run.text)}". Please send it again.`,
    },
  };
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine;
}
