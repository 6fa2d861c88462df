import type { JournalSignal } from '../journal/store.js';

/**
 * A committed change that some loop must act on. The journal's cross-replica signals
 * (`JournalStore.watch`, LISTEN/NOTIFY on PostgreSQL) are the same vocabulary, so a change made on
 * another replica wakes this one exactly as a local one does.
 */
export type Change =
  | JournalSignal
  /** A run's tape grew or its state changed here; `outbox` when the step also queued deliveries. */
  | { type: 'run_changed'; runId: string; outbox?: boolean }
  /**
   * A streamed text delta from the model, for live views and chat drafts (not on the tape until
   * complete); `fresh` on the first delta of a model call.
   */
  | { type: 'run_delta'; runId: string; text: string; fresh?: boolean }
  /** A waiting run may continue here (recovery, take-over). */
  | { type: 'run_resumable'; runId: string };

/** Something told of every change. */
export type ChangeListener = (change: Change) => void;

/**
 * The one wake-up hub: writers announce a change after its commit, subscribers (the loops, see
 * `wake-loops.ts`) decide what to do about it. Nobody but the subscriber calls `kick`, `resume` or
 * `publish`, so what a change wakes is written once.
 */
export class Wakeups {
  private readonly listeners: ChangeListener[] = [];

  /** Tells every subscriber of `change`, in subscription order. */
  announce(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  /** Subscribes to every change; returns the function that unsubscribes. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }
}
