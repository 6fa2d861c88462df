import { Client, GatewayIntentBits, Options, Partials, type RateLimitData } from 'discord.js';
import { DEFAULT_DISCORD_API_URL, type DiscordChannelConfig } from './config.js';

/**
 * Rate-limit waits up to this long are sat out in discord.js's REST queue; longer ones are handed
 * back to the outbox as `rate_limited`, so one slow bucket never holds a delivery worker.
 */
export const MAX_QUEUED_RATE_LIMIT_MS = 10_000;

/**
 * Builds the discord.js client with exactly the intents the adapter needs (Guilds, GuildMessages,
 * MessageContent, DirectMessages) and the Channel partial for DMs. No message cache: the adapter
 * needs none, and a redelivered event then reaches the gateway, which dedupes. REST retries are
 * off because the outbox is the one retry layer for failed deliveries.
 */
export function createDiscordClient(config: DiscordChannelConfig): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel],
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    allowedMentions: { parse: [], repliedUser: false },
    rest: {
      api: config.apiUrl ?? DEFAULT_DISCORD_API_URL,
      retries: 0,
      rejectOnRateLimit: (data: RateLimitData) =>
        Math.max(data.retryAfter, data.timeToReset) > MAX_QUEUED_RATE_LIMIT_MS,
    },
  });
}
