import type { Attachment, ConversationRef, InboundMessage, SessionScope } from '../../src/index.js';

/** Message subtypes that are still a person talking; every other subtype (edits, deletions, joins, bots) is ignored. */
const SPOKEN_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/** The fields of a Slack `message` / `app_mention` event the channel reads, checked at runtime. */
export interface SlackMessageEvent {
  type: 'message' | 'app_mention';
  subtype?: string;
  channel: string;
  channelType?: string;
  user?: string;
  /** The sender's home team (`user_team` / `team`). */
  userTeam?: string;
  botId?: string;
  text: string;
  ts: string;
  threadTs?: string;
  displayName?: string;
  files: Attachment[];
}

/** Who the bot is, learned from `auth.test` at start. */
export interface BotIdentity {
  userId: string;
  botId: string;
  teamId: string;
}

/** Why an event does not become a message (or `accept` when it does), for logs and tests. */
export type Triage = 'accept' | 'not_a_person' | 'not_addressed' | 'maybe_thread';

/**
 * Reads the fields the channel needs from an Events API `event` object; returns undefined for
 * anything that is not a message-like event with a channel, text and ts.
 */
export function readMessageEvent(event: unknown): SlackMessageEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  if (e.type !== 'message' && e.type !== 'app_mention') return undefined;
  const channel = str(e.channel);
  const ts = str(e.ts);
  if (!channel || !ts) return undefined;
  const profile =
    typeof e.user_profile === 'object' && e.user_profile !== null
      ? (e.user_profile as Record<string, unknown>)
      : {};
  const displayName = str(profile.display_name) || str(profile.real_name);
  const subtype = str(e.subtype);
  const channelType = str(e.channel_type);
  const user = str(e.user);
  const userTeam = str(e.user_team) ?? str(e.team);
  const botId = str(e.bot_id);
  const threadTs = str(e.thread_ts);
  return {
    type: e.type,
    channel,
    ts,
    text: str(e.text) ?? '',
    files: readFiles(e.files),
    ...(subtype ? { subtype } : {}),
    ...(channelType ? { channelType } : {}),
    ...(user ? { user } : {}),
    ...(userTeam ? { userTeam } : {}),
    ...(botId ? { botId } : {}),
    ...(threadTs ? { threadTs } : {}),
    ...(displayName ? { displayName } : {}),
  };
}

/**
 * Decides whether a person's message is for the bot: every DM; in channels an `app_mention`, a
 * message naming the bot, or (`maybe_thread`) a reply in a thread — which counts only when the bot
 * takes part in that thread, something the caller checks.
 */
export function triage(event: SlackMessageEvent, bot: BotIdentity): Triage {
  if (event.subtype && !SPOKEN_SUBTYPES.has(event.subtype)) return 'not_a_person';
  if (event.botId || !event.user || event.user === bot.userId) return 'not_a_person';
  if (isDirect(event)) return 'accept';
  if (event.type === 'app_mention' || mentions(event.text, bot.userId)) return 'accept';
  if (event.threadTs && event.threadTs !== event.ts) return 'maybe_thread';
  return 'not_addressed';
}

/** Whether the event happened in a direct message with the bot. */
export function isDirect(event: SlackMessageEvent): boolean {
  return event.channelType === 'im' || (event.channelType === undefined && event.channel.startsWith('D'));
}

/** The thread a reply to this event belongs in: its thread, or a new thread under it (none at the top of a DM). */
export function replyThread(event: SlackMessageEvent): string | undefined {
  if (event.threadTs) return event.threadTs;
  return isDirect(event) ? undefined : event.ts;
}

/**
 * Maps a message for the bot to an `InboundMessage`. The event id is `<channel>:<ts>`, the
 * identity of the message itself, so the `message` and `app_mention` deliveries of one message and
 * Slack's retries all dedupe to one run in the gateway's inbox.
 */
export function toInbound(
  event: SlackMessageEvent,
  context: { teamId: string; bot: BotIdentity; scope: SessionScope; retryNum?: number; retryReason?: string },
): InboundMessage {
  const team = context.teamId;
  const user = event.user ?? 'unknown';
  const thread = replyThread(event);
  const conversation: ConversationRef = {
    platform: 'slack',
    workspace: team,
    channel: event.channel,
    ...(thread ? { thread } : {}),
  };
  const delivery = {
    ...(context.retryNum !== undefined ? { retryNum: context.retryNum } : {}),
    ...(context.retryReason !== undefined ? { retryReason: context.retryReason } : {}),
  };
  return {
    channel: 'slack',
    eventId: `${event.channel}:${event.ts}`,
    device: `slack:${team}`,
    principal: `slack:${event.userTeam ?? team}:${user}`,
    ...(event.displayName ? { displayName: event.displayName } : {}),
    sessionKey: sessionKeyOf(context.scope, { team, channel: event.channel, user, thread }),
    conversation,
    text: stripMention(event.text, context.bot.userId),
    ...(event.files.length > 0 ? { attachments: event.files } : {}),
    ...(Object.keys(delivery).length > 0 ? { delivery } : {}),
  };
}

/**
 * The session alias of a conversation under a scope: `slack:<team>:<channel>:<thread>` per thread
 * (a DM outside a thread is one session per DM), `slack:<team>:<channel>` per channel,
 * `slack:<team>:user:<user>` per user.
 */
export function sessionKeyOf(
  scope: SessionScope,
  where: { team: string; channel: string; user: string; thread: string | undefined },
): string {
  switch (scope) {
    case 'user':
      return `slack:${where.team}:user:${where.user}`;
    case 'channel':
      return `slack:${where.team}:${where.channel}`;
    case 'thread':
      return where.thread
        ? `slack:${where.team}:${where.channel}:${where.thread}`
        : `slack:${where.team}:${where.channel}`;
  }
}

/** Removes every mention of the bot (`<@U123>` or `<@U123|name>`) and tidies the spaces. */
export function stripMention(text: string, botUserId: string): string {
  const pattern = new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>`, 'g');
  return text
    .replace(pattern, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

function mentions(text: string, botUserId: string): boolean {
  return text.includes(`<@${botUserId}>`) || text.includes(`<@${botUserId}|`);
}

function readFiles(files: unknown): Attachment[] {
  if (!Array.isArray(files)) return [];
  const out: Attachment[] = [];
  for (const file of files) {
    if (typeof file !== 'object' || file === null) continue;
    const f = file as Record<string, unknown>;
    const url = str(f.url_private);
    if (!url) continue;
    const mimeType = str(f.mimetype);
    out.push({
      name: str(f.name) ?? 'file',
      url,
      ...(mimeType ? { mimeType } : {}),
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
    });
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
