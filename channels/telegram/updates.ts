import { type Bot, BotError } from 'grammy';
import type { Update } from 'grammy/types';
import type { GatewayPort, SessionScope } from '../../src/index.js';
import { onApprovalClick } from './approvals.js';
import { COMMAND_NAMES, onCommand } from './commands.js';
import { describeError, InboxUnavailableError } from './errors.js';
import { onMessage } from './inbound.js';
import type { TelegramSender } from './outbound.js';

/**
 * Where each Telegram update goes: commands to `commands.ts`, button clicks to `approvals.ts`,
 * other messages to `inbound.ts`. Both transports (the poller and the webhook) feed `handle`.
 */
export class UpdatePipeline {
  constructor(
    private readonly bot: Bot,
    private readonly gateway: GatewayPort,
    sender: TelegramSender,
    scope: SessionScope,
  ) {
    bot.command(Object.keys(COMMAND_NAMES), (ctx) => onCommand(ctx, gateway, sender, scope));
    bot.on('callback_query:data', (ctx) => onApprovalClick(ctx, gateway));
    bot.on('message', (ctx) => onMessage(ctx, gateway, sender, scope));
  }

  /**
   * Runs one update through the handlers. Rejects only when the gateway could not store it, so
   * the transport delivers it again; any other failure is logged and the update counts as handled.
   */
  async handle(update: Update): Promise<void> {
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
}
