import {
  CHANNEL_ACCESS_KEYS,
  type ChannelAccess,
  channelAccessOf,
  channelAccessSchema,
} from '../config/access-schema.js';
import { formatIssues } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { holdSingleton, type SingletonLease } from '../gateway/singleton.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { Channel, ChannelLogger } from '../ports/channel.js';
import type { ChannelDescriptor } from '../ports/channel-descriptor.js';
import type { GatewayPort } from '../ports/gateway.js';
import { CHANNEL_DESCRIPTORS } from './channel-registry.js';

/** Each platform's validated `channels.<name>` section, by adapter name. */
export type ChannelSettings = ReadonlyMap<string, unknown>;

/**
 * Validates `channels.<name>` of every platform with its descriptor's schema (defaults filled in),
 * and refuses a section no platform owns. Throws `ConfigError` as `file: channels.x.key: reason`.
 */
export function parseChannelSettings(
  sections: Config['channels'],
  source: string,
  descriptors: readonly ChannelDescriptor[] = CHANNEL_DESCRIPTORS,
): ChannelSettings {
  const known = new Set(['console', ...descriptors.map((d) => d.name)]);
  const unknown = Object.keys(sections).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `invalid configuration:\n  ${source}: unknown key ${unknown.map((n) => `channels.${n}`).join(', ')} (the channels are ${[...known].join(', ')})`,
    );
  }
  const settings = new Map<string, unknown>();
  for (const descriptor of descriptors) {
    const parsed = descriptor.settings.safeParse(withoutAccessKeys(sections[descriptor.name]));
    if (!parsed.success)
      throw new ConfigError(formatIssues(source, parsed.error.issues, ['channels', descriptor.name]));
    settings.set(descriptor.name, parsed.data);
  }
  return settings;
}

/** A platform's section without the keys the core reads (`access`…), for the platform's own schema. */
function withoutAccessKeys(section: unknown): unknown {
  if (typeof section !== 'object' || section === null) return section;
  const rest: Record<string, unknown> = { ...(section as Record<string, unknown>) };
  for (const key of CHANNEL_ACCESS_KEYS) delete rest[key];
  return rest;
}

/**
 * How each platform treats strangers: `channels.<name>.access`, `access_group` and
 * `admin_conversation`, validated here for every platform (the console lets its users in by
 * token and has none). Throws `ConfigError` as `file: channels.x.key: reason`.
 */
export function parseChannelAccess(
  sections: Config['channels'],
  source: string,
  descriptors: readonly ChannelDescriptor[] = CHANNEL_DESCRIPTORS,
): ReadonlyMap<string, ChannelAccess> {
  const access = new Map<string, ChannelAccess>();
  for (const descriptor of descriptors) {
    const section = sections[descriptor.name];
    const own =
      typeof section === 'object' && section !== null
        ? Object.fromEntries(
            CHANNEL_ACCESS_KEYS.filter((key) => key in section).map((key) => [
              key,
              (section as Record<string, unknown>)[key],
            ]),
          )
        : {};
    const parsed = channelAccessSchema.safeParse(own);
    if (!parsed.success)
      throw new ConfigError(formatIssues(source, parsed.error.issues, ['channels', descriptor.name]));
    access.set(descriptor.name, channelAccessOf(descriptor.name, parsed.data));
  }
  return access;
}

/**
 * Builds the platform channels whose environment is set, each through its descriptor. Adapters are
 * imported lazily, so the core never loads a platform SDK it does not use (and starts fast without
 * them); a platform configured halfway stays off and the log says why.
 */
export async function createPlatformChannels(
  settings: ChannelSettings,
  env: NodeJS.ProcessEnv,
  gateway: GatewayPort,
  logger: ChannelLogger,
  descriptors: readonly ChannelDescriptor[] = CHANNEL_DESCRIPTORS,
): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (const descriptor of descriptors) {
    const result = await descriptor.build({
      settings: settings.get(descriptor.name),
      env,
      gateway,
      logger,
    });
    if ('channel' in result) channels.push(result.channel);
    else if ('off' in result) logger.warn({ channel: descriptor.name }, result.off);
  }
  return channels;
}

/** What {@link startChannels} needs. */
export interface StartChannelsOptions {
  /** The channels by name; a channel that fails to start, or waits for its lease, is removed. */
  channels: Map<string, Channel>;
  journal: JournalStore;
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
  /** Told each time a channel starts (a singleton may start again after a fail-over). */
  onStart: (name: string) => void;
}

/**
 * Starts every channel. A channel that must be single (a Discord shard, a Telegram poller) is held
 * through a singleton lease when the journal offers them, and started by whichever replica holds
 * it; the others start now. A channel that fails to start is logged, removed and reported.
 */
export async function startChannels(
  options: StartChannelsOptions,
): Promise<{ singletons: SingletonLease[]; failed: Set<string> }> {
  const { channels, journal, owner, leaseMs, clock, logger, onStart } = options;
  const failed = new Set<string>();
  const singletons: SingletonLease[] = [];
  for (const channel of [...channels.values()]) {
    if (channel.singleton && journal.acquireSingleton && journal.releaseSingleton) {
      channels.delete(channel.name);
      const store = {
        acquireSingleton: journal.acquireSingleton.bind(journal),
        releaseSingleton: journal.releaseSingleton.bind(journal),
      };
      singletons.push(
        holdSingleton({
          channel,
          channels,
          store,
          owner,
          leaseMs,
          clock,
          logger,
          onStart: () => onStart(channel.name),
        }),
      );
      continue;
    }
    try {
      await channel.start();
      onStart(channel.name);
    } catch (error) {
      logger.error({ channel: channel.name, err: error }, `channel ${channel.name} failed to start`);
      channels.delete(channel.name);
      failed.add(channel.name);
    }
  }
  return { singletons, failed };
}
