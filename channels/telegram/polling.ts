import { type Api, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import type { ChannelLogger } from '../../src/index.js';
import { describeError } from './errors.js';

type GrammySignal = Parameters<Api['getUpdates']>[1];

/** The update types the adapter handles; everything else is not even fetched. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** Why a poller stopped on its own. */
export type PollerStopReason = 'conflict' | 'unauthorized';

/** What the poller needs. */
export interface UpdatePollerOptions {
  api: Api;
  /**
   * Processes one update; resolves once it is stored in the inbox (or deliberately ignored).
   * Rejecting means "not stored": the poller retries the same update after a pause.
   */
  handle(update: Update): Promise<void>;
  logger: ChannelLogger;
  /** Called once when Telegram makes further polling pointless (409 conflict, 401 bad token). */
  onGiveUp(reason: PollerStopReason): void;
  /** Long-poll timeout in seconds (Telegram holds the request open this long when idle). */
  timeoutSeconds?: number;
}

const MIN_PAUSE_MS = 500;
const MAX_PAUSE_MS = 30_000;

/**
 * Long polling written for exactly-once intake. grammY's `bot.start()` confirms a batch only with
 * the next `getUpdates`, which alone would be safe, but it moves past an update whose handler
 * threw (it logs and continues), so a failed inbox write would skip the update. This loop advances
 * its offset past an update only after `handle` resolved — i.e. after the gateway committed it —
 * and otherwise fetches the same update again. A crash at any point leaves the unconfirmed rest
 * of the batch with Telegram, which hands it to the next poller; updates already committed come
 * back as duplicates and the gateway drops them on `update_id`.
 */
export class UpdatePoller {
  private running = false;
  private offset = 0;
  private abort: AbortController | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;

  constructor(private readonly options: UpdatePollerOptions) {}

  /** Starts polling from the earliest update Telegram has not seen confirmed. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.offset = 0;
    this.loopDone = this.loop();
  }

  /** Whether the loop is running (false after `stop` or after it gave up). */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Stops after the update in hand (never in the middle of one), then confirms what was handled
   * so the next poller does not have to skip duplicates.
   */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loopDone;
    if (!wasRunning || this.offset === 0) return;
    try {
      await this.options.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 });
    } catch (error) {
      this.options.logger.debug(describeError(error), 'telegram: confirming the last offset on stop failed');
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const updates = await this.fetch();
      if (updates === null) {
        failures++;
        if (this.running) await this.pause(failures);
        continue;
      }
      for (const update of updates) {
        if (!this.running) break; // the rest stays unconfirmed for the next poller
        try {
          await this.options.handle(update);
        } catch (error) {
          failures++;
          this.options.logger.error(
            { updateId: update.update_id, ...describeError(error) },
            'telegram: could not store an update; retrying it before anything newer',
          );
          await this.pause(failures);
          break;
        }
        failures = 0;
        this.offset = update.update_id + 1;
      }
    }
  }

  /** One getUpdates; null after a recoverable failure (the caller pauses). */
  private async fetch(): Promise<Update[] | null> {
    this.abort = new AbortController();
    try {
      return await this.options.api.getUpdates(
        {
          ...(this.offset === 0 ? {} : { offset: this.offset }),
          limit: 100,
          timeout: this.options.timeoutSeconds ?? 30,
          allowed_updates: ALLOWED_UPDATES,
        },
        // grammY types its signal with the abort-controller polyfill; Node's own works at runtime.
        this.abort.signal as unknown as GrammySignal,
      );
    } catch (error) {
      if (!this.running) return [];
      if (error instanceof GrammyError && (error.error_code === 409 || error.error_code === 401)) {
        this.giveUp(error);
        return [];
      }
      this.options.logger.warn(describeError(error), 'telegram: getUpdates failed, retrying');
      return null;
    } finally {
      this.abort = null;
    }
  }

  private giveUp(error: GrammyError): void {
    this.running = false;
    if (error.error_code === 409) {
      this.options.logger.error(
        describeError(error),
        'telegram: polling stopped — Telegram answered 409 Conflict: another process is polling with the same ' +
          'bot token (or a webhook is set). Stop the other instance, or run a single poller, then restart.',
      );
      this.options.onGiveUp('conflict');
    } else {
      this.options.logger.error(
        describeError(error),
        'telegram: polling stopped — the bot token was rejected (401). Check TELEGRAM_BOT_TOKEN.',
      );
      this.options.onGiveUp('unauthorized');
    }
  }

  private pause(failures: number): Promise<void> {
    const ms = Math.min(MAX_PAUSE_MS, MIN_PAUSE_MS * 2 ** Math.min(failures - 1, 10));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
