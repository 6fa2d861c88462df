/**
 * The Telegram channel's settings and the Bot API's limits, in one place: the config type the
 * composition root fills from TELEGRAM_* variables and `channels.telegram.*`, its defaults, and
 * every number Telegram imposes that the adapter has to respect.
 */
import type { SessionScope } from '../../src/index.js';

/** Configuration of the Telegram channel (from TELEGRAM_* environment variables and the config file). */
export interface TelegramChannelConfig {
  /** The bot token from @BotFather (TELEGRAM_BOT_TOKEN). Never logged. */
  token: string;
  /** Another Bot API server, e.g. a self-hosted one or a test fake (TELEGRAM_API_ROOT). */
  apiRoot?: string;
  /** Public HTTPS URL that reaches `POST /telegram/webhook`; switches from polling to webhook mode. */
  webhookUrl?: string;
  /** Secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`; required with `webhookUrl`. */
  webhookSecret?: string;
  /** How conversations map to sessions (`channels.telegram.session_scope`). */
  sessionScope: SessionScope;
}

/** The public Bot API server, used when no `apiRoot` is configured. */
export const DEFAULT_TELEGRAM_API_ROOT = 'https://api.telegram.org';

/** The path of the webhook on the daemon's HTTP server. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/**
 * Between two edits of a streamed reply: Telegram allows about one message a second in a private
 * chat and twenty a minute in a group.
 */
export const TELEGRAM_DRAFT_INTERVAL_MS = { private: 1_000, group: 3_000 } as const;

/** Telegram's "typing…" lasts about 5 s: it is shown again after this long. */
export const TELEGRAM_TYPING_REFRESH_MS = 4_000;

/** The largest file a bot may send (50 MB), and the largest picture sent as a photo (10 MB). */
export const TELEGRAM_FILE_LIMIT = 50 * 1024 * 1024;
export const TELEGRAM_PHOTO_LIMIT = 10 * 1024 * 1024;

/** Telegram's limit on a file's caption, in characters. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** Telegram's limit on one message's text, in characters after entity parsing. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** Telegram's limit on a button's `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** Telegram's limit on the text of a callback answer (toast or alert). */
export const CALLBACK_ANSWER_LIMIT = 200;

/**
 * A 429 longer than this is not waited out inside the call: the outbox gets a `rate_limited`
 * error with `retry_after` and retries later, so one chat's flood limit cannot block delivery.
 */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 10;

/** How often one call is retried after a 429 that is waited out. */
export const MAX_RATE_LIMIT_RETRIES = 3;

/** Upper bound of one Bot API request, long polls included (they ask Telegram for 30 s). */
export const REQUEST_TIMEOUT_SECONDS = 60;
