import type { Environment } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { holdSingleton, type SingletonLease } from '../gateway/singleton.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { Channel } from '../ports/channel.js';
import type { GatewayPort } from '../ports/gateway.js';

/**
 * Creates the platform channels whose tokens are set. Adapters are imported lazily, so the core
 * never loads a platform SDK it does not use (and starts fast without them).
 */
export async function createPlatformChannels(
  config: Config,
  env: Environment,
  gateway: GatewayPort,
  logger: Logger,
): Promise<Channel[]> {
  const channels: Channel[] = [];
  if (env.discord.token) {
    if (!env.discord.applicationId) {
      logger.warn({}, 'DISCORD_BOT_TOKEN is set but DISCORD_APPLICATION_ID is not; Discord stays off');
    } else {
      const { createDiscordChannel } = await import('../../channels/discord/index.js');
      channels.push(
        createDiscordChannel(
          {
            token: env.discord.token,
            applicationId: env.discord.applicationId,
            ...(env.discord.apiUrl ? { apiUrl: env.discord.apiUrl } : {}),
            sessionScope: config.channels.discord.session_scope,
            guildIds: config.channels.discord.guild_ids,
            channelIds: config.channels.discord.channel_ids,
          },
          gateway,
        ),
      );
    }
  }
  if (env.slack.botToken) {
    if (!env.slack.signingSecret && !env.slack.appToken) {
      logger.warn(
        {},
        'SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN; Slack stays off',
      );
    } else {
      const { createSlackChannel } = await import('../../channels/slack/index.js');
      channels.push(
        createSlackChannel(
          {
            botToken: env.slack.botToken,
            signingSecret: env.slack.signingSecret ?? '',
            ...(env.slack.appToken ? { appToken: env.slack.appToken } : {}),
            ...(env.slack.apiUrl ? { apiUrl: env.slack.apiUrl } : {}),
            sessionScope: config.channels.slack.session_scope,
            command: config.channels.slack.command,
          },
          gateway,
        ),
      );
    }
  }
  if (env.telegram.token) {
    const { createTelegramChannel } = await import('../../channels/telegram/index.js');
    channels.push(
      createTelegramChannel(
        {
          token: env.telegram.token,
          ...(env.telegram.apiRoot ? { apiRoot: env.telegram.apiRoot } : {}),
          ...(env.telegram.webhookUrl ? { webhookUrl: env.telegram.webhookUrl } : {}),
          ...(env.telegram.webhookSecret ? { webhookSecret: env.telegram.webhookSecret } : {}),
          sessionScope: config.channels.telegram.session_scope,
        },
        gateway,
      ),
    );
  }
  return channels;
}

/** What {@link startChannels} needs. */
export interface StartChannelsOptions {
  /** The channels by name; a channel that fails to start, or waits for its lease, is removed. */
  channels: Map<string, Channel>;
  journal: JournalStore;
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
  /** Told each time a channel starts (a singleton may start again after a fail-over). */
  onStart: (name: string) => void;
}

/**
 * Starts every channel. A channel that must be single (a Discord shard, a Telegram poller) is held
 * through a singleton lease when the journal offers them, and started by whichever replica holds
 * it; the others start now. A channel that fails to start is logged, removed and reported.
 */
export async function startChannels(
  options: StartChannelsOptions,
): Promise<{ singletons: SingletonLease[]; failed: Set<string> }> {
  const { channels, journal, owner, leaseMs, clock, logger, onStart } = options;
  const failed = new Set<string>();
  const singletons: SingletonLease[] = [];
  for (const channel of [...channels.values()]) {
    if (channel.singleton && journal.acquireSingleton && journal.releaseSingleton) {
      channels.delete(channel.name);
      const store = {
        acquireSingleton: journal.acquireSingleton.bind(journal),
        releaseSingleton: journal.releaseSingleton.bind(journal),
      };
      singletons.push(
        holdSingleton({
          channel,
          channels,
          store,
          owner,
          leaseMs,
          clock,
          logger,
          onStart: () => onStart(channel.name),
        }),
      );
      continue;
    }
    try {
      await channel.start();
      onStart(channel.name);
    } catch (error) {
      logger.error({ channel: channel.name, err: error }, `channel ${channel.name} failed to start`);
      channels.delete(channel.name);
      failed.add(channel.name);
    }
  }
  return { singletons, failed };
}
