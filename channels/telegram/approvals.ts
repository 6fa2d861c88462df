import type { Api, Context } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ApprovalCard, DeliveryReceipt, GatewayPort } from '../../src/index.js';
import { ChannelError } from '../../src/index.js';
import { type ApprovalVerb, decisionRequestOf } from '../shared/approval-verbs.js';
import { describeError, isEntityParseError, isNotModifiedError, toChannelError } from './errors.js';
import { principalOf } from './inbound.js';
import { type TelegramSender, targetOf } from './outbound.js';
import { escapeHtml } from './render.js';

const VERB_LETTER: Record<ApprovalVerb, string> = { approve: 'a', deny: 'd', approve_session: 's' };
const LETTER_VERB: Record<string, ApprovalVerb> = { a: 'approve', d: 'deny', s: 'approve_session' };

/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** Telegram's limit on the text of a callback answer. */
const ANSWER_LIMIT = 200;

/**
 * The `callback_data` of a button: `sb:<verb letter>:<approvalId>`. Only a reference travels,
 * never the arguments; Telegram allows 64 bytes, so an id that would not fit is refused loudly.
 */
export function encodeCallbackData(verb: ApprovalVerb, approvalId: string): string {
  const data = `sb:${VERB_LETTER[verb]}:${approvalId}`;
  if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_LIMIT) {
    throw new ChannelError(
      'permanent',
      `approval id ${approvalId} is too long for Telegram's 64-byte callback_data (needs ${Buffer.byteLength(data)} bytes)`,
    );
  }
  return data;
}

/** Parses a button's `callback_data`; null when it is not one of ours. */
export function parseCallbackData(data: string): { verb: ApprovalVerb; approvalId: string } | null {
  const match = /^sb:([ads]):([\w-]{1,58})$/.exec(data);
  const verb = match ? LETTER_VERB[match[1] ?? ''] : undefined;
  if (!match || verb === undefined) return null;
  return { verb, approvalId: match[2] ?? '' };
}

const OUTCOME: Record<ApprovalCard['state'], string> = {
  pending: '⏳ Waiting for a decision',
  approved: '✅ Approved',
  denied: '❌ Denied',
  expired: '⌛ Expired (counts as denied)',
  cancelled: '🚫 Cancelled (the run was cancelled)',
};

function formatExpiry(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The card's text as HTML and as plain text (the fallback when Telegram refuses the HTML), from
 * the core's `ApprovalCard` alone; its arguments preview is capped by the core and shown whole.
 */
export function renderCardText(card: ApprovalCard): { html: string; plain: string } {
  const outcome =
    card.state === 'pending'
      ? OUTCOME.pending
      : `${OUTCOME[card.state]}${card.decidedBy ? ` by ${card.decidedBy}` : ''}`;
  const lines = (fmt: (s: string) => string, bold: (s: string) => string, pre: (s: string) => string) => [
    bold('Approval needed'),
    `${fmt(card.requester)} asked to run ${bold(fmt(card.tool))}`,
    pre(card.argsPreview),
    `Expires: ${formatExpiry(card.expiresAt)}`,
    `Run: ${fmt(card.runId)}`,
    '',
    fmt(outcome),
  ];
  return {
    html: lines(
      escapeHtml,
      (s) => `<b>${s}</b>`,
      (s) => `<pre>${escapeHtml(s)}</pre>`,
    ).join('\n'),
    plain: lines(
      (s) => s,
      (s) => s,
      (s) => s,
    ).join('\n'),
  };
}

/** The inline keyboard of a pending card; empty once decided (Telegram removes it on edit). */
export function cardKeyboard(card: ApprovalCard): InlineKeyboardMarkup {
  if (card.state !== 'pending') return { inline_keyboard: [] };
  const row = [
    { text: '✅ Approve', callback_data: encodeCallbackData('approve', card.approvalId) },
    { text: '❌ Deny', callback_data: encodeCallbackData('deny', card.approvalId) },
  ];
  const rows = [row];
  if (card.allowSessionScope) {
    rows.push([
      {
        text: '✅ Approve for this session',
        callback_data: encodeCallbackData('approve_session', card.approvalId),
      },
    ]);
  }
  return { inline_keyboard: rows };
}

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
  const text = options.text === undefined ? undefined : truncate(options.text, ANSWER_LIMIT);
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
