import { z } from 'zod';
import type { ConversationRef } from '../core/types.js';

/** What happens when a person in no group writes to the agent on a channel. */
export const ACCESS_MODES = ['request', 'refuse'] as const;

/**
 * The keys every `channels.<name>` section shares with the core (the rest is the platform's):
 * `access` (`refuse`: one polite answer; `request`: the answer and an access request to admins),
 * `access_group` (the group an approved request joins) and `admin_conversation` (where this
 * platform's access cards go: `{channel, workspace?, thread?}` in the platform's ids).
 */
export const channelAccessSchema = z.strictObject({
  access: z.enum(ACCESS_MODES).default('refuse'),
  access_group: z.string().min(1).default('members'),
  admin_conversation: z
    .strictObject({
      channel: z.string().min(1),
      workspace: z.string().min(1).optional(),
      thread: z.string().min(1).optional(),
    })
    .optional(),
});

/** The keys of {@link channelAccessSchema}, taken out before a platform validates its section. */
export const CHANNEL_ACCESS_KEYS = ['access', 'access_group', 'admin_conversation'] as const;

/** How one channel treats strangers, as the gateway uses it. */
export interface ChannelAccess {
  mode: (typeof ACCESS_MODES)[number];
  /** The group Approve adds the person to. */
  group: string;
  /** Where the access cards of this platform go; absent: only the console shows them. */
  adminConversation?: ConversationRef;
}

/** A channel's access settings from its validated section. */
export function channelAccessOf(
  platform: string,
  parsed: z.output<typeof channelAccessSchema>,
): ChannelAccess {
  const where = parsed.admin_conversation;
  return {
    mode: parsed.access,
    group: parsed.access_group,
    ...(where
      ? {
          adminConversation: {
            platform,
            channel: where.channel,
            ...(where.workspace ? { workspace: where.workspace } : {}),
            ...(where.thread ? { thread: where.thread } : {}),
          },
        }
      : {}),
  };
}
