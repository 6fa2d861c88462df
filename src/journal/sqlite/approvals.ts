import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { Approval } from '../../core/types.js';
import {
  alreadyDecidedError,
  type DecisionOutcome,
  decisionSettlement,
  expirySettlement,
} from '../shared/approval-rules.js';
import type { ApprovalDecisionInput } from '../store.js';
import { insertGrant } from './grants.js';
import type { JournalContext } from './statements.js';
import { settleApproval } from './writes.js';

/**
 * `JournalStore.decideApproval` inside one write transaction. An expired approval is marked
 * `expired` and returned as such so the caller can commit that and then throw.
 */
export function decideApproval(ctx: JournalContext, input: ApprovalDecisionInput): DecisionOutcome {
  const { approvalId, now } = input;
  const row = ctx.st.approvalById.get(approvalId);
  if (!row) throw new NotFoundError('approval', approvalId);
  if (row.state !== 'pending') throw alreadyDecidedError(approvalId, row);
  if (row.expires_at <= now) {
    const approval = settleApproval(ctx, row, expirySettlement(now));
    if (!approval) throw new ConflictError(`approval ${approvalId} changed meanwhile`, 'already_decided');
    return { outcome: 'expired', approval };
  }
  const approval = settleApproval(ctx, row, decisionSettlement(input));
  if (!approval) throw new ConflictError(`approval ${approvalId} changed meanwhile`, 'already_decided');
  if (input.grant && approval.state === 'approved') {
    const grant = insertGrant(ctx, { ...input.grant, createdBy: input.decider, approvalId, now });
    return { outcome: 'decided', approval: { ...approval, grantId: grant.id } };
  }
  return { outcome: 'decided', approval };
}

/** `JournalStore.expireApprovals` inside one write transaction. */
export function expireApprovals(ctx: JournalContext, now: number): Approval[] {
  const expired: Approval[] = [];
  for (const row of ctx.st.dueApprovals.all(now)) {
    const approval = settleApproval(ctx, row, expirySettlement(now));
    if (approval) expired.push(approval);
  }
  return expired;
}
