import { type ButtonInteraction, MessageFlags } from 'discord.js';
import { type ApprovalCard, ChannelError, type DeliveryReceipt, decisionRequestOf } from '../../src/index.js';
import { parseCustomId, renderCard } from './approval-card.js';
import type { DiscordContext } from './context.js';
import { principalOf, targetChannelOf } from './identity.js';
import { type DiscordOutbound, nonceOf } from './outbound.js';

const CLICK_FAILED = 'Something went wrong while deciding this approval. Please try again.';

/**
 * Approval cards on Discord: posts them with compact buttons, edits them in place, and turns a
 * button click into `gateway.decideApproval` for the person who clicked. A click is acknowledged
 * within Discord's 3 seconds with a deferred update (no visible change), then the clicker alone is
 * told the outcome in an ephemeral follow-up; the card is edited only by `update`, which the
 * outbox calls once per decision.
 */
export class DiscordApprovals {
  constructor(
    private readonly ctx: DiscordContext,
    private readonly outbound: DiscordOutbound,
  ) {}

  /** Posts the card; a retried delivery of the same approval does not post a second card. */
  async present(card: ApprovalCard): Promise<DeliveryReceipt> {
    const body = { ...renderCard(card), nonce: nonceOf(`card:${card.approvalId}`), enforce_nonce: true };
    const id = await this.outbound.createMessage(
      targetChannelOf(card.conversation),
      body,
      'post an approval card',
    );
    return { messageIds: [id] };
  }

  /** Edits the posted card to its current state (buttons gone once decided). */
  async update(card: ApprovalCard): Promise<void> {
    const messageId = card.receipt?.messageIds[0];
    if (messageId === undefined) {
      throw new ChannelError('permanent', `approval ${card.approvalId} has no posted card to edit`);
    }
    const body = { ...renderCard(card) };
    await this.outbound.editMessage(
      targetChannelOf(card.conversation),
      messageId,
      body,
      'edit an approval card',
    );
  }

  /** Handles a click on a card button; ignores buttons that are not Switchboard's. */
  async onButton(interaction: ButtonInteraction): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    if (parsed === undefined) return;
    const log = this.ctx.gateway.logger;
    try {
      await interaction.deferUpdate();
    } catch (error) {
      log.warn(
        { err: error, approvalId: parsed.approvalId },
        'discord click could not be acknowledged in time',
      );
      return;
    }
    const request = decisionRequestOf(parsed.verb, parsed.approvalId, principalOf(interaction.user.id));
    let outcome: Awaited<ReturnType<typeof this.ctx.gateway.decideApproval>>;
    try {
      outcome = await this.ctx.gateway.decideApproval(request);
    } catch (error) {
      log.error({ err: error, approvalId: parsed.approvalId }, 'discord approval click failed');
      await this.tell(interaction, CLICK_FAILED);
      return;
    }
    // Only the clicker is answered; the card is edited once, by the outbox through updateApproval.
    await this.tell(interaction, outcome.message);
  }

  /** Shows `text` only to the person who clicked. */
  private async tell(interaction: ButtonInteraction, text: string): Promise<void> {
    try {
      await interaction.followUp({
        content: text,
        flags: MessageFlags.Ephemeral,
        allowedMentions: { parse: [] },
      });
    } catch (error) {
      this.ctx.gateway.logger.warn({ err: error }, 'discord ephemeral follow-up failed');
    }
  }
}
