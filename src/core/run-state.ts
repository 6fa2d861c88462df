import { IllegalTransitionError } from './errors.js';
import type { RunState } from './types.js';

const LEGAL: Record<RunState, readonly RunState[]> = {
  accepted: ['running', 'cancelled', 'failed'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** Every run state, in lifecycle order. */
export const RUN_STATES: readonly RunState[] = ['accepted', 'running', 'succeeded', 'failed', 'cancelled'];

/** Whether a run may move from `from` to `to` (DESIGN.md section 2). */
export function canTransition(from: RunState, to: RunState): boolean {
  return LEGAL[from].includes(to);
}

/** Throws `IllegalTransitionError` unless the move is legal. */
export function assertTransition(runId: string, from: RunState, to: RunState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(runId, from, to);
}

/** Whether a state is terminal (never changes again). */
export function isTerminal(state: RunState): boolean {
  return LEGAL[state].length === 0;
}
