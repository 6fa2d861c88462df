/**
 * What a replica does beside its own work when several share one PostgreSQL journal: take over
 * the runs of replicas that stopped, and act on what other replicas changed (a run accepted,
 * cancelled, an approval decided, an outbox item added).
 */
import type { OutboxDispatcher } from '../gateway/outbox-dispatcher.js';
import type { RunFeed } from '../gateway/run-feed.js';
import type { Scheduler } from '../gateway/scheduler.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';

/** The loops a journal signal wakes. */
export interface ReplicaLoops {
  scheduler: Scheduler;
  dispatcher: OutboxDispatcher;
  feed: RunFeed;
}

/**
 * With replicas: every third of a lease, takes over the runs of replicas that stopped renewing
 * (DESIGN.md section 6): a run whose approval was decided resumes here, the rest fail with a
 * notice to the user, pending approvals stay clickable. Returns the function that stops it.
 */
export function startTakeOver(
  deps: ReplicaLoops & {
    journal: JournalStore;
    owner: string;
    leaseMs: number;
    clock: () => number;
    logger: Logger;
  },
): () => void {
  const { journal, owner, leaseMs, clock, logger, scheduler, dispatcher, feed } = deps;
  let busy = false;
  const pass = async () => {
    if (busy) return;
    busy = true;
    try {
      const { failed, resumable } = await journal.recoverRuns({
        owner,
        leaseMs,
        now: clock(),
        reason: 'the replica running it stopped',
        all: false,
      });
      if (failed.length > 0) {
        logger.warn({ runs: failed.map((r) => r.id) }, 'failed runs of a replica that stopped');
        for (const run of failed) feed.publish(run.id);
        dispatcher.kick();
      }
      for (const run of resumable) void scheduler.resume(run.id);
    } catch (error) {
      logger.error({ err: error }, 'taking over runs of stopped replicas failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void pass(), Math.max(1000, Math.floor(leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Subscribes to another replica's changes (the journal's `watch`, LISTEN/NOTIFY on PostgreSQL)
 * and wakes the loop each concerns. Returns the function that unsubscribes; a no-op for a journal
 * nobody else shares.
 */
export function followOtherReplicas(journal: JournalStore, loops: ReplicaLoops): () => void {
  const { scheduler, dispatcher, feed } = loops;
  const unwatch = journal.watch?.((signal) => {
    if (signal.type === 'run_accepted') scheduler.kick();
    else if (signal.type === 'run_cancelled') {
      scheduler.abort(signal.runId, 'cancelled on another replica');
      feed.publish(signal.runId);
    } else if (signal.type === 'approval_decided') {
      dispatcher.kick();
      feed.publish(signal.runId);
      void scheduler.resume(signal.runId);
    } else dispatcher.kick();
  });
  return unwatch ?? (() => {});
}
