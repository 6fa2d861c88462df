import {
  DiscordAPIError,
  DiscordjsErrorCodes,
  GatewayCloseCodes,
  HTTPError,
  RateLimitError,
} from 'discord.js';
import { ChannelError } from '../../src/index.js';

/** Network error codes worth a retry (undici and Node socket errors). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Hints for the Discord JSON error codes an operator can fix. */
const HINTS: Record<number, string> = {
  50001: 'the bot cannot see this channel: give it View Channels there',
  50013: 'the bot lacks a permission here: give it Send Messages (and Send Messages in Threads, Embed Links)',
  10003: 'the channel no longer exists or the bot was removed from the server',
  10008: 'the message no longer exists (deleted?)',
  50035: 'Discord rejected the message body',
};

/**
 * Maps whatever discord.js threw while delivering to a `ChannelError`, so Discord's numbers stay
 * in the adapter: 429 → `rate_limited` (with the wait), 5xx and network failures → `transient`,
 * other 4xx → `permanent`. Messages never contain URLs (webhook URLs carry interaction tokens).
 */
export function toChannelError(error: unknown, action: string): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof RateLimitError) {
    const waitMs = Math.max(error.retryAfter, error.timeToReset, 0);
    return new ChannelError('rate_limited', `Discord rate limit while trying to ${action}`, waitMs, {
      cause: error,
    });
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : undefined;
    const hint = code === undefined ? undefined : HINTS[code];
    const text = `Discord refused to ${action}: ${error.message} (HTTP ${error.status}${code === undefined ? '' : `, code ${code}`})${hint ? `; ${hint}` : ''}`;
    return new ChannelError(kindOfStatus(error.status), text, undefined, { cause: error });
  }
  if (error instanceof HTTPError) {
    return new ChannelError(
      kindOfStatus(error.status),
      `Discord answered HTTP ${error.status} while trying to ${action}`,
      undefined,
      { cause: error },
    );
  }
  const code = networkCode(error);
  const reason = code ?? (error instanceof Error ? error.name : 'unknown error');
  // Anything else (network, timeouts, unknown) is retried: a reply must never be lost.
  return new ChannelError('transient', `Could not reach Discord to ${action} (${reason})`, undefined, {
    cause: error,
  });
}

function kindOfStatus(status: number): ChannelError['kind'] {
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 408) return 'transient';
  return 'permanent';
}

function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== 'object') break;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The gateway closed with a code no reconnect can fix (thrown while logging in). */
export class CloseCodeError extends Error {
  constructor(readonly code: number) {
    super(`Discord closed the gateway with code ${code}`);
  }
}

/** Turns a login failure into an error that says what to fix. */
export function explainLoginError(error: unknown): Error {
  if (error instanceof ChannelError) return error;
  const code = error instanceof CloseCodeError ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const discordjsCode = (error as { code?: unknown } | null)?.code;
  if (code === GatewayCloseCodes.DisallowedIntents || /disallowed intents/i.test(message)) {
    return new ChannelError(
      'permanent',
      'Discord refused the gateway connection (close code 4014, disallowed intents): enable Message Content intent in the Developer Portal → Bot → Privileged Gateway Intents',
      undefined,
      { cause: error },
    );
  }
  if (
    discordjsCode === DiscordjsErrorCodes.TokenInvalid ||
    code === GatewayCloseCodes.AuthenticationFailed ||
    /\b401\b|unauthori[sz]ed|authentication failed/i.test(message)
  ) {
    return new ChannelError(
      'permanent',
      'Discord rejected the bot token (401): set DISCORD_BOT_TOKEN to the token from the Developer Portal → your application → Bot → Reset Token',
      undefined,
      { cause: error },
    );
  }
  if (code !== undefined) {
    return new ChannelError(
      'permanent',
      `Discord closed the gateway with code ${code}; see the Discord gateway close codes`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return new ChannelError('transient', `Could not connect to Discord: ${message}`, undefined, {
    cause: error,
  });
}
