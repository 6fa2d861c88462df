import type { ApprovalCard, DeliveryReceipt, OutboundMessage } from '../../src/core/types.js';
import type { Channel, ChannelError } from '../../src/ports/channel.js';

/** A channel that records deliveries and can be told to fail, for core tests. */
export class RecordingChannel implements Channel {
  readonly sent: OutboundMessage[] = [];
  readonly cards: ApprovalCard[] = [];
  readonly updates: ApprovalCard[] = [];
  readonly activity: string[] = [];
  attempts = 0;
  private failures: ChannelError[] = [];
  private cardFailure: ChannelError | undefined;

  constructor(readonly name: string) {}

  /** The next `send` throws this error. */
  failNext(error: ChannelError): void {
    this.failures.push(error);
  }

  /** Every `presentApproval` throws this error. */
  failCards(error: ChannelError): void {
    this.cardFailure = error;
  }

  /** Texts delivered so far. */
  texts(): string[] {
    return this.sent.map((m) => m.text);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    this.attempts++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(message);
    return { messageIds: [`m${this.sent.length}`] };
  }

  async presentApproval(card: ApprovalCard): Promise<DeliveryReceipt> {
    if (this.cardFailure) throw this.cardFailure;
    this.cards.push(card);
    return { messageIds: [`card${this.cards.length}`] };
  }

  async showActivity(_conversation: unknown, status: string): Promise<void> {
    this.activity.push(status);
  }

  async updateApproval(card: ApprovalCard): Promise<void> {
    this.updates.push(card);
  }
}
