import { timingSafeEqual } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { ChannelLogger, WebhookRequest, WebhookResponse } from '../../src/index.js';
import { describeError } from './errors.js';

/** The header Telegram sends with the secret given to `setWebhook`. */
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** What the webhook needs. */
export interface WebhookOptions {
  secret: string;
  /** False until `start()` has fetched the bot's identity; deliveries then get 503 and come back. */
  isReady(): boolean;
  /** Processes one update; rejects when it could not be stored (Telegram then retries). */
  handle(update: Update): Promise<void>;
  logger: ChannelLogger;
}

/** Throws when a webhook secret is missing or not what Telegram accepts (1–256 of `A-Za-z0-9_-`). */
export function assertWebhookSecret(secret: string | undefined): asserts secret is string {
  if (secret === undefined || !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw new Error(
      'Telegram webhook mode needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -. ' +
        'Without it anyone who learns the URL could post fake updates.',
    );
  }
}

function header(request: WebhookRequest, name: string): string | undefined {
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? undefined : value;
  }
  return undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The handler for `POST /telegram/webhook`. It only moves bytes: checks the secret header (401 when
 * wrong or missing), parses the update, hands it over and answers 200 after the gateway committed
 * it — or 500 when it could not, so Telegram delivers the update again. Redeliveries are harmless:
 * the gateway dedupes on `update_id`.
 */
export function createWebhookHandler(
  options: WebhookOptions,
): (request: WebhookRequest) => Promise<WebhookResponse> {
  return async (request) => {
    if (request.method.toUpperCase() !== 'POST') return { status: 405, body: 'method not allowed' };
    if (!sameSecret(header(request, SECRET_HEADER), options.secret)) {
      options.logger.warn({}, 'telegram: webhook call with a wrong or missing secret token refused');
      return { status: 401, body: 'unauthorized' };
    }
    if (!options.isReady()) return { status: 503, body: 'starting' };
    let update: Update;
    try {
      const parsed: unknown = JSON.parse(request.rawBody.toString('utf8'));
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        typeof Reflect.get(parsed, 'update_id') !== 'number'
      ) {
        return { status: 400, body: 'not a Telegram update' };
      }
      update = parsed as Update;
    } catch {
      return { status: 400, body: 'invalid JSON' };
    }
    try {
      await options.handle(update);
    } catch (error) {
      options.logger.error(
        { updateId: update.update_id, ...describeError(error) },
        'telegram: could not store a webhook update; Telegram will deliver it again',
      );
      return { status: 500, body: 'try again' };
    }
    return { status: 200, body: '' };
  };
}
