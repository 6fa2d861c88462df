/**
 * The Telegram channel: grammY against the Bot API (or any server at `apiRoot`), long polling by
 * default or a webhook on the daemon's HTTP server. See docs/telegram.md for setup.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, BotError, GrammyError, HttpError } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type {
  ApprovalCard,
  Channel,
  ConversationRef,
  DeliveryReceipt,
  FetchedFile,
  GatewayPort,
  OutboundMessage,
  SessionScope,
} from '../../src/index.js';
import { onApprovalClick, presentApprovalCard, updateApprovalCard } from './approvals.js';
import { COMMAND_NAMES, onCommand, TELEGRAM_COMMANDS } from './commands.js';
import { describeError, InboxUnavailableError } from './errors.js';
import { TelegramFiles } from './files.js';
import { deviceOf, placeOf, TELEGRAM, toInboundMessage } from './inbound.js';
import { TelegramSender } from './outbound.js';
import { ALLOWED_UPDATES, UpdatePoller } from './polling.js';
import { assertWebhookSecret, createWebhookHandler, TELEGRAM_WEBHOOK_PATH } from './webhook.js';

/** Configuration of the Telegram channel (from TELEGRAM_* environment variables and the config file). */
export interface TelegramChannelConfig {
  /** The bot token from @BotFather (TELEGRAM_BOT_TOKEN). Never logged. */
  token: string;
  /** Another Bot API server, e.g. a self-hosted one or a test fake (TELEGRAM_API_ROOT). */
  apiRoot?: string;
  /** Public HTTPS URL that reaches `POST /telegram/webhook`; switches from polling to webhook mode. */
  webhookUrl?: string;
  /** Secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`; required with `webhookUrl`. */
  webhookSecret?: string;
  /** How conversations map to sessions (`channels.telegram.session_scope`). */
  sessionScope: SessionScope;
}

/**
 * A 429 longer than this is not waited out inside the call: the outbox gets a `rate_limited`
 * error with `retry_after` and retries later, so one chat's flood limit cannot block delivery.
 */
const MAX_RATE_LIMIT_WAIT_SECONDS = 10;
const MAX_RATE_LIMIT_RETRIES = 3;
/** Upper bound of one Bot API request, long polls included (they ask Telegram for 30 s). */
const REQUEST_TIMEOUT_SECONDS = 60;

/**
 * Creates the Telegram channel. In webhook mode the route `POST /telegram/webhook` is registered
 * right away (HTTP servers fix their routes before listening); it answers 503 until `start()`.
 * When long polling it is a `singleton`: Telegram ends one of two concurrent pollers with 409, so
 * only one replica may poll; webhook mode may run on every replica. Files people send
 * (`tg-file:<file_id>`) are downloaded by `fetchAttachment`.
 */
export function createTelegramChannel(config: TelegramChannelConfig, gateway: GatewayPort): Channel {
  return new TelegramChannel(config, gateway);
}

class TelegramChannel implements Channel {
  readonly name = TELEGRAM;
  readonly singleton: boolean;
  private readonly bot: Bot;
  private readonly files: TelegramFiles;
  private readonly sender: TelegramSender;
  private readonly poller: UpdatePoller;
  private started = false;

  constructor(
    private readonly config: TelegramChannelConfig,
    private readonly gateway: GatewayPort,
  ) {
    if (config.token.trim() === '') {
      throw new Error('Telegram needs a bot token: set TELEGRAM_BOT_TOKEN (from @BotFather).');
    }
    if (config.webhookUrl !== undefined) assertWebhookSecret(config.webhookSecret);
    this.singleton = config.webhookUrl === undefined;
    this.bot = new Bot(config.token, {
      client: {
        // A hung call must not hold an outbox item for grammY's default 500 s; the 30 s long poll fits.
        timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
        ...(config.apiRoot === undefined ? {} : { apiRoot: config.apiRoot }),
      },
    });
    // The only retry layer for Telegram calls is 429 with a bounded wait; 5xx and network errors
    // go back to the outbox as transient ChannelErrors, so retries are never stacked.
    this.bot.api.config.use(
      autoRetry({
        maxDelaySeconds: MAX_RATE_LIMIT_WAIT_SECONDS,
        maxRetryAttempts: MAX_RATE_LIMIT_RETRIES,
        rethrowInternalServerErrors: true,
        rethrowHttpErrors: true,
      }),
    );
    this.sender = new TelegramSender(this.bot.api, gateway.logger);
    this.files = new TelegramFiles({
      api: this.bot.api,
      token: config.token,
      ...(config.apiRoot === undefined ? {} : { apiRoot: config.apiRoot }),
    });
    this.poller = new UpdatePoller({
      api: this.bot.api,
      handle: (update) => this.handleUpdate(update),
      logger: gateway.logger,
      onGiveUp: (reason) => {
        this.started = false; // a later start() may poll again once the operator fixed the cause
        void this.record('channel.down', { reason });
      },
    });
    this.installMiddleware();
    if (config.webhookUrl !== undefined && config.webhookSecret !== undefined) {
      gateway.registerWebhook(
        TELEGRAM_WEBHOOK_PATH,
        createWebhookHandler({
          secret: config.webhookSecret,
          isReady: () => this.started,
          handle: (update) => this.handleUpdate(update),
          logger: gateway.logger,
        }),
      );
    }
  }

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

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.poller.stop();
    await this.record('channel.down', { reason: 'stopped' });
  }

  send(message: OutboundMessage): Promise<DeliveryReceipt> {
    return this.sender.send(message);
  }

  presentApproval(card: ApprovalCard): Promise<DeliveryReceipt> {
    return presentApprovalCard(this.sender, card);
  }

  updateApproval(card: ApprovalCard): Promise<void> {
    return updateApprovalCard(this.bot.api, card);
  }

  showActivity(conversation: ConversationRef, _status: string): Promise<void> {
    return this.sender.typing(conversation);
  }

  fetchAttachment(
    url: string,
    limits: { maxBytes: number; signal: AbortSignal },
  ): Promise<FetchedFile | undefined> {
    return this.files.fetch(url, limits);
  }

  private installMiddleware(): void {
    const scope = this.config.sessionScope;
    this.bot.command(Object.keys(COMMAND_NAMES), (ctx) => onCommand(ctx, this.gateway, this.sender, scope));
    this.bot.on('callback_query:data', (ctx) => onApprovalClick(ctx, this.gateway));
    this.bot.on('message', async (ctx) => {
      const inbound = toInboundMessage(ctx.update.update_id, ctx.message, ctx.me, scope);
      if (!inbound) return;
      let result: Awaited<ReturnType<GatewayPort['receive']>>;
      try {
        result = await this.gateway.receive(inbound);
      } catch (error) {
        throw new InboxUnavailableError(error);
      }
      if (result.status !== 'refused') return;
      const place = placeOf(ctx.message);
      try {
        await this.sender.sendText(
          {
            chatId: place.chatId,
            ...(place.topicId === undefined ? {} : { topicId: place.topicId }),
            replyTo: ctx.message.message_id,
          },
          result.message,
        );
      } catch (error) {
        this.gateway.logger.warn(describeError(error), 'telegram: posting a refusal failed');
      }
    });
  }

  /**
   * Runs one update through the middleware. Rejects only when the gateway could not store it, so
   * the transport delivers it again; any other failure is logged and the update counts as handled.
   */
  private async handleUpdate(update: Update): Promise<void> {
    try {
      await this.bot.handleUpdate(update);
    } catch (error) {
      const cause = error instanceof BotError ? error.error : error;
      if (cause instanceof InboxUnavailableError) throw cause;
      this.gateway.logger.error(
        { updateId: update.update_id, ...describeError(cause) },
        'telegram: handling an update failed; skipping it',
      );
    }
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
      const where = this.config.apiRoot ?? 'https://api.telegram.org';
      const why = error instanceof HttpError || error instanceof Error ? error.message : String(error);
      throw new Error(
        `Cannot reach the Telegram Bot API at ${where}: ${why}. Check the network or TELEGRAM_API_ROOT.`,
        {
          cause: error,
        },
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
