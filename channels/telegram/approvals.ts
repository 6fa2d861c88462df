/**
 * Approval cards on Telegram: posting a card, editing it in place when the outbox says so, and a
 * click on one of its buttons.
 */
import type { Api, Context } from 'grammy';
import {
  type ApprovalCard,
  ChannelError,
  type DeliveryReceipt,
  decisionRequestOf,
  type GatewayPort,
} from '../../src/index.js';
import { cardKeyboard, parseCallbackData, renderCardText } from './approval-card.js';
import { CALLBACK_ANSWER_LIMIT } from './config.js';
import { describeError, isEntityParseError, isNotModifiedError, toChannelError } from './errors.js';
import { principalOf } from './identity.js';
import { type TelegramSender, targetOf } from './outbound.js';

/** Posts an approval card with its buttons in the conversation the request came from. */
export async function presentApprovalCard(
  sender: TelegramSender,
  card: ApprovalCard,
): Promise<DeliveryReceipt> {
  const text = renderCardText(card);
  const id = await sender.post(targetOf(card.conversation), { ...text, keyboard: cardKeyboard(card) });
  return { messageIds: [id] };
}

/** Edits a posted card in place: outcome and decider shown, keyboard gone. Idempotent. */
export async function updateApprovalCard(api: Api, card: ApprovalCard): Promise<void> {
  const messageId = Number(card.receipt?.messageIds[0]);
  if (!Number.isInteger(messageId)) {
    throw new ChannelError('permanent', `approval ${card.approvalId} has no delivered Telegram card to edit`);
  }
  const { chatId } = targetOf(card.conversation);
  const text = renderCardText(card);
  const keyboard = cardKeyboard(card);
  try {
    await api.editMessageText(chatId, messageId, text.html, { parse_mode: 'HTML', reply_markup: keyboard });
    return;
  } catch (error) {
    if (isNotModifiedError(error)) return; // an earlier attempt already applied this edit
    if (!isEntityParseError(error)) throw toChannelError(error, 'editing an approval card');
  }
  try {
    await api.editMessageText(chatId, messageId, text.plain, { reply_markup: keyboard });
  } catch (error) {
    if (!isNotModifiedError(error)) throw toChannelError(error, 'editing an approval card as plain text');
  }
}

/**
 * Handles a click on an approval button: asks the gateway to decide for the person who clicked
 * and always answers the callback — a short toast on success, an alert with the reason when the
 * click was refused (not permitted, already decided, expired…). The card itself is edited by the
 * outbox through `updateApproval`, so a refused click changes nothing.
 */
export async function onApprovalClick(ctx: Context, gateway: GatewayPort): Promise<void> {
  const query = ctx.callbackQuery;
  if (!query) return;
  const parsed = parseCallbackData(query.data ?? '');
  if (!parsed) {
    await answer(ctx, gateway, {}); // not ours; still stop the client's spinner
    return;
  }
  const decider = principalOf(query.from.id);
  try {
    const outcome = await gateway.decideApproval(decisionRequestOf(parsed.verb, parsed.approvalId, decider));
    await answer(
      ctx,
      gateway,
      outcome.ok ? { text: outcome.message } : { text: outcome.message, show_alert: true },
    );
  } catch (error) {
    gateway.logger.error(
      { approvalId: parsed.approvalId, decider, ...describeError(error) },
      'telegram: deciding an approval failed',
    );
    await answer(ctx, gateway, {
      text: 'Your decision could not be recorded right now. Please try again.',
      show_alert: true,
    });
  }
}

async function answer(
  ctx: Context,
  gateway: GatewayPort,
  options: { text?: string; show_alert?: boolean },
): Promise<void> {
  const text = options.text === undefined ? undefined : truncate(options.text, CALLBACK_ANSWER_LIMIT);
  try {
    await ctx.answerCallbackQuery({
      ...(text === undefined ? {} : { text }),
      ...(options.show_alert === undefined ? {} : { show_alert: options.show_alert }),
    });
  } catch (error) {
    // A callback older than ~15 minutes (e.g. redelivered after a restart) can no longer be answered.
    gateway.logger.warn(describeError(error), 'telegram: answering a callback query failed');
  }
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
