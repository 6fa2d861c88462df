/**
 * The Telegram channel: grammY against the Bot API (or any server at `apiRoot`), long polling by
 * default or a webhook on the daemon's HTTP server. See docs/telegram.md for setup.
 */
import type { Channel, GatewayPort } from '../../src/index.js';
import { presentApprovalCard, updateApprovalCard } from './approvals.js';
import { createTelegramBot } from './client.js';
import {
  TELEGRAM_DRAFT_INTERVAL_MS,
  TELEGRAM_TYPING_REFRESH_MS,
  type TelegramChannelConfig,
} from './config.js';
import { TelegramFiles } from './files.js';
import { TELEGRAM } from './identity.js';
import { TelegramConnection } from './lifecycle.js';
import { TelegramSender } from './outbound.js';
import { UpdatePipeline } from './updates.js';

export type { TelegramChannelConfig } from './config.js';

/**
 * Creates the Telegram channel. In webhook mode the route `POST /telegram/webhook` is registered
 * right away (HTTP servers fix their routes before listening); it answers 503 until `start()`.
 * When long polling it is a `singleton`: Telegram ends one of two concurrent pollers with 409, so
 * only one replica may poll; webhook mode may run on every replica. Files people send
 * (`tg-file:<file_id>`) are downloaded by `fetchAttachment`.
 */
export function createTelegramChannel(config: TelegramChannelConfig, gateway: GatewayPort): Channel {
  const bot = createTelegramBot(config);
  const sender = new TelegramSender(bot.api, gateway.logger);
  const files = new TelegramFiles({
    api: bot.api,
    token: config.token,
    ...(config.apiRoot === undefined ? {} : { apiRoot: config.apiRoot }),
  });
  const updates = new UpdatePipeline(bot, gateway, sender, config.sessionScope);
  const connection = new TelegramConnection(config, bot, gateway, (update) => updates.handle(update));
  return {
    name: TELEGRAM,
    singleton: connection.singleton,
    start: () => connection.start(),
    stop: () => connection.stop(),
    send: (message) => sender.send(message),
    presentApproval: (card) => presentApprovalCard(sender, card),
    updateApproval: (card) => updateApprovalCard(bot.api, card),
    // A private chat's id is the user's id, positive; groups and channels are negative.
    isPrivate: (conversation) => /^\d+$/.test(conversation.channel),
    showActivity: (conversation) => sender.typing(conversation),
    activityRefreshMs: TELEGRAM_TYPING_REFRESH_MS,
    showDraft: (conversation, text, shown) => sender.showDraft(conversation, text, shown),
    // Private chats have positive ids, groups negative ones.
    draftIntervalMs: (conversation) =>
      conversation.channel.startsWith('-')
        ? TELEGRAM_DRAFT_INTERVAL_MS.group
        : TELEGRAM_DRAFT_INTERVAL_MS.private,
    fetchAttachment: (url, limits) => files.fetch(url, limits),
  };
}
