import { type Api, InputFile } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import {
  ChannelError,
  type ChannelLogger,
  type ConversationRef,
  type DeliveryReceipt,
  type OutboundFile,
  type OutboundMessage,
  ShownTexts,
} from '../../src/index.js';
import { TELEGRAM_CAPTION_LIMIT, TELEGRAM_FILE_LIMIT, TELEGRAM_PHOTO_LIMIT } from './config.js';
import { describeError, isEntityParseError, isNotModifiedError, toChannelError } from './errors.js';
import type { TelegramPlace } from './identity.js';
import { renderTelegram, visibleText } from './render.js';

/** Where in Telegram a message goes. */
export interface TelegramTarget {
  chatId: number | string;
  /** Forum topic id (`message_thread_id`). */
  topicId?: number;
  /** Reply to this message (used for command answers and refusals). */
  replyTo?: number;
}

/** One message to post: formatted text is tried first, `plain` is the fallback. */
interface Post {
  html: string;
  plain: string;
  keyboard?: InlineKeyboardMarkup;
}

/** Pictures Telegram shows inline (sendPhoto); other files go as documents. */
const PHOTO_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

/** The Telegram target of a conversation. */
export function targetOf(conversation: ConversationRef): TelegramTarget {
  const chatId = /^-?\d+$/.test(conversation.channel) ? Number(conversation.channel) : conversation.channel;
  const topic = conversation.thread === undefined ? undefined : Number(conversation.thread);
  return { chatId, ...(topic === undefined || Number.isNaN(topic) ? {} : { topicId: topic }) };
}

/** The target of an answer to the message `messageId` posted in `place` (a command, a refusal). */
export function replyTargetOf(place: TelegramPlace, messageId: number): TelegramTarget {
  return {
    chatId: place.chatId,
    ...(place.topicId === undefined ? {} : { topicId: place.topicId }),
    replyTo: messageId,
  };
}

/**
 * Posts text to Telegram: renders the agent's Markdown as Telegram HTML in messages of at most
 * 4,096 characters (split between lines and blocks, never inside an entity), sends each and, when
 * Telegram cannot parse the entities, sends the same message again as its visible text rather
 * than losing it. Failures are `ChannelError`s for the outbox to retry.
 *
 * Each message Telegram accepted is recorded durably by the outbox, so a retry posts only the
 * rest. What stays at-least-once: a crash (or a lost answer) after Telegram accepted a message and
 * before it was recorded posts that one message again, because the Bot API has no idempotency key
 * and a bot cannot read a chat's history to look.
 */
export class TelegramSender {
  /** The HTML each recently posted or edited message shows, by id, to skip edits that change nothing. */
  private readonly contents = new ShownTexts();

  constructor(
    private readonly api: Api,
    private readonly logger: ChannelLogger,
  ) {}

  /** Delivers an outbox reply or notice; returns the ids of every message it consists of. */
  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    // Telegram has no ephemeral messages: `ephemeralTo` is posted to the conversation like any reply.
    if (message.file)
      return {
        messageIds: [await this.sendFile(targetOf(message.conversation), message.file, message.text)],
      };
    return this.sendText(targetOf(message.conversation), message.text, message);
  }

  /**
   * Sends a file with its caption: a picture Telegram can show as sendPhoto, anything else as
   * sendDocument. Returns the message id.
   */
  async sendFile(target: TelegramTarget, file: OutboundFile, caption: string): Promise<string> {
    const photo = PHOTO_TYPES.has(file.mimeType ?? '') && file.data.length <= TELEGRAM_PHOTO_LIMIT;
    if (file.data.length > TELEGRAM_FILE_LIMIT)
      throw new ChannelError(
        'permanent',
        `${file.name} is larger than Telegram's ${TELEGRAM_FILE_LIMIT} bytes`,
      );
    const options = {
      ...(target.topicId === undefined ? {} : { message_thread_id: target.topicId }),
      ...(caption.trim() ? { caption: caption.slice(0, TELEGRAM_CAPTION_LIMIT) } : {}),
    };
    const input = new InputFile(file.data, file.name);
    try {
      const sent = photo
        ? await this.api.sendPhoto(target.chatId, input, options)
        : await this.api.sendDocument(target.chatId, input, options);
      return String(sent.message_id);
    } catch (error) {
      throw toChannelError(error, `sending ${file.name}`);
    }
  }

  /**
   * Posts `text` (Markdown) to `target`, split to the limit; with `progress`, skips the parts an
   * earlier attempt delivered and records each new one.
   */
  async sendText(
    target: TelegramTarget,
    text: string,
    progress: Pick<OutboundMessage, 'delivered' | 'recordProgress' | 'drafts'> = {},
  ): Promise<DeliveryReceipt> {
    if (text.trim() === '') {
      this.logger.warn({ chat: String(target.chatId) }, 'telegram: not sending an empty message');
      return { messageIds: [] };
    }
    const chunks = renderTelegram(text);
    const delivered = [...(progress.delivered ?? [])];
    const drafts = progress.drafts ?? [];
    for (const [index, chunk] of chunks.entries()) {
      if (index < delivered.length) continue; // posted by an earlier attempt of this outbox item
      const draft = drafts[index];
      if (draft !== undefined) await this.edit(target, draft, chunk);
      delivered.push(draft ?? (await this.post(target, { html: chunk, plain: visibleText(chunk) })));
      if (draft === undefined) this.contents.remember(delivered.at(-1) ?? '', chunk);
      await progress.recordProgress?.(delivered);
    }
    // The text shrank below its draft (a new model call): the messages left over go.
    for (const extra of drafts.slice(chunks.length)) {
      await this.api.deleteMessage(target.chatId, Number(extra)).catch((error: unknown) => {
        this.logger.debug({ chat: String(target.chatId), ...describeError(error) }, 'telegram: draft kept');
      });
    }
    return { messageIds: delivered.slice(0, chunks.length) };
  }

  /** Shows the Markdown written so far of a streamed reply in the messages `shown`, posting more as it grows. */
  async showDraft(conversation: ConversationRef, text: string, shown: readonly string[]): Promise<string[]> {
    return (await this.sendText(targetOf(conversation), text, { drafts: [...shown] })).messageIds;
  }

  /** Edits message `id` to show `html` (its visible text when Telegram refuses the entities). */
  private async edit(target: TelegramTarget, id: string, html: string): Promise<void> {
    if (this.contents.shows(id, html)) return;
    const options = { link_preview_options: { is_disabled: true } };
    try {
      await this.api.editMessageText(target.chatId, Number(id), html, { ...options, parse_mode: 'HTML' });
    } catch (error) {
      if (isNotModifiedError(error)) return this.contents.remember(id, html);
      if (!isEntityParseError(error)) throw toChannelError(error, 'editing a message');
      try {
        await this.api.editMessageText(target.chatId, Number(id), visibleText(html), options);
      } catch (plainError) {
        if (!isNotModifiedError(plainError))
          throw toChannelError(plainError, 'editing a message as plain text');
      }
    }
    this.contents.remember(id, html);
  }

  /** Posts one message (at most 4,096 characters); returns its id. */
  async post(target: TelegramTarget, post: Post): Promise<string> {
    const common = {
      ...(target.topicId === undefined ? {} : { message_thread_id: target.topicId }),
      ...(target.replyTo === undefined
        ? {}
        : { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } }),
      ...(post.keyboard === undefined ? {} : { reply_markup: post.keyboard }),
      link_preview_options: { is_disabled: true },
    };
    try {
      const sent = await this.api.sendMessage(target.chatId, post.html, { ...common, parse_mode: 'HTML' });
      return String(sent.message_id);
    } catch (error) {
      if (!isEntityParseError(error)) throw toChannelError(error, 'sending a message');
      this.logger.warn(
        { chat: String(target.chatId), ...describeError(error) },
        'telegram: formatted text was refused, sending it as plain text',
      );
    }
    try {
      const sent = await this.api.sendMessage(target.chatId, post.plain, common);
      return String(sent.message_id);
    } catch (error) {
      throw toChannelError(error, 'sending a message as plain text');
    }
  }

  /** Shows "typing…" in the conversation; best effort, failures are only logged. */
  async typing(conversation: ConversationRef): Promise<void> {
    const target = targetOf(conversation);
    try {
      await this.api.sendChatAction(
        target.chatId,
        'typing',
        target.topicId === undefined ? {} : { message_thread_id: target.topicId },
      );
    } catch (error) {
      this.logger.debug({ chat: String(target.chatId), ...describeError(error) }, 'telegram: typing failed');
    }
  }
}
