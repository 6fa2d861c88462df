import {
  type App,
  ReceiverMultipleAckError,
  SocketModeReceiver,
  type SocketModeReceiverOptions,
} from '@slack/bolt';
import type { ChannelLogger } from '../../src/index.js';
import type { BackgroundWork } from './background.js';

/** What the Socket Mode client emits for every envelope. */
interface SocketEnvelope {
  type: string;
  body: Record<string, unknown>;
  ack: (response?: unknown) => Promise<void>;
  retry_num?: number;
  retry_reason?: string;
}

/** Options of {@link CommitFirstSocketModeReceiver}. */
export interface SocketReceiverOptions extends SocketModeReceiverOptions {
  background: BackgroundWork;
  channelLogger: ChannelLogger;
}

/**
 * Bolt's Socket Mode receiver, with one change of order: an `events_api` envelope is acked only
 * after the listeners finished (the gateway committed the inbox row), where Bolt would ack it on
 * arrival. A failed commit leaves the envelope unacked and Slack delivers it again. Interactions
 * and slash commands keep Bolt's behaviour: the listener's `ack()` answers at once.
 */
export class CommitFirstSocketModeReceiver extends SocketModeReceiver {
  private bolt: App | undefined;

  constructor(private readonly options: SocketReceiverOptions) {
    super(options);
    this.client.removeAllListeners('slack_event');
    this.client.on('slack_event', (envelope: SocketEnvelope) => {
      options.background.add(this.onEnvelope(envelope));
    });
  }

  /** Called by Bolt when the App is built; keeps the App to hand envelopes to. */
  override init(app: App): void {
    super.init(app);
    this.bolt = app;
  }

  private async onEnvelope(envelope: SocketEnvelope): Promise<void> {
    const app = this.bolt;
    if (!app) return;
    const isEvent = envelope.type === 'events_api';
    let acked = false;
    const ack = async (response?: unknown) => {
      if (acked) throw new ReceiverMultipleAckError();
      acked = true;
      if (!isEvent) await envelope.ack(response);
    };
    try {
      await app.processEvent({
        body: envelope.body,
        ack,
        ...(envelope.retry_num !== undefined ? { retryNum: envelope.retry_num } : {}),
        ...(envelope.retry_reason ? { retryReason: envelope.retry_reason } : {}),
      });
      if (isEvent) await envelope.ack();
    } catch (error) {
      this.options.channelLogger.error(
        {
          channel: 'slack',
          type: envelope.type,
          err: error instanceof Error ? error.message : String(error),
        },
        isEvent
          ? 'handling a Slack event failed; leaving it unacked so Slack delivers it again'
          : 'handling a Slack request failed',
      );
    }
  }
}
