/**
 * Discord as the daemon sees it before discord.js is loaded: `DISCORD_*` variables,
 * `channels.discord.*` settings, the secrets to redact, and the lazy build.
 */
import { z } from 'zod';
import { type ChannelDescriptor, SESSION_SCOPES } from '../../src/index.js';

const settings = z
  .strictObject({
    session_scope: z.enum(SESSION_SCOPES).default('channel'),
    /** Register slash commands in these guilds (instant) instead of globally. */
    guild_ids: z.array(z.string()).default([]),
    /** Channels where every message (not only mentions) goes to the agent. */
    channel_ids: z.array(z.string()).default([]),
  })
  .default({ session_scope: 'channel', guild_ids: [], channel_ids: [] });

/** The Discord platform: bot token and application id from the environment. */
export const discordDescriptor: ChannelDescriptor = {
  name: 'discord',
  settings,
  env: [
    { name: 'DISCORD_BOT_TOKEN', secret: true, description: 'the bot token (Developer Portal → Bot)' },
    { name: 'DISCORD_APPLICATION_ID', secret: false, description: 'the application id' },
    {
      name: 'DISCORD_API_URL',
      secret: false,
      description: 'the REST base URL (default https://discord.com/api)',
    },
  ],
  redact: ['token'],
  async build({ settings: raw, env, gateway }) {
    const s = settings.parse(raw);
    const token = env.DISCORD_BOT_TOKEN || undefined;
    if (!token) return { absent: true };
    const applicationId = env.DISCORD_APPLICATION_ID || undefined;
    if (!applicationId)
      return { off: 'DISCORD_BOT_TOKEN is set but DISCORD_APPLICATION_ID is not; Discord stays off' };
    const { createDiscordChannel } = await import('./index.js');
    const apiUrl = env.DISCORD_API_URL || undefined;
    return {
      channel: createDiscordChannel(
        {
          token,
          applicationId,
          ...(apiUrl ? { apiUrl } : {}),
          sessionScope: s.session_scope,
          guildIds: s.guild_ids,
          channelIds: s.channel_ids,
        },
        gateway,
      ),
    };
  },
};
