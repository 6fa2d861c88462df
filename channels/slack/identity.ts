/**
 * Who and where on Slack, in Switchboard's terms: the principal of a user, the device of a
 * workspace, a conversation and its session key, and who the bot itself is. The only file that
 * builds `slack:` strings.
 */
import type { ConversationRef, Principal, SessionScope } from '../../src/index.js';

/** The adapter name, used as `InboundMessage.channel` and `ConversationRef.platform`. */
export const SLACK = 'slack';

/** Who the bot is, learned from `auth.test` at start. */
export interface BotIdentity {
  userId: string;
  botId: string;
  teamId: string;
}

/** A place in a Slack workspace: a channel (or DM), and the thread when there is one. */
export interface SlackPlace {
  team: string;
  channel: string;
  thread: string | undefined;
}

/** The principal of a Slack user of `team` (their home team): `slack:<team>:<user>`. */
export function principalOf(team: string, user: string): Principal {
  return `${SLACK}:${team}:${user}`;
}

/** The Slack user id of a `slack:<team>:<user>` principal, if it is one. */
export function userIdOf(principal: Principal): string | undefined {
  return /^slack:[^:]+:([A-Z0-9]+)$/.exec(principal)?.[1];
}

/** The device of this adapter instance in a workspace: `slack:<team>`. */
export function deviceOf(team: string): string {
  return `${SLACK}:${team}`;
}

/** The conversation a reply to `place` goes to. */
export function conversationOf(place: SlackPlace): ConversationRef {
  return {
    platform: SLACK,
    workspace: place.team,
    channel: place.channel,
    ...(place.thread ? { thread: place.thread } : {}),
  };
}

/**
 * The session alias of a conversation under a scope: `slack:<team>:<channel>:<thread>` per thread
 * (a DM outside a thread is one session per DM), `slack:<team>:<channel>` per channel,
 * `slack:<team>:user:<user>` per user.
 */
export function sessionKeyOf(scope: SessionScope, where: SlackPlace & { user: string }): string {
  switch (scope) {
    case 'user':
      return `${SLACK}:${where.team}:user:${where.user}`;
    case 'channel':
      return `${SLACK}:${where.team}:${where.channel}`;
    case 'thread':
      return where.thread
        ? `${SLACK}:${where.team}:${where.channel}:${where.thread}`
        : `${SLACK}:${where.team}:${where.channel}`;
  }
}
