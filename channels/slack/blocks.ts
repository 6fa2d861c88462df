import type { types } from '@slack/bolt';
import { type ApprovalCard, type Principal, splitMessage } from '../../src/index.js';
import type { ApprovalVerb } from '../shared/approval-verbs.js';

/** Slack's limit of one section block's text. */
export const SECTION_LIMIT = 3_000;
/** Slack's limit of one message's text. */
export const MESSAGE_LIMIT = 40_000;
/** Slack's limit of blocks in one message. */
const MAX_BLOCKS = 50;
/** Room left for the args preview inside its section, after the fence and the label. */
const ARGS_PREVIEW_LIMIT = SECTION_LIMIT - 100;

/** The `action_id` of each approval button; the button's `value` is the approval id. */
export const APPROVAL_ACTIONS: Readonly<Record<ApprovalVerb, string>> = {
  approve: 'sb_approve',
  deny: 'sb_deny',
  approve_session: 'sb_approve_session',
};

/** A message ready for `chat.postMessage`: fallback text plus Block Kit blocks. */
export interface RenderedMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/**
 * Renders reply text as one or more Slack messages: escaped for mrkdwn (so model output cannot
 * ping `@channel` or forge links), split on line or code-fence boundaries into section blocks of
 * at most 3,000 characters, grouped into messages of at most 40,000 characters and 50 blocks.
 * Nothing is dropped.
 */
export function renderText(text: string): RenderedMessage[] {
  const body = text.trim().length > 0 ? escapeMrkdwn(text) : '_(empty reply)_';
  const sections = splitMessage(body, SECTION_LIMIT);
  const messages: RenderedMessage[] = [];
  let group: string[] = [];
  let size = 0;
  const flush = () => {
    if (group.length === 0) return;
    messages.push({ text: group.join('\n'), blocks: group.map(section) });
    group = [];
    size = 0;
  };
  for (const chunk of sections) {
    const added = chunk.length + (group.length > 0 ? 1 : 0);
    if (group.length >= MAX_BLOCKS || size + added > MESSAGE_LIMIT) flush();
    size += chunk.length + (group.length > 0 ? 1 : 0);
    group.push(chunk);
  }
  flush();
  return messages;
}

/**
 * Renders an approval card: who asked, the tool, an args preview and the expiry, with Approve /
 * Deny (and Approve for this session, when allowed) buttons while it is pending; once decided,
 * the buttons are gone and the outcome and decider are shown instead.
 */
export function renderApprovalCard(card: ApprovalCard): RenderedMessage {
  const requester = principalLabel(card.requester);
  const tool = escapeMrkdwn(card.tool);
  const pending = card.state === 'pending';
  const headline = pending ? ':lock: *Approval needed*' : ':lock: *Approval request*';
  // A fence inside the arguments would end the code block early: no two backticks stay adjacent.
  const preview = truncate(escapeMrkdwn(card.argsPreview).replace(/`(?=`)/g, '`\u200b'), ARGS_PREVIEW_LIMIT);
  const blocks: types.KnownBlock[] = [
    section(`${headline}\n${requester} asked to run \`${tool}\``),
    section(`*Arguments*\n\`\`\`\n${preview}\n\`\`\``),
    { type: 'context', elements: [{ type: 'mrkdwn', text: outcomeLine(card) }] },
  ];
  if (pending) blocks.push(approvalButtons(card));
  const fallback = pending
    ? `Approval needed: ${card.tool} (asked by ${card.requester})`
    : `Approval ${card.state}: ${card.tool}${card.decidedBy ? ` by ${card.decidedBy}` : ''}`;
  return { text: fallback, blocks };
}

function approvalButtons(card: ApprovalCard): types.ActionsBlock {
  const button = (verb: ApprovalVerb, label: string, style?: 'primary' | 'danger'): types.Button => ({
    type: 'button',
    action_id: APPROVAL_ACTIONS[verb],
    value: card.approvalId,
    text: { type: 'plain_text', text: label },
    ...(style ? { style } : {}),
  });
  const elements: types.Button[] = [button('approve', 'Approve', 'primary')];
  if (card.allowSessionScope) elements.push(button('approve_session', 'Approve for this session'));
  elements.push(button('deny', 'Deny', 'danger'));
  return { type: 'actions', block_id: 'sb_approval', elements };
}

function outcomeLine(card: ApprovalCard): string {
  const decider = card.decidedBy ? principalLabel(card.decidedBy) : 'someone';
  switch (card.state) {
    case 'pending': {
      const seconds = Math.floor(card.expiresAt / 1000);
      const fallback = new Date(card.expiresAt).toISOString();
      return `Expires <!date^${seconds}^{date_short_pretty} at {time}|${fallback}>`;
    }
    case 'approved':
      return `:white_check_mark: *Approved* by ${decider}`;
    case 'denied':
      return `:x: *Denied* by ${decider}`;
    case 'expired':
      return ':hourglass: *Expired* — nobody decided in time, nothing ran';
    case 'cancelled':
      return ':no_entry_sign: *Cancelled* — the run was cancelled, nothing ran';
  }
}

/** A Slack user mention for `slack:<team>:<user>` principals, the escaped principal otherwise. */
export function principalLabel(principal: Principal): string {
  const match = /^slack:[^:]+:([A-Z0-9]+)$/.exec(principal);
  return match ? `<@${match[1]}>` : escapeMrkdwn(principal);
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
