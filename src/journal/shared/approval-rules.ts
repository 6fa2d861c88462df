import { sameConversation } from '../../core/conversation.js';
import { ConflictError } from '../../core/errors.js';
import type { Approval, ConversationRef } from '../../core/types.js';
import type { ApprovalDecisionInput, NewOutboxItem } from '../store.js';
import type { ApprovalRowOf, JsonForm } from './rows.js';

// The decisions both stores make about approvals, free of any SQL.

/** What a decision did: decided, or found the approval expired (committed, then reported). */
export type DecisionOutcome =
  | { outcome: 'decided'; approval: Approval }
  | { outcome: 'expired'; approval: Approval };

/** How a pending approval is settled: its new state, by whom, for what scope and why. */
export interface Settlement {
  state: Exclude<Approval['state'], 'pending'>;
  by: string | null;
  scope: 'once' | 'session';
  reason: string | null;
  now: number;
}

/** The settlement of an approval whose time ran out. */
export function expirySettlement(now: number): Settlement {
  return { state: 'expired', by: null, scope: 'once', reason: 'expired', now };
}

/** The settlement a decider asked for; only an approval keeps a `session` scope. */
export function decisionSettlement(input: ApprovalDecisionInput): Settlement {
  const { decision, decider, scope, now } = input;
  return {
    state: decision,
    by: decider,
    scope: decision === 'approved' ? scope : 'once',
    reason: input.reason ?? null,
    now,
  };
}

/** The body of the `approval_decision` tape event a settlement writes. */
export function decisionBody(
  approval: ApprovalRowOf<JsonForm>,
  settlement: Settlement,
): {
  approvalId: string;
  toolCallId: string;
  decision: Settlement['state'];
  by: string | null;
  scope: 'once' | 'session';
  reason: string | null;
} {
  const { state, by, scope, reason } = settlement;
  return { approvalId: approval.id, toolCallId: approval.tool_call_id, decision: state, by, scope, reason };
}

/**
 * The conversations whose copy of an approval's card is edited once it is settled: its own, then
 * each other one its card was also sent to (approver routing), once each.
 */
export function cardConversations(
  own: ConversationRef,
  sentTo: readonly ConversationRef[],
): ConversationRef[] {
  const all = [own];
  for (const where of sentTo) if (!all.some((seen) => sameConversation(seen, where))) all.push(where);
  return all;
}

/** The outbox item that edits an approval's card once it is settled. */
export function approvalUpdateItem(
  channel: string,
  conversation: ConversationRef,
  approvalId: string,
): NewOutboxItem {
  return {
    channel,
    conversation,
    kind: 'approval_update',
    payload: { approvalId, allowSessionScope: false },
  };
}

/** The error for deciding an approval that was already settled; says by whom when known. */
export function alreadyDecidedError(
  approvalId: string,
  settled: Pick<ApprovalRowOf<JsonForm>, 'state' | 'decided_by'>,
): ConflictError {
  const who = settled.decided_by !== null ? ` by ${settled.decided_by}` : '';
  return new ConflictError(
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
