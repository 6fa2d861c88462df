import { describe, expect, it } from 'vitest';
import type { Run, RunState, TapeEvent } from '../../src/core/types.js';
import { Access } from '../../src/gateway/access.js';
import { GatewayReads } from '../../src/gateway/reads.js';
import type { JournalStore } from '../../src/journal/store.js';
import type { PolicyEngine } from '../../src/policy/engine.js';

const allowAll: PolicyEngine = {
  authorize: () => ({ allowed: true, policyIds: [], errors: [] }),
  decideToolCall: () => ({ decision: 'allow', policyIds: [], errors: [] }),
};

/** A journal holding one run and its tape, counting how often the run is read. */
function journalOf(state: RunState, tape: TapeEvent[]) {
  let runReads = 0;
  const run = { id: 'r1', principal: 'console:a', state } as Run;
  const journal = {
    getRun: async () => {
      runReads += 1;
      return { ...run };
    },
    readTape: async (_: string, query?: { afterSeq?: number }) =>
      tape.filter((e) => e.seq > (query?.afterSeq ?? -1)),
    set state(next: RunState) {
      run.state = next;
    },
  };
  return { journal, reads: () => runReads, tape };
}

const event = (seq: number, kind: TapeEvent['kind']): TapeEvent => ({
  runId: 'r1',
  seq,
  kind,
  at: seq,
  body: {},
});

describe('following a run', () => {
  it('reads the run again only when a state event shows up on the tape', async () => {
    const { journal, reads, tape } = journalOf('running', [event(0, 'input'), event(1, 'state')]);
    const gateway = new GatewayReads(journal as unknown as JournalStore, new Access(allowAll));
    const followed = await gateway.followRun('console:a', 'r1');
    const opened = reads();
    expect((await followed.read(-1)).run?.state).toBe('running');
    expect(reads()).toBe(opened + 1);
    // A step's events without a change of state: no run read.
    tape.push(event(2, 'provider_request'), event(3, 'provider_response'));
    const step = await followed.read(1);
    expect(step.run).toBeUndefined();
    expect(step.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(reads()).toBe(opened + 1);
    // The run ends: its state event brings the run, and the stream sees it terminal.
    tape.push(event(4, 'reply'), event(5, 'state'));
    journal.state = 'succeeded';
    const end = await followed.read(3);
    expect(end.run?.state).toBe('succeeded');
    expect(end.events.map((e) => e.seq)).toEqual([4, 5]);
  });

  it('a finished run whose tape was pruned still ends its stream at the first read', async () => {
    const { journal } = journalOf('succeeded', []);
    const gateway = new GatewayReads(journal as unknown as JournalStore, new Access(allowAll));
    const followed = await gateway.followRun('console:a', 'r1');
    const first = await followed.read(10);
    expect(first.run?.state).toBe('succeeded');
    expect(first.events).toEqual([]);
  });
});
