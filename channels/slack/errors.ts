import { webApi } from '@slack/bolt';
import { ChannelError } from '../../src/index.js';

/** Platform error codes worth retrying: Slack's own hiccups, not the request's fault. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** What to tell an operator for the platform errors that need a human to fix the setup. */
const HOW_TO_FIX: Record<string, string> = {
  not_in_channel: 'invite the bot to the channel (`/invite @Switchboard`)',
  channel_not_found: 'the channel is gone or the bot cannot see it; invite the bot or check the conversation',
  is_archived: 'the channel is archived; unarchive it or talk to the bot elsewhere',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid; copy the Bot User OAuth Token again',
  not_authed: 'SLACK_BOT_TOKEN is missing',
  token_revoked: 'the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN',
  account_inactive: 'the app was uninstalled; reinstall it and update SLACK_BOT_TOKEN',
  missing_scope: 'a bot scope is missing; update the app from config/slack-manifest.yaml and reinstall',
  msg_too_long: 'the message exceeded Slack limits (a bug in splitting; please report it)',
  invalid_blocks: 'Slack rejected the Block Kit layout (a bug; please report it)',
};

/**
 * Maps a Web API failure to a `ChannelError`, so Slack's status codes and error strings stop at
 * the adapter: 429 → `rate_limited` with Slack's `Retry-After`; 5xx, timeouts and network errors →
 * `transient`; anything else (bad channel, missing scope, revoked token) → `permanent`.
 */
export function toChannelError(error: unknown, what: string): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new ChannelError(
      'rate_limited',
      `${what}: Slack rate limit, retry after ${error.retryAfter}s`,
      error.retryAfter * 1000,
      {
        cause: error,
      },
    );
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    const transient = error.statusCode >= 500 || error.statusCode === 408;
    return new ChannelError(
      transient ? 'transient' : 'permanent',
      `${what}: Slack answered HTTP ${error.statusCode}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new ChannelError(
      'transient',
      `${what}: could not reach Slack (${error.original.message})`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    if (code === 'ratelimited' || code === 'rate_limited') {
      return new ChannelError('rate_limited', `${what}: Slack rate limit`, 1000, { cause: error });
    }
    if (TRANSIENT_PLATFORM_ERRORS.has(code)) {
      return new ChannelError('transient', `${what}: Slack error ${code}`, undefined, { cause: error });
    }
    const fix = HOW_TO_FIX[code];
    return new ChannelError('permanent', `${what}: Slack error ${code}${fix ? ` — ${fix}` : ''}`, undefined, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ChannelError('transient', `${what}: ${message}`, undefined, { cause: error });
}

/** The Slack platform error string of a failed call (`not_allowed_token_type`…), if it was one. */
export function platformErrorCode(error: unknown): string | undefined {
  return error instanceof webApi.WebAPIPlatformError ? error.data.error : undefined;
}
