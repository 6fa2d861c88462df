/**
 * The state of the fake Discord: one bot, one guild with a few channels and threads, the people
 * who write, and everything the bot posted or edited. Payload builders produce the Discord API
 * shapes (v10) that discord.js parses.
 */

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A fresh, time-ordered Discord snowflake. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  const stamp = BigInt(Date.now()) - DISCORD_EPOCH;
  return ((stamp << 22n) | (1n << 17n) | increment).toString();
}

/** A Discord user as the fake knows it. */
export interface FakeUser {
  id: string;
  username: string;
  bot: boolean;
}

/** A channel or thread of the fake guild, or a DM channel. */
export interface FakeChannel {
  id: string;
  /** 0 guild text, 1 DM, 11 public thread. */
  type: 0 | 1 | 11;
  name: string;
  parentId?: string;
  /** Threads: whether the bot is a member. */
  botJoined?: boolean;
  /** DMs: the other person. */
  recipientId?: string;
}

/** A message in the fake, as currently shown. */
export interface FakeMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  components: unknown[];
  attachments: FakeAttachment[];
  edits: number;
  /** When each edit happened (ms), to check edit rates. */
  editedAt?: number[];
  deleted: boolean;
  createdAt: number;
  nonce?: string;
  /** Ephemeral: only this user id sees it. */
  ephemeralTo?: string;
  /** Set when the message replies to another. */
  referenceId?: string;
  mentionIds: string[];
  /** Every button custom_id the message ever showed (a stale client can still click them). */
  customIds: string[];
}

/** An attachment on a person's message. */
export interface FakeAttachment {
  filename: string;
  size: number;
  contentType?: string;
}

/** A live interaction (button click or slash command) and what the bot answered. */
export interface FakeInteraction {
  id: string;
  token: string;
  kind: 'button' | 'command';
  userId: string;
  channelId: string;
  createdAt: number;
  /** The message whose button was clicked. */
  messageId?: string;
  callbackType?: number;
  callbackAt?: number;
  /** The message created by a reply / deferred reply callback. */
  originalId?: string;
  followUpIds: string[];
  /** Resolves when the bot finished answering (follow-up, original edited, or a reply callback). */
  settled: Promise<void>;
  settle(): void;
}

/** The identities and places of the fake world. */
export class FakeWorld {
  readonly bot: FakeUser = { id: snowflake(), username: 'switchboard', bot: true };
  readonly applicationId = snowflake();
  readonly guildId = snowflake();
  /** The person who created the fake threads (not the bot). */
  readonly threadOwnerId = snowflake();
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages: FakeMessage[] = [];
  readonly interactions = new Map<string, FakeInteraction>();
  /** Registered commands: key `global` or the guild id. */
  readonly commands = new Map<string, { id: string; name: string; options?: unknown[] }[]>();
  /** Well-known places. */
  readonly general: FakeChannel;
  readonly agent: FakeChannel;
  readonly joinedThread: FakeChannel;
  readonly otherThread: FakeChannel;
  private readonly names = new Map<string, string>();

  constructor() {
    this.users.set(this.bot.id, this.bot);
    this.general = this.addChannel({ id: snowflake(), type: 0, name: 'general' });
    this.agent = this.addChannel({ id: snowflake(), type: 0, name: 'ask-the-agent' });
    this.joinedThread = this.addChannel({
      id: snowflake(),
      type: 11,
      name: 'with the bot',
      parentId: this.general.id,
      botJoined: true,
    });
    this.otherThread = this.addChannel({
      id: snowflake(),
      type: 11,
      name: 'without the bot',
      parentId: this.general.id,
      botJoined: false,
    });
  }

  /** The user for a test name (`alice`) or a snowflake; created on first use. */
  user(nameOrId: string, options: { bot?: boolean } = {}): FakeUser {
    const id = /^\d{6,}$/.test(nameOrId) ? nameOrId : (this.names.get(nameOrId) ?? snowflake());
    this.names.set(nameOrId, id);
    let user = this.users.get(id);
    if (!user) {
      user = {
        id,
        username: /^\d+$/.test(nameOrId) ? `user${id.slice(-4)}` : nameOrId,
        bot: options.bot ?? false,
      };
      this.users.set(id, user);
    }
    return user;
  }

  /** The test name a user was created with, if any. */
  nameOf(userId: string): string | undefined {
    for (const [name, id] of this.names) if (id === userId && !/^\d{6,}$/.test(name)) return name;
    return undefined;
  }

  /** The DM channel between the bot and a user. */
  dmWith(userId: string): FakeChannel {
    for (const channel of this.channels.values()) if (channel.recipientId === userId) return channel;
    return this.addChannel({ id: snowflake(), type: 1, name: 'dm', recipientId: userId });
  }

  /** The messages (not deleted) in posting order. */
  visibleMessages(): FakeMessage[] {
    return this.messages.filter((message) => !message.deleted);
  }

  /** Remembers the button custom_ids a message shows now. */
  rememberButtons(message: FakeMessage): void {
    for (const row of message.components as { components?: { custom_id?: string }[] }[]) {
      for (const button of row.components ?? []) {
        if (button.custom_id && !message.customIds.includes(button.custom_id))
          message.customIds.push(button.custom_id);
      }
    }
  }

  /** A message by id. */
  message(id: string): FakeMessage | undefined {
    return this.messages.find((message) => message.id === id);
  }

  private addChannel(channel: FakeChannel): FakeChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  // ---- payloads (Discord API v10 shapes) ----

  /** A user object. */
  userPayload(user: FakeUser): Record<string, unknown> {
    return {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: user.bot ? null : user.username,
      avatar: null,
      bot: user.bot,
      flags: 0,
    };
  }

  /** A guild member object (with its user). */
  memberPayload(user: FakeUser): Record<string, unknown> {
    return {
      user: this.userPayload(user),
      nick: null,
      avatar: null,
      roles: [],
      joined_at: new Date(0).toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      permissions: '2248473465835073',
    };
  }

  /** A channel object. */
  channelPayload(channel: FakeChannel): Record<string, unknown> {
    if (channel.type === 1) {
      const recipient = this.users.get(channel.recipientId ?? '');
      return {
        id: channel.id,
        type: 1,
        last_message_id: null,
        recipients: recipient ? [this.userPayload(recipient)] : [],
      };
    }
    const base = {
      id: channel.id,
      type: channel.type,
      guild_id: this.guildId,
      name: channel.name,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: channel.parentId ?? null,
    };
    if (channel.type === 0) return { ...base, topic: null };
    const now = new Date().toISOString();
    return {
      ...base,
      owner_id: this.threadOwnerId,
      message_count: 0,
      member_count: 2,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: now,
        locked: false,
      },
      ...(channel.botJoined
        ? { member: { id: channel.id, user_id: this.bot.id, join_timestamp: now, flags: 0 } }
        : {}),
    };
  }

  /** The full GUILD_CREATE payload. */
  guildPayload(): Record<string, unknown> {
    const guildChannels = [...this.channels.values()].filter((channel) => channel.type === 0);
    const threads = [...this.channels.values()].filter((channel) => channel.type === 11);
    return {
      id: this.guildId,
      name: 'Fake Guild',
      icon: null,
      owner_id: snowflake(),
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: '2248473465835073',
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      system_channel_id: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 3,
      members: [this.memberPayload(this.bot)],
      channels: guildChannels.map((channel) => this.channelPayload(channel)),
      threads: threads.map((channel) => this.channelPayload(channel)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** A message object as REST returns it and MESSAGE_CREATE carries it. */
  messagePayload(message: FakeMessage): Record<string, unknown> {
    const channel = this.channels.get(message.channelId);
    const author = this.users.get(message.authorId) ?? this.bot;
    const inGuild = channel !== undefined && channel.type !== 1;
    const reference = message.referenceId === undefined ? undefined : this.message(message.referenceId);
    const payload: Record<string, unknown> = {
      id: message.id,
      channel_id: message.channelId,
      author: this.userPayload(author),
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.edits > 0 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: message.mentionIds.flatMap((id) => {
        const user = this.users.get(id);
        return user ? [this.userPayload(user)] : [];
      }),
      mention_roles: [],
      attachments: message.attachments.map((file, index) => ({
        id: `${message.id}${index}`,
        filename: file.filename,
        size: file.size,
        url: `https://cdn.discordapp.com/attachments/${message.channelId}/${message.id}/${file.filename}`,
        proxy_url: `https://media.discordapp.net/attachments/${message.channelId}/${message.id}/${file.filename}`,
        ...(file.contentType ? { content_type: file.contentType } : {}),
      })),
      embeds: [],
      pinned: false,
      type: reference ? 19 : 0,
      flags: message.ephemeralTo ? 64 : 0,
      components: message.components,
      channel_type: channel?.type ?? 0,
    };
    if (inGuild) {
      payload.guild_id = this.guildId;
      if (!author.bot || author.id === this.bot.id) {
        const { user: _user, ...member } = this.memberPayload(author);
        payload.member = member;
      }
    }
    if (message.nonce !== undefined) payload.nonce = message.nonce;
    if (reference) {
      payload.message_reference = { type: 0, message_id: reference.id, channel_id: reference.channelId };
      const { referenceId: _nested, ...referenced } = reference;
      payload.referenced_message = this.messagePayload(referenced);
    }
    return payload;
  }
}
