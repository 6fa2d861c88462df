import type { Environment } from './config/load.js';
import type { Config } from './config/schema.js';
import type { Channel, GatewayPort } from './gateway/port.js';
import type { Logger } from './logging/logger.js';

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
      const { createDiscordChannel } = await import('../channels/discord/index.js');
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
      const { createSlackChannel } = await import('../channels/slack/index.js');
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
    const { createTelegramChannel } = await import('../channels/telegram/index.js');
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
