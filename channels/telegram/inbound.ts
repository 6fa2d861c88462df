/**
 * Telegram messages in: which ones are for the bot, what they say without the bot's mention, the
 * files they carry, and the hand-over to `gateway.receive` (with the one polite answer to a
 * refused person).
 */
import type { Context } from 'grammy';
import type { Message, MessageEntity, UserFromGetMe } from 'grammy/types';
import type { Attachment, GatewayPort, InboundMessage, SessionScope } from '../../src/index.js';
import { describeError, InboxUnavailableError } from './errors.js';
import { TG_FILE_PREFIX } from './files.js';
import { conversationOf, deviceOf, placeOf, principalOf, sessionKeyOf, TELEGRAM } from './identity.js';
import { replyTargetOf, type TelegramSender } from './outbound.js';

function entityText(text: string, entity: MessageEntity): string {
  return text.slice(entity.offset, entity.offset + entity.length);
}

function isMentionOfBot(text: string, entity: MessageEntity, bot: UserFromGetMe): boolean {
  if (entity.type === 'mention')
    return entityText(text, entity).toLowerCase() === `@${bot.username.toLowerCase()}`;
  if (entity.type === 'text_mention') return entity.user.id === bot.id;
  return false;
}

/** Whether a leading `/command` is meant for this bot: bare, or suffixed with its @username. */
function isCommandToBot(text: string, entity: MessageEntity, bot: UserFromGetMe): boolean {
  if (entity.type !== 'bot_command' || entity.offset !== 0) return false;
  const at = entityText(text, entity).split('@')[1];
  return at === undefined || at.toLowerCase() === bot.username.toLowerCase();
}

/**
 * Whether a group message is addressed to the bot: it mentions the bot (@username, or a
 * text_mention of a user without a username), replies to one of its messages, or is a command to
 * it. In a forum topic every message "replies" to the topic's first message; that is not a reply.
 */
export function isAddressedToBot(message: Message, bot: UserFromGetMe): boolean {
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  if (entities.some((e) => isMentionOfBot(text, e, bot) || isCommandToBot(text, e, bot))) return true;
  const replied = message.reply_to_message;
  if (!replied || replied.from?.id !== bot.id) return false;
  const isTopicHeader = message.is_topic_message === true && replied.message_id === message.message_thread_id;
  return !isTopicHeader;
}

/** The text with the bot's mentions (and a command's `@botname` suffix) removed. */
export function stripBotMention(
  text: string,
  entities: readonly MessageEntity[],
  bot: UserFromGetMe,
): string {
  const cuts: { start: number; end: number }[] = [];
  for (const entity of entities) {
    if (isMentionOfBot(text, entity, bot)) {
      cuts.push({ start: entity.offset, end: entity.offset + entity.length });
    } else if (isCommandToBot(text, entity, bot)) {
      const at = entityText(text, entity).indexOf('@');
      if (at >= 0) cuts.push({ start: entity.offset + at, end: entity.offset + entity.length });
    }
  }
  let out = text;
  for (const cut of cuts.sort((a, b) => b.start - a.start)) {
    out = `${out.slice(0, cut.start)}${out.slice(cut.end)}`;
  }
  return out
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/^[ \t]*[,:]?[ \t]*/, '')
    .trim();
}

/**
 * Documents and photos as metadata. The url is a `tg-file:<file_id>` reference rather than a
 * download link, because Telegram's file links embed the bot token and must never reach the tape.
 */
export function attachmentsOf(message: Message): Attachment[] {
  const out: Attachment[] = [];
  const document = message.document;
  if (document) {
    out.push({
      name: document.file_name ?? `document-${document.file_unique_id}`,
      url: `${TG_FILE_PREFIX}${document.file_id}`,
      ...(document.mime_type === undefined ? {} : { mimeType: document.mime_type }),
      ...(document.file_size === undefined ? {} : { size: document.file_size }),
    });
  }
  const photo = message.photo?.at(-1); // sizes ascend: the last is the largest
  if (photo) {
    out.push({
      name: `photo-${photo.file_unique_id}.jpg`,
      url: `${TG_FILE_PREFIX}${photo.file_id}`,
      mimeType: 'image/jpeg',
      ...(photo.file_size === undefined ? {} : { size: photo.file_size }),
    });
  }
  return out;
}

function displayNameOf(user: NonNullable<Message['from']>): string {
  const name = [user.first_name, user.last_name]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  return name !== '' ? name : (user.username ?? String(user.id));
}

/**
 * Maps a Telegram message to an `InboundMessage`, or null when the bot should stay silent: a
 * message from another bot or a channel, a group message not addressed to the bot, or one with
 * neither text nor attachments. The event id is the update id, which the gateway dedupes on.
 */
export function toInboundMessage(
  updateId: number,
  message: Message,
  bot: UserFromGetMe,
  scope: SessionScope,
): InboundMessage | null {
  const from = message.from;
  if (!from || from.is_bot || message.sender_chat !== undefined) return null;
  const chatType = message.chat.type;
  if (chatType === 'channel') return null;
  if (chatType !== 'private' && !isAddressedToBot(message, bot)) return null;
  const place = placeOf(message);
  const text = stripBotMention(
    message.text ?? message.caption ?? '',
    message.entities ?? message.caption_entities ?? [],
    bot,
  );
  const attachments = attachmentsOf(message);
  if (text === '' && attachments.length === 0) return null;
  return {
    channel: TELEGRAM,
    eventId: String(updateId),
    device: deviceOf(bot),
    principal: principalOf(from.id),
    displayName: displayNameOf(from),
    sessionKey: sessionKeyOf(place, from.id, scope),
    conversation: conversationOf(place),
    text,
    ...(attachments.length === 0 ? {} : { attachments }),
  };
}

/**
 * Handles one `message` update: maps it, hands it to the gateway and, when the person is refused,
 * answers them once in reply to their message. A failed `receive` (the update was not stored)
 * becomes an `InboxUnavailableError`, so the transport delivers the update again; a failed
 * refusal post is only logged.
 */
export async function onMessage(
  ctx: Context & { message: Message },
  gateway: GatewayPort,
  sender: TelegramSender,
  scope: SessionScope,
): Promise<void> {
  const inbound = toInboundMessage(ctx.update.update_id, ctx.message, ctx.me, scope);
  if (!inbound) return;
  let result: Awaited<ReturnType<GatewayPort['receive']>>;
  try {
    result = await gateway.receive(inbound);
  } catch (error) {
    throw new InboxUnavailableError(error);
  }
  if (result.status !== 'refused') return;
  try {
    await sender.sendText(replyTargetOf(placeOf(ctx.message), ctx.message.message_id), result.message);
  } catch (error) {
    gateway.logger.warn(describeError(error), 'telegram: posting a refusal failed');
  }
}
