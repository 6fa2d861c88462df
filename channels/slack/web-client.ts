import { webApi } from '@slack/bolt';
import type { ChannelLogger } from '../../src/index.js';
import { boltLogger } from './logger.js';

/**
 * Options of every Web API client of the channel. There is ONE retry layer per outbound edge and
 * it is the outbox: the client never retries (`retries: 0`) and rejects rate-limited calls at
 * once, so a 429 surfaces as `ChannelError('rate_limited', …, retryAfterMs)` and the outbox waits.
 * Calls time out after 10 s instead of waiting forever.
 */
export function webClientOptions(apiUrl: string | undefined, logger: ChannelLogger): webApi.WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: boltLogger(logger),
  };
}

/** Creates the Web API client the channel posts with, configured by {@link webClientOptions}. */
export function createWebClient(
  token: string,
  apiUrl: string | undefined,
  logger: ChannelLogger,
): webApi.WebClient {
  return new webApi.WebClient(token, webClientOptions(apiUrl, logger));
}
