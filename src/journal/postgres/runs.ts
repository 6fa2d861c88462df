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
import type { PgContext } from './context.js';
import { type PgApprovalRow, type PgRunRow, toJson, toRun } from './rows.js';
import {
  appendTape,
  enqueueOutbox,
  recordEvent,
  requireRun,
  settleApproval,
  transitionRun,
  updateRun,
} from './writes.js';

/**
 * `JournalStore.claimRuns` inside one transaction: candidates are locked `FOR UPDATE SKIP
 * LOCKED`, so claimers on several replicas never take the same run and never wait on each other.
 */
export async function claimRuns(ctx: PgContext, claim: Claim): Promise<Run[]> {
  if (claim.limit <= 0) return [];
  const lease = { owner: claim.owner, expiresAt: claim.now + claim.leaseMs };
  const claimed: Run[] = [];
  for (const row of await ctx.q<PgRunRow>('claimableRuns', [claim.limit])) {
    const moved = await transitionRun(ctx, row, 'running', claim.now, {
      lease,
      data: { owner: claim.owner },
    });
    claimed.push(toRun(moved.run));
  }
  return claimed;
}

/** `JournalStore.commitStep` inside one transaction; any throw rolls everything back. */
export async function commitStep(ctx: PgContext, runId: string, step: StepCommit): Promise<StepResult> {
  const { now } = step;
  let run = await requireRun(ctx, runId);
  checkExpectedState(runId, run.state, step);
  const tape = await appendTape(ctx, runId, step.tape ?? [], now);
  for (const approval of step.approvals ?? []) {
    await ctx.run('insertApproval', [
      approval.id,
      runId,
      run.session_id,
      approval.toolCallId,
      approval.tool,
      toJson(approval.args),
      approval.argsHash,
      approval.requester,
      toJson(approval.conversation),
      now,
      approval.expiresAt,
    ]);
    await recordEvent(ctx, 'approval.pending', { approvalId: approval.id, runId, tool: approval.tool }, now);
  }
  if (step.transition) {
    const { to, reason } = step.transition;
    const moved = await transitionRun(ctx, run, to, now, reason !== undefined ? { reason } : {});
    run = moved.run;
    tape.push(...moved.tape);
  } else {
    await ctx.run('touchRun', [now, runId]);
    run = { ...run, updated_at: now };
  }
  for (const item of step.outbox ?? []) await enqueueOutbox(ctx, runId, item, now);
  if (step.usage || step.toolExecution) {
    const usage = stepUsage(step);
    await ctx.run('insertUsage', [
      now,
      run.principal,
      runId,
      usage.prompt,
      usage.completion,
      usage.total,
      usage.tools,
      usage.toolMs,
      usage.toolSource,
      run.agent,
    ]);
  }
  if (step.event) await recordEvent(ctx, step.event.type, step.event.data, now);
  return { run: toRun(run), tape };
}

/**
 * `JournalStore.cancelRun` inside one transaction; signals `run_cancelled` so the replica running
 * it aborts the provider call and the tool at once.
 */
export async function cancelRun(
  ctx: PgContext,
  runId: string,
  by: Principal,
  reason: string,
  now: number,
): Promise<CancelResult> {
  const run = await requireRun(ctx, runId);
  checkCancellable(runId, run.state);
  const cancelledApprovals: Approval[] = [];
  for (const pending of await ctx.q<PgApprovalRow>('pendingApprovalsOfRun', [runId])) {
    const settled = await settleApproval(ctx, pending, {
      state: 'cancelled',
      by,
      scope: 'once',
      reason,
      now,
    });
    if (settled) cancelledApprovals.push(settled);
  }
  const moved = await transitionRun(ctx, await requireRun(ctx, runId), 'cancelled', now, {
    reason,
    data: { by },
  });
  ctx.signal({ type: 'run_cancelled', runId });
  return { run: toRun(moved.run), cancelledApprovals };
}

/**
 * Recovers one run inside its own transaction, re-checked under the run's row lock, so two
 * replicas recovering at once handle each run once: fail it with a notice, lease it to resume
 * after a decision, or leave it (live lease, pending approval, not running).
 */
export async function recoverRun(ctx: PgContext, runId: string, options: RecoverOptions): Promise<Recovery> {
  const { owner, leaseMs, now, reason, all } = options;
  const run = await requireRun(ctx, runId);
  if (!isRecoverable(run, now, all)) return { outcome: 'skipped' };
  if ((await ctx.q('pendingApprovalsOfRun', [runId])).length > 0) return { outcome: 'skipped' };
  const [last] = await ctx.q<{ kind: string }>('lastTapeKind', [runId]);
  if (last?.kind === 'approval_decision') {
    await updateRun(ctx, { ...run, lease_owner: owner, lease_expires_at: now + leaseMs });
    return { outcome: 'resumable', run: toRun(await requireRun(ctx, runId)) };
  }
  const moved = await transitionRun(ctx, run, 'failed', now, { reason, data: { recoveredBy: owner } });
  await enqueueOutbox(ctx, runId, interruptedNotice(run, run.conversation, reason), now);
  return { outcome: 'failed', run: toRun(moved.run) };
}
