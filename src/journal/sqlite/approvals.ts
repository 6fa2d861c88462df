import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { Approval } from '../../core/types.js';
import type { ApprovalDecisionInput } from '../store.js';
import type { JournalContext } from './statements.js';
import { settleApproval } from './writes.js';

/** What a decision did: decided, or found the approval expired (committed, then reported). */
export type DecisionOutcome =
  | { outcome: 'decided'; approval: Approval }
  | { outcome: 'expired'; approval: Approval };

/**
 * `JournalStore.decideApproval` inside one write transaction. An expired approval is marked
 * `expired` and returned as such so the caller can commit that and then throw.
 */
export function decideApproval(ctx: JournalContext, input: ApprovalDecisionInput): DecisionOutcome {
  const { approvalId, decision, decider, scope, now } = input;
  const row = ctx.st.approvalById.get(approvalId);
  if (!row) throw new NotFoundError('approval', approvalId);
  if (row.state !== 'pending') {
    const who = row.decided_by !== null ? ` by ${row.decided_by}` : '';
    throw new ConflictError(
      `approval ${approvalId} was already ${row.state}${who}`,
      'already_decided',
      row.state,
    );
  }
  if (row.expires_at <= now) {
    const approval = settleApproval(ctx, row, {
      state: 'expired',
      by: null,
      scope: 'once',
      reason: 'expired',
      now,
    });
    if (!approval) throw new ConflictError(`approval ${approvalId} changed meanwhile`, 'already_decided');
    return { outcome: 'expired', approval };
  }
  const approval = settleApproval(ctx, row, {
    state: decision,
    by: decider,
    scope: decision === 'approved' ? scope : 'once',
    reason: input.reason ?? null,
    now,
  });
  if (!approval) throw new ConflictError(`approval ${approvalId} changed meanwhile`, 'already_decided');
  return { outcome: 'decided', approval };
}

/** The error `decideApproval` throws after committing an expiry. */
export function expiredError(approval: Approval): ConflictError {
  return new ConflictError(
    `approval ${approval.id} expired before it was decided; ask again to run ${approval.tool}`,
    'expired',
    'expired',
  );
}

/** `JournalStore.expireApprovals` inside one write transaction. */
export function expireApprovals(ctx: JournalContext, now: number): Approval[] {
  const expired: Approval[] = [];
  for (const row of ctx.st.dueApprovals.all(now)) {
    const approval = settleApproval(ctx, row, {
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
