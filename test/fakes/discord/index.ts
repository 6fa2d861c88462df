import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeGateway } from './gateway.js';
import { FakeRest, type Fault } from './rest.js';
import {
  type FakeAttachment,
  type FakeChannel,
  type FakeInteraction,
  type FakeMessage,
  FakeWorld,
  snowflake,
} from './world.js';

export type { FakeRequest, Fault } from './rest.js';
export type { FakeAttachment, FakeChannel, FakeInteraction, FakeMessage, FakeUser } from './world.js';
export { FakeWorld } from './world.js';

/** Where a person writes: a DM, a well-known channel of the fake guild, or a channel id. */
export type FakePlace = 'dm' | 'general' | 'agent' | 'joinedThread' | 'otherThread' | { channelId: string };

/** Options of a fake Discord. */
export interface FakeDiscordOptions {
  /** The bot token the fake accepts (default `fake-bot-token`). */
  token?: string;
  /** Whether the Message Content privileged intent is enabled in the "Developer Portal" (default true). */
  messageContentEnabled?: boolean;
  /** Share a world between restarts (the driver does). */
  world?: FakeWorld;
}

/** A slash command option as Discord sends it. */
export interface FakeCommandOption {
  name: string;
  type: number;
  value: string | number | boolean;
}

/**
 * A local stand-in of Discord for the real discord.js client: REST under `<apiUrl>` (point
 * discord.js at it with `rest: { api }`) and the gateway WebSocket it announces in
 * `GET /gateway/bot`. Tests act as people (write, click, run slash commands) and read what the bot
 * posted.
 */
export class FakeDiscord {
  readonly world: FakeWorld;
  readonly token: string;
  messageContentEnabled: boolean;
  readonly rest: FakeRest;
  readonly gateway: FakeGateway;
  private readonly server: Server;
  /** The INTERACTION_CREATE payload of each interaction, by id, to replay it. */
  private readonly interactionPayloads = new Map<string, Record<string, unknown>>();
  private port = 0;

  private constructor(options: FakeDiscordOptions) {
    this.world = options.world ?? new FakeWorld();
    this.token = options.token ?? 'fake-bot-token';
    this.messageContentEnabled = options.messageContentEnabled ?? true;
    this.rest = new FakeRest(this.world, {
      token: this.token,
      gatewayUrl: () => this.wsUrl,
      dispatch: (type, data) => this.gateway.dispatch(type, data),
    });
    this.server = createServer((req, res) => {
      if (!req.url?.startsWith('/api/')) {
        res.writeHead(404).end();
        return;
      }
      this.rest.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error), code: 0 }));
      });
    });
    this.gateway = new FakeGateway(this.server, this.world, {
      token: this.token,
      url: () => this.wsUrl,
      messageContentEnabled: () => this.messageContentEnabled,
    });
  }

  /** Starts a fake Discord on a free local port. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The REST base for discord.js's `rest.api` (it appends `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** The gateway URL announced by `GET /gateway/bot`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** Stops the servers and drops every connection. */
  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answers the next matching REST request with a failure. */
  injectFault(fault: Fault): void {
    this.rest.injectFault(fault);
  }

  /** The channel of a place. */
  channelOf(place: FakePlace, user: string): FakeChannel {
    if (place === 'dm') return this.world.dmWith(this.world.user(user).id);
    if (typeof place === 'object') {
      const channel = this.world.channels.get(place.channelId);
      if (!channel) throw new Error(`fake discord: no channel ${place.channelId}`);
      return channel;
    }
    return this.world[place];
  }

  /**
   * A person writes a message; with `mention` it starts with `<@bot>`. Returns the message id
   * (the event id the bot should report).
   */
  say(options: {
    user: string;
    text: string;
    where?: FakePlace;
    mention?: boolean;
    replyTo?: string;
    bot?: boolean;
    attachments?: FakeAttachment[];
  }): string {
    const author = this.world.user(options.user, options.bot === undefined ? {} : { bot: options.bot });
    const channel = this.channelOf(options.where ?? 'dm', options.user);
    const message: FakeMessage = {
      id: snowflake(),
      channelId: channel.id,
      authorId: author.id,
      content: options.mention ? `<@${this.world.bot.id}> ${options.text}` : options.text,
      components: [],
      attachments: options.attachments ?? [],
      edits: 0,
      deleted: false,
      createdAt: Date.now(),
      mentionIds: options.mention ? [this.world.bot.id] : [],
      customIds: [],
    };
    if (options.replyTo !== undefined) message.referenceId = options.replyTo;
    this.world.messages.push(message);
    this.gateway.dispatch('MESSAGE_CREATE', this.world.messagePayload(message));
    return message.id;
  }

  /** Delivers a person's message again (a duplicate MESSAGE_CREATE). */
  redeliver(messageId: string): void {
    const message = this.world.message(messageId);
    if (!message) throw new Error(`fake discord: no message ${messageId}`);
    this.gateway.dispatch('MESSAGE_CREATE', this.world.messagePayload(message));
  }

  /** Messages the bot posted that are still shown, in order. */
  posted(): FakeMessage[] {
    return this.world.visibleMessages().filter((message) => message.authorId === this.world.bot.id);
  }

  /**
   * A person clicks the button with `verb` on a message (even one already removed, as a stale
   * client could); resolves when the bot answered or after `timeoutMs`.
   */
  async click(options: {
    user: string;
    messageId: string;
    verb: string;
    timeoutMs?: number;
  }): Promise<FakeInteraction> {
    const message = this.world.message(options.messageId);
    if (!message) throw new Error(`fake discord: no message ${options.messageId}`);
    const customId = message.customIds.find((id) => id.split(':')[1] === options.verb);
    if (!customId)
      throw new Error(`fake discord: message ${options.messageId} never had a ${options.verb} button`);
    const user = this.world.user(options.user);
    const interaction = this.newInteraction('button', user.id, message.channelId, message.id);
    this.gateway.dispatch(
      'INTERACTION_CREATE',
      this.interactionPayload(interaction, 3, {
        data: { custom_id: customId, component_type: 2 },
        message: this.world.messagePayload(message),
      }),
    );
    await Promise.race([interaction.settled, delay(options.timeoutMs ?? 5_000)]);
    return interaction;
  }

  /** A person runs a registered slash command; resolves when the bot answered or after `timeoutMs`. */
  async slash(options: {
    user: string;
    name: string;
    options?: FakeCommandOption[];
    where?: FakePlace;
    timeoutMs?: number;
  }): Promise<FakeInteraction> {
    const command = [
      ...(this.world.commands.get(this.world.guildId) ?? []),
      ...(this.world.commands.get('global') ?? []),
    ].find((candidate) => candidate.name === options.name);
    if (!command) throw new Error(`fake discord: /${options.name} is not registered`);
    const user = this.world.user(options.user);
    const channel = this.channelOf(options.where ?? 'general', options.user);
    const interaction = this.newInteraction('command', user.id, channel.id);
    const payload = this.interactionPayload(interaction, 2, {
      data: { id: command.id, name: command.name, type: 1, options: options.options ?? [] },
    });
    this.interactionPayloads.set(interaction.id, payload);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    await Promise.race([interaction.settled, delay(options.timeoutMs ?? 5_000)]);
    return interaction;
  }

  /**
   * Dispatches a slash command's INTERACTION_CREATE again, same id and token (as a gateway resume
   * may replay it). The REST side keeps Discord's rule: an interaction is acknowledged once.
   */
  redeliverInteraction(interaction: FakeInteraction): void {
    const payload = this.interactionPayloads.get(interaction.id);
    if (!payload) throw new Error(`fake discord: interaction ${interaction.id} was never delivered`);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
  }

  /** The messages that answered an interaction (original and follow-ups). */
  answersTo(interaction: FakeInteraction): FakeMessage[] {
    const ids = [
      ...(interaction.originalId !== undefined && interaction.originalId !== interaction.messageId
        ? [interaction.originalId]
        : []),
      ...interaction.followUpIds,
    ];
    return ids.flatMap((id) => {
      const message = this.world.message(id);
      return message ? [message] : [];
    });
  }

  /** Waits until `predicate` holds, polling; throws after `timeoutMs`. */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error('fake discord: timed out waiting');
      await delay(10);
    }
  }

  private newInteraction(
    kind: FakeInteraction['kind'],
    userId: string,
    channelId: string,
    messageId?: string,
  ): FakeInteraction {
    let settle: () => void = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const interaction: FakeInteraction = {
      id: snowflake(),
      token: `fake-interaction-${randomBytes(12).toString('hex')}`,
      kind,
      userId,
      channelId,
      createdAt: Date.now(),
      followUpIds: [],
      settled,
      settle: () => settle(),
    };
    if (messageId !== undefined) interaction.messageId = messageId;
    this.world.interactions.set(interaction.token, interaction);
    return interaction;
  }

  private interactionPayload(
    interaction: FakeInteraction,
    type: number,
    extra: Record<string, unknown>,
  ): Record<string, unknown> {
    const channel = this.world.channels.get(interaction.channelId);
    const user = this.world.users.get(interaction.userId);
    if (!channel || !user) throw new Error('fake discord: interaction without channel or user');
    const inGuild = channel.type !== 1;
    return {
      id: interaction.id,
      application_id: this.world.applicationId,
      type,
      token: interaction.token,
      version: 1,
      channel: this.world.channelPayload(channel),
      channel_id: channel.id,
      ...(inGuild
        ? { guild_id: this.world.guildId, member: this.world.memberPayload(user), guild_locale: 'en-US' }
        : { user: this.world.userPayload(user) }),
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: inGuild ? { '0': this.world.guildId } : { '1': user.id },
      context: inGuild ? 0 : 1,
      attachment_size_limit: 26_214_400,
      ...extra,
    };
  }
}
