import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs, webApi } from '@slack/bolt';
import type { GatewayPort, SessionScope } from '../../src/index.js';
import type { BackgroundWork } from './background.js';
import {
  type BotIdentity,
  readMessageEvent,
  replyThread,
  type SlackMessageEvent,
  toInbound,
  triage,
} from './inbound.js';
import type { ThreadMembership } from './threads.js';

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
