import type { ServerResponse } from 'node:http';
import type { Update } from 'grammy/types';
import { fail } from './wire.js';

interface Waiter {
  offset: number | undefined;
  limit: number;
  respond(status: number, body: unknown): void;
}

/**
 * The fake's pending updates with Telegram's getUpdates semantics: an update is confirmed by a
 * getUpdates whose offset is above it, an idle long poll is held until an update arrives, and a
 * second concurrent poll ends the one waiting with 409 (two bot instances).
 */
export class UpdateQueue {
  /** How long an idle getUpdates is held at most, whatever `timeout` asks for. */
  maxWaitMs = 200;
  private queue: Update[] = [];
  private waiter: Waiter | null = null;

  /** `onChange` runs whenever updates are confirmed. */
  constructor(private readonly onChange: () => void) {}

  /** Updates still waiting to be confirmed. */
  pending(): Update[] {
    return [...this.queue];
  }

  /** Whether `updateId` is still unconfirmed. */
  has(updateId: number): boolean {
    return this.queue.some((u) => u.update_id === updateId);
  }

  /** Queues an update, waking a waiting poll. */
  enqueue(update: Update): void {
    this.queue.push(update);
    this.queue.sort((a, b) => a.update_id - b.update_id);
    this.flushWaiter();
  }

  /** Drops every pending update (deleteWebhook with drop_pending_updates). */
  clear(): void {
    this.queue = [];
  }

  /** Answers a waiting poll with nothing, e.g. when the fake stops. */
  close(): void {
    this.waiter?.respond(200, { ok: true, result: [] });
    this.waiter = null;
  }

  /** Serves getUpdates; `webhookActive` makes it answer 409 as Telegram does. */
  getUpdates(
    payload: Record<string, unknown>,
    res: ServerResponse,
    send: (status: number, body: unknown) => void,
    webhookActive: boolean,
  ): void {
    if (webhookActive) {
      const { status, body } = fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
      send(status, body);
      return;
    }
    const offset = typeof payload.offset === 'number' && payload.offset > 0 ? payload.offset : undefined;
    if (offset !== undefined) this.confirmBelow(offset);
    const limit = typeof payload.limit === 'number' ? payload.limit : 100;
    // A new poll terminates the one already waiting, as Telegram does for two bot instances.
    if (this.waiter) {
      const { status, body } = fail(
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      );
      this.waiter.respond(status, body);
      this.waiter = null;
    }
    const ready = this.available(offset, limit);
    const timeout = typeof payload.timeout === 'number' ? payload.timeout : 0;
    if (ready.length > 0 || timeout <= 0) {
      send(200, { ok: true, result: ready });
      return;
    }
    const waiter: Waiter = {
      offset,
      limit,
      respond: (status, body) => {
        clearTimeout(timer);
        if (this.waiter === waiter) this.waiter = null;
        send(status, body);
      },
    };
    const timer = setTimeout(
      () => waiter.respond(200, { ok: true, result: this.available(offset, limit) }),
      Math.min(timeout * 1000, this.maxWaitMs),
    );
    res.on('close', () => {
      if (this.waiter === waiter) this.waiter = null;
      clearTimeout(timer);
    });
    this.waiter = waiter;
  }

  private available(offset: number | undefined, limit: number): Update[] {
    return this.queue.filter((u) => offset === undefined || u.update_id >= offset).slice(0, limit);
  }

  private flushWaiter(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const ready = this.available(waiter.offset, waiter.limit);
    if (ready.length > 0) waiter.respond(200, { ok: true, result: ready });
  }

  private confirmBelow(offset: number): void {
    this.queue = this.queue.filter((u) => u.update_id >= offset);
    this.onChange();
  }
}
