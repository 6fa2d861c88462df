import type { ConversationRef, SessionScope } from '../../src/index.js';

/** Where on Discord something happened: a DM, or a guild channel and maybe a thread in it. */
export interface DiscordPlace {
  /** Null in a DM. */
  guildId: string | null;
  /** The text channel (for a thread, its parent); the DM channel in a DM. */
  channelId: string;
  /** The thread, when the message was written in one. */
  threadId?: string;
  /** Who wrote or clicked. */
  userId: string;
}

/**
 * The session key of a place under `scope`: `discord:dm:<user>` in DMs; in guilds
 * `discord:<guild>:<channel>` (channel), `discord:<guild>:<thread>` (thread, else channel) or
 * `discord:<guild>:user:<user>` (user).
 */
export function sessionKeyOf(place: DiscordPlace, scope: SessionScope): string {
  if (place.guildId === null) return `discord:dm:${place.userId}`;
  switch (scope) {
    case 'user':
      return `discord:${place.guildId}:user:${place.userId}`;
    case 'thread':
      return `discord:${place.guildId}:${place.threadId ?? place.channelId}`;
    case 'channel':
      return `discord:${place.guildId}:${place.channelId}`;
  }
}

/** The conversation reference the core stores to reply to this place. */
export function conversationOf(place: DiscordPlace): ConversationRef {
  const conversation: ConversationRef = { platform: 'discord', channel: place.channelId };
  if (place.guildId !== null) conversation.workspace = place.guildId;
  if (place.threadId !== undefined) conversation.thread = place.threadId;
  return conversation;
}

/** The Discord channel id to post in for a conversation: the thread when there is one. */
export function targetChannelOf(conversation: ConversationRef): string {
  return conversation.thread ?? conversation.channel;
}

/** The principal of a Discord user. */
export function principalOf(userId: string): string {
  return `discord:${userId}`;
}

/** The Discord user id of a `discord:<id>` principal, if it is one. */
export function userIdOf(principal: string): string | undefined {
  const match = /^discord:(\d+)$/.exec(principal);
  return match?.[1];
}
