import type { CommandContext, Context } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { CommandRequest, GatewayPort, SessionScope } from '../../src/index.js';
import { describeError } from './errors.js';
import { conversationOf, placeOf, principalOf, sessionKeyOf } from './identity.js';
import { replyTargetOf, type TelegramSender } from './outbound.js';

/** The slash commands shown in Telegram's command menu (registered with `setMyCommands`). */
export const TELEGRAM_COMMANDS: readonly BotCommand[] = [
  { command: 'cancel', description: 'Cancel the current run, or the run with the given id' },
  { command: 'usage', description: 'Token usage: /usage [user|all] [days]' },
  { command: 'status', description: 'What the agent is doing in this chat' },
  { command: 'approvals', description: 'Pending approvals you can decide' },
  { command: 'new', description: 'Start a fresh session in this chat' },
  { command: 'grants', description: 'Grants "Always allow" made: /grants [revoke <id>]' },
  { command: 'help', description: 'What the agent understands' },
  { command: 'access', description: 'Who asked to be let in, and who was (admins)' },
  { command: 'link', description: 'Link this account to yours on another platform: /link [code]' },
];

/** Commands that map to the gateway's command names; `/start` and `/help` show help. */
export const COMMAND_NAMES: Record<string, CommandRequest['name']> = {
  cancel: 'cancel',
  usage: 'usage',
  status: 'status',
  approvals: 'approvals',
  new: 'new',
  grants: 'grants',
  start: 'help',
  help: 'help',
  access: 'access',
  link: 'link',
};

/**
 * Runs a slash command through the gateway (which authorizes it by policy) and answers with its
 * text. Telegram has no ephemeral messages, so the answer is a reply to the caller's message — in
 * a group everybody sees it. The update id is the command's event id: an update delivered again
 * (a webhook retry, a poller restarted before confirming) is answered once.
 */
export async function onCommand(
  ctx: CommandContext<Context>,
  gateway: GatewayPort,
  sender: TelegramSender,
  scope: SessionScope,
): Promise<void> {
  const message = ctx.message;
  const from = ctx.from;
  const name = COMMAND_NAMES[ctx.message?.text.slice(1).split(/[\s@]/)[0]?.toLowerCase() ?? ''];
  if (!message || !from || from.is_bot || name === undefined) return;
  const place = placeOf(message);
  const request: CommandRequest = {
    name,
    args: ctx.match.split(/\s+/).filter((arg) => arg !== ''),
    principal: principalOf(from.id),
    sessionKey: sessionKeyOf(place, from.id, scope),
    conversation: conversationOf(place),
    eventId: String(ctx.update.update_id),
  };
  let text: string;
  try {
    const response = await gateway.command(request);
    if (response.duplicate) return;
    text = response.text;
  } catch (error) {
    gateway.logger.error({ command: name, ...describeError(error) }, 'telegram: command failed');
    text = 'That command failed. Please try again in a moment.';
  }
  try {
    await sender.sendText(replyTargetOf(place, message.message_id), text);
  } catch (error) {
    gateway.logger.warn({ command: name, ...describeError(error) }, 'telegram: answering a command failed');
  }
}
