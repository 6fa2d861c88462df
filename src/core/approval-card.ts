import { defaultPattern, describePattern } from './arg-pattern.js';
import type { Approval, ApprovalCard } from './types.js';

/** Longest argument preview shown on an approval card, on any platform. */
export const ARGS_PREVIEW_CHARS = 600;

/**
 * Pretty JSON of the arguments, cut at `maxChars` (at most `ARGS_PREVIEW_CHARS`) with a visible
 * marker saying how much is left out.
 */
export function previewArgs(args: unknown, maxChars: number = ARGS_PREVIEW_CHARS): string {
  const cap = Math.max(0, Math.min(ARGS_PREVIEW_CHARS, Math.floor(maxChars)));
  const text = JSON.stringify(args, null, 2) ?? 'null';
  if (text.length <= cap) return text;
  return `${text.slice(0, cap)}… (${text.length - cap} more characters)`;
}

/**
 * The card every adapter renders for an approval, from the approval's current row: the one place
 * a card's content is decided. `previewChars` is the platform's room for the preview
 * (`Channel.approvalPreviewChars`); it can shorten the preview, never lengthen it.
 */
export function approvalCard(
  approval: Approval,
  allowSessionScope: boolean,
  previewChars: number = ARGS_PREVIEW_CHARS,
): ApprovalCard {
  return {
    approvalId: approval.id,
    runId: approval.runId,
    conversation: approval.conversation,
    requester: approval.requester,
    tool: approval.tool,
    argsPreview: previewArgs(approval.args, previewChars),
    expiresAt: approval.expiresAt,
    state: approval.state,
    decidedBy: approval.decidedBy,
    allowSessionScope,
    // Offered wherever approving for the session is: on the cards of tool calls.
    ...(allowSessionScope
      ? { alwaysCovers: describePattern(defaultPattern(approval.tool, approval.args, approval.argsHash)) }
      : {}),
    ...(approval.grantId ? { grantId: approval.grantId } : {}),
    ...(approval.cardReceipt ? { receipt: approval.cardReceipt } : {}),
  };
}
