import { createHash } from 'node:crypto';
import { type APIMessage, Routes } from 'discord.js';
import {
  ChannelError,
  type ConversationRef,
  type DeliveryReceipt,
  type OutboundMessage,
  ShownTexts,
} from '../../src/index.js';
import { DISCORD_FILE_LIMIT, DISCORD_MESSAGE_LIMIT, DISCORD_NONCE_LIMIT } from './config.js';
import type { DiscordContext } from './context.js';
import { toChannelError } from './errors.js';
import { targetChannelOf, userIdOf } from './identity.js';
import { renderDiscord } from './render.js';

/** How a status line starts: small text with an hourglass. */
const STATUS_LINE_PREFIX = '-# ⏳ ';
/** After this long of activity in a conversation, a status line is shown and edited in place. */
const STATUS_LINE_AFTER_MS = 3_000;
/** Activity older than this is forgotten (a run that never replied). */
const ACTIVITY_TTL_MS = 60 * 60 * 1000;

/** Options of one posted text. */
export interface PostOptions {
  /** Reply to this message (without pinging its author). */
  replyTo?: string;
  /** Makes the post idempotent on Discord's side: the same key posts each chunk once. */
  idempotencyKey?: string;
  /** Ids of the chunks an earlier attempt posted and recorded: only the rest is posted. */
  delivered?: string[];
  /** Records the ids posted so far, after each chunk. */
  recordProgress?: (messageIds: string[]) => Promise<void>;
  /** Messages showing this text's draft: edited into it in place, those left over removed. */
  drafts?: readonly string[];
}

interface Activity {
  startedAt: number;
  statusMessageId?: string;
  status?: string;
}

/**
 * Posts replies and activity: renders the agent's Markdown as Discord Markdown in messages of at
 * most 2,000 characters (split between lines and blocks), posts them in order, and maps failures to `ChannelError`. Rate limits are
 * waited out by discord.js's REST queue. Each posted chunk is recorded durably by the outbox, and
 * a nonce derived from the outbox id and chunk number (`enforce_nonce`) makes Discord answer a
 * re-sent chunk with the message it already has, so a retry after a crash or a lost answer posts
 * nothing twice (Discord keeps nonces for a few minutes).
 */
export class DiscordOutbound {
  private readonly activity = new Map<string, Activity>();
  /** The content each recently posted or edited message shows. */
  private readonly contents = new ShownTexts();

  constructor(private readonly ctx: DiscordContext) {}

  /** Delivers a reply or notice; an `ephemeralTo` message in a guild goes to that person's DMs. */
  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    let channelId = targetChannelOf(message.conversation);
    // A run's final text replacing its draft, with no activity known here: this process started
    // after the one that showed the run working, whose status line may still be there.
    if (message.drafts !== undefined && !this.activity.has(keyOf(message.conversation)))
      await this.clearLeftOverStatusLines(channelId);
    await this.clearStatusLine(message.conversation);
    const privateTo = message.ephemeralTo === undefined ? undefined : userIdOf(message.ephemeralTo);
    if (privateTo !== undefined && message.conversation.workspace !== undefined) {
      channelId = await this.openDm(privateTo);
    }
    if (message.file !== undefined) return { messageIds: [await this.postFile(channelId, message)] };
    const options: PostOptions = {};
    if (message.idempotencyKey !== undefined) options.idempotencyKey = message.idempotencyKey;
    if (message.delivered !== undefined) options.delivered = message.delivered;
    if (message.recordProgress !== undefined) options.recordProgress = message.recordProgress;
    if (message.drafts !== undefined && privateTo === undefined) options.drafts = message.drafts;
    return { messageIds: await this.postText(channelId, message.text, options) };
  }

  /** Posts `message.file` as an attachment with its caption; a nonce keeps a retry from posting it twice. */
  private async postFile(channelId: string, message: OutboundMessage): Promise<string> {
    const file = message.file;
    if (!file) throw new ChannelError('permanent', 'no file to send');
    if (file.data.length > DISCORD_FILE_LIMIT)
      throw new ChannelError(
        'permanent',
        `${file.name} is larger than Discord's ${DISCORD_FILE_LIMIT} bytes`,
      );
    const body: Record<string, unknown> = {
      content: renderDiscord(message.text)[0]?.slice(0, DISCORD_MESSAGE_LIMIT) ?? '',
      allowed_mentions: { parse: [] },
      attachments: [{ id: 0, filename: file.name }],
    };
    if (message.idempotencyKey !== undefined) {
      body.nonce = nonceOf(`${message.idempotencyKey}:file`);
      body.enforce_nonce = true;
    }
    try {
      const posted = (await this.ctx.rest().post(Routes.channelMessages(channelId), {
        body,
        files: [
          { name: file.name, data: file.data, ...(file.mimeType ? { contentType: file.mimeType } : {}) },
        ],
      })) as APIMessage;
      return posted.id;
    } catch (error) {
      throw toChannelError(error, 'post a file');
    }
  }

  /** Shows the Markdown written so far of a streamed reply in the messages `shown`, posting more as it grows. */
  async showDraft(
    conversation: ConversationRef,
    text: string,
    shown: readonly string[],
    key?: string,
  ): Promise<string[]> {
    // The nonce of each new part comes from the stream's key: a post whose answer was lost is
    // answered with the message Discord already has when the next edit posts it again.
    const options: PostOptions = { drafts: shown };
    if (key !== undefined) options.idempotencyKey = `draft:${key}`;
    return this.postText(targetChannelOf(conversation), text, options);
  }

  /** Posts Markdown `text` in a channel or thread, rendered and split to Discord's limit; returns the message ids in order. */
  async postText(channelId: string, text: string, options: PostOptions = {}): Promise<string[]> {
    const chunks = renderDiscord(text);
    const ids: string[] = [...(options.delivered ?? [])];
    const drafts = options.drafts ?? [];
    for (const [index, content] of chunks.entries()) {
      if (index < ids.length) continue; // posted by an earlier attempt of this outbox item
      const draft = drafts[index];
      if (draft !== undefined) {
        if (!this.contents.shows(draft, content)) {
          await this.editMessage(
            channelId,
            draft,
            { content, allowed_mentions: { parse: [] } },
            'edit a reply',
          );
          this.contents.remember(draft, content);
        }
        ids.push(draft);
        await options.recordProgress?.(ids);
        continue;
      }
      const body: Record<string, unknown> = { content, allowed_mentions: { parse: [] } };
      if (options.idempotencyKey !== undefined) {
        body.nonce = nonceOf(`${options.idempotencyKey}:${index}`);
        body.enforce_nonce = true;
      }
      if (index === 0 && options.replyTo !== undefined) {
        body.message_reference = { message_id: options.replyTo, fail_if_not_exists: false };
      }
      const posted = await this.postMessage(channelId, body, 'post a message');
      const id = posted.id;
      // A nonce Discord already knew is answered with that message, as it was: bring it up to date.
      if (posted.content !== content)
        await this.editMessage(channelId, id, { content, allowed_mentions: { parse: [] } }, 'edit a reply');
      this.contents.remember(id, content);
      ids.push(id);
      await options.recordProgress?.(ids);
    }
    // The text shrank below its draft (a new model call): the messages left over go.
    for (const extra of drafts.slice(chunks.length)) {
      try {
        await this.ctx.rest().delete(Routes.channelMessage(channelId, extra));
      } catch (error) {
        this.ctx.gateway.logger.debug({ err: toChannelError(error, 'remove a draft') }, 'draft kept');
      }
    }
    return ids.slice(0, chunks.length);
  }

  /** Creates one message from a raw API body; returns its id. */
  async createMessage(channelId: string, body: Record<string, unknown>, action: string): Promise<string> {
    return (await this.postMessage(channelId, body, action)).id;
  }

  /** Creates one message from a raw API body; returns it as Discord answered. */
  private async postMessage(
    channelId: string,
    body: Record<string, unknown>,
    action: string,
  ): Promise<APIMessage> {
    try {
      return (await this.ctx.rest().post(Routes.channelMessages(channelId), { body })) as APIMessage;
    } catch (error) {
      throw toChannelError(error, action);
    }
  }

  /** Edits one message from a raw API body. */
  async editMessage(channelId: string, messageId: string, body: Record<string, unknown>, action: string) {
    try {
      await this.ctx.rest().patch(Routes.channelMessage(channelId, messageId), { body });
    } catch (error) {
      throw toChannelError(error, action);
    }
  }

  /**
   * Shows the typing indicator; when a run has been working for a few seconds, also a status
   * line ("running shell_exec…") that is edited in place and removed when the reply is sent.
   */
  async showActivity(conversation: ConversationRef, status: string): Promise<void> {
    const channelId = targetChannelOf(conversation);
    const key = keyOf(conversation);
    const now = Date.now();
    this.forgetStale(now);
    let activity = this.activity.get(key);
    if (!activity) {
      activity = { startedAt: now };
      this.activity.set(key, activity);
    }
    try {
      await this.ctx.rest().post(Routes.channelTyping(channelId));
    } catch (error) {
      this.ctx.gateway.logger.debug({ err: toChannelError(error, 'show typing') }, 'discord typing failed');
    }
    const line = status.trim();
    if (line === '' || line === activity.status || now - activity.startedAt < STATUS_LINE_AFTER_MS) return;
    activity.status = line;
    const body = { content: `${STATUS_LINE_PREFIX}${line.slice(0, 200)}`, allowed_mentions: { parse: [] } };
    try {
      if (activity.statusMessageId === undefined) {
        activity.statusMessageId = await this.createMessage(channelId, body, 'post a status line');
      } else {
        await this.editMessage(channelId, activity.statusMessageId, body, 'edit a status line');
      }
    } catch (error) {
      this.ctx.gateway.logger.debug({ err: error }, 'discord status line failed');
    }
  }

  private async clearStatusLine(conversation: ConversationRef): Promise<void> {
    const key = keyOf(conversation);
    const activity = this.activity.get(key);
    this.activity.delete(key);
    if (activity?.statusMessageId === undefined) return;
    try {
      await this.ctx
        .rest()
        .delete(Routes.channelMessage(targetChannelOf(conversation), activity.statusMessageId));
    } catch (error) {
      this.ctx.gateway.logger.debug({ err: error }, 'discord status line removal failed');
    }
  }

  /** Deletes the bot's status lines among the channel's latest messages. Best effort. */
  private async clearLeftOverStatusLines(channelId: string): Promise<void> {
    const bot = this.ctx.botUserId();
    try {
      const latest = (await this.ctx.rest().get(Routes.channelMessages(channelId), {
        query: new URLSearchParams({ limit: '50' }),
      })) as APIMessage[];
      for (const left of latest) {
        if (left.author.id === bot && left.content.startsWith(STATUS_LINE_PREFIX))
          await this.ctx.rest().delete(Routes.channelMessage(channelId, left.id));
      }
    } catch (error) {
      this.ctx.gateway.logger.debug(
        { err: toChannelError(error, 'remove status lines') },
        'status lines kept',
      );
    }
  }

  private async openDm(userId: string): Promise<string> {
    try {
      const dm = (await this.ctx.rest().post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
        id: string;
      };
      return dm.id;
    } catch (error) {
      throw toChannelError(error, 'open a direct message');
    }
  }

  private forgetStale(now: number): void {
    for (const [key, activity] of this.activity) {
      if (now - activity.startedAt > ACTIVITY_TTL_MS) this.activity.delete(key);
    }
  }
}

/** A Discord message nonce (at most {@link DISCORD_NONCE_LIMIT} characters) derived from an idempotency key. */
export function nonceOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, DISCORD_NONCE_LIMIT);
}

function keyOf(conversation: ConversationRef): string {
  return targetChannelOf(conversation);
}
