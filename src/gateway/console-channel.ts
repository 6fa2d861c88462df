import type { ApprovalCard, DeliveryReceipt, OutboundMessage } from '../core/types.js';
import type { Channel } from '../ports/channel.js';

/**
 * The console channel: messages submitted over the HTTP API, by `switchboard chat` and the web
 * console. There is no platform to post to — a reply is read from the run's tape and its live
 * event stream — so delivering only acknowledges, and the outbox row's id is the message id.
 */
export class ConsoleChannel implements Channel {
  readonly name = 'console';

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    return { messageIds: [message.idempotencyKey ?? `console-${Date.now()}`] };
  }

  async presentApproval(card: ApprovalCard): Promise<DeliveryReceipt> {
    return { messageIds: [card.approvalId] };
  }

  async updateApproval(): Promise<void> {}
}
