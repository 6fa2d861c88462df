import type { webApi } from '@slack/bolt';
import {
  type ChannelLogger,
  type ConversationRef,
  type DeliveryReceipt,
  type OutboundFile,
  type OutboundMessage,
  ShownTexts,
} from '../../src/index.js';
import { platformErrorCode, toChannelError } from './errors.js';
import { escapeMrkdwn, type RenderedMessage, renderText } from './render.js';
import type { ThreadMembership } from './threads.js';

/** The metadata event type of a posted reply part, carrying its outbox id and part number. */
export const REPLY_METADATA_TYPE = 'switchboard_reply';
/** The metadata event type of a status message ("thinking…"), so a later process can remove it. */
const STATUS_METADATA_TYPE = 'switchboard_status';
/** How far back a retried delivery looks for parts an earlier attempt posted. */
const LOOKUP_LIMIT = 100;
/** Draft posts whose answer was lost, remembered to look for before posting again. */
const UNSURE_POSTS_KEPT = 256;

/**
 * Posts replies and status lines. Each part of a reply carries message metadata with its outbox
 * id and part number, and is recorded durably by the outbox once Slack accepted it. A retry posts
 * only the parts not recorded, after looking in the conversation for parts an earlier attempt got
 * posted but could not record (a crash, a lost answer): delivered once, nothing duplicated.
 */
export class SlackOutbound {
  /** What each recently posted or edited message shows, by ts, to skip edits that change nothing. */
  private readonly contents = new ShownTexts();
  private readonly statusMessages = new Map<string, string>();
  /** Draft parts (`draft:<stream key>#<part>`) whose post failed: Slack may have them already. */
  private readonly unsurePosts = new Set<string>();
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
    // A run's final text replacing its draft, with no status known here: this process started after
    // the one that showed the run working, whose status message may still be there.
    if (message.drafts !== undefined && !this.statusMessages.has(conversationKey(conversation)))
      await this.clearLeftOverStatus(conversation);
    await this.clearStatus(conversation);
    if (message.file) return this.sendFile(conversation, message.file, message.text);
    const parts = renderText(message.text);
    const key = message.idempotencyKey;
    const posted = [...(message.delivered ?? [])];
    if (key !== undefined && (message.attempt ?? 1) > 1 && posted.length < parts.length) {
      const found = await this.findPostedParts(conversation, key);
      while (posted.length < parts.length && found.has(posted.length))
        posted.push(found.get(posted.length) ?? '');
      if (posted.length > (message.delivered?.length ?? 0)) await message.recordProgress?.(posted);
    }
    const drafts = message.drafts ?? [];
    for (const [index, part] of parts.entries()) {
      if (index < posted.length) continue;
      const metadata =
        key === undefined
          ? undefined
          : { event_type: REPLY_METADATA_TYPE, event_payload: { outbox_id: key, part: index } };
      posted.push(await this.place(conversation, part, drafts[index], metadata));
      await message.recordProgress?.(posted);
    }
    await this.removeLeftOver(conversation, drafts.slice(parts.length));
    if (conversation.thread) this.threads.remember(conversation.channel, conversation.thread);
    return { messageIds: posted };
  }

  /** Uploads a file into the conversation (files upload v2), its caption as the comment; returns the file ids. */
  private async sendFile(
    conversation: ConversationRef,
    file: OutboundFile,
    caption: string,
  ): Promise<DeliveryReceipt> {
    try {
      const upload = {
        channel_id: conversation.channel,
        file: file.data,
        filename: file.name,
        initial_comment: escapeMrkdwn(caption),
      };
      const result = conversation.thread
        ? await this.client.files.uploadV2({ ...upload, thread_ts: conversation.thread })
        : await this.client.files.uploadV2(upload);
      const completed = (result as { files?: { files?: { id?: string }[] }[] }).files ?? [];
      return { messageIds: completed.flatMap((c) => c.files ?? []).flatMap((f) => (f.id ? [f.id] : [])) };
    } catch (error) {
      throw toChannelError(error, `uploading ${file.name} to ${conversation.channel}`);
    }
  }

  /**
   * Shows the Markdown written so far of a streamed reply in the messages `shown`, posting more as
   * it grows. With the stream's `key`, each posted part carries it in its metadata, and a part
   * whose post failed (Slack may have taken it and the answer was lost) is looked for before it is
   * posted again, so a lost answer leaves no half message behind.
   */
  async showDraft(
    conversation: ConversationRef,
    text: string,
    shown: readonly string[],
    key?: string,
  ): Promise<string[]> {
    const parts = renderText(text);
    const ids: string[] = [];
    const streamKey = key === undefined ? undefined : `draft:${key}`;
    for (const [index, part] of parts.entries()) {
      let draft = shown[index];
      const attempt = `${streamKey}#${index}`;
      if (draft === undefined && streamKey !== undefined && this.unsurePosts.has(attempt))
        draft = (await this.findPostedParts(conversation, streamKey)).get(index);
      const metadata =
        streamKey === undefined || draft !== undefined
          ? undefined
          : { event_type: REPLY_METADATA_TYPE, event_payload: { outbox_id: streamKey, part: index } };
      try {
        ids.push(await this.place(conversation, part, draft, metadata));
        this.unsurePosts.delete(attempt);
      } catch (error) {
        if (draft === undefined && streamKey !== undefined) {
          this.unsurePosts.add(attempt);
          // Streams that gave up never come back for theirs: keep only the latest.
          if (this.unsurePosts.size > UNSURE_POSTS_KEPT)
            this.unsurePosts.delete(this.unsurePosts.values().next().value ?? '');
        }
        throw error;
      }
    }
    await this.removeLeftOver(conversation, shown.slice(parts.length));
    return ids;
  }

  /** Posts one part, or edits the draft message `draft` into it; returns its ts. */
  private async place(
    conversation: ConversationRef,
    part: RenderedMessage,
    draft: string | undefined,
    metadata?: { event_type: string; event_payload: Record<string, string | number> },
  ): Promise<string> {
    const content = { text: part.text, blocks: part.blocks, ...(metadata ? { metadata } : {}) };
    const shown = JSON.stringify(content);
    try {
      if (draft !== undefined) {
        if (!this.contents.shows(draft, shown))
          await this.client.chat.update({ channel: conversation.channel, ts: draft, ...content });
        this.contents.remember(draft, shown);
        return draft;
      }
      const result = await this.client.chat.postMessage({
        channel: conversation.channel,
        ...content,
        unfurl_links: false,
        unfurl_media: false,
        ...(conversation.thread ? { thread_ts: conversation.thread } : {}),
      });
      this.contents.remember(result.ts ?? '', shown);
      return result.ts ?? '';
    } catch (error) {
      throw toChannelError(error, `posting a reply to ${conversation.channel}`);
    }
  }

  /** Deletes draft messages the final text no longer needs. Best effort. */
  private async removeLeftOver(conversation: ConversationRef, left: readonly string[]): Promise<void> {
    for (const ts of left) {
      try {
        await this.client.chat.delete({ channel: conversation.channel, ts });
      } catch (error) {
        this.logger.debug(
          { channel: 'slack', err: toChannelError(error, 'removing a draft').message },
          'draft kept',
        );
      }
    }
  }

  /** The parts of outbox item `key` already in the conversation, by part number (ts). */
  private async findPostedParts(conversation: ConversationRef, key: string): Promise<Map<number, string>> {
    const query = { channel: conversation.channel, include_all_metadata: true, limit: LOOKUP_LIMIT };
    try {
      const result = conversation.thread
        ? await this.client.conversations.replies({ ...query, ts: conversation.thread })
        : await this.client.conversations.history(query);
      const found = new Map<number, string>();
      for (const posted of result.messages ?? []) {
        const metadata = posted.metadata;
        const payload = metadata?.event_payload as { outbox_id?: unknown; part?: unknown } | undefined;
        if (metadata?.event_type !== REPLY_METADATA_TYPE || payload?.outbox_id !== key) continue;
        if (typeof payload.part === 'number' && posted.ts) found.set(payload.part, posted.ts);
      }
      return found;
    } catch (error) {
      throw toChannelError(error, `looking for an earlier delivery in ${conversation.channel}`);
    }
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
      metadata: { event_type: STATUS_METADATA_TYPE, event_payload: {} },
    });
    if (result.ts) this.statusMessages.set(key, result.ts);
  }

  /**
   * Removes status messages an earlier process left in the conversation (it died while a run was
   * working, so it never removed them), found by their metadata. Best effort.
   */
  private async clearLeftOverStatus(conversation: ConversationRef): Promise<void> {
    try {
      const query = { channel: conversation.channel, include_all_metadata: true, limit: LOOKUP_LIMIT };
      const result = conversation.thread
        ? await this.client.conversations.replies({ ...query, ts: conversation.thread })
        : await this.client.conversations.history(query);
      for (const left of result.messages ?? []) {
        if (left.metadata?.event_type === STATUS_METADATA_TYPE && left.ts)
          await this.client.chat.delete({ channel: conversation.channel, ts: left.ts });
      }
    } catch (error) {
      this.logger.debug(
        { channel: 'slack', err: toChannelError(error, 'removing status').message },
        'status kept',
      );
    }
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
}

function conversationKey(conversation: ConversationRef): string {
  return `${conversation.channel}:${conversation.thread ?? ''}`;
}
