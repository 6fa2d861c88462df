/**
 * The Slack channel: Bolt for JS over the Events API (through the daemon's own HTTP server) or
 * Socket Mode, threads as conversations, Block Kit approval cards and one slash command.
 */
import type { Channel, GatewayPort } from '../../src/index.js';
import { SlackApprovals } from './approvals.js';
import { BackgroundWork } from './background.js';
import { registerCommand } from './commands.js';
import { SLACK_DRAFT_INTERVAL_MS, SLACK_STATUS_REFRESH_MS, type SlackChannelConfig } from './config.js';
import { toChannelError } from './errors.js';
import { SlackFiles } from './files.js';
import { SLACK } from './identity.js';
import { registerMessageListeners } from './inbound.js';
import { SlackConnection } from './lifecycle.js';
import { SlackOutbound } from './outbound.js';
import { ThreadMembership } from './threads.js';
import { createWebClient } from './web-client.js';

export type { SlackChannelConfig } from './config.js';

/** The Slack channel, plus a way to wait for work that continues after Slack was answered. */
export interface SlackChannel extends Channel {
  /** Resolves once clicks, commands and refusals acknowledged earlier have finished their work. */
  settled(): Promise<void>;
}

/**
 * Creates the Slack channel (see `lifecycle.ts` for HTTP vs Socket Mode). Shared files
 * (`url_private`) are downloaded with the bot token by `fetchAttachment`. It is no singleton: any
 * number of HTTP receivers may run, and Socket Mode hands each event to one of several connections
 * (the inbox dedupes redeliveries anyway). Throws when neither a signing secret nor an app token
 * is given, since nothing could be verified or received.
 */
export function createSlackChannel(config: SlackChannelConfig, gateway: GatewayPort): SlackChannel {
  const logger = gateway.logger;
  const client = createWebClient(config.botToken, config.apiUrl, logger);
  const background = new BackgroundWork();
  const threads = new ThreadMembership(
    client,
    () => connection.bot,
    (error) =>
      logger.warn(
        { channel: SLACK, err: toChannelError(error, 'conversations.replies').message },
        'thread lookup failed',
      ),
  );
  const outbound = new SlackOutbound(client, threads, logger);
  const approvals = new SlackApprovals(client, threads, gateway);
  const files = new SlackFiles({
    botToken: config.botToken,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
  });
  const connection = new SlackConnection(config, gateway, {
    client,
    background,
    register: (app) => {
      registerMessageListeners(app, {
        gateway,
        client,
        scope: config.sessionScope,
        threads,
        bot: () => connection.bot,
        background,
      });
      approvals.register(app);
      registerCommand(app, { command: config.command, scope: config.sessionScope, gateway });
    },
  });
  return {
    name: SLACK,
    start: () => connection.start(),
    stop: () => connection.stop(),
    send: (message) => outbound.send(message),
    presentApproval: (card) => approvals.present(card),
    updateApproval: (card) => approvals.update(card),
    // Slack's direct-message channel ids start with D.
    isPrivate: (conversation) => conversation.channel.startsWith('D'),
    showActivity: (conversation, status) => outbound.showActivity(conversation, status),
    activityRefreshMs: SLACK_STATUS_REFRESH_MS,
    showDraft: (conversation, text, shown, key) => outbound.showDraft(conversation, text, shown, key),
    draftIntervalMs: () => SLACK_DRAFT_INTERVAL_MS,
    fetchAttachment: (url, limits) => files.fetch(url, limits),
    settled: () => background.settled(),
  };
}
