import { type Bot, GrammyError, HttpError } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { GatewayPort } from '../../src/index.js';
import { TELEGRAM_COMMANDS } from './commands.js';
import { DEFAULT_TELEGRAM_API_ROOT, TELEGRAM_WEBHOOK_PATH, type TelegramChannelConfig } from './config.js';
import { describeError } from './errors.js';
import { deviceOf, TELEGRAM } from './identity.js';
import { ALLOWED_UPDATES, UpdatePoller } from './polling.js';
import { assertWebhookSecret, createWebhookHandler } from './webhook.js';

/**
 * The bot's connection to Telegram: long polling by default, a webhook on the daemon's HTTP
 * server when `webhookUrl` is set. The webhook route is registered at construction (HTTP servers
 * fix their routes before listening) and answers 503 until `start()`. `start()` learns who the bot
 * is, registers the command menu and starts the transport; both `start` and `stop` are recorded as
 * `channel.up` / `channel.down`, and so is a poller giving up (409 conflict, 401 bad token).
 */
export class TelegramConnection {
  /** Long polling must be single (Telegram ends one of two pollers with 409); a webhook need not. */
  readonly singleton: boolean;
  private readonly poller: UpdatePoller;
  private started = false;

  constructor(
    private readonly config: TelegramChannelConfig,
    private readonly bot: Bot,
    private readonly gateway: GatewayPort,
    handle: (update: Update) => Promise<void>,
  ) {
    if (config.webhookUrl !== undefined) assertWebhookSecret(config.webhookSecret);
    this.singleton = config.webhookUrl === undefined;
    this.poller = new UpdatePoller({
      api: bot.api,
      handle,
      logger: gateway.logger,
      onGiveUp: (reason) => {
        this.started = false; // a later start() may poll again once the operator fixed the cause
        void this.record('channel.down', { reason });
      },
    });
    if (config.webhookUrl !== undefined && config.webhookSecret !== undefined) {
      gateway.registerWebhook(
        TELEGRAM_WEBHOOK_PATH,
        createWebhookHandler({
          secret: config.webhookSecret,
          isReady: () => this.started,
          handle,
          logger: gateway.logger,
        }),
      );
    }
  }

  /** Identifies the bot, registers its command menu and starts polling or sets the webhook. */
  async start(): Promise<void> {
    if (this.started) return;
    const me = await this.identify();
    this.bot.botInfo = me;
    try {
      await this.bot.api.setMyCommands(TELEGRAM_COMMANDS);
    } catch (error) {
      this.gateway.logger.warn(describeError(error), 'telegram: registering the command menu failed');
    }
    const transport = this.config.webhookUrl === undefined ? 'polling' : 'webhook';
    if (this.config.webhookUrl !== undefined && this.config.webhookSecret !== undefined) {
      await this.bot.api.setWebhook(this.config.webhookUrl, {
        secret_token: this.config.webhookSecret,
        allowed_updates: ALLOWED_UPDATES,
      });
    } else {
      try {
        // getUpdates answers 409 while a webhook is set; keep its pending updates.
        await this.bot.api.deleteWebhook({ drop_pending_updates: false });
      } catch (error) {
        this.gateway.logger.warn(describeError(error), 'telegram: deleteWebhook failed before polling');
      }
      this.poller.start();
    }
    this.started = true;
    this.gateway.logger.info({ bot: me.username, transport }, 'telegram: channel up');
    await this.record('channel.up', { transport, bot: me.username });
  }

  /** Stops polling after the update in hand; webhook deliveries get 503 from now on. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.poller.stop();
    await this.record('channel.down', { reason: 'stopped' });
  }

  /** getMe, with errors that say how to fix them (never containing the token). */
  private async identify(): Promise<UserFromGetMe> {
    try {
      return await this.bot.api.getMe();
    } catch (error) {
      if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
        throw new Error(
          `Telegram rejected the bot token (${error.error_code} ${error.description}). Check TELEGRAM_BOT_TOKEN: ` +
            '@BotFather → /mybots → your bot → API Token shows the current one.',
          { cause: error },
        );
      }
      const where = this.config.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT;
      const why = error instanceof HttpError || error instanceof Error ? error.message : String(error);
      throw new Error(
        `Cannot reach the Telegram Bot API at ${where}: ${why}. Check the network or TELEGRAM_API_ROOT.`,
        { cause: error },
      );
    }
  }

  private async record(type: string, data: Record<string, unknown>): Promise<void> {
    const device = this.bot.isInited() ? deviceOf(this.bot.botInfo) : undefined;
    try {
      await this.gateway.recordEvent(type, { channel: TELEGRAM, ...(device ? { device } : {}), ...data });
    } catch (error) {
      this.gateway.logger.warn(describeError(error), `telegram: recording ${type} failed`);
    }
  }
}
