import type { AccessRequest } from './people.js';
import type { ApprovalCard, ConversationRef } from './types.js';

/** The longest quote of a stranger's message on an access card. */
export const ACCESS_TEXT_CHARS = 300;

/**
 * The card every adapter renders for an access request: the same shape and buttons as a tool
 * approval's (so a click reaches the same `decideApproval`), with `access` saying who asks to
 * be let into which group and what they wrote. `shownIn` is where the card is (the admin
 * conversation), not where the stranger wrote.
 */
export function accessCard(request: AccessRequest, shownIn: ConversationRef): ApprovalCard {
  const text = request.message.text;
  return {
    approvalId: request.id,
    runId: request.runId ?? '',
    conversation: shownIn,
    requester: request.principal,
    tool: '',
    argsPreview: '',
    expiresAt: request.expiresAt,
    state: request.state,
    decidedBy: request.decidedBy,
    allowSessionScope: false,
    access: {
      group: request.group,
      text: text.length <= ACCESS_TEXT_CHARS ? text : `${text.slice(0, ACCESS_TEXT_CHARS)}…`,
    },
    ...(request.cardReceipt ? { receipt: request.cardReceipt } : {}),
  };
}
