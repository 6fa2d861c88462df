/**
 * What the daemon knows about a chat platform, in one place per adapter
 * (`channels/<name>/descriptor.ts`): its name, the environment variables it reads, the schema of
 * its `channels.<name>` config section, the log keys that hold its secrets, and how to build it.
 * Adding a platform is a folder under `channels/` with a descriptor, listed once in
 * `src/app/channel-registry.ts`.
 */
import type { z } from 'zod';
import type { Channel, ChannelLogger } from './channel.js';
import type { GatewayPort } from './gateway.js';

/** An environment variable a platform reads. Secret ones are never logged. */
export interface ChannelEnvVar {
  name: string;
  secret: boolean;
  /** What it is, for `switchboard` docs and error messages. */
  description: string;
}

/** What the composition root hands a descriptor to build its channel. */
export interface ChannelBuildInput {
  /**
   * `channels.<name>` of the config file as validated (defaults filled in) by the descriptor's own
   * `settings` schema; the descriptor parses it again to have it typed.
   */
  settings: unknown;
  /** The process environment; a descriptor reads only the variables it lists. */
  env: NodeJS.ProcessEnv;
  gateway: GatewayPort;
  logger: ChannelLogger;
}

/**
 * What building a channel gave: the channel; `off` with why, when the platform is configured but
 * incomplete (a token without its partner); or `absent` when it is not configured at all.
 */
export type ChannelBuildResult = { channel: Channel } | { off: string } | { absent: true };

/** One chat platform, as the daemon sees it before its SDK is loaded. */
export interface ChannelDescriptor {
  /** The adapter name: the `channels.<name>` config key and `InboundMessage.channel`. */
  readonly name: string;
  /** The schema of `channels.<name>`; parsing `undefined` gives the defaults. */
  readonly settings: z.ZodType;
  /** Every environment variable the platform reads. */
  readonly env: readonly ChannelEnvVar[];
  /** Log object keys whose values are this platform's secrets (added to the logger's redaction). */
  readonly redact: readonly string[];
  /** Builds the channel; imports the adapter (and its SDK) only when the platform is configured. */
  build(input: ChannelBuildInput): Promise<ChannelBuildResult>;
}
