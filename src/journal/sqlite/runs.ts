import type { Approval, Principal, Run } from '../../core/types.js';
import {
  checkCancellable,
  checkExpectedState,
  interruptedNotice,
  isRecoverable,
  type RecoverOptions,
  type Recovery,
  stepUsage,
} from '../shared/run-rules.js';
import type { CancelResult, Claim, StepCommit, StepResult } from '../store.js';
import { type RunRow, toJson, toRun } from './rows.js';
import type { JournalContext } from './statements.js';
import {
  appendTape,
  enqueueOutbox,
  recordEvent,
  requireRun,
  settleApproval,
  transitionRun,
} from './writes.js';

/** `JournalStore.claimRuns` inside one write transaction. */
export function claimRuns(ctx: JournalContext, claim: Claim): Run[] {
  if (claim.limit <= 0) return [];
  const lease = { owner: claim.owner, expiresAt: claim.now + claim.leaseMs };
  return ctx.st.claimableRuns
    .all(claim.limit)
    .map((row) =>
      toRun(transitionRun(ctx, row, 'running', claim.now, { lease, data: { owner: claim.owner } }).run),
    );
}

/** `JournalStore.leaseRun` inside one write transaction. */
export function leaseRun(ctx: JournalContext, runId: string, claim: Omit<Claim, 'limit'>): Run | null {
  const { owner, now, leaseMs } = claim;
  const changed = ctx.st.leaseRun.run({ id: runId, owner, now, expires: now + leaseMs }).changes;
  if (changed === 0) return null;
  return toRun(requireRun(ctx, runId));
}

/** `JournalStore.renewLeases` inside one write transaction. */
export function renewLeases(
  ctx: JournalContext,
  runIds: readonly string[],
  claim: Omit<Claim, 'limit'>,
): string[] {
  const expires = claim.now + claim.leaseMs;
  return runIds.filter((id) => ctx.st.renewLease.run({ id, owner: claim.owner, expires }).changes > 0);
}

/** `JournalStore.commitStep` inside one write transaction; any throw rolls everything back. */
export function commitStep(ctx: JournalContext, runId: string, step: StepCommit): StepResult {
  const { now } = step;
  let run = requireRun(ctx, runId);
  checkExpectedState(runId, run.state, step);
  const tape = appendTape(ctx, runId, step.tape ?? [], now);
  for (const approval of step.approvals ?? []) {
    ctx.st.insertApproval.run({
      id: approval.id,
      run_id: runId,
      session_id: run.session_id,
      state: 'pending',
      tool_call_id: approval.toolCallId,
      tool: approval.tool,
      args: toJson(approval.args),
      args_hash: approval.argsHash,
      requester: approval.requester,
      conversation: toJson(approval.conversation),
      created_at: now,
      expires_at: approval.expiresAt,
      decided_by: null,
      decided_at: null,
      scope: 'once',
      reason: null,
      card_receipt: null,
    });
    recordEvent(ctx, 'approval.pending', { approvalId: approval.id, runId, tool: approval.tool }, now);
  }
  if (step.transition) {
    const { to, reason } = step.transition;
    const moved = transitionRun(ctx, run, to, now, reason !== undefined ? { reason } : {});
    run = moved.run;
    tape.push(...moved.tape);
  } else {
    ctx.st.touchRun.run(now, runId);
    run = { ...run, updated_at: now };
  }
  for (const item of step.outbox ?? []) enqueueOutbox(ctx, runId, item, now);
  if (step.usage || step.toolExecution) {
    ctx.st.insertUsage.run({
      at: now,
      principal: run.principal,
      runId,
      agent: run.agent,
      ...stepUsage(step),
    });
  }
  if (step.event) recordEvent(ctx, step.event.type, step.event.data, now);
  return { run: toRun(run), tape };
}

/** `JournalStore.cancelRun` inside one write transaction. */
export function cancelRun(
  ctx: JournalContext,
  runId: string,
  by: Principal,
  reason: string,
  now: number,
): CancelResult {
  const run = requireRun(ctx, runId);
  checkCancellable(runId, run.state);
  const cancelledApprovals: Approval[] = [];
  for (const pending of ctx.st.pendingApprovalsOfRun.all(runId)) {
    const settled = settleApproval(ctx, pending, { state: 'cancelled', by, scope: 'once', reason, now });
    if (settled) cancelledApprovals.push(settled);
  }
  const moved = transitionRun(ctx, requireRun(ctx, runId), 'cancelled', now, { reason, data: { by } });
  return { run: toRun(moved.run), cancelledApprovals };
}

/** The ids of `running` runs that recovery should examine. */
export function recoverableRunIds(ctx: JournalContext, options: { now: number; all: boolean }): string[] {
  return ctx.st.recoverableRuns.all({ all: options.all ? 1 : 0, now: options.now }).map((r) => r.id);
}

/** Recovers one run inside its own write transaction (re-checked under the lock). */
export function recoverRun(ctx: JournalContext, runId: string, options: RecoverOptions): Recovery {
  const { owner, leaseMs, now, reason, all } = options;
  const run: RunRow = requireRun(ctx, runId);
  if (!isRecoverable(run, now, all)) return { outcome: 'skipped' };
  if (ctx.st.pendingApprovalsOfRun.all(runId).length > 0) return { outcome: 'skipped' };
  if (ctx.st.lastTapeKind.get(runId)?.kind === 'approval_decision') {
    ctx.st.updateRun.run({ ...run, lease_owner: owner, lease_expires_at: now + leaseMs });
    return { outcome: 'resumable', run: toRun(requireRun(ctx, runId)) };
  }
  const moved = transitionRun(ctx, run, 'failed', now, { reason, data: { recoveredBy: owner } });
  enqueueOutbox(ctx, runId, interruptedNotice(run, toRun(run).conversation, reason), now);
  return { outcome: 'failed', run: toRun(moved.run) };
}

/** `JournalStore.releaseRun` inside one write transaction. */
export function releaseRun(ctx: JournalContext, runId: string, owner: string): void {
  ctx.st.releaseRun.run(runId, owner);
}
