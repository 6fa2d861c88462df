import { accessCard } from '../core/access-card.js';
import { approvalCard } from '../core/approval-card.js';
import { sameConversation } from '../core/conversation.js';
import {
  type ApprovalCard,
  type FilePayload,
  type OutboundFile,
  type OutboxItem,
  TERMINAL_RUN_STATES,
} from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { type Channel, ChannelError } from '../ports/channel.js';
import { Pump } from './pump.js';

/** Dispatcher settings. */
export interface OutboxDispatcherOptions {
  journal: JournalStore;
  channels: ReadonlyMap<string, Channel>;
  owner: string;
  clock: () => number;
  logger: Logger;
  /** Lease of a claimed delivery (another replica may retry it after); 60 s by default. */
  leaseMs?: number;
  /** Attempts before a transiently failing item is given up. */
  maxAttempts?: number;
  pollMs?: number;
  /** Called when an approval card could not be shown at all: the approval must be denied. */
  onCardFailed: (approvalId: string, error: string) => Promise<void>;
  /** Called after an item was delivered (metrics, tests). */
  onDelivered?: (item: OutboxItem) => void;
  /** Replies being streamed: settled before a run's final text replaces its draft. */
  streams?: { settle(runId: string): Promise<void> };
  /** Reads a file `send_file` chose from the workspace, confined to it (`readSentFile`). */
  readFile?: (file: FilePayload) => Promise<Buffer>;
}

/** How long a claimed delivery is this process's before another may retry it, by default. */
const LEASE_MS = 60_000;

/**
 * Delivers outbox rows to channels: at-least-once, retried with back-off (429 honours the
 * platform's wait), one conversation at a time in order. The only retry layer for deliveries.
 * Each part of a split reply the platform accepted is recorded on the row at once, so a retry
 * after a crash posts only the missing parts. The reply or notice that ends a run replaces the
 * draft its stream showed (`JournalStore.getDraft`), so the chat ends with one final answer.
 */
export class OutboxDispatcher {
  private readonly pump: Pump;

  constructor(private readonly options: OutboxDispatcherOptions) {
    this.pump = new Pump({
      pass: () => this.pass(),
      intervalMs: options.pollMs ?? 500,
      onError: (error) => options.logger.error({ err: error }, 'outbox pass failed'),
    });
  }

  /** Starts the backstop timer and a first pass. */
  start(): void {
    this.pump.start();
  }

  /** Stops after the pass in flight. */
  async stop(): Promise<void> {
    await this.pump.stop();
  }

  /** Asks for a delivery pass now. */
  kick(): void {
    this.pump.kick();
  }

  private async pass(): Promise<void> {
    const { journal, owner, clock } = this.options;
    for (;;) {
      const items = await journal.claimOutbox({
        owner,
        leaseMs: this.options.leaseMs ?? LEASE_MS,
        now: clock(),
        limit: 32,
      });
      if (items.length === 0) return;
      // Conversations progress in parallel; items of one conversation in order.
      const byConversation = new Map<string, OutboxItem[]>();
      for (const item of items) {
        const key = `${item.channel}|${JSON.stringify(item.conversation)}`;
        const list = byConversation.get(key) ?? [];
        list.push(item);
        byConversation.set(key, list);
      }
      await Promise.all(
        [...byConversation.values()].map(async (list) => {
          for (const item of list) {
            const ok = await this.deliver(item);
            if (!ok) break;
          }
        }),
      );
      if (items.length < 32) return;
    }
  }

  /** The bytes of a file to send; a file that is gone, moved out or changed is never sent. */
  private async readFile(file: FilePayload): Promise<OutboundFile> {
    const read = this.options.readFile;
    if (!read) throw new ChannelError('permanent', 'this daemon cannot send files');
    try {
      const data = await read(file);
      return { name: file.name, data, ...(file.mimeType ? { mimeType: file.mimeType } : {}) };
    } catch (error) {
      throw new ChannelError('permanent', `the file cannot be sent: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
  }

  /**
   * The draft messages a run's final text replaces: only once the run has ended (its reply, or
   * the notice that it failed or was cancelled), never for a notice sent while it still works.
   */
  private async draftsOf(runId: string | null): Promise<string[] | undefined> {
    if (runId === null) return undefined;
    const { journal } = this.options;
    // A notice while the run works (refused attachments) leaves its stream streaming.
    const run = await journal.getRun(runId);
    if (!run || !TERMINAL_RUN_STATES.includes(run.state)) return undefined;
    await this.options.streams?.settle(runId);
    const draft = await journal.getDraft(runId);
    return draft && draft.messageIds.length > 0 ? draft.messageIds : undefined;
  }

  /**
   * The card an approval item shows in its conversation, from its approval's (or access
   * request's) current row: the approval's own card, or the copy routed to another conversation
   * (approver routing), whose receipt is that copy's delivered card.
   */
  private async cardOf(
    item: OutboxItem & { kind: 'approval_card' | 'approval_update' },
    channel: Channel,
  ): Promise<ApprovalCard> {
    const { journal } = this.options;
    const { approvalId, allowSessionScope } = item.payload;
    if (item.payload.subject === 'access') {
      const request = await journal.getAccessRequest(approvalId);
      if (!request) throw new ChannelError('permanent', `access request ${approvalId} is missing`);
      return accessCard(request, item.conversation);
    }
    const approval = await journal.getApproval(approvalId);
    if (!approval) throw new ChannelError('permanent', `approval ${approvalId} is missing`);
    const card = approvalCard(approval, allowSessionScope, channel.approvalPreviewChars);
    if (sameConversation(item.conversation, approval.conversation)) return card;
    const { receipt: _own, ...rest } = card;
    const copy: ApprovalCard = { ...rest, conversation: item.conversation };
    if (item.kind === 'approval_card') return copy;
    const delivered = await journal.listOutbox({ runId: approval.runId, state: 'delivered', limit: 200 });
    const sent = delivered.find(
      (other) =>
        other.kind === 'approval_card' &&
        other.payload.approvalId === approval.id &&
        sameConversation(other.conversation, item.conversation),
    );
    return sent?.receipt ? { ...copy, receipt: sent.receipt } : copy;
  }

  /** Whether an approval item is about a copy of the card in another conversation than the approval's. */
  private async isRoutedCopy(item: OutboxItem & { kind: 'approval_card' }): Promise<boolean> {
    const approval = await this.options.journal.getApproval(item.payload.approvalId);
    return approval !== null && !sameConversation(item.conversation, approval.conversation);
  }

  /** Delivers one item; false when it failed (later items of the conversation wait). */
  private async deliver(item: OutboxItem): Promise<boolean> {
    const { journal, channels, clock, logger } = this.options;
    const channel = channels.get(item.channel);
    try {
      if (!channel) throw new ChannelError('transient', `channel ${item.channel} is not connected`);
      let receipt = { messageIds: [] as string[] };
      let replacedDraft = false;
      if (item.kind === 'reply' || item.kind === 'notice') {
        const drafts = await this.draftsOf(item.runId);
        replacedDraft = drafts !== undefined;
        receipt = await channel.send({
          ...(drafts ? { drafts } : {}),
          conversation: item.conversation,
          text: item.payload.text,
          idempotencyKey: item.id,
          attempt: item.attempts,
          ...(item.receipt ? { delivered: item.receipt.messageIds } : {}),
          recordProgress: (messageIds) => journal.recordOutboxProgress(item.id, { messageIds }, clock()),
        });
      } else if (item.kind === 'file') {
        receipt = await channel.send({
          conversation: item.conversation,
          text: item.payload.caption ?? '',
          file: await this.readFile(item.payload),
          idempotencyKey: item.id,
          attempt: item.attempts,
        });
      } else {
        const card = await this.cardOf(item, channel);
        if (item.kind === 'approval_card') receipt = await channel.presentApproval(card);
        else if (card.receipt) await channel.updateApproval(card);
      }
      await journal.completeOutbox(item.id, receipt, clock());
      if (replacedDraft && item.runId !== null) await journal.recordDraft(item.runId, null, clock());
      this.options.onDelivered?.(item);
      return true;
    } catch (error) {
      const attempts = item.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      const kind = error instanceof ChannelError ? error.kind : 'transient';
      const giveUp = kind === 'permanent' || attempts >= (this.options.maxAttempts ?? 8);
      const wait =
        error instanceof ChannelError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : Math.min(300_000, 1000 * 2 ** Math.min(attempts - 1, 8));
      logger.warn({ outboxId: item.id, kind: item.kind, attempts, giveUp, err: message }, 'delivery failed');
      await journal.failOutbox(item.id, message, giveUp ? null : clock() + wait, clock());
      // An access card that cannot be shown leaves the request to the console and its expiry; a
      // copy routed to the admin conversation failing leaves the card where it was asked.
      if (
        giveUp &&
        item.kind === 'approval_card' &&
        item.payload.subject !== 'access' &&
        !(await this.isRoutedCopy(item))
      ) {
        await this.options.onCardFailed(item.payload.approvalId, message);
      }
      return false;
    }
  }
}
