/**
 * The Discord channel's settings and Discord's limits, in one place: the config type the
 * composition root fills from DISCORD_* variables and `channels.discord.*`, its defaults, and the
 * numbers Discord imposes that the adapter has to respect.
 */
import type { SessionScope } from '../../src/index.js';

/**
 * Settings of the Discord channel: secrets and the API URL come from the environment
 * (`DISCORD_BOT_TOKEN`, `DISCORD_APPLICATION_ID`, `DISCORD_API_URL`), the rest from
 * `channels.discord.*` in the config file.
 */
export interface DiscordChannelConfig {
  /** The bot token (Developer Portal → Bot → Reset Token). Never logged. */
  token: string;
  /** The application id (Developer Portal → General Information). */
  applicationId: string;
  /** REST base URL without the version, default `https://discord.com/api`; tests point it at a fake. */
  apiUrl?: string;
  /** One session per thread, per channel, or per user (`channels.discord.session_scope`). */
  sessionScope: SessionScope;
  /** Register slash commands in these guilds (instant) instead of globally. */
  guildIds: string[];
  /** Channels where every message, not only mentions and replies, goes to the agent. */
  channelIds: string[];
}

/** The default REST base URL; discord.js appends `/v10`. */
export const DEFAULT_DISCORD_API_URL = 'https://discord.com/api';

/** Discord's maximum characters of one message. */
export const DISCORD_MESSAGE_LIMIT = 2000;

/** Between two edits of a streamed reply: Discord allows 5 messages or edits per 5 s in a channel. */
export const DISCORD_DRAFT_INTERVAL_MS = 1_000;

/** Discord's typing indicator lasts about 10 s: it is shown again after this long. */
export const DISCORD_TYPING_REFRESH_MS = 8_000;

/** The largest file a bot may attach (10 MiB in a server without boosts). */
export const DISCORD_FILE_LIMIT = 10 * 1024 * 1024;

/** Discord's maximum length of a message nonce. */
export const DISCORD_NONCE_LIMIT = 25;
