import { createDiscordChannel } from '../../../channels/discord/index.js';
import type { Channel, GatewayPort, SessionScope } from '../../../src/index.js';
import type { ChannelDriver, PostedMessage } from '../../channels/driver.js';
import {
  type FakeCommandOption,
  FakeDiscord,
  type FakeInteraction,
  type FakeMessage,
  FakeWorld,
} from './index.js';

type Verb = PostedMessage['buttons'][number]['verb'];
const VERBS: readonly Verb[] = ['approve', 'deny', 'approve_session', 'approve_always'];

/** Discord's option types used by the slash commands. */
const OPTION = { string: 3, integer: 4, boolean: 5, user: 6 } as const;

/**
 * The Discord `ChannelDriver` of the shared contract suite: the real adapter and discord.js
 * against the local fake Discord. Group messages are written in `#general` mentioning the bot;
 * a person's slash commands are typed where they last wrote (their DM by default).
 */
export function createDiscordDriver(options: { sessionScope?: SessionScope } = {}): ChannelDriver {
  const world = new FakeWorld();
  let fake: FakeDiscord | undefined;
  let channel: Channel | undefined;
  let lastEventId: string | undefined;
  /** Where each person last wrote: their slash commands are typed in that conversation. */
  const lastWhere = new Map<string, 'dm' | 'group'>();
  let lastCommand: FakeInteraction | undefined;

  const running = (): FakeDiscord => {
    if (!fake) throw new Error('discord driver: start() first');
    return fake;
  };

  return {
    platform: 'discord',
    messageLimit: 2000,
    recognisesRepost: true,
    rateLimitNextEdit(retryAfterMs) {
      running().rest.injectFault({ status: 429, retryAfterMs, method: 'PATCH', pathIncludes: '/channels/' });
    },
    pendingFaults: () => running().rest.pendingFaults,
    loseNextPostAnswer() {
      running().rest.injectFault({ status: 500, pathIncludes: '/messages', lostAnswer: true });
    },

    async start(gateway: GatewayPort): Promise<Channel> {
      fake = await FakeDiscord.start({ world });
      channel = createDiscordChannel(
        {
          token: fake.token,
          applicationId: world.applicationId,
          apiUrl: fake.apiUrl,
          sessionScope: options.sessionScope ?? 'channel',
          guildIds: [],
          channelIds: [],
        },
        gateway,
      );
      await channel.start();
      return channel;
    },

    async stop(): Promise<void> {
      await channel?.stop();
      await fake?.stop();
      channel = undefined;
      fake = undefined;
    },

    async userSays({ user, text, where }): Promise<string> {
      const id =
        where === 'dm'
          ? running().say({ user, text, where: 'dm' })
          : running().say({ user, text, where: 'general', mention: true });
      lastEventId = id;
      lastWhere.set(user, where);
      return id;
    },

    async redeliverLast(): Promise<void> {
      if (lastEventId === undefined) throw new Error('discord driver: nothing was said yet');
      running().redeliver(lastEventId);
    },

    posted(): PostedMessage[] {
      return running()
        .posted()
        .map((message) => toPosted(world, message));
    },

    async click({ user, messageId, verb }): Promise<string | undefined> {
      const interaction = await running().click({ user, messageId, verb });
      const ephemeral = running()
        .answersTo(interaction)
        .filter((message) => message.ephemeralTo !== undefined);
      return ephemeral.length === 0 ? undefined : ephemeral.map((message) => message.content).join('\n');
    },

    async slash({ user, name, args = [], where }): Promise<string> {
      const interaction: FakeInteraction = await running().slash({
        user,
        name,
        options: commandOptions(world, name, args),
        where: (where ?? lastWhere.get(user)) === 'group' ? 'general' : 'dm',
      });
      lastCommand = interaction;
      return running()
        .answersTo(interaction)
        .map((message) => message.content)
        .join('\n');
    },

    privateSlashAnswers: true,

    groupConversation: () => ({ workspace: world.guildId, channel: world.general.id }),

    lastSlashWasPrivate(): boolean {
      if (!lastCommand) throw new Error('discord driver: no command was run yet');
      const { userId } = lastCommand;
      const answers = running().answersTo(lastCommand);
      return answers.length > 0 && answers.every((message) => message.ephemeralTo === userId);
    },

    // Discord may replay an INTERACTION_CREATE after a gateway resume: same id, same token.
    async redeliverLastSlash(): Promise<string[]> {
      if (!lastCommand) throw new Error('discord driver: no command was run yet');
      running().redeliverInteraction(lastCommand);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return running()
        .answersTo(lastCommand)
        .filter((message) => !message.deleted)
        .map((message) => message.content);
    },

    principalOf(user: string): string {
      return `discord:${world.user(user).id}`;
    },
  };
}

function toPosted(world: FakeWorld, message: FakeMessage): PostedMessage {
  const channel = world.channels.get(message.channelId);
  const inThread = channel?.type === 11 && channel.parentId !== undefined;
  const posted: PostedMessage = {
    id: message.id,
    channel: inThread ? (channel.parentId ?? message.channelId) : message.channelId,
    text: message.content,
    buttons: buttonsOf(message),
    edits: message.edits,
    ...(message.editedAt ? { editedAt: [...message.editedAt] } : {}),
    ...(message.attachments.length > 0
      ? { files: message.attachments.map((file) => ({ name: file.filename, size: file.size })) }
      : {}),
  };
  if (inThread) posted.thread = message.channelId;
  if (message.ephemeralTo !== undefined)
    posted.ephemeralTo = world.nameOf(message.ephemeralTo) ?? message.ephemeralTo;
  return posted;
}

function buttonsOf(message: FakeMessage): PostedMessage['buttons'] {
  const rows = message.components as { components?: { label?: string; custom_id?: string }[] }[];
  return rows.flatMap((row) =>
    (row.components ?? []).flatMap((button) => {
      const verb = VERBS.find((candidate) => candidate === button.custom_id?.split(':')[1]);
      return verb === undefined ? [] : [{ label: button.label ?? '', verb }];
    }),
  );
}

/** Maps contract-suite arguments (`['all', '7']`, `['bob']`, `['<runId>']`) to Discord options. */
function commandOptions(world: FakeWorld, name: string, args: string[]): FakeCommandOption[] {
  if (name === 'cancel') {
    return args[0] === undefined ? [] : [{ name: 'run', type: OPTION.string, value: args[0] }];
  }
  if (name === 'grants') {
    // `/grants revoke <id>` is the command's `revoke` option.
    return args[0] === 'revoke' && args[1] !== undefined
      ? [{ name: 'revoke', type: OPTION.string, value: args[1] }]
      : [];
  }
  if (name === 'access' || name === 'link')
    return args.length === 0 ? [] : [{ name: 'args', type: OPTION.string, value: args.join(' ') }];
  if (name !== 'usage') return [];
  return args.map((arg): FakeCommandOption => {
    if (arg === 'all') return { name: 'all', type: OPTION.boolean, value: true };
    if (/^\d{1,3}$/.test(arg)) return { name: 'days', type: OPTION.integer, value: Number(arg) };
    const who = arg.replace(/^discord:/, '').replace(/^@/, '');
    return { name: 'user', type: OPTION.user, value: world.user(who).id };
  });
}
