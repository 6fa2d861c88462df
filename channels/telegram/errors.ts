import { GrammyError, HttpError } from 'grammy';
import { ChannelError } from '../../src/index.js';

/**
 * Thrown inside the update pipeline when `gateway.receive` failed, i.e. the update was NOT stored
 * in the inbox. The transports react to exactly this type: the poller does not advance its offset
 * past the update, the webhook answers 500 so Telegram delivers it again. Every other failure
 * while handling an update is logged and the update counts as handled, so one poisonous update
 * cannot stall the chat forever.
 */
export class InboxUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the gateway could not store the update; it will be delivered again', { cause });
    this.name = 'InboxUnavailableError';
  }
}

/** Whether `error` is Telegram refusing formatted text ("Bad Request: can't parse entities"). */
export function isEntityParseError(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /can't parse entities/i.test(error.description)
  );
}

/** Whether `error` is Telegram saying an edit would not change the message (an edit already applied). */
export function isNotModifiedError(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /message is not modified/i.test(error.description)
  );
}

/**
 * Maps a failed Bot API call to a `ChannelError`, the only error kind the core's outbox knows:
 * 429 (left over after the auto-retry plugin's bounded wait) → `rate_limited` with `retry_after`;
 * 5xx and network failures → `transient`; every other 4xx (bad chat, bot blocked, bad request) →
 * `permanent`. Telegram's numbers never leave the adapter.
 */
export function toChannelError(error: unknown, action: string): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof GrammyError) {
    const what = `Telegram ${error.method} failed while ${action}: ${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return new ChannelError('rate_limited', what, seconds * 1000, { cause: error });
    }
    if (error.error_code >= 500) return new ChannelError('transient', what, undefined, { cause: error });
    return new ChannelError('permanent', what, undefined, { cause: error });
  }
  if (error instanceof HttpError) {
    return new ChannelError(
      'transient',
      `Telegram unreachable while ${action}: ${error.message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ChannelError('transient', `Telegram call failed while ${action}: ${message}`, undefined, {
    cause: error,
  });
}

/** A short, secret-free description of an error for structured logs. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof GrammyError) {
    return { method: error.method, code: error.error_code, description: error.description };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { error: String(error) };
}
