import { autoRetry } from '@grammyjs/auto-retry';
import { Bot } from 'grammy';
import {
  MAX_RATE_LIMIT_RETRIES,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  REQUEST_TIMEOUT_SECONDS,
  type TelegramChannelConfig,
} from './config.js';

/**
 * Builds the grammY bot the adapter talks through. A hung call must not hold an outbox item for
 * grammY's default 500 s, so every request is bounded (the 30 s long poll fits). The only retry
 * layer for Telegram calls is 429 with a bounded wait; 5xx and network errors go back to the
 * outbox as transient `ChannelError`s, so retries are never stacked. Throws without a token.
 */
export function createTelegramBot(config: TelegramChannelConfig): Bot {
  if (config.token.trim() === '') {
    throw new Error('Telegram needs a bot token: set TELEGRAM_BOT_TOKEN (from @BotFather).');
  }
  const bot = new Bot(config.token, {
    client: {
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
      ...(config.apiRoot === undefined ? {} : { apiRoot: config.apiRoot }),
    },
  });
  bot.api.config.use(
    autoRetry({
      maxDelaySeconds: MAX_RATE_LIMIT_WAIT_SECONDS,
      maxRetryAttempts: MAX_RATE_LIMIT_RETRIES,
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }),
  );
  return bot;
}
