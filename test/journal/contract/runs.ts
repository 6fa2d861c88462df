import { describe, expect, it } from 'vitest';
import { ConflictError, IllegalTransitionError, NotFoundError } from '../../../src/core/errors.js';
import type { Run } from '../../../src/core/types.js';
import {
  accept,
  eventTypes,
  MINUTE,
  type OpenStore,
  rejection,
  snapshot,
  startRun,
  T0,
  useStore,
} from './fixtures.js';

const claim = { owner: 'worker-1', leaseMs: MINUTE, now: T0 + 10_000, limit: 10 };

/** Claiming, leasing and stepping runs. */
export function runsContract(open: OpenStore): void {
  describe('claiming and leasing runs', () => {
    const store = useStore(open);

    it('claiming starts the oldest accepted run of each session, one per session', async () => {
      const a1 = await accept(store(), { sessionKey: 'a' }, T0);
      const b1 = await accept(store(), { sessionKey: 'b' }, T0 + 1);
      await accept(store(), { sessionKey: 'a' }, T0 + 2);
      const claimed = await store().claimRuns(claim);
      expect(claimed.map((r) => r.id)).toEqual([a1.run.id, b1.run.id]);
      expect(claimed[0]).toMatchObject({ state: 'running', startedAt: claim.now, updatedAt: claim.now });
      const tape = await store().readTape(a1.run.id);
      expect(tape.map((e) => [e.seq, e.kind])).toEqual([
        [0, 'input'],
        [1, 'state'],
      ]);
      expect(tape[1]?.body).toMatchObject({ from: 'accepted', to: 'running' });
      const running = (await store().recentEvents(10)).filter((e) => e.type === 'run.running');
      expect(running.map((e) => e.data.runId).sort()).toEqual([a1.run.id, b1.run.id].sort());
    });

    it('a session with a running run gets no second run until the first finishes', async () => {
      const first = await accept(store(), {}, T0);
      const second = await accept(store(), {}, T0 + 1);
      expect((await store().claimRuns(claim)).map((r) => r.id)).toEqual([first.run.id]);
      expect(await store().claimRuns({ ...claim, now: claim.now + 1 })).toEqual([]);
      await store().commitStep(first.run.id, { now: claim.now + 2, transition: { to: 'succeeded' } });
      expect((await store().claimRuns({ ...claim, now: claim.now + 3 })).map((r) => r.id)).toEqual([
        second.run.id,
      ]);
    });

    it('claiming respects the limit, oldest first across sessions', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await accept(store(), { sessionKey: `s${i}` }, T0 + i)).run.id);
      expect((await store().claimRuns({ ...claim, limit: 2 })).map((r) => r.id)).toEqual(ids.slice(0, 2));
      expect((await store().claimRuns({ ...claim, limit: 2 })).map((r) => r.id)).toEqual(ids.slice(2, 4));
      expect(await store().claimRuns({ ...claim, limit: 0 })).toEqual([]);
    });

    it('a run leased by another worker is not taken until its lease expires', async () => {
      const run = await startRun(store(), {}, T0, 'worker-1');
      expect(
        await store().leaseRun(run.id, { owner: 'worker-2', leaseMs: MINUTE, now: T0 + 1000 }),
      ).toBeNull();
      expect(
        await store().leaseRun(run.id, { owner: 'worker-1', leaseMs: MINUTE, now: T0 + 1000 }),
      ).toMatchObject({
        id: run.id,
      });
      const taken = await store().leaseRun(run.id, {
        owner: 'worker-2',
        leaseMs: MINUTE,
        now: T0 + 1000 + MINUTE,
      });
      expect(taken?.id).toBe(run.id);
      expect(
        await store().renewLeases([run.id], { owner: 'worker-1', leaseMs: MINUTE, now: T0 + 2 * MINUTE }),
      ).toEqual([]);
    });

    it('renewing keeps only the leases the worker still holds', async () => {
      const mine = await startRun(store(), { sessionKey: 'a' }, T0, 'worker-1');
      const theirs = await startRun(store(), { sessionKey: 'b' }, T0, 'worker-2');
      const held = await store().renewLeases([mine.id, theirs.id, 'missing'], {
        owner: 'worker-1',
        leaseMs: MINUTE,
        now: T0 + 30_000,
      });
      expect(held).toEqual([mine.id]);
      // Renewed until T0 + 90 s: another worker cannot take it at T0 + 70 s.
      expect(
        await store().leaseRun(mine.id, { owner: 'worker-2', leaseMs: MINUTE, now: T0 + 70_000 }),
      ).toBeNull();
    });

    it('a released run can be leased by any worker at once', async () => {
      const run = await startRun(store(), {}, T0, 'worker-1');
      await store().releaseRun(run.id, 'worker-2'); // not the owner: no effect
      expect(await store().leaseRun(run.id, { owner: 'worker-2', leaseMs: MINUTE, now: T0 + 1 })).toBeNull();
      await store().releaseRun(run.id, 'worker-1');
      expect(
        await store().leaseRun(run.id, { owner: 'worker-2', leaseMs: MINUTE, now: T0 + 1 }),
      ).not.toBeNull();
    });

    it('only a running run can be leased', async () => {
      const { run } = await accept(store());
      expect(await store().leaseRun(run.id, { owner: 'worker-1', leaseMs: MINUTE, now: T0 })).toBeNull();
      expect(await store().leaseRun('missing', { owner: 'worker-1', leaseMs: MINUTE, now: T0 })).toBeNull();
    });

    it('runs are listed newest first, filtered by session, state and principal', async () => {
      const a = await accept(store(), { sessionKey: 'a', principal: 'discord:ann' }, T0);
      const b = await accept(store(), { sessionKey: 'b', principal: 'discord:bob' }, T0 + 1);
      const c = await accept(store(), { sessionKey: 'a', principal: 'discord:bob' }, T0 + 2);
      await store().commitStep(a.run.id, { now: T0 + 3, transition: { to: 'cancelled', reason: 'test' } });
      expect((await store().listRuns({ limit: 10 })).map((r) => r.id)).toEqual([
        c.run.id,
        b.run.id,
        a.run.id,
      ]);
      expect((await store().listRuns({ limit: 1 })).map((r) => r.id)).toEqual([c.run.id]);
      expect((await store().listRuns({ sessionId: a.session.id, limit: 10 })).map((r) => r.id)).toEqual([
        c.run.id,
        a.run.id,
      ]);
      expect((await store().listRuns({ state: 'cancelled', limit: 10 })).map((r) => r.id)).toEqual([
        a.run.id,
      ]);
      expect((await store().listRuns({ principal: 'discord:bob', limit: 10 })).map((r) => r.id)).toEqual([
        c.run.id,
        b.run.id,
      ]);
    });
  });

  describe('committing steps', () => {
    const store = useStore(open);

    it('a step writes its tape, outbox items, usage and event together', async () => {
      const run = await startRun(store());
      const result = await store().commitStep(run.id, {
        now: T0 + 5000,
        expectState: 'running',
        tape: [
          { kind: 'provider_request', body: { messages: 1 } },
          { kind: 'provider_response', body: { text: 'hi' } },
          { kind: 'reply', body: { text: 'hi' } },
        ],
        transition: { to: 'succeeded' },
        outbox: [
          { channel: 'discord', conversation: run.conversation, kind: 'reply', payload: { text: 'hi' } },
        ],
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        event: { type: 'agent.answered', data: { runId: run.id } },
      });
      expect(result.tape.map((e) => [e.seq, e.kind, e.at])).toEqual([
        [2, 'provider_request', T0 + 5000],
        [3, 'provider_response', T0 + 5000],
        [4, 'reply', T0 + 5000],
        [5, 'state', T0 + 5000],
      ]);
      expect(result.tape[3]?.body).toEqual({ from: 'running', to: 'succeeded' });
      expect(result.run).toMatchObject({ state: 'succeeded', finishedAt: T0 + 5000, updatedAt: T0 + 5000 });
      expect(await store().getRun(run.id)).toEqual(result.run);
      expect(await store().readTape(run.id)).toEqual([...(await store().readTape(run.id, { afterSeq: -1 }))]);
      expect((await store().readTape(run.id, { afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
      const outbox = await store().listOutbox({ runId: run.id, limit: 10 });
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({
        runId: run.id,
        kind: 'reply',
        payload: { text: 'hi' },
        state: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + 5000,
        receipt: null,
      });
      const types = await eventTypes(store());
      expect(types.slice(-2)).toEqual(['run.succeeded', 'agent.answered']);
      const usage = await store().usageSummary({ bucket: 'day' });
      expect(usage).toEqual([expect.objectContaining({ principal: 'discord:u1', totalTokens: 15, runs: 1 })]);
    });

    it('a step for a run whose state changed is refused and writes nothing', async () => {
      const run = await startRun(store());
      await store().cancelRun(run.id, 'discord:admin', 'stop', T0 + 1);
      const before = await snapshot(store());
      const error = await rejection(
        store().commitStep(run.id, {
          now: T0 + 2,
          expectState: 'running',
          tape: [{ kind: 'reply', body: { text: 'too late' } }],
          outbox: [
            { channel: 'discord', conversation: run.conversation, kind: 'reply', payload: { text: 'x' } },
          ],
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          event: { type: 'agent.answered', data: {} },
        }),
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.state).toBe('cancelled');
      expect(await snapshot(store())).toEqual(before);
    });

    it('an illegal state move is refused and writes nothing', async () => {
      const { run } = await accept(store());
      const before = await snapshot(store());
      const error = await rejection(
        store().commitStep(run.id, {
          now: T0 + 1,
          tape: [{ kind: 'reply', body: { text: 'skipped running' } }],
          transition: { to: 'succeeded' },
        }),
      );
      expect(error).toBeInstanceOf(IllegalTransitionError);
      expect(await snapshot(store())).toEqual(before);
    });

    it('a finished run never changes state again', async () => {
      const run = await startRun(store());
      await store().commitStep(run.id, { now: T0 + 1, transition: { to: 'succeeded' } });
      for (const to of ['running', 'failed', 'cancelled', 'accepted'] as const) {
        const error = await rejection(store().commitStep(run.id, { now: T0 + 2, transition: { to } }));
        expect(error).toBeInstanceOf(IllegalTransitionError);
      }
      expect(await store().getRun(run.id)).toMatchObject({ state: 'succeeded' });
    });

    it('a failed run records when and why', async () => {
      const run = await startRun(store());
      const result = await store().commitStep(run.id, {
        now: T0 + 7000,
        tape: [{ kind: 'error', body: { message: 'provider timed out' } }],
        transition: { to: 'failed', reason: 'provider timed out' },
      });
      expect(result.run).toMatchObject({
        state: 'failed',
        reason: 'provider timed out',
        finishedAt: T0 + 7000,
      });
      expect(result.tape.at(-1)).toMatchObject({
        kind: 'state',
        body: { from: 'running', to: 'failed', reason: 'provider timed out' },
      });
      const [last] = await store().recentEvents(1);
      expect(last).toMatchObject({
        type: 'run.failed',
        at: T0 + 7000,
        data: { runId: run.id, reason: 'provider timed out' },
      });
      // A finished run holds no lease.
      expect(
        await store().renewLeases([run.id], { owner: 'worker-1', leaseMs: MINUTE, now: T0 + 8000 }),
      ).toEqual([]);
    });

    it('a step on an unknown run is not found', async () => {
      const error = await rejection(
        store().commitStep('missing', { now: T0, tape: [{ kind: 'reply', body: null }] }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('tape seq has no gaps under 50 concurrent appends across runs', async () => {
      const runs: Run[] = [];
      for (let i = 0; i < 5; i++) runs.push(await startRun(store(), { sessionKey: `s${i}` }, T0 + i));
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const run = runs[i % runs.length]!;
          return store().commitStep(run.id, {
            now: T0 + 100 + i,
            tape:
              i % 2 === 0
                ? [{ kind: 'tool_call', body: { i } }]
                : [
                    { kind: 'tool_call', body: { i } },
                    { kind: 'tool_output', body: { i } },
                  ],
          });
        }),
      );
      for (const run of runs) {
        const seqs = (await store().readTape(run.id)).map((e) => e.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i));
        expect(seqs.length).toBeGreaterThan(2);
      }
      const total = (await Promise.all(runs.map((r) => store().readTape(r.id)))).flat().length;
      expect(total).toBe(5 * 2 + 25 * 1 + 25 * 2);
    });

    it('tape bodies come back as they were written', async () => {
      const run = await startRun(store());
      const body = { nested: { list: [1, 'two', null, true] }, unicode: 'é ✓ 😀', empty: '' };
      const { tape } = await store().commitStep(run.id, {
        now: T0 + 1,
        tape: [{ kind: 'tool_output', body }],
      });
      expect(tape[0]?.body).toEqual(body);
      expect((await store().readTape(run.id)).at(-1)?.body).toEqual(body);
    });

    it('session history holds earlier runs only, oldest first, at most maxRuns, only the asked kinds', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const run = await startRun(store(), { text: `q${i}` }, T0 + i * 1000);
        await store().commitStep(run.id, {
          now: T0 + i * 1000 + 1,
          tape: [{ kind: 'reply', body: { text: `a${i}` } }],
          transition: { to: 'succeeded' },
        });
        ids.push(run.id);
      }
      await accept(store(), { sessionKey: 'elsewhere' }, T0 + 500);
      const history = await store().readSessionHistory((await store().getRun(ids[3]!))!.sessionId, {
        beforeRunId: ids[3]!,
        maxRuns: 2,
        kinds: ['input', 'reply'],
      });
      expect(history.map((e) => [e.runId, e.kind])).toEqual([
        [ids[1], 'input'],
        [ids[1], 'reply'],
        [ids[2], 'input'],
        [ids[2], 'reply'],
      ]);
    });
  });
}
