import type { RetentionConfig } from '../config/retention-schema.js';
import { pruneJournal } from '../journal/retention.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';

/** The first pass waits this long after start (or `interval` when shorter), so start stays quick. */
const FIRST_PASS_DELAY_MS = 60_000;

/** What `startHousekeeping` needs. */
export interface HousekeepingOptions {
  journal: JournalStore;
  retention: RetentionConfig;
  clock: () => number;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Runs the retention pass (`retention:`) on a timer: one pass at a time, in small transactions of
 * its own, never in a turn's way; a failed pass is logged and the next one tries again. Returns
 * the function that stops it and waits for a pass under way.
 */
export function startHousekeeping(options: HousekeepingOptions): () => Promise<void> {
  const { journal, retention, clock, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        schedule(retention.interval);
      });
    }, ms);
    timer.unref();
  };
  const pass = async () => {
    try {
      const pruned = await pruneJournal(journal, retention, clock());
      if (Object.values(pruned).some((n) => n > 0)) logger.info({ pruned }, 'retention pass pruned old rows');
    } catch (error) {
      logger.warn({ err: error }, 'retention pass failed; the next one tries again');
    }
  };
  schedule(Math.min(FIRST_PASS_DELAY_MS, retention.interval));
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
