/**
 * Who and where on Discord, in Switchboard's terms: the principal of a user, the device of the
 * application, the place a message or command was written, its conversation and its session key.
 * The only file that builds `discord:` strings.
 */
import type { ChatInputCommandInteraction, Message } from 'discord.js';
import type { ConversationRef, Principal, SessionScope } from '../../src/index.js';

/** The adapter name, used as `InboundMessage.channel` and `ConversationRef.platform`. */
export const DISCORD = 'discord';

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
  if (place.guildId === null) return `${DISCORD}:dm:${place.userId}`;
  switch (scope) {
    case 'user':
      return `${DISCORD}:${place.guildId}:user:${place.userId}`;
    case 'thread':
      return `${DISCORD}:${place.guildId}:${place.threadId ?? place.channelId}`;
    case 'channel':
      return `${DISCORD}:${place.guildId}:${place.channelId}`;
  }
}

/** The conversation reference the core stores to reply to this place. */
export function conversationOf(place: DiscordPlace): ConversationRef {
  const conversation: ConversationRef = { platform: DISCORD, channel: place.channelId };
  if (place.guildId !== null) conversation.workspace = place.guildId;
  if (place.threadId !== undefined) conversation.thread = place.threadId;
  return conversation;
}

/** The Discord channel id to post in for a conversation: the thread when there is one. */
export function targetChannelOf(conversation: ConversationRef): string {
  return conversation.thread ?? conversation.channel;
}

/** The principal of a Discord user: `discord:<userId>`. */
export function principalOf(userId: string): Principal {
  return `${DISCORD}:${userId}`;
}

/** The device of this adapter instance, one per application: `discord:<applicationId>`. */
export function deviceOf(applicationId: string): string {
  return `${DISCORD}:${applicationId}`;
}

/** The Discord user id of a `discord:<id>` principal, if it is one. */
export function userIdOf(principal: Principal): string | undefined {
  const match = /^discord:(\d+)$/.exec(principal);
  return match?.[1];
}

/** Where a message was written. */
export function placeOf(message: Message): DiscordPlace {
  const channel = message.channel;
  if (message.guildId !== null && channel.isThread()) {
    return {
      guildId: message.guildId,
      channelId: channel.parentId ?? channel.id,
      threadId: channel.id,
      userId: message.author.id,
    };
  }
  return { guildId: message.guildId, channelId: message.channelId, userId: message.author.id };
}

/** Where a slash command was typed. */
export function placeOfInteraction(interaction: ChatInputCommandInteraction): DiscordPlace {
  const channelId = interaction.channelId ?? '';
  const channel = interaction.channel;
  if (interaction.guildId !== null && channel?.isThread()) {
    return {
      guildId: interaction.guildId,
      channelId: channel.parentId ?? channel.id,
      threadId: channel.id,
      userId: interaction.user.id,
    };
  }
  return { guildId: interaction.guildId, channelId, userId: interaction.user.id };
}
