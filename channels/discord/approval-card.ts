import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { ApprovalCard, DecisionOutcome } from '../../src/index.js';
import { DISCORD_MESSAGE_LIMIT } from './config.js';
import { userIdOf } from './place.js';

/** What a button on the card does; `approve_session` = "approve for this session". */
export type ApprovalVerb = 'approve' | 'deny' | 'approve_session';

/** An approval as the gateway returns it after a decision. */
export type DecidedApproval = Extract<DecisionOutcome, { ok: true }>['approval'];

/** The raw Discord message body of a card (content + buttons). */
export interface CardBody {
  content: string;
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  allowed_mentions: { parse: never[] };
}

const PREFIX = 'sb';
const VERBS: readonly ApprovalVerb[] = ['approve', 'deny', 'approve_session'];
const MAX_PREVIEW = 1200;

/** The compact `custom_id` of a card button: `sb:<verb>:<approvalId>`, nothing else. */
export function customIdOf(verb: ApprovalVerb, approvalId: string): string {
  return `${PREFIX}:${verb}:${approvalId}`;
}

/** Parses a button `custom_id`; undefined when it is not one of Switchboard's. */
export function parseCustomId(customId: string): { verb: ApprovalVerb; approvalId: string } | undefined {
  const [prefix, verb, approvalId, ...rest] = customId.split(':');
  if (prefix !== PREFIX || rest.length > 0 || !approvalId) return undefined;
  const known = VERBS.find((candidate) => candidate === verb);
  return known === undefined ? undefined : { verb: known, approvalId };
}

/**
 * Renders a card: who asked, the tool, an arguments preview and the expiry as a Discord
 * timestamp; Approve / Deny (and "Approve for session" when allowed) while pending, and the
 * outcome with the decider, without buttons, once decided. Mentions never ping anyone.
 */
export function renderCard(card: ApprovalCard): CardBody {
  const head = [
    `🔐 **Approval needed** · \`${card.tool}\``,
    `Asked by ${who(card.requester)} · run \`${card.runId}\``,
  ].join('\n');
  const tail = statusLine(card);
  const room = DISCORD_MESSAGE_LIMIT - head.length - tail.length - 20;
  const preview = clip(card.argsPreview.replaceAll('```', '`\u200b`\u200b`'), Math.min(room, MAX_PREVIEW));
  const content = `${head}\n\`\`\`json\n${preview}\n\`\`\`\n${tail}`;
  return {
    content,
    components: card.state === 'pending' ? [buttonsOf(card)] : [],
    allowed_mentions: { parse: [] },
  };
}

/** The card of an approval the gateway just decided, for an immediate edit after a click. */
export function cardOfApproval(approval: DecidedApproval): ApprovalCard {
  let argsPreview: string;
  try {
    argsPreview = JSON.stringify(approval.args, null, 2) ?? 'null';
  } catch {
    argsPreview = String(approval.args);
  }
  return {
    approvalId: approval.id,
    runId: approval.runId,
    conversation: approval.conversation,
    requester: approval.requester,
    tool: approval.tool,
    argsPreview,
    expiresAt: approval.expiresAt,
    state: approval.state,
    decidedBy: approval.decidedBy,
    allowSessionScope: false,
  };
}

function statusLine(card: ApprovalCard): string {
  const by = card.decidedBy === null ? '' : ` by ${who(card.decidedBy)}`;
  switch (card.state) {
    case 'pending': {
      const seconds = Math.floor(card.expiresAt / 1000);
      return `Expires <t:${seconds}:R> (<t:${seconds}:f>)`;
    }
    case 'approved':
      return `✅ **Approved**${by}`;
    case 'denied':
      return `❌ **Denied**${by}`;
    case 'expired':
      return '⌛ **Expired**: nobody decided in time, so it did not run';
    case 'cancelled':
      return `🚫 **Cancelled**${by}: the run was cancelled, nothing ran`;
  }
}

function buttonsOf(card: ApprovalCard): APIActionRowComponent<APIButtonComponentWithCustomId> {
  const button = (
    verb: ApprovalVerb,
    label: string,
    style: ButtonStyle.Success | ButtonStyle.Primary | ButtonStyle.Danger,
  ): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button,
    style,
    label,
    custom_id: customIdOf(verb, card.approvalId),
  });
  const buttons = [button('approve', 'Approve', ButtonStyle.Success)];
  if (card.allowSessionScope)
    buttons.push(button('approve_session', 'Approve for session', ButtonStyle.Primary));
  buttons.push(button('deny', 'Deny', ButtonStyle.Danger));
  return { type: ComponentType.ActionRow, components: buttons };
}

function who(principal: string): string {
  const userId = userIdOf(principal);
  return userId === undefined ? `\`${principal.replaceAll('`', "'")}\`` : `<@${userId}>`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
