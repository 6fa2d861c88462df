import { App, type Receiver, type webApi } from '@slack/bolt';
import type { GatewayPort } from '../../src/index.js';
import type { BackgroundWork } from './background.js';
import { SLACK_EVENTS_PATH, type SlackChannelConfig } from './config.js';
import { toChannelError } from './errors.js';
import { WebhookReceiver } from './http-receiver.js';
import { type BotIdentity, SLACK } from './identity.js';
import { boltLogger } from './logger.js';
import { CommitFirstSocketModeReceiver } from './socket-receiver.js';
import { webClientOptions } from './web-client.js';

/** What the connection needs besides the config and the gateway. */
export interface SlackConnectionParts {
  client: webApi.WebClient;
  background: BackgroundWork;
  /** Registers the adapter's listeners on a freshly built Bolt app. */
  register(app: App): void;
}

/**
 * The app's connection to Slack. Without `appToken` it serves the Events API, interactivity and
 * the slash command at `POST /slack/events` on the daemon's HTTP server (registered at
 * construction, answered 503 until `start()`); with `appToken` it connects over Socket Mode.
 * `start()` checks the bot token with `auth.test`, builds the Bolt app and records `channel_up`;
 * `stop()` drains the work acknowledged earlier and records `channel_down`. Throws when neither a
 * signing secret nor an app token is given, since nothing could be verified or received.
 */
export class SlackConnection {
  private app: App | undefined;
  private identity: BotIdentity | undefined;
  private readonly webhook: WebhookReceiver | undefined;
  private readonly mode: 'socket' | 'http';

  constructor(
    private readonly config: SlackChannelConfig,
    private readonly gateway: GatewayPort,
    private readonly parts: SlackConnectionParts,
  ) {
    if (!config.appToken && !config.signingSecret) {
      throw new Error(
        'Slack over HTTP needs SLACK_SIGNING_SECRET (Basic Information → App Credentials); ' +
          'or set SLACK_APP_TOKEN to use Socket Mode instead',
      );
    }
    this.mode = config.appToken ? 'socket' : 'http';
    const webhook = config.appToken
      ? undefined
      : new WebhookReceiver({
          signingSecret: config.signingSecret,
          logger: gateway.logger,
          background: parts.background,
        });
    if (webhook) gateway.registerWebhook(SLACK_EVENTS_PATH, (request) => webhook.handle(request));
    this.webhook = webhook;
  }

  /** Who the bot is, once `start()` asked Slack. */
  get bot(): BotIdentity | undefined {
    return this.identity;
  }

  /** Connects (or starts accepting webhook requests); a second call does nothing. */
  async start(): Promise<void> {
    if (this.app) return;
    this.app = await this.connect();
    const team = this.identity?.teamId;
    this.gateway.logger.info({ channel: SLACK, mode: this.mode, team }, 'slack channel up');
    await this.gateway.recordEvent('channel_up', { channel: SLACK, mode: this.mode, team });
  }

  /** Disconnects and waits for clicks, commands and refusals acknowledged earlier. */
  async stop(): Promise<void> {
    const running = this.app;
    this.app = undefined;
    if (!running) return;
    await running.stop();
    await this.parts.background.settled();
    await this.gateway.recordEvent('channel_down', { channel: SLACK, mode: this.mode });
  }

  private async connect(): Promise<App> {
    const { config, gateway, parts } = this;
    const logger = gateway.logger;
    const bot = await whoAmI(parts.client);
    this.identity = bot;
    const receiver: Receiver =
      this.webhook ??
      new CommitFirstSocketModeReceiver({
        appToken: config.appToken ?? '',
        logger: boltLogger(logger),
        background: parts.background,
        channelLogger: logger,
        installerOptions: { clientOptions: config.apiUrl ? { slackApiUrl: config.apiUrl } : {} },
      });
    const app = new App({
      token: config.botToken,
      botId: bot.botId,
      botUserId: bot.userId,
      receiver,
      clientOptions: webClientOptions(config.apiUrl, logger),
      logger: boltLogger(logger),
      convoStore: false,
    });
    parts.register(app);
    await app.start();
    return app;
  }
}

/** `auth.test`: who the bot token belongs to; refuses a token that is not a bot token. */
async function whoAmI(client: webApi.WebClient): Promise<BotIdentity> {
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
