/**
 * What an approval card looks like on Slack: Block Kit sections for who asked, the tool and the
 * core's arguments preview, the outcome line, and the buttons with their `action_id`s. Pure
 * rendering, no Web API calls.
 */
import type { types } from '@slack/bolt';
import type { ApprovalCard, ApprovalVerb } from '../../src/index.js';
import { SLACK_SECTION_LIMIT } from './config.js';
import { escapeMrkdwn, principalLabel, type RenderedMessage, section } from './render.js';

/**
 * Room for the arguments preview inside its section after the fence and the label: the core caps
 * the preview, but mrkdwn escaping can make it several times longer, and a section must stay
 * within Slack's limit or the whole card is refused.
 */
const ARGS_SECTION_ROOM = SLACK_SECTION_LIMIT - 100;

/** The `action_id` of each approval button; the button's `value` is the approval id. */
export const APPROVAL_ACTIONS: Readonly<Record<ApprovalVerb, string>> = {
  approve: 'sb_approve',
  deny: 'sb_deny',
  approve_session: 'sb_approve_session',
  approve_always: 'sb_approve_always',
};

/**
 * Renders an approval card: who asked, the tool, an args preview and the expiry, with Approve /
 * Deny (and Approve for this session, when allowed) buttons while it is pending; once decided,
 * the buttons are gone and the outcome and decider are shown instead.
 */
export function renderApprovalCard(card: ApprovalCard): RenderedMessage {
  if (card.access) return renderAccessCard(card, card.access);
  const requester = principalLabel(card.requester);
  const tool = escapeMrkdwn(card.tool);
  const pending = card.state === 'pending';
  const headline = pending ? ':lock: *Approval needed*' : ':lock: *Approval request*';
  // A fence inside the arguments would end the code block early: no two backticks stay adjacent.
  const preview = truncate(escapeMrkdwn(card.argsPreview).replace(/`(?=`)/g, '`\u200b'), ARGS_SECTION_ROOM);
  const blocks: types.KnownBlock[] = [
    section(`${headline}\n${requester} asked to run \`${tool}\``),
    section(`*Arguments*\n\`\`\`\n${preview}\n\`\`\``),
    { type: 'context', elements: [{ type: 'mrkdwn', text: outcomeLine(card) }] },
  ];
  if (pending && card.alwaysCovers)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `_Always allow_ lets ${requester} run \`${tool}\` with ${escapeMrkdwn(card.alwaysCovers)} without asking, until revoked`,
        },
      ],
    });
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
  if (card.alwaysCovers) elements.push(button('approve_always', 'Always allow'));
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
      return card.grantId
        ? `:white_check_mark: *Always allowed* by ${decider} (grant \`${card.grantId}\`)`
        : `:white_check_mark: *Approved* by ${decider}`;
    case 'denied':
      return `:x: *Denied* by ${decider}`;
    case 'expired':
      return ':hourglass: *Expired* — nobody decided in time, nothing ran';
    case 'cancelled':
      return ':no_entry_sign: *Cancelled* — the run was cancelled, nothing ran';
  }
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * An access request's card: who asks to be let in, into which group, and what they wrote; the
 * same buttons and outcome line as a tool approval's.
 */
function renderAccessCard(card: ApprovalCard, access: { group: string; text: string }): RenderedMessage {
  const requester = principalLabel(card.requester);
  const pending = card.state === 'pending';
  const quote = truncate(escapeMrkdwn(access.text), ARGS_SECTION_ROOM)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
  const blocks: types.KnownBlock[] = [
    section(
      `:door: *Access request*\n${requester} asks to talk to the agent; Approve adds them to \`${escapeMrkdwn(access.group)}\``,
    ),
    section(quote),
    { type: 'context', elements: [{ type: 'mrkdwn', text: outcomeLine(card) }] },
  ];
  if (pending) blocks.push(approvalButtons(card));
  const fallback = pending
    ? `Access request: ${card.requester} asks to talk to the agent`
    : `Access request ${card.state}: ${card.requester}${card.decidedBy ? ` by ${card.decidedBy}` : ''}`;
  return { text: fallback, blocks };
}
