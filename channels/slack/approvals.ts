import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import {
  APPROVAL_VERBS,
  type ApprovalCard,
  type ApprovalVerb,
  ChannelError,
  type DeliveryReceipt,
  decisionRequestOf,
  type GatewayPort,
} from '../../src/index.js';
import { APPROVAL_ACTIONS, renderApprovalCard } from './approval-card.js';
import { toChannelError } from './errors.js';
import { principalOf } from './identity.js';
import type { ThreadMembership } from './threads.js';

const ACTION_PATTERN = new RegExp(`^(${Object.values(APPROVAL_ACTIONS).join('|')})$`);

/**
 * Approval cards in Slack: posts the card in the run's thread, edits it in place once decided,
 * and turns a button click into `gateway.decideApproval` for the person who clicked. A refused
 * click is explained to that person only (ephemeral); the card stays as it is.
 */
export class SlackApprovals {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly threads: ThreadMembership,
    private readonly gateway: GatewayPort,
  ) {}

  /** Posts the card with its buttons; the receipt holds the card's `ts`. */
  async present(card: ApprovalCard): Promise<DeliveryReceipt> {
    const { conversation } = card;
    const rendered = renderApprovalCard(card);
    try {
      const result = await this.client.chat.postMessage({
        channel: conversation.channel,
        text: rendered.text,
        blocks: rendered.blocks,
        ...(conversation.thread ? { thread_ts: conversation.thread } : {}),
      });
      if (conversation.thread) this.threads.remember(conversation.channel, conversation.thread);
      return { messageIds: result.ts ? [result.ts] : [] };
    } catch (error) {
      throw toChannelError(error, `posting an approval card to ${conversation.channel}`);
    }
  }

  /** Edits the posted card with `chat.update`: buttons gone, outcome and decider shown. */
  async update(card: ApprovalCard): Promise<void> {
    const ts = card.receipt?.messageIds[0];
    if (!ts) throw new ChannelError('permanent', `approval ${card.approvalId}: no posted card to update`);
    const rendered = renderApprovalCard(card);
    try {
      await this.client.chat.update({
        channel: card.conversation.channel,
        ts,
        text: rendered.text,
        blocks: rendered.blocks,
      });
    } catch (error) {
      throw toChannelError(error, `updating approval card ${ts}`);
    }
  }

  /** Registers the button listener: ack at once (Slack allows 3 s), then decide. */
  register(app: App): void {
    app.action<BlockAction<ButtonAction>>(
      { type: 'block_actions', action_id: ACTION_PATTERN },
      async ({ ack, body, action, respond }) => {
        await ack();
        const verb = verbOf(action.action_id);
        if (!verb || !action.value) return;
        const team = body.user.team_id ?? body.team?.id ?? 'unknown';
        const request = decisionRequestOf(verb, action.value, principalOf(team, body.user.id));
        const outcome = await this.gateway.decideApproval(request);
        if (outcome.ok) return;
        await this.tellClicker(body, outcome.message, respond);
      },
    );
  }

  private async tellClicker(body: BlockAction, text: string, respond: RespondFn): Promise<void> {
    const channel = body.channel?.id ?? body.container.channel_id;
    const thread = body.message?.thread_ts;
    if (typeof channel === 'string') {
      try {
        await this.client.chat.postEphemeral({
          channel,
          user: body.user.id,
          text,
          ...(typeof thread === 'string' ? { thread_ts: thread } : {}),
        });
        return;
      } catch {
        // Some surfaces refuse ephemeral posts; the response URL still reaches the clicker alone.
      }
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  }
}

function verbOf(actionId: string): ApprovalVerb | undefined {
  return APPROVAL_VERBS.find((verb) => APPROVAL_ACTIONS[verb] === actionId);
}
