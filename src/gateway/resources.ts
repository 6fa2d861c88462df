/**
 * The Cedar resources of docs/authorization.md, built from domain objects, so every door of the
 * gateway names the same resource for the same thing.
 */
import type { Approval, ConversationRef, Principal, Run, Session } from '../core/types.js';
import { type AuthzQuery, EVERYONE } from '../policy/engine.js';
import { conversationId } from '../policy/entities.js';

/** A Cedar resource of an authorization question. */
export type Resource = AuthzQuery['resource'];

/** One run; its owner is the person who asked. */
export function runResource(run: Pick<Run, 'id' | 'principal'>): Resource {
  return { type: 'Run', id: run.id, attrs: { owner: run.principal } };
}

/** One approval: who asked for which tool. */
export function approvalResource(approval: Pick<Approval, 'id' | 'requester' | 'tool'>): Resource {
  return { type: 'Approval', id: approval.id, attrs: { requester: approval.requester, tool: approval.tool } };
}

/** One session. */
export function sessionResource(session: Pick<Session, 'id' | 'conversation'>): Resource {
  return { type: 'Session', id: session.id, attrs: { platform: session.conversation.platform } };
}

/** One person: their runs, approvals, usage or memory. */
export function userResource(principal: Principal): Resource {
  return { type: 'User', id: principal };
}

/**
 * Where a principal acts when the caller knows no conversation (an adapter asking `mayChat`, a
 * command without its place): their platform, in no particular channel.
 */
export function unplacedConversation(principal: Principal): ConversationRef {
  return { platform: principal.split(':')[0] ?? '', channel: 'unknown' };
}

/** A conversation, where people chat and ask for `/status`. */
export function conversationResource(ref: ConversationRef): Resource {
  return { type: 'Conversation', id: conversationId(ref), attrs: { platform: ref.platform } };
}

export { memoryResource } from '../memory/service.js';
export { EVERYONE };
