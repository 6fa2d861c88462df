import { describe, expect, it } from 'vitest';
import { followOtherReplicas } from '../../src/app/replicas.js';
import type { JournalSignal, JournalStore } from '../../src/journal/store.js';
import { createLogger } from '../../src/logging/logger.js';
import { wakeLoops } from '../../src/runtime/wake-loops.js';
import { type Change, Wakeups } from '../../src/runtime/wakeups.js';

/** Loops that write down what they were asked to do, in order. */
function recordingLoops(options: { resumeFails?: boolean } = {}) {
  const calls: string[] = [];
  const loops = {
    scheduler: {
      kick: () => void calls.push('scheduler.kick'),
      abort: (runId: string, reason: string) => {
        calls.push(`scheduler.abort ${runId} (${reason})`);
        return true;
      },
      resume: async (runId: string) => {
        calls.push(`scheduler.resume ${runId}`);
        if (options.resumeFails) throw new Error('journal gone');
      },
    },
    dispatcher: { kick: () => void calls.push('dispatcher.kick') },
    feed: {
      publish: (runId: string, signal?: { type: string; text?: string }) =>
        void calls.push(
          signal?.type === 'delta' ? `feed.delta ${runId} ${signal.text}` : `feed.publish ${runId}`,
        ),
    },
    logger: createLogger({ level: 'silent' }),
  };
  return { calls, loops };
}

function wakes(change: Change): string[] {
  const { calls, loops } = recordingLoops();
  wakeLoops(loops)(change);
  return calls;
}

describe('the wake-up hub', () => {
  it('wakes the scheduler and live views for an accepted run', () => {
    expect(wakes({ type: 'run_accepted', runId: 'r1' })).toEqual(['scheduler.kick', 'feed.publish r1']);
  });

  it('aborts a cancelled run here, delivers its notices and frees its session slot', () => {
    expect(wakes({ type: 'run_cancelled', runId: 'r1', reason: 'cancelled by ops' })).toEqual([
      'scheduler.abort r1 (cancelled by ops)',
      'dispatcher.kick',
      'feed.publish r1',
      'scheduler.kick',
    ]);
  });

  it('delivers the card update and resumes the run after a decision', () => {
    expect(wakes({ type: 'approval_decided', approvalId: 'a1', runId: 'r1' })).toEqual([
      'dispatcher.kick',
      'feed.publish r1',
      'scheduler.resume r1',
    ]);
  });

  it('kicks the dispatcher only when a step queued deliveries', () => {
    expect(wakes({ type: 'run_changed', runId: 'r1' })).toEqual(['feed.publish r1']);
    expect(wakes({ type: 'run_changed', runId: 'r1', outbox: true })).toEqual([
      'feed.publish r1',
      'dispatcher.kick',
    ]);
    expect(wakes({ type: 'outbox' })).toEqual(['dispatcher.kick']);
  });

  it('streams deltas to live views and resumes recovered runs', () => {
    expect(wakes({ type: 'run_delta', runId: 'r1', text: 'Hel' })).toEqual(['feed.delta r1 Hel']);
    expect(wakes({ type: 'run_resumable', runId: 'r1' })).toEqual(['scheduler.resume r1']);
  });

  it('a resume that fails is logged, not thrown at whoever announced', async () => {
    const { calls, loops } = recordingLoops({ resumeFails: true });
    const hub = new Wakeups();
    hub.subscribe(wakeLoops(loops));
    expect(() => hub.announce({ type: 'run_resumable', runId: 'r1' })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['scheduler.resume r1']);
  });

  it('tells every subscriber until it unsubscribes', () => {
    const hub = new Wakeups();
    const seen: string[] = [];
    const stop = hub.subscribe((change) => seen.push(`a:${change.type}`));
    hub.subscribe((change) => seen.push(`b:${change.type}`));
    hub.announce({ type: 'outbox' });
    stop();
    hub.announce({ type: 'outbox' });
    expect(seen).toEqual(['a:outbox', 'b:outbox', 'b:outbox']);
  });

  it("wakes this replica for another replica's change as for its own, cancels named as remote", () => {
    let listener: ((signal: JournalSignal) => void) | undefined;
    const journal = {
      watch: (next: (signal: JournalSignal) => void) => {
        listener = next;
        return () => {
          listener = undefined;
        };
      },
    } as unknown as JournalStore;
    const { calls, loops } = recordingLoops();
    const hub = new Wakeups();
    hub.subscribe(wakeLoops(loops));
    const stop = followOtherReplicas(journal, hub);
    listener?.({ type: 'run_cancelled', runId: 'r9' });
    listener?.({ type: 'run_accepted', runId: 'r10' });
    stop();
    expect(listener).toBeUndefined();
    expect(calls).toEqual([
      'scheduler.abort r9 (cancelled on another replica)',
      'dispatcher.kick',
      'feed.publish r9',
      'scheduler.kick',
      'scheduler.kick',
      'feed.publish r10',
    ]);
  });
});
