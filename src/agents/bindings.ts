/**
 * Which agent a new session gets (DESIGN.md section 9, `bindings:`): the first binding whose
 * every given field matches the conversation and the person; `default` when none does.
 */
import type { Binding } from '../config/routing-schema.js';
import type { ConversationRef, Principal } from '../core/types.js';

/** The agent of sessions no binding matches. */
export const DEFAULT_AGENT = 'default';

/** Whether `pattern` (a principal, or a prefix ending in `*`) names `principal`. */
function principalMatches(pattern: string, principal: Principal): boolean {
  return pattern.endsWith('*') ? principal.startsWith(pattern.slice(0, -1)) : pattern === principal;
}

/** Whether `binding` fits a message from `principal` in `conversation`. */
export function bindingMatches(
  binding: Binding,
  conversation: ConversationRef,
  principal: Principal,
): boolean {
  const { match } = binding;
  if (match.channel !== undefined && match.channel !== conversation.platform) return false;
  if (match.workspace !== undefined && match.workspace !== conversation.workspace) return false;
  if (match.conversation !== undefined && match.conversation !== conversation.channel) return false;
  if (match.principal !== undefined && !principalMatches(match.principal, principal)) return false;
  return true;
}

/** The agent the first matching binding names, else `fallback`. */
export function bindAgent(
  bindings: readonly Binding[],
  conversation: ConversationRef,
  principal: Principal,
  fallback: string = DEFAULT_AGENT,
): string {
  return bindings.find((binding) => bindingMatches(binding, conversation, principal))?.agent ?? fallback;
}
