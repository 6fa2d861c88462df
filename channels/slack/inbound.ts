/**
 * Slack messages in: which events are a person talking to the bot (every DM; in channels a
 * mention, or a reply in a thread the bot takes part in), the `InboundMessage` they become, and
 * the listeners that hand them to `gateway.receive` (with the one answer to a refused person).
 */
import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs, webApi } from '@slack/bolt';
import type { GatewayPort, InboundMessage, SessionScope } from '../../src/index.js';
import type { BackgroundWork } from './background.js';
import { type BotIdentity, conversationOf, deviceOf, principalOf, SLACK, sessionKeyOf } from './identity.js';
import { readMessageEvent, type SlackMessageEvent } from './message-event.js';
import type { ThreadMembership } from './threads.js';

/** Message subtypes that are still a person talking; every other subtype (edits, deletions, joins, bots) is ignored. */
const SPOKEN_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/** Why an event does not become a message (or `accept` when it does), for logs and tests. */
export type Triage = 'accept' | 'not_a_person' | 'not_addressed' | 'maybe_thread';

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
  const place = { team, channel: event.channel, thread: replyThread(event) };
  const conversation = conversationOf(place);
  const delivery = {
    ...(context.retryNum !== undefined ? { retryNum: context.retryNum } : {}),
    ...(context.retryReason !== undefined ? { retryReason: context.retryReason } : {}),
  };
  return {
    channel: SLACK,
    eventId: `${event.channel}:${event.ts}`,
    device: deviceOf(team),
    principal: principalOf(event.userTeam ?? team, user),
    ...(event.displayName ? { displayName: event.displayName } : {}),
    sessionKey: sessionKeyOf(context.scope, { ...place, user }),
    conversation,
    text: stripMention(event.text, context.bot.userId),
    ...(event.files.length > 0 ? { attachments: event.files } : {}),
    ...(Object.keys(delivery).length > 0 ? { delivery } : {}),
  };
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the message listeners need. */
export interface MessageListenerOptions {
  gateway: GatewayPort;
  client: webApi.WebClient;
  scope: SessionScope;
  threads: ThreadMembership;
  bot: () => BotIdentity | undefined;
  background: BackgroundWork;
}

type EventArgs = SlackEventMiddlewareArgs<'message' | 'app_mention'> & AllMiddlewareArgs;

/**
 * Registers the `message` and `app_mention` listeners. Both map to the same `<channel>:<ts>` event
 * id, so one message delivered both ways starts one run; the listener returns only after
 * `gateway.receive` committed, which is when the HTTP receiver acks Slack.
 */
export function registerMessageListeners(app: App, options: MessageListenerOptions): void {
  const listener = async ({ event, body, context }: EventArgs) => {
    const message = readMessageEvent(event);
    const bot = options.bot();
    if (!message || !bot) return;
    const verdict = triage(message, bot);
    if (verdict === 'not_a_person' || verdict === 'not_addressed') return;
    if (
      verdict === 'maybe_thread' &&
      !(await options.threads.includesBot(message.channel, message.threadTs ?? ''))
    ) {
      return;
    }
    const teamId = typeof body.team_id === 'string' ? body.team_id : bot.teamId;
    const inbound = toInbound(message, {
      teamId,
      bot,
      scope: options.scope,
      ...(context.retryNum !== undefined ? { retryNum: context.retryNum } : {}),
      ...(context.retryReason !== undefined ? { retryReason: context.retryReason } : {}),
    });
    const result = await options.gateway.receive(inbound);
    if (result.status === 'accepted' && inbound.conversation.thread) {
      options.threads.remember(message.channel, inbound.conversation.thread);
    }
    if (result.status === 'refused') options.background.add(postRefusal(options, message, result.message));
  };
  app.event('app_mention', listener);
  app.event('message', listener);
}

/** Answers a refused person once, in the thread of their message; not awaited so Slack is acked at once. */
async function postRefusal(
  options: MessageListenerOptions,
  message: SlackMessageEvent,
  text: string,
): Promise<void> {
  const thread = replyThread(message);
  try {
    await options.client.chat.postMessage({
      channel: message.channel,
      text,
      ...(thread ? { thread_ts: thread } : {}),
    });
  } catch (error) {
    options.gateway.logger.warn(
      { channel: 'slack', err: error instanceof Error ? error.message : String(error) },
      'could not tell a refused person why',
    );
  }
}
