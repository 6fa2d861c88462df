import { randomUUID } from 'node:crypto';
import type { ConversationRef } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { type Channel, ChannelError } from '../ports/channel.js';

/** Dependencies of the reply streams. */
export interface ReplyStreamsOptions {
  journal: Pick<JournalStore, 'getRun' | 'recordDraft'>;
  channels: ReadonlyMap<string, Channel>;
  clock: () => number;
  logger: Logger;
}

/** Between two draft edits when the channel does not say (one a second stays inside every platform's limits). */
const DEFAULT_INTERVAL_MS = 1_000;
/** What a cancelled run's draft ends with. */
const STOPPED_NOTE = '_(stopped: the run was cancelled)_';
/** Failed draft edits in a row before a stream gives up (the final text still comes through the outbox). */
const MAX_FAILURES = 5;

/**
 * Shows replies in the chat while the model streams them: the first text is posted at once,
 * later text edits it in place no more often than the channel's `draftIntervalMs`, and a 429
 * only delays the next edit (each edit sends the whole text so far, so nothing is lost). The ids
 * of the draft messages are recorded in the journal, so the final reply, delivered durably by
 * the outbox, replaces them even after a restart. Fed by the wake-up hub's `run_delta` changes,
 * the same path the console's SSE view reads.
 */
export class ReplyStreams {
  private readonly streams = new Map<string, ReplyStream>();

  constructor(private readonly options: ReplyStreamsOptions) {}

  /** A streamed delta of `runId`'s model call; `fresh` when it is the first of a new call. */
  delta(runId: string, text: string, fresh: boolean): void {
    let stream = this.streams.get(runId);
    if (!stream || stream.closed) {
      // A run resumed after an approval streams anew, into new messages: each stream its own key.
      stream = new ReplyStream(runId, `${runId}:${randomUUID().slice(0, 8)}`, this.options);
      this.streams.set(runId, stream);
    }
    stream.append(text, fresh);
  }

  /**
   * Stops streaming `runId` and resolves once the edit in flight is done and its draft is
   * recorded, so the final delivery sees every draft message. The final text follows at once,
   * not an interval later: one edit beyond the cadence is within every platform's burst (Discord
   * 5 per 5 s, Slack Tier 3, Telegram's short bursts), and the answer is complete a second sooner.
   */
  async settle(runId: string): Promise<void> {
    const stream = this.streams.get(runId);
    if (!stream) return;
    try {
      await stream.settle();
    } finally {
      if (this.streams.get(runId) === stream) this.streams.delete(runId);
    }
  }

  /**
   * The run was cancelled: its stream stops, and a draft already shown ends with a note that
   * the answer was stopped, so nobody reads the half message as complete. Best effort.
   */
  cancelled(runId: string): void {
    const stream = this.streams.get(runId);
    if (!stream) return;
    this.settle(runId)
      .then(() => stream.markStopped())
      .catch((error: unknown) =>
        this.options.logger.debug({ err: error, runId }, 'stopped draft not marked'),
      );
  }

  /** How many draft posts and edits `runId`'s stream made so far (bench, tests). */
  editsOf(runId: string): number {
    return this.streams.get(runId)?.edits ?? 0;
  }
}

type DraftTarget = { channel: Channel; conversation: ConversationRef };

/** One reply being streamed into one conversation. */
class ReplyStream {
  closed = false;
  edits = 0;
  private text = '';
  private shown = '';
  private ids: string[] = [];
  private nextAt = 0;
  private failures = 0;
  /** The first post failed (perhaps only its answer was lost) and was not tried again yet. */
  private firstPostUnsure = false;
  private settling: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  /** Every platform call of this stream, one after another. */
  private chain: Promise<void>;
  /** Undefined while the run is looked up; null when its channel cannot show drafts. */
  private target: DraftTarget | null | undefined;

  constructor(
    private readonly runId: string,
    /** Names this stream's posts to the platform, so a retried post is recognised. */
    private readonly key: string,
    private readonly options: ReplyStreamsOptions,
  ) {
    this.chain = this.resolve();
  }

  append(text: string, fresh: boolean): void {
    if (fresh) this.text = '';
    this.text += text;
    this.schedule();
  }

  /** Stops the stream; every caller (the run's end, the final delivery) waits for the same settling. */
  settle(): Promise<void> {
    this.settling ??= this.finish();
    return this.settling;
  }

  private async finish(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    // The first post failed and was not tried again: the platform may have it (a lost answer).
    // One more try lets it answer with that message (Discord's nonce, Slack's metadata), so the
    // final text replaces it instead of leaving a half message behind.
    if (this.firstPostUnsure && this.target?.channel.showDraft && this.text.trim() !== '') {
      try {
        await this.show(this.target, this.text);
      } catch (error) {
        this.options.logger.debug({ err: error, runId: this.runId }, 'unsure draft post not retried');
      }
    }
  }

  /** Edits the shown draft once more, with a note that the answer stopped here. */
  async markStopped(): Promise<void> {
    const target = this.target;
    if (!target?.channel.showDraft || this.ids.length === 0) return;
    await target.channel.showDraft(
      target.conversation,
      `${this.shown}\n\n${STOPPED_NOTE}`,
      this.ids,
      this.key,
    );
  }

  private async resolve(): Promise<void> {
    // With no channel that shows drafts (a console-only daemon) there is nothing to look up.
    if (![...this.options.channels.values()].some((channel) => channel.showDraft)) {
      this.target = null;
      return;
    }
    try {
      const run = await this.options.journal.getRun(this.runId);
      const channel = run ? this.options.channels.get(run.channel) : undefined;
      this.target = run && channel?.showDraft ? { channel, conversation: run.conversation } : null;
    } catch (error) {
      this.options.logger.debug({ err: error, runId: this.runId }, 'reply stream: run not found');
      this.target = null;
    }
    this.schedule();
  }

  private schedule(): void {
    // While an edit is in flight, its end schedules the next one (after the interval).
    if (this.closed || this.timer || this.flushing || !this.target) return;
    const wait = Math.max(0, this.nextAt - this.options.clock());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = true;
      this.chain = this.chain
        .then(() => this.flush())
        .finally(() => {
          this.flushing = false;
          if (this.text !== this.shown) this.schedule();
        });
    }, wait);
  }

  /** Shows `text` in the draft messages (posting the first ones), and records their ids. */
  private async show(target: DraftTarget, text: string): Promise<void> {
    const { channel, conversation } = target;
    const ids = (await channel.showDraft?.(conversation, text, this.ids, this.key)) ?? this.ids;
    this.edits++;
    this.firstPostUnsure = false;
    if (ids.join() !== this.ids.join()) {
      this.ids = ids;
      await this.options.journal.recordDraft(this.runId, { messageIds: ids }, this.options.clock());
    }
    this.shown = text;
  }

  private async flush(): Promise<void> {
    const target = this.target;
    const text = this.text;
    if (this.closed || !target?.channel.showDraft || text.trim() === '' || text === this.shown) return;
    const { channel, conversation } = target;
    const interval = channel.draftIntervalMs?.(conversation) ?? DEFAULT_INTERVAL_MS;
    try {
      await this.show(target, text);
      this.failures = 0;
      this.nextAt = this.options.clock() + interval;
    } catch (error) {
      this.firstPostUnsure = this.ids.length === 0;
      this.failures++;
      const retryAfter = error instanceof ChannelError ? error.retryAfterMs : undefined;
      this.nextAt = this.options.clock() + (retryAfter ?? interval * 2 ** this.failures);
      const permanent = error instanceof ChannelError && error.kind === 'permanent';
      if (permanent || this.failures >= MAX_FAILURES) this.target = null;
      this.options.logger.debug(
        {
          err: error instanceof Error ? error.message : String(error),
          runId: this.runId,
          failures: this.failures,
        },
        'reply draft not shown',
      );
    }
  }
}
