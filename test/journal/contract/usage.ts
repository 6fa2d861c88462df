import { describe, expect, it } from 'vitest';
import { accept, DAY, HOUR, type OpenStore, startRun, T0, useStore } from './fixtures.js';

/** Journal events, usage summaries, counts and health. */
export function usageContract(open: OpenStore): void {
  describe('journal events, usage and counts', () => {
    const store = useStore(open);

    it('recent events are newest first and limited', async () => {
      await store().recordEvent('channel.up', { channel: 'discord' }, T0);
      await store().recordEvent('admin.cancel', { runId: 'r1' }, T0 + 1000);
      const recorded = await store().recordEvent(
        'channel.down',
        { channel: 'discord', reason: 'token revoked' },
        T0 + 2000,
      );
      expect(recorded).toMatchObject({
        at: T0 + 2000,
        type: 'channel.down',
        data: { reason: 'token revoked' },
      });
      const events = await store().recentEvents(2);
      expect(events.map((e) => e.type)).toEqual(['channel.down', 'admin.cancel']);
      expect(events[0]).toEqual(recorded);
    });

    it('a schedule tick is claimed once: later ticks claim, the same or earlier ones do not', async () => {
      expect(await store().lastScheduleTick('standup')).toBeNull();
      expect(await store().claimScheduleTick({ name: 'standup', tick: T0, owner: 'a', now: T0 })).toBe(true);
      expect(await store().claimScheduleTick({ name: 'standup', tick: T0, owner: 'b', now: T0 + 1 })).toBe(
        false,
      );
      expect(
        await store().claimScheduleTick({ name: 'standup', tick: T0 - HOUR, owner: 'b', now: T0 + 2 }),
      ).toBe(false);
      expect(await store().lastScheduleTick('standup')).toBe(T0);
      expect(
        await store().claimScheduleTick({ name: 'standup', tick: T0 + HOUR, owner: 'b', now: T0 + 3 }),
      ).toBe(true);
      expect(await store().lastScheduleTick('standup')).toBe(T0 + HOUR);
      expect(await store().lastScheduleTick('other')).toBeNull();
    });

    it('usage is broken down by agent and tool source over a window', async () => {
      const coder = await startRun(
        store(),
        { sessionKey: 'c', principal: 'discord:ann', agent: 'coder' },
        T0,
      );
      const plain = await startRun(store(), { sessionKey: 'd', principal: 'discord:bob' }, T0 + 1);
      await store().commitStep(coder.id, {
        now: T0 + 10,
        usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 },
      });
      await store().commitStep(coder.id, { now: T0 + 20, toolExecution: { ms: 300, source: 'mcp:files' } });
      await store().commitStep(coder.id, { now: T0 + 30, toolExecution: { ms: 100, source: 'mcp:files' } });
      await store().commitStep(plain.id, { now: T0 + 40, toolExecution: { ms: 50 } });
      await store().commitStep(plain.id, {
        now: T0 + 50,
        usage: { promptTokens: 5, completionTokens: 5, totalTokens: 10 },
      });
      const all = await store().usageBreakdown({ bucket: 'day' });
      expect(all.agents).toEqual([
        {
          agent: 'coder',
          promptTokens: 100,
          completionTokens: 20,
          totalTokens: 120,
          runs: 1,
          toolExecutions: 2,
          toolMs: 400,
        },
        {
          agent: null,
          promptTokens: 5,
          completionTokens: 5,
          totalTokens: 10,
          runs: 1,
          toolExecutions: 1,
          toolMs: 50,
        },
      ]);
      expect(all.toolSources).toEqual([
        { source: 'mcp:files', executions: 2, ms: 400 },
        { source: 'builtin', executions: 1, ms: 50 },
      ]);
      const bobs = await store().usageBreakdown({ bucket: 'day', principal: 'discord:bob' });
      expect(bobs.agents.map((a) => a.agent)).toEqual([null]);
      expect(bobs.toolSources).toEqual([{ source: 'builtin', executions: 1, ms: 50 }]);
      const later = await store().usageBreakdown({ bucket: 'day', since: T0 + 35 });
      expect(later.toolSources).toEqual([{ source: 'builtin', executions: 1, ms: 50 }]);
    });

    it('usage is summed per person per hour, in UTC buckets', async () => {
      const ann = await startRun(store(), { sessionKey: 'a', principal: 'discord:ann' }, T0 + 5 * 60_000);
      const bob = await startRun(store(), { sessionKey: 'b', principal: 'discord:bob' }, T0 + HOUR + 1);
      await store().commitStep(ann.id, {
        now: T0 + 6 * 60_000,
        usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 },
      });
      await store().commitStep(ann.id, { now: T0 + 7 * 60_000, toolExecution: { ms: 250 } });
      await store().commitStep(ann.id, {
        now: T0 + HOUR + 10,
        usage: { promptTokens: 50, completionTokens: 5, totalTokens: 55 },
        toolExecution: { ms: 50 },
      });
      await store().commitStep(bob.id, {
        now: T0 + HOUR + 20,
        usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 },
      });
      const rows = await store().usageSummary({ bucket: 'hour' });
      expect(rows).toEqual([
        {
          principal: 'discord:ann',
          bucketStart: T0,
          promptTokens: 100,
          completionTokens: 20,
          totalTokens: 120,
          runs: 1,
          toolExecutions: 1,
          toolMs: 250,
        },
        {
          principal: 'discord:ann',
          bucketStart: T0 + HOUR,
          promptTokens: 50,
          completionTokens: 5,
          totalTokens: 55,
          runs: 0,
          toolExecutions: 1,
          toolMs: 50,
        },
        {
          principal: 'discord:bob',
          bucketStart: T0 + HOUR,
          promptTokens: 7,
          completionTokens: 3,
          totalTokens: 10,
          runs: 1,
          toolExecutions: 0,
          toolMs: 0,
        },
      ]);
      const days = await store().usageSummary({ bucket: 'day', principal: 'discord:ann' });
      const midnight = Date.UTC(2025, 2, 3);
      expect(days).toEqual([
        {
          principal: 'discord:ann',
          bucketStart: midnight,
          promptTokens: 150,
          completionTokens: 25,
          totalTokens: 175,
          runs: 1,
          toolExecutions: 2,
          toolMs: 300,
        },
      ]);
    });

    it('usage counts runs by when they were created, within [since, until)', async () => {
      await accept(store(), { sessionKey: 'a' }, T0);
      await accept(store(), { sessionKey: 'b' }, T0 + DAY);
      await accept(store(), { sessionKey: 'c' }, T0 + 2 * DAY);
      const rows = await store().usageSummary({ bucket: 'day', since: T0, until: T0 + 2 * DAY });
      expect(rows.map((r) => [r.bucketStart, r.runs])).toEqual([
        [Date.UTC(2025, 2, 3), 1],
        [Date.UTC(2025, 2, 4), 1],
      ]);
      expect(await store().usageSummary({ bucket: 'day', principal: 'discord:nobody' })).toEqual([]);
    });

    it('counts every run and approval state, zero included', async () => {
      await accept(store(), { sessionKey: 'a' });
      const run = await startRun(store(), { sessionKey: 'b' });
      await store().commitStep(run.id, { now: T0 + 1, transition: { to: 'failed', reason: 'x' } });
      expect(await store().counts()).toEqual({
        runs: { accepted: 1, running: 0, succeeded: 0, failed: 1, cancelled: 0 },
        approvals: { pending: 0, approved: 0, denied: 0, expired: 0, cancelled: 0 },
      });
    });

    it('a health check passes on a writable journal and leaves no trace', async () => {
      await store().healthCheck();
      expect(await store().recentEvents(10)).toEqual([]);
    });

    it('migrating again changes nothing', async () => {
      const { run } = await accept(store());
      await store().migrate();
      expect(await store().getRun(run.id)).toEqual(run);
    });
  });
}
