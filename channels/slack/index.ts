/**
 * The Slack channel: Bolt for JS over the Events API (through the daemon's own HTTP server) or
 * Socket Mode, threads as conversations, Block Kit approval cards and one slash command.
 */
import { App, type Receiver } from '@slack/bolt';
import type { Channel, GatewayPort } from '../../src/index.js';
import { SlackApprovals } from './approvals.js';
import { BackgroundWork } from './background.js';
import { registerCommand } from './command.js';
import { SLACK_EVENTS_PATH, type SlackChannelConfig } from './config.js';
import { SlackFiles } from './files.js';
import { WebhookReceiver } from './http-receiver.js';
import type { BotIdentity } from './inbound.js';
import { boltLogger } from './logger.js';
import { registerMessageListeners } from './messages.js';
import { SlackOutbound } from './outbound.js';
import { CommitFirstSocketModeReceiver } from './socket-receiver.js';
import { ThreadMembership } from './threads.js';
import { createWebClient, toChannelError, webClientOptions } from './web-client.js';

export type { SlackChannelConfig } from './config.js';

/** The Slack channel, plus a way to wait for work that continues after Slack was answered. */
export interface SlackChannel extends Channel {
  /** Resolves once clicks, commands and refusals acknowledged earlier have finished their work. */
  settled(): Promise<void>;
}

/**
 * Creates the Slack channel. Without `appToken` it serves the Events API, interactivity and the
 * slash command at `POST /slack/events` on the daemon's HTTP server (registered right away, answered
 * 503 until `start()`); with `appToken` it connects over Socket Mode instead. Shared files
 * (`url_private`) are downloaded with the bot token by `fetchAttachment`. It is no singleton: any
 * number of HTTP receivers may run, and Socket Mode hands each event to one of several connections
 * (the inbox dedupes redeliveries anyway). Throws when neither a
 * signing secret nor an app token is given, since nothing could be verified or received.
 */
export function createSlackChannel(config: SlackChannelConfig, gateway: GatewayPort): SlackChannel {
  if (!config.appToken && !config.signingSecret) {
    throw new Error(
      'Slack over HTTP needs SLACK_SIGNING_SECRET (Basic Information → App Credentials); ' +
        'or set SLACK_APP_TOKEN to use Socket Mode instead',
    );
  }
  const logger = gateway.logger;
  const client = createWebClient(config.botToken, config.apiUrl, logger);
  const background = new BackgroundWork();
  let bot: BotIdentity | undefined;
  const threads = new ThreadMembership(
    client,
    () => bot,
    (error) =>
      logger.warn(
        { channel: 'slack', err: toChannelError(error, 'conversations.replies').message },
        'thread lookup failed',
      ),
  );
  const outbound = new SlackOutbound(client, threads, logger);
  const approvals = new SlackApprovals(client, threads, gateway);
  const files = new SlackFiles({
    botToken: config.botToken,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
  });
  const webhook = config.appToken
    ? undefined
    : new WebhookReceiver({ signingSecret: config.signingSecret, logger, background });
  if (webhook) gateway.registerWebhook(SLACK_EVENTS_PATH, (request) => webhook.handle(request));
  const mode = config.appToken ? 'socket' : 'http';
  let app: App | undefined;

  const connect = async (): Promise<App> => {
    bot = await whoAmI(client);
    const receiver: Receiver =
      webhook ??
      new CommitFirstSocketModeReceiver({
        appToken: config.appToken ?? '',
        logger: boltLogger(logger),
        background,
        channelLogger: logger,
        installerOptions: { clientOptions: config.apiUrl ? { slackApiUrl: config.apiUrl } : {} },
      });
    const built = new App({
      token: config.botToken,
      botId: bot.botId,
      botUserId: bot.userId,
      receiver,
      clientOptions: webClientOptions(config.apiUrl, logger),
      logger: boltLogger(logger),
      convoStore: false,
    });
    registerMessageListeners(built, {
      gateway,
      client,
      scope: config.sessionScope,
      threads,
      bot: () => bot,
      background,
    });
    approvals.register(built);
    registerCommand(built, { command: config.command, scope: config.sessionScope, gateway });
    await built.start();
    return built;
  };

  return {
    name: 'slack',
    async start() {
      if (app) return;
      app = await connect();
      logger.info({ channel: 'slack', mode, team: bot?.teamId }, 'slack channel up');
      await gateway.recordEvent('channel_up', { channel: 'slack', mode, team: bot?.teamId });
    },
    async stop() {
      const running = app;
      app = undefined;
      if (!running) return;
      await running.stop();
      await background.settled();
      await gateway.recordEvent('channel_down', { channel: 'slack', mode });
    },
    send: (message) => outbound.send(message),
    presentApproval: (card) => approvals.present(card),
    updateApproval: (card) => approvals.update(card),
    showActivity: (conversation, status) => outbound.showActivity(conversation, status),
    fetchAttachment: (url, limits) => files.fetch(url, limits),
    settled: () => background.settled(),
  };
}

async function whoAmI(client: ReturnType<typeof createWebClient>): Promise<BotIdentity> {
  try {
    const auth = await client.auth.test();
    if (!auth.user_id || !auth.bot_id || !auth.team_id) {
      throw new Error('auth.test did not name a bot user; SLACK_BOT_TOKEN must be a bot token (xoxb-…)');
    }
    return { userId: auth.user_id, botId: auth.bot_id, teamId: auth.team_id };
  } catch (error) {
    throw toChannelError(error, 'checking SLACK_BOT_TOKEN with auth.test');
  }
}
