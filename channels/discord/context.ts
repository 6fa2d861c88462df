import type { REST } from 'discord.js';
import { ChannelError, type GatewayPort } from '../../src/index.js';
import type { DiscordChannelConfig } from './config.js';

/** What the parts of the Discord adapter share: settings, the gateway port and the live REST client. */
export interface DiscordContext {
  readonly config: DiscordChannelConfig;
  readonly gateway: GatewayPort;
  /** `discord:<applicationId>`. */
  readonly device: string;
  /** The REST client of the connected bot; throws a transient `ChannelError` before `start()`. */
  rest(): REST;
  /** The bot's own user id once connected. */
  botUserId(): string | undefined;
}

/** The error thrown when something is delivered while the channel is stopped; the outbox retries. */
export function notStarted(): ChannelError {
  return new ChannelError('transient', 'the Discord channel is not started');
}

/** Throws {@link notStarted}; for the REST accessor of a channel that is not connected. */
export function throwNotStarted(): never {
  throw notStarted();
}
