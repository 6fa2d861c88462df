import { describe, expect, it } from 'vitest';
import type { ConversationRef, Run } from '../../src/core/types.js';
import type { AuthzQuery } from '../../src/policy/engine.js';
import type { Channel } from '../../src/ports/channel.js';
import { adminConversationsOf, approverRouting } from '../../src/runtime/approver-routing.js';

const DM: ConversationRef = { platform: 'telegram', channel: '42' };
const GROUP: ConversationRef = { platform: 'telegram', channel: '-100' };
const ADMINS: ConversationRef = { platform: 'telegram', channel: '-999' };
const approval = { id: 'ap-1', tool: 'shell_exec', argsHash: 'h' };

function runIn(conversation: ConversationRef, principal = 'telegram:42'): Run {
  return {
    id: 'r1',
    sessionId: 's1',
    state: 'running',
    principal,
    channel: 'telegram',
    conversation,
    text: 'hi',
    createdAt: 0,
    updatedAt: 0,
    startedAt: 0,
    finishedAt: null,
    reason: null,
    agent: null,
  };
}

/** A routing over one Telegram-like channel, where `approvers` may approve. */
function routing(approvers: string[], admins: ConversationRef | null = ADMINS) {
  const asked: AuthzQuery[] = [];
  const channel = { name: 'telegram', isPrivate: (c: ConversationRef) => /^\d+$/.test(c.channel) } as Channel;
  const route = approverRouting({
    policy: {
      authorize: (query) => {
        asked.push(query);
        return { allowed: approvers.includes(query.principal), policyIds: [], errors: [] };
      },
    },
    channels: new Map([['telegram', channel]]),
    adminConversations: adminConversationsOf(
      new Map([
        ['telegram', { mode: 'request', group: 'members', ...(admins ? { adminConversation: admins } : {}) }],
      ]),
    ),
  });
  return { route, asked };
}

describe('approver routing', () => {
  it('sends a DM card its requester may not approve to the admin conversation', () => {
    const { route, asked } = routing([]);
    expect(route(runIn(DM), approval)).toEqual([ADMINS]);
    expect(asked[0]).toMatchObject({
      principal: 'telegram:42',
      action: 'approve',
      context: { requester: 'telegram:42', tool: 'shell_exec', argsHash: 'h' },
    });
  });

  it('keeps the card in the DM alone when its requester may approve it', () => {
    expect(routing(['telegram:42']).route(runIn(DM), approval)).toEqual([]);
  });

  it('keeps a group card in the group: approvers may be there', () => {
    expect(routing([]).route(runIn(GROUP), approval)).toEqual([]);
  });

  it('routes nowhere when the platform names no admin conversation, or the DM is it', () => {
    expect(routing([], null).route(runIn(DM), approval)).toEqual([]);
    expect(routing([], DM).route(runIn(DM), approval)).toEqual([]);
  });
});
