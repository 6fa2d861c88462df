import type { ApprovalCard, DeliveryReceipt, OutboundMessage } from '../core/types.js';
import type { Channel } from './port.js';

/**
 * The console channel: messages submitted over the HTTP API and by `switchboard chat`. There is no
 * platform to post to — a reply is read from the run's tape and its live event stream — so
 * delivering only acknowledges, and the outbox row's id is the message id.
 */
export class ConsoleChannel implements Channel {
  readonly name = 'console';
  /** Replies and cards "delivered" so far (the web console and tests read them). */
  readonly delivered: { kind: 'message' | 'card' | 'card_update'; text: string; at: number }[] = [];
  private static readonly KEEP = 200;

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    this.remember('message', message.text);
    return { messageIds: [message.idempotencyKey ?? `console-${Date.now()}`] };
  }

  async presentApproval(card: ApprovalCard): Promise<DeliveryReceipt> {
    this.remember('card', `${card.tool} requested by ${card.requester}`);
    return { messageIds: [card.approvalId] };
  }

  async updateApproval(card: ApprovalCard): Promise<void> {
    this.remember(
      'card_update',
      `${card.tool}: ${card.state}${card.decidedBy ? ` by ${card.decidedBy}` : ''}`,
    );
  }

  private remember(kind: 'message' | 'card' | 'card_update', text: string): void {
    this.delivered.push({ kind, text, at: Date.now() });
    if (this.delivered.length > ConsoleChannel.KEEP) this.delivered.shift();
  }
}
