import { ConflictError } from '../core/errors.js';
import type { JournalStore } from '../journal/store.js';
import type { Wakeups } from '../runtime/wakeups.js';

/** The principal the daemon itself decides as (card failures). */
export const SYSTEM_PRINCIPAL = 'system:switchboard';

/** What the daemon needs to decide an approval itself. */
export interface SystemDecisionDeps {
  journal: JournalStore;
  wakeups: Wakeups;
  clock: () => number;
}

/**
 * The daemon denies an approval itself, as `SYSTEM_PRINCIPAL` (its card could not be shown, so
 * nobody could ever decide it). Not a door: no person asks, so no policy is asked. An approval
 * already decided stays as it was.
 */
export async function denyBySystem(
  deps: SystemDecisionDeps,
  approvalId: string,
  reason: string,
): Promise<void> {
  try {
    const decided = await deps.journal.decideApproval({
      approvalId,
      decision: 'denied',
      decider: SYSTEM_PRINCIPAL,
      scope: 'once',
      now: deps.clock(),
      reason,
    });
    deps.wakeups.announce({ type: 'approval_decided', approvalId, runId: decided.runId });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
