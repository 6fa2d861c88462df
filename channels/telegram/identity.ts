/**
 * Who and where on Telegram, in Switchboard's terms: the principal of a user, the device of a
 * bot, the place a message was posted, its conversation and its session key. The only file that
 * builds `telegram:` strings.
 */
import type { Message, UserFromGetMe } from 'grammy/types';
import type { ConversationRef, Principal, SessionScope } from '../../src/index.js';

/** The adapter name, used as `InboundMessage.channel` and `ConversationRef.platform`. */
export const TELEGRAM = 'telegram';

/** Where a Telegram message was posted, reduced to what sessions and replies need. */
export interface TelegramPlace {
  chatId: number;
  /** The forum topic id, only for messages inside a forum topic (not the "General" topic). */
  topicId?: number;
  isPrivate: boolean;
}

/** The principal of a Telegram user: `telegram:<userId>`. */
export function principalOf(userId: number): Principal {
  return `${TELEGRAM}:${userId}`;
}

/** The device of this adapter instance, one per bot: `telegram:<botId>`. */
export function deviceOf(bot: UserFromGetMe): string {
  return `${TELEGRAM}:${bot.id}`;
}

/** Where `message` was posted. */
export function placeOf(message: Message): TelegramPlace {
  const topicId = message.is_topic_message === true ? message.message_thread_id : undefined;
  return {
    chatId: message.chat.id,
    ...(topicId === undefined ? {} : { topicId }),
    isPrivate: message.chat.type === 'private',
  };
}

/** The conversation a reply to a message in `place` goes to. */
export function conversationOf(place: TelegramPlace): ConversationRef {
  return {
    platform: TELEGRAM,
    channel: String(place.chatId),
    ...(place.topicId === undefined ? {} : { thread: String(place.topicId) }),
  };
}

/**
 * The session alias of a message. `channel` and `thread` scope give one session per chat, and one
 * per forum topic (`telegram:<chatId>:<topicId>`) — Telegram has no threads besides topics, so the
 * two scopes coincide. `user` scope gives each person their own session inside a group chat or
 * topic (`telegram:<chatId>[:<topicId>]:user:<userId>`). A private chat is always
 * `telegram:<chatId>` (its chat id is the user's id).
 */
export function sessionKeyOf(place: TelegramPlace, userId: number, scope: SessionScope): string {
  const base = `${TELEGRAM}:${place.chatId}${place.topicId === undefined ? '' : `:${place.topicId}`}`;
  if (scope === 'user' && !place.isPrivate) return `${base}:user:${userId}`;
  return base;
}
