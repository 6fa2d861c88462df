import type { UserFromGetMe } from 'grammy/types';
import { EntityParseError, parseTelegramHtml } from './html.js';
import { fail, ok, type Result, type UploadedFile } from './wire.js';

/** An inline button as stored on a message. */
export interface FakeButton {
  text: string;
  callback_data?: string;
}

/** A message the bot posted, as a person in the chat now sees it. */
export interface FakeMessage {
  message_id: number;
  chat_id: number;
  thread?: number;
  /** Visible text (entities parsed away). */
  text: string;
  /** The text exactly as sent. */
  raw: string;
  parse_mode?: string;
  buttons: FakeButton[][];
  /** The buttons it was first posted with (what a stale client could still click). */
  firstButtons: FakeButton[][];
  replyTo?: number;
  edits: number;
  /** When each edit happened (ms), to check edit rates. */
  editedAt?: number[];
  /** Deleted with deleteMessage: nobody sees it any more. */
  deleted?: boolean;
  /** A document or photo the bot sent (its caption is `text`). */
  file?: UploadedFile & { kind: 'document' | 'photo' };
}

/**
 * The messages of the fake's chats: what the bot posted with sendMessage and changed with
 * editMessageText / editMessageReplyMarkup, with HTML parsed and Telegram's limits and refusals
 * ("can't parse entities", "message is not modified").
 */
export class ChatLog {
  readonly messages: FakeMessage[] = [];
  private nextMessageId = 1;

  constructor(private readonly bot: UserFromGetMe) {}

  /** A fresh message id (people's messages and the bot's share one sequence, as in a chat). */
  nextId(): number {
    return this.nextMessageId++;
  }

  private visible(p: Record<string, unknown>): string | Result {
    const text = typeof p.text === 'string' ? p.text : '';
    let visible = text;
    if (p.parse_mode === 'HTML') {
      try {
        visible = parseTelegramHtml(text);
      } catch (error) {
        if (error instanceof EntityParseError)
          return fail(400, `Bad Request: can't parse entities: ${error.message}`);
        throw error;
      }
    }
    if (visible.trim() === '') return fail(400, 'Bad Request: message text is empty');
    if (visible.length > 4096) return fail(400, 'Bad Request: message is too long');
    return visible;
  }

  /** sendMessage: posts a message (HTML parsed like Telegram does). */
  sendMessage(p: Record<string, unknown>): Result {
    const visible = this.visible(p);
    if (typeof visible !== 'string') return visible;
    const chatId = Number(p.chat_id);
    if (!Number.isFinite(chatId)) return fail(400, 'Bad Request: chat not found');
    const buttons = keyboardOf(p.reply_markup);
    const replyParameters = p.reply_parameters as { message_id?: number } | undefined;
    const message: FakeMessage = {
      message_id: this.nextId(),
      chat_id: chatId,
      ...(typeof p.message_thread_id === 'number' ? { thread: p.message_thread_id } : {}),
      text: visible,
      raw: String(p.text),
      ...(typeof p.parse_mode === 'string' ? { parse_mode: p.parse_mode } : {}),
      buttons,
      firstButtons: buttons,
      ...(replyParameters?.message_id === undefined ? {} : { replyTo: replyParameters.message_id }),
      edits: 0,
    };
    this.messages.push(message);
    return ok(this.wireMessage(message));
  }

  /** sendDocument / sendPhoto: posts an uploaded file with its caption. */
  sendFile(p: Record<string, unknown>, kind: 'document' | 'photo'): Result {
    const file = p[kind] as UploadedFile | undefined;
    if (typeof file !== 'object' || file === null || typeof file.size !== 'number')
      return fail(400, `Bad Request: there is no ${kind} in the request`);
    if (file.size > (kind === 'photo' ? 10 : 50) * 1024 * 1024) return fail(413, 'Request Entity Too Large');
    const caption = typeof p.caption === 'string' ? p.caption : '';
    if (caption.length > 1024) return fail(400, 'Bad Request: message caption is too long');
    const message: FakeMessage = {
      message_id: this.nextId(),
      chat_id: Number(p.chat_id),
      ...(typeof p.message_thread_id === 'number' ? { thread: p.message_thread_id } : {}),
      text: caption,
      raw: caption,
      buttons: [],
      firstButtons: [],
      edits: 0,
      file: { ...file, kind },
    };
    this.messages.push(message);
    return ok(this.wireMessage(message));
  }

  /** editMessageText (`withText`) or editMessageReplyMarkup. */
  edit(p: Record<string, unknown>, withText: boolean): Result {
    const message = this.messages.find(
      (m) => m.chat_id === Number(p.chat_id) && m.message_id === p.message_id && !m.deleted,
    );
    if (!message) return fail(400, 'Bad Request: message to edit not found');
    const text = withText ? this.visible(p) : message.text;
    if (typeof text !== 'string') return text;
    const buttons = keyboardOf(p.reply_markup);
    if (text === message.text && JSON.stringify(buttons) === JSON.stringify(message.buttons)) {
      return fail(
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    message.text = text;
    if (withText) message.raw = String(p.text);
    message.buttons = buttons;
    message.edits++;
    message.editedAt = [...(message.editedAt ?? []), Date.now()];
    return ok(this.wireMessage(message));
  }

  /** deleteMessage: the message is gone for everyone. */
  delete(p: Record<string, unknown>): Result {
    const message = this.messages.find(
      (m) => m.chat_id === Number(p.chat_id) && m.message_id === p.message_id && !m.deleted,
    );
    if (!message) return fail(400, 'Bad Request: message to delete not found');
    message.deleted = true;
    return ok(true);
  }

  /** A stored message as the Bot API shows it in updates and answers. */
  wireMessage(message: FakeMessage): Record<string, unknown> {
    return {
      message_id: message.message_id,
      date: Math.floor(Date.now() / 1000),
      chat:
        message.chat_id > 0
          ? { id: message.chat_id, type: 'private' }
          : { id: message.chat_id, type: 'supergroup' },
      from: this.bot,
      text: message.text,
      ...(message.thread === undefined ? {} : { message_thread_id: message.thread, is_topic_message: true }),
      ...(message.buttons.length === 0 ? {} : { reply_markup: { inline_keyboard: message.buttons } }),
    };
  }
}

function keyboardOf(markup: unknown): FakeButton[][] {
  const rows = (markup as { inline_keyboard?: FakeButton[][] } | undefined)?.inline_keyboard;
  return Array.isArray(rows) ? rows.filter((row) => row.length > 0) : [];
}
