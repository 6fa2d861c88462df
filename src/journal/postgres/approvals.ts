import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { Approval } from '../../core/types.js';
import type { ApprovalDecisionInput } from '../store.js';
import type { PgContext } from './context.js';
import type { PgApprovalRow } from './rows.js';
import { settleApproval } from './writes.js';

/** What a decision did: decided, or found the approval expired (committed, then reported). */
export type PgDecisionOutcome =
  | { outcome: 'decided'; approval: Approval }
  | { outcome: 'expired'; approval: Approval };

/**
 * `JournalStore.decideApproval` inside one transaction. The state checks are re-made by the
 * compare-and-set under the run's lock, so of two clicks on two replicas exactly one decides and
 * the other is told what happened. An expired approval is marked `expired` and reported as such
 * so the caller commits that and then throws.
 */
export async function decideApproval(
  ctx: PgContext,
  input: ApprovalDecisionInput,
): Promise<PgDecisionOutcome> {
  const { approvalId, decision, decider, scope, now } = input;
  const [row] = await ctx.q<PgApprovalRow>('approvalById', [approvalId]);
  if (!row) throw new NotFoundError('approval', approvalId);
  if (row.state === 'pending' && row.expires_at <= now) {
    const approval = await settleApproval(ctx, row, {
      state: 'expired',
      by: null,
      scope: 'once',
      reason: 'expired',
      now,
    });
    if (approval) return { outcome: 'expired', approval };
  } else if (row.state === 'pending') {
    const approval = await settleApproval(ctx, row, {
      state: decision,
      by: decider,
      scope: decision === 'approved' ? scope : 'once',
      reason: input.reason ?? null,
      now,
    });
    if (approval) return { outcome: 'decided', approval };
  }
  // Decided before (or just now, by someone else): say by whom and how.
  const [current] = await ctx.q<PgApprovalRow>('approvalById', [approvalId]);
  const settled = current ?? row;
  const who = settled.decided_by !== null ? ` by ${settled.decided_by}` : '';
  throw new ConflictError(
    `approval ${approvalId} was already ${settled.state}${who}`,
    'already_decided',
    settled.state,
  );
}

/** The error `decideApproval` throws after committing an expiry. */
export function expiredError(approval: Approval): ConflictError {
  return new ConflictError(
    `approval ${approval.id} expired before it was decided; ask again to run ${approval.tool}`,
    'expired',
    'expired',
  );
}

/** `JournalStore.expireApprovals` inside one transaction. */
export async function expireApprovals(ctx: PgContext, now: number): Promise<Approval[]> {
  const expired: Approval[] = [];
  for (const row of await ctx.q<PgApprovalRow>('dueApprovals', [now])) {
    const approval = await settleApproval(ctx, row, {
      state: 'expired',
      by: null,
      scope: 'once',
      reason: 'expired',
      now,
    });
    if (approval) expired.push(approval);
  }
  return expired;
}
