import type { JournalStore, RetentionKind } from './store.js';

/** How long each kind is kept (ms, or null for forever) and how many rows go per transaction. */
export interface RetentionWindows {
  events: number | null;
  inbox: number | null;
  usage: number | null;
  tapes: number | null;
  batch: number;
}

/** What one pass pruned: rows per kind (runs, for tapes). */
export type PruneCounts = Record<RetentionKind, number>;

const KINDS: readonly RetentionKind[] = ['events', 'inbox', 'usage', 'tapes'];

/**
 * A finished run's tape is about this many rows (input, model calls, tool calls, reply), so a
 * batch of tapes is `batch / RUN_ROWS` runs and holds the journal about as long as other batches.
 */
const RUN_ROWS = 20;

/** Space is given back in at most this many steps per pass; the next pass goes on. */
const MAX_RECLAIM_STEPS = 64;

/** Lets other work (a turn's commit, a claim) run between two batches. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One retention pass (DESIGN.md section 9): for each kind with a window, deletes what is older
 * than `now - window` in batches of `batch` rows, each its own short transaction with the event
 * loop free in between, so turns keep flowing; then gives freed space back when anything went.
 * A store without `prune` keeps everything and the pass does nothing.
 */
export async function pruneJournal(
  journal: JournalStore,
  windows: RetentionWindows,
  now: number,
): Promise<PruneCounts> {
  const counts: PruneCounts = { events: 0, inbox: 0, usage: 0, tapes: 0 };
  if (!journal.prune) return counts;
  for (const kind of KINDS) {
    const window = windows[kind];
    if (window === null) continue;
    const before = now - window;
    const limit = kind === 'tapes' ? Math.max(1, Math.floor(windows.batch / RUN_ROWS)) : windows.batch;
    for (;;) {
      const pruned = await journal.prune({ kind, before, limit, now });
      counts[kind] += pruned;
      await yieldToOthers();
      if (pruned < limit) break;
    }
  }
  if (journal.reclaimSpace && KINDS.some((k) => counts[k] > 0)) {
    for (let step = 0; step < MAX_RECLAIM_STEPS; step++) {
      if ((await journal.reclaimSpace()) === 0) break;
      await yieldToOthers();
    }
  }
  return counts;
}
