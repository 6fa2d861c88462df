import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/core/errors.js';
import { assertTransition, canTransition, isTerminal, RUN_STATES } from '../../src/core/run-state.js';
import type { RunState } from '../../src/core/types.js';

const LEGAL = new Set([
  'accepted>running',
  'accepted>cancelled',
  'accepted>failed',
  'running>succeeded',
  'running>failed',
  'running>cancelled',
]);

describe('the run state machine (DESIGN.md section 2)', () => {
  const pairs: [RunState, RunState][] = RUN_STATES.flatMap((from) =>
    RUN_STATES.map((to) => [from, to] as [RunState, RunState]),
  );

  it.each(pairs)('%s → %s is legal only if the design says so', (from, to) => {
    const legal = LEGAL.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(legal);
    if (legal) expect(() => assertTransition('r1', from, to)).not.toThrow();
    else {
      const error = (() => {
        try {
          assertTransition('r1', from, to);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(IllegalTransitionError);
      expect((error as IllegalTransitionError).message).toBe(`run r1 cannot move from ${from} to ${to}`);
      expect((error as IllegalTransitionError).status).toBe(409);
    }
  });

  it('terminal states never change', () => {
    for (const state of ['succeeded', 'failed', 'cancelled'] as const) {
      expect(isTerminal(state)).toBe(true);
      for (const to of RUN_STATES) expect(canTransition(state, to)).toBe(false);
    }
    expect(isTerminal('accepted')).toBe(false);
    expect(isTerminal('running')).toBe(false);
  });
});
