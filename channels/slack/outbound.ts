import type { webApi } from '@slack/bolt';
import type { ChannelLogger, ConversationRef, DeliveryReceipt, OutboundMessage } from '../../src/index.js';
import { platformErrorCode, toChannelError } from './errors.js';
import { renderText } from './render.js';
import type { ThreadMembership } from './threads.js';

/** How many partly delivered replies are remembered for resuming after a retry. */
const MAX_PROGRESS = 1_000;

/**
 * Posts replies and status lines. A reply split into several messages remembers, per outbox
 * idempotency key, which parts were posted, so a retry after a 429 halfway through posts only the
 * missing parts: delivered once, nothing duplicated.
 */
export class SlackOutbound {
  private readonly progress = new Map<string, string[]>();
  private readonly statusMessages = new Map<string, string>();
  private assistantStatus = true;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly threads: ThreadMembership,
    private readonly logger: ChannelLogger,
  ) {}

  /** Posts `message` in its thread (or ephemerally to one person), split to Slack's limits. */
  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    const { conversation } = message;
    if (message.ephemeralTo) return this.sendEphemeral(message, message.ephemeralTo);
    await this.clearStatus(conversation);
    const parts = renderText(message.text);
    const key = message.idempotencyKey;
    const posted = key ? [...(this.progress.get(key) ?? [])] : [];
    for (const part of parts.slice(posted.length)) {
      try {
        const result = await this.client.chat.postMessage({
          channel: conversation.channel,
          text: part.text,
          blocks: part.blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(conversation.thread ? { thread_ts: conversation.thread } : {}),
        });
        if (result.ts) posted.push(result.ts);
        if (key) this.rememberProgress(key, posted);
      } catch (error) {
        throw toChannelError(error, `posting a reply to ${conversation.channel}`);
      }
    }
    if (conversation.thread) this.threads.remember(conversation.channel, conversation.thread);
    if (key) this.progress.delete(key);
    return { messageIds: posted };
  }

  /**
   * Shows that a run is working: the assistant thread status when the app is an assistant, else a
   * status message in the thread edited in place (removed when the reply is posted). Best effort:
   * never throws.
   */
  async showActivity(conversation: ConversationRef, status: string): Promise<void> {
    try {
      if (this.assistantStatus && conversation.thread) {
        try {
          await this.client.assistant.threads.setStatus({
            channel_id: conversation.channel,
            thread_ts: conversation.thread,
            status,
          });
          return;
        } catch (error) {
          if (platformErrorCode(error) === undefined || toChannelError(error, 'status').kind !== 'permanent')
            throw error;
          // Not an assistant app (or not an assistant thread): fall back to a status message for good.
          this.assistantStatus = false;
        }
      }
      await this.showStatusMessage(conversation, status);
    } catch (error) {
      this.logger.debug(
        { channel: 'slack', err: toChannelError(error, 'showing activity').message },
        'status not shown',
      );
    }
  }

  private async showStatusMessage(conversation: ConversationRef, status: string): Promise<void> {
    const key = conversationKey(conversation);
    const existing = this.statusMessages.get(key);
    if (status.trim() === '') {
      await this.clearStatus(conversation);
      return;
    }
    const text = `_${status}_`;
    if (existing) {
      await this.client.chat.update({ channel: conversation.channel, ts: existing, text });
      return;
    }
    const result = await this.client.chat.postMessage({
      channel: conversation.channel,
      text,
      ...(conversation.thread ? { thread_ts: conversation.thread } : {}),
    });
    if (result.ts) this.statusMessages.set(key, result.ts);
  }

  /** Removes the status message of a conversation, if one is shown. Best effort. */
  private async clearStatus(conversation: ConversationRef): Promise<void> {
    const key = conversationKey(conversation);
    const ts = this.statusMessages.get(key);
    if (!ts) return;
    this.statusMessages.delete(key);
    try {
      await this.client.chat.delete({ channel: conversation.channel, ts });
    } catch (error) {
      this.logger.debug(
        { channel: 'slack', err: toChannelError(error, 'removing status').message },
        'status kept',
      );
    }
  }

  private async sendEphemeral(message: OutboundMessage, principal: string): Promise<DeliveryReceipt> {
    const user = principal.split(':').at(-1) ?? principal;
    const { conversation } = message;
    const ids: string[] = [];
    for (const part of renderText(message.text)) {
      try {
        const result = await this.client.chat.postEphemeral({
          channel: conversation.channel,
          user,
          text: part.text,
          blocks: part.blocks,
          ...(conversation.thread ? { thread_ts: conversation.thread } : {}),
        });
        if (result.message_ts) ids.push(result.message_ts);
      } catch (error) {
        throw toChannelError(error, `posting an ephemeral message to ${conversation.channel}`);
      }
    }
    return { messageIds: ids };
  }

  private rememberProgress(key: string, posted: string[]): void {
    this.progress.set(key, [...posted]);
    if (this.progress.size > MAX_PROGRESS) {
      const oldest = this.progress.keys().next().value;
      if (oldest !== undefined) this.progress.delete(oldest);
    }
  }
}

function conversationKey(conversation: ConversationRef): string {
  return `${conversation.channel}:${conversation.thread ?? ''}`;
}
