/**
 * The chat platforms the daemon knows, one descriptor each. Adding a platform is a folder under
 * `channels/` (the adapter template, test/channels/template.test.ts) and one line here; the config
 * section, environment, log redaction and start-up all come from the descriptor.
 */
import { discordDescriptor } from '../../channels/discord/descriptor.js';
import { slackDescriptor } from '../../channels/slack/descriptor.js';
import { telegramDescriptor } from '../../channels/telegram/descriptor.js';
import type { ChannelDescriptor } from '../ports/channel-descriptor.js';

/** Every platform descriptor, by adapter name order of appearance in the docs. */
export const CHANNEL_DESCRIPTORS: readonly ChannelDescriptor[] = [
  discordDescriptor,
  slackDescriptor,
  telegramDescriptor,
];

/** The log keys whose values are some platform's secret. */
export function channelSecretKeys(descriptors: readonly ChannelDescriptor[] = CHANNEL_DESCRIPTORS): string[] {
  return [...new Set(descriptors.flatMap((descriptor) => descriptor.redact))];
}
