import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import { type ApprovalCard, type ApprovalVerb, isApprovalVerb } from '../../src/index.js';
import { userIdOf } from './identity.js';

/** The raw Discord message body of a card (content + buttons). */
export interface CardBody {
  content: string;
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  allowed_mentions: { parse: never[] };
}

const PREFIX = 'sb';

/** The compact `custom_id` of a card button: `sb:<verb>:<approvalId>`, nothing else. */
export function customIdOf(verb: ApprovalVerb, approvalId: string): string {
  return `${PREFIX}:${verb}:${approvalId}`;
}

/** Parses a button `custom_id`; undefined when it is not one of Switchboard's. */
export function parseCustomId(customId: string): { verb: ApprovalVerb; approvalId: string } | undefined {
  const [prefix, verb, approvalId, ...rest] = customId.split(':');
  if (prefix !== PREFIX || rest.length > 0 || !approvalId) return undefined;
  return isApprovalVerb(verb) ? { verb, approvalId } : undefined;
}

/**
 * Renders a card from the core's `ApprovalCard` alone: who asked, the tool, the core's arguments
 * preview (capped by the core, so shown whole) and the expiry as a Discord timestamp; Approve /
 * Deny (and "Approve for session" when allowed) while pending, and the outcome with the decider,
 * without buttons, once decided. Mentions never ping anyone.
 */
export function renderCard(card: ApprovalCard): CardBody {
  if (card.access) return renderAccessCard(card, card.access);
  const head = [
    `🔐 **Approval needed** · \`${card.tool}\``,
    `Asked by ${who(card.requester)} · run \`${card.runId}\``,
  ].join('\n');
  // A fence inside the arguments would end the code block early: no two backticks stay adjacent.
  const preview = card.argsPreview.replace(/`(?=`)/g, '`\u200b');
  const always =
    card.state === 'pending' && card.alwaysCovers
      ? `\n-# Always allow lets ${who(card.requester)} run \`${card.tool}\` with ${card.alwaysCovers} without asking, until revoked`
      : '';
  const content = `${head}\n\`\`\`json\n${preview}\n\`\`\`\n${statusLine(card)}${always}`;
  return {
    content,
    components: card.state === 'pending' ? [buttonsOf(card)] : [],
    allowed_mentions: { parse: [] },
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
      return card.grantId ? `✅ **Always allowed**${by} (grant \`${card.grantId}\`)` : `✅ **Approved**${by}`;
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
    style: ButtonStyle.Success | ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger,
  ): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button,
    style,
    label,
    custom_id: customIdOf(verb, card.approvalId),
  });
  const buttons = [button('approve', 'Approve', ButtonStyle.Success)];
  if (card.allowSessionScope)
    buttons.push(button('approve_session', 'Approve for session', ButtonStyle.Primary));
  if (card.alwaysCovers) buttons.push(button('approve_always', 'Always allow', ButtonStyle.Secondary));
  buttons.push(button('deny', 'Deny', ButtonStyle.Danger));
  return { type: ComponentType.ActionRow, components: buttons };
}

function who(principal: string): string {
  const userId = userIdOf(principal);
  return userId === undefined ? `\`${principal.replaceAll('`', "'")}\`` : `<@${userId}>`;
}

/**
 * An access request's card: who asks to be let in, into which group, and what they wrote (quoted,
 * mentions inert); the same buttons and outcome line as a tool approval's.
 */
function renderAccessCard(card: ApprovalCard, access: { group: string; text: string }): CardBody {
  const quote = access.text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  const content = [
    `🚪 **Access request** · ${who(card.requester)} asks to talk to the agent`,
    `Approve adds them to \`${access.group.replaceAll('`', "'")}\` and answers their message:`,
    quote,
    statusLine(card),
  ].join('\n');
  return {
    content,
    components: card.state === 'pending' ? [buttonsOf(card)] : [],
    allowed_mentions: { parse: [] },
  };
}
