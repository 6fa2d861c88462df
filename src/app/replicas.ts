/**
 * What a replica does beside its own work when several share one PostgreSQL journal: take over
 * the runs of replicas that stopped, and act on what other replicas changed (a run accepted,
 * cancelled, an approval decided, an outbox item added). Both only announce to the wake-up hub.
 */
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { Wakeups } from '../runtime/wakeups.js';

/**
 * With replicas: every third of a lease, takes over the runs of replicas that stopped renewing
 * (DESIGN.md section 6): a run whose approval was decided resumes here, the rest fail with a
 * notice to the user, pending approvals stay clickable. Returns the function that stops it.
 */
export function startTakeOver(deps: {
  journal: JournalStore;
  wakeups: Wakeups;
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
}): () => void {
  const { journal, wakeups, owner, leaseMs, clock, logger } = deps;
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
        for (const run of failed) wakeups.announce({ type: 'run_changed', runId: run.id, outbox: true });
      }
      for (const run of resumable) wakeups.announce({ type: 'run_resumable', runId: run.id });
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
 * Forwards the journal's cross-process signals (`watch`, LISTEN/NOTIFY on PostgreSQL) to the
 * wake-up hub, so another replica's change wakes this one as a local change does. Returns the
 * function that unsubscribes; a no-op for a journal nobody else shares.
 */
export function followOtherReplicas(journal: JournalStore, wakeups: Wakeups): () => void {
  const unwatch = journal.watch?.((signal) => {
    wakeups.announce(
      signal.type === 'run_cancelled' && signal.reason === undefined
        ? { ...signal, reason: 'cancelled on another replica' }
        : signal,
    );
  });
  return unwatch ?? (() => {});
}
