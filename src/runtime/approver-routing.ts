import type { ChannelAccess } from '../config/access-schema.js';
import { sameConversation } from '../core/conversation.js';
import type { ConversationRef, Run } from '../core/types.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { Channel } from '../ports/channel.js';

/** What approver routing is decided from. */
export interface ApproverRoutingDeps {
  policy: Pick<PolicyEngine, 'authorize'>;
  channels: ReadonlyMap<string, Channel>;
  /** Each platform's admin conversation (`channels.<platform>.admin_conversation`), read per call. */
  adminConversations: ReadonlyMap<string, ConversationRef>;
}

/**
 * Approver routing (DESIGN.md section 9, "People and grants"): a card asked in a private
 * conversation (a DM, `Channel.isPrivate`) by someone the policy does not let approve it has nobody
 * there to decide it, so it also goes to the platform's admin conversation. Deciding either copy
 * settles the approval once, and the outbox edits both (`cardConversations`). A group conversation
 * keeps its one card: approvers may be in it, and who is cannot be known.
 */
export function approverRouting(
  deps: ApproverRoutingDeps,
): (run: Run, approval: { id: string; tool: string; argsHash: string }) => ConversationRef[] {
  return (run, approval) => {
    const target = deps.adminConversations.get(run.channel);
    if (!target || sameConversation(target, run.conversation)) return [];
    if (!deps.channels.get(run.channel)?.isPrivate?.(run.conversation)) return [];
    const self = deps.policy.authorize({
      principal: run.principal,
      action: 'approve',
      resource: {
        type: 'Approval',
        id: approval.id,
        attrs: { requester: run.principal, tool: approval.tool },
      },
      context: { requester: run.principal, tool: approval.tool, argsHash: approval.argsHash },
    });
    return self.allowed ? [] : [target];
  };
}

/** The admin conversation of each channel whose access settings name one. */
export function adminConversationsOf(
  access: ReadonlyMap<string, ChannelAccess> | undefined,
): Map<string, ConversationRef> {
  const found = new Map<string, ConversationRef>();
  for (const [name, settings] of access ?? [])
    if (settings.adminConversation) found.set(name, settings.adminConversation);
  return found;
}
