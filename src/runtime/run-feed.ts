import { EventEmitter } from 'node:events';

/** What live subscribers of a run are told. */
export type RunSignal =
  /** The run's tape grew or its state changed: read the tape after your last seq. */
  | { type: 'changed' }
  /** A streamed text delta from the model (not on the tape until the response is complete). */
  | { type: 'delta'; text: string };

/**
 * An in-process notice board for live views (SSE): writers say "run X changed" after a commit,
 * readers re-read the tape from the journal. The journal stays the only source of truth.
 */
export class RunFeed {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Tells subscribers of `runId` (and of all runs) that something happened. */
  publish(runId: string, signal: RunSignal = { type: 'changed' }): void {
    this.emitter.emit(runId, signal);
    this.emitter.emit('*', runId, signal);
  }

  /** Subscribes to one run; returns the unsubscribe function. */
  subscribe(runId: string, listener: (signal: RunSignal) => void): () => void {
    this.emitter.on(runId, listener);
    return () => this.emitter.off(runId, listener);
  }

  /** Subscribes to every run; returns the unsubscribe function. */
  subscribeAll(listener: (runId: string, signal: RunSignal) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }
}
