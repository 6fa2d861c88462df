/**
 * What an approval card looks like on Telegram: its text (HTML, with a plain-text fallback), its
 * inline keyboard, and the `callback_data` its buttons carry. Pure rendering, no Bot API calls.
 */
import type { InlineKeyboardMarkup } from 'grammy/types';
import { type ApprovalCard, type ApprovalVerb, ChannelError } from '../../src/index.js';
import { CALLBACK_DATA_LIMIT } from './config.js';
import { escapeHtml } from './render.js';

const VERB_LETTER: Record<ApprovalVerb, string> = {
  approve: 'a',
  deny: 'd',
  approve_session: 's',
  approve_always: 'w',
};
const LETTER_VERB: Record<string, ApprovalVerb> = {
  a: 'approve',
  d: 'deny',
  s: 'approve_session',
  w: 'approve_always',
};

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
  const match = /^sb:([adsw]):([\w-]{1,58})$/.exec(data);
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
  const state = card.state === 'approved' && card.grantId ? '✅ Always allowed' : OUTCOME[card.state];
  const outcome =
    card.state === 'pending'
      ? OUTCOME.pending
      : `${state}${card.decidedBy ? ` by ${card.decidedBy}` : ''}${card.grantId ? ` (grant ${card.grantId})` : ''}`;
  const always =
    card.state === 'pending' && card.alwaysCovers
      ? [
          `Always allow: ${card.requester} runs ${card.tool} with ${card.alwaysCovers} without asking, until revoked`,
        ]
      : [];
  const access = card.access;
  const lines = (fmt: (s: string) => string, bold: (s: string) => string, pre: (s: string) => string) =>
    access
      ? [
          bold('Access request'),
          `${fmt(card.requester)} asks to talk to the agent; Approve adds them to ${bold(fmt(access.group))}`,
          pre(access.text),
          `Expires: ${formatExpiry(card.expiresAt)}`,
          '',
          fmt(outcome),
        ]
      : [
          bold('Approval needed'),
          `${fmt(card.requester)} asked to run ${bold(fmt(card.tool))}`,
          pre(card.argsPreview),
          `Expires: ${formatExpiry(card.expiresAt)}`,
          `Run: ${fmt(card.runId)}`,
          ...always.map(fmt),
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
  if (card.alwaysCovers) {
    rows.push([
      { text: '♾️ Always allow', callback_data: encodeCallbackData('approve_always', card.approvalId) },
    ]);
  }
  return { inline_keyboard: rows };
}
