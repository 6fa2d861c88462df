import { type Message, MessageType } from 'discord.js';
import type { Attachment, InboundMessage } from '../../src/index.js';
import type { DiscordContext } from './context.js';
import { conversationOf, DISCORD, placeOf, principalOf, sessionKeyOf } from './identity.js';
import type { DiscordOutbound } from './outbound.js';

/** Said when the core could not take a message (its store failed); the person may try again. */
const NOT_TAKEN = 'Sorry, I could not take that message just now. Please try again in a moment.';

/**
 * Turns Discord messages into `InboundMessage`s for the gateway: only DMs and, in servers,
 * messages that mention the bot, reply to it, arrive in a configured channel or in a thread the
 * bot is part of. Bots (including itself) are ignored; a refused person gets the gateway's answer
 * once. Deduplication is the gateway's job: a redelivered event carries the same event id.
 */
export class DiscordInbound {
  constructor(
    private readonly ctx: DiscordContext,
    private readonly outbound: DiscordOutbound,
  ) {}

  /** Handles one `messageCreate`; never throws (errors are logged). */
  async onMessage(message: Message): Promise<void> {
    const botId = this.ctx.botUserId();
    if (botId === undefined || !isForTheAgent(message, botId, this.ctx.config.channelIds)) return;
    const inbound = toInboundMessage(message, this.ctx, botId);
    if (inbound.text === '' && (inbound.attachments?.length ?? 0) === 0) return;
    const log = this.ctx.gateway.logger;
    let result: Awaited<ReturnType<typeof this.ctx.gateway.receive>>;
    try {
      result = await this.ctx.gateway.receive(inbound);
    } catch (error) {
      log.error(
        { err: error, eventId: inbound.eventId },
        'discord message could not be handed to the gateway',
      );
      await this.replyQuietly(message, NOT_TAKEN);
      return;
    }
    if (result.status === 'refused') await this.replyQuietly(message, result.message);
  }

  private async replyQuietly(message: Message, text: string): Promise<void> {
    try {
      await this.outbound.postText(message.channelId, text, { replyTo: message.id });
    } catch (error) {
      this.ctx.gateway.logger.warn({ err: error, eventId: message.id }, 'discord reply failed');
    }
  }
}

/**
 * Whether a message is meant for the agent: never from a bot, a webhook or the system; always in
 * a DM; in a server only when it mentions or replies to the bot, or is in a configured channel
 * (or a thread of one), or in a thread the bot is part of.
 */
export function isForTheAgent(message: Message, botId: string, channelIds: readonly string[]): boolean {
  if (message.author.bot || message.author.id === botId || message.webhookId !== null || message.system) {
    return false;
  }
  if (message.type !== MessageType.Default && message.type !== MessageType.Reply) return false;
  if (message.guildId === null) return true;
  if (message.mentions.users.has(botId) || mentionsInText(message.content, botId)) return true;
  if (message.mentions.repliedUser?.id === botId) return true;
  const channel = message.channel;
  if (channelIds.includes(message.channelId)) return true;
  if (channel.isThread()) {
    if (channel.parentId !== null && channelIds.includes(channel.parentId)) return true;
    if (channel.joined || channel.ownerId === botId) return true;
  }
  return false;
}

/** Normalizes a Discord message into the core's `InboundMessage`. */
export function toInboundMessage(message: Message, ctx: DiscordContext, botId: string): InboundMessage {
  const place = placeOf(message);
  const inbound: InboundMessage = {
    channel: DISCORD,
    eventId: message.id,
    device: ctx.device,
    principal: principalOf(message.author.id),
    displayName: message.member?.displayName ?? message.author.globalName ?? message.author.username,
    sessionKey: sessionKeyOf(place, ctx.config.sessionScope),
    conversation: conversationOf(place),
    text: stripMention(message.content, botId),
  };
  const attachments = attachmentsOf(message);
  if (attachments.length > 0) inbound.attachments = attachments;
  return inbound;
}

/** Removes `<@bot>` / `<@!bot>` mentions (with one space before them); the rest of the text is kept as written. */
export function stripMention(content: string, botId: string): string {
  return content.replace(new RegExp(`[ \\t]?<@!?${botId}>`, 'g'), '').trim();
}

function mentionsInText(content: string, botId: string): boolean {
  return content.includes(`<@${botId}>`) || content.includes(`<@!${botId}>`);
}

function attachmentsOf(message: Message): Attachment[] {
  return [...message.attachments.values()].map((file) => {
    const attachment: Attachment = { name: file.name, url: file.url, size: file.size };
    if (file.contentType !== null) attachment.mimeType = file.contentType;
    return attachment;
  });
}
