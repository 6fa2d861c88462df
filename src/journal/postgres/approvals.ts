import { NotFoundError } from '../../core/errors.js';
import type { Approval } from '../../core/types.js';
import {
  alreadyDecidedError,
  type DecisionOutcome,
  decisionSettlement,
  expirySettlement,
} from '../shared/approval-rules.js';
import type { ApprovalDecisionInput } from '../store.js';
import type { PgContext } from './context.js';
import { insertGrant } from './grants.js';
import type { PgApprovalRow } from './rows.js';
import { settleApproval } from './writes.js';

/**
 * `JournalStore.decideApproval` inside one transaction. The state checks are re-made by the
 * compare-and-set under the run's lock, so of two clicks on two replicas exactly one decides and
 * the other is told what happened. An expired approval is marked `expired` and reported as such
 * so the caller commits that and then throws.
 */
export async function decideApproval(ctx: PgContext, input: ApprovalDecisionInput): Promise<DecisionOutcome> {
  const { approvalId, now } = input;
  const [row] = await ctx.q<PgApprovalRow>('approvalById', [approvalId]);
  if (!row) throw new NotFoundError('approval', approvalId);
  if (row.state === 'pending' && row.expires_at <= now) {
    const approval = await settleApproval(ctx, row, expirySettlement(now));
    if (approval) return { outcome: 'expired', approval };
  } else if (row.state === 'pending') {
    const approval = await settleApproval(ctx, row, decisionSettlement(input));
    if (approval && input.grant && approval.state === 'approved') {
      const grant = await insertGrant(ctx, { ...input.grant, createdBy: input.decider, approvalId, now });
      return { outcome: 'decided', approval: { ...approval, grantId: grant.id } };
    }
    if (approval) return { outcome: 'decided', approval };
  }
  // Decided before (or just now, by someone else): say by whom and how.
  const [current] = await ctx.q<PgApprovalRow>('approvalById', [approvalId]);
  throw alreadyDecidedError(approvalId, current ?? row);
}

/** `JournalStore.expireApprovals` inside one transaction. */
export async function expireApprovals(ctx: PgContext, now: number): Promise<Approval[]> {
  const expired: Approval[] = [];
  for (const row of await ctx.q<PgApprovalRow>('dueApprovals', [now])) {
    const approval = await settleApproval(ctx, row, expirySettlement(now));
    if (approval) expired.push(approval);
  }
  return expired;
}
