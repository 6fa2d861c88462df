import type { ConversationRef } from './types.js';

/** Whether two references name the same conversation (platform, workspace, channel and thread). */
export function sameConversation(a: ConversationRef, b: ConversationRef): boolean {
  return (
    a.platform === b.platform &&
    (a.workspace ?? '') === (b.workspace ?? '') &&
    a.channel === b.channel &&
    (a.thread ?? '') === (b.thread ?? '')
  );
}
