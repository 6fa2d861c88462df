import type { Approval, ApprovalCard } from '../core/types.js';

/** Longest argument preview shown on an approval card. */
export const ARGS_PREVIEW_CHARS = 600;

/** Pretty JSON of the arguments, cut at `ARGS_PREVIEW_CHARS` with a visible marker. */
export function previewArgs(args: unknown): string {
  const text = JSON.stringify(args, null, 2) ?? 'null';
  if (text.length <= ARGS_PREVIEW_CHARS) return text;
  return `${text.slice(0, ARGS_PREVIEW_CHARS)}… (${text.length - ARGS_PREVIEW_CHARS} more characters)`;
}

/** The card every adapter renders for an approval, from the approval's current row. */
export function approvalCard(approval: Approval, allowSessionScope: boolean): ApprovalCard {
  return {
    approvalId: approval.id,
    runId: approval.runId,
    conversation: approval.conversation,
    requester: approval.requester,
    tool: approval.tool,
    argsPreview: previewArgs(approval.args),
    expiresAt: approval.expiresAt,
    state: approval.state,
    decidedBy: approval.decidedBy,
    allowSessionScope,
    ...(approval.cardReceipt ? { receipt: approval.cardReceipt } : {}),
  };
}
