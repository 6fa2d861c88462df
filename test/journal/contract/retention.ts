import { describe, expect, it } from 'vitest';
import { pruneJournal, type RetentionWindows } from '../../../src/journal/retention.js';
import type { JournalStore, PruneRequest } from '../../../src/journal/store.js';
import {
  accept,
  askApproval,
  DAY,
  HOUR,
  message,
  type OpenStore,
  startRun,
  T0,
  useStore,
} from './fixtures.js';

/** `retention:` windows of one day for every kind, small batches. */
const ONE_DAY: RetentionWindows = { events: DAY, inbox: DAY, usage: DAY, tapes: DAY, batch: 3 };

/** The store's `prune`, which every journal of this suite has. */
function pruneOf(store: JournalStore): (request: PruneRequest) => Promise<number> {
  if (!store.prune) throw new Error(`${store.kind} has no prune`);
  return store.prune.bind(store);
}

/** A run that started at `at` and succeeded at `at + 1` with a reply. */
async function finishedRun(store: JournalStore, at: number, sessionKey: string): Promise<string> {
  const run = await startRun(store, { sessionKey }, at);
  await store.commitStep(run.id, {
    now: at + 1,
    expectState: 'running',
    tape: [{ kind: 'reply', body: { text: 'done' } }],
    usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 },
    transition: { to: 'succeeded' },
    outbox: [
      { channel: run.channel, conversation: run.conversation, kind: 'reply', payload: { text: 'done' } },
    ],
  });
  return run.id;
}

/** Retention (DESIGN.md section 9): what is older than its window goes, nothing else. */
export function retentionContract(open: OpenStore): void {
  describe('retention', () => {
    const store = useStore(open);

    it('prunes journal events older than the window, exactly, in batches', async () => {
      const times = [T0 - 3 * DAY, T0 - 2 * DAY, T0 - DAY - 1, T0 - DAY, T0 - HOUR, T0];
      for (const [i, at] of times.entries()) await store().recordEvent('test.tick', { i }, at);
      const counts = await pruneJournal(store(), { ...ONE_DAY, batch: 2 }, T0);
      expect(counts.events).toBe(3);
      const left = (await store().recentEvents(100)).filter((e) => e.type === 'test.tick');
      expect(left.map((e) => e.data.i)).toEqual([5, 4, 3]);
    });

    it('forgets inbox keys older than the window: the same event is new again, a recent one is not', async () => {
      const old = await accept(store(), { eventId: 'old-evt', sessionKey: 's-old' }, T0 - 2 * DAY);
      await finishOutbox(store(), old.run.id);
      await store().claimInboxEvent({ channel: 'discord', eventId: 'old-cmd', now: T0 - DAY - 1 });
      await store().claimInboxEvent({ channel: 'discord', eventId: 'new-cmd', now: T0 - DAY });
      const prune = pruneOf(store());
      expect(await prune({ kind: 'inbox', before: T0 - DAY, limit: 10, now: T0 })).toBe(2);
      expect(await store().claimInboxEvent({ channel: 'discord', eventId: 'old-cmd', now: T0 })).toEqual({
        duplicate: false,
      });
      expect(await store().claimInboxEvent({ channel: 'discord', eventId: 'new-cmd', now: T0 })).toEqual({
        duplicate: true,
      });
    });

    it('prunes usage rows older than the window; the runs themselves still count', async () => {
      await finishedRun(store(), T0 - 2 * DAY, 'u-old');
      await finishedRun(store(), T0 - HOUR, 'u-new');
      const counts = await pruneJournal(store(), { ...ONE_DAY, tapes: null }, T0);
      expect(counts.usage).toBe(1);
      const rows = await store().usageSummary({ bucket: 'day' });
      const tokens = rows.reduce((sum, r) => sum + r.totalTokens, 0);
      expect(tokens).toBe(12);
      expect(rows.reduce((sum, r) => sum + r.runs, 0)).toBe(2);
    });

    it("prunes finished runs' tapes and settled outbox, keeps the run, a recent one and a live one", async () => {
      const old = await finishedRun(store(), T0 - 2 * DAY, 't-old');
      const recent = await finishedRun(store(), T0 - HOUR, 't-new');
      const live = await startRun(store(), { sessionKey: 't-live' }, T0 - 3 * DAY);
      for (const id of [old, recent]) await finishOutbox(store(), id);
      const counts = await pruneJournal(store(), ONE_DAY, T0);
      expect(counts.tapes).toBe(1);
      expect(await store().readTape(old)).toEqual([]);
      expect(await store().listOutbox({ runId: old, limit: 10 })).toEqual([]);
      expect((await store().getRun(old))?.state).toBe('succeeded');
      expect((await store().readTape(recent)).map((e) => e.kind)).toContain('reply');
      expect(await store().readTape(live.id)).toHaveLength(2);
      // A second pass finds nothing left to do.
      expect((await pruneJournal(store(), ONE_DAY, T0)).tapes).toBe(0);
    });

    it('keeps the tape of a finished run whose reply is not delivered yet', async () => {
      const undelivered = await finishedRun(store(), T0 - 2 * DAY, 'p-undelivered');
      expect((await pruneJournal(store(), ONE_DAY, T0)).tapes).toBe(0);
      expect((await store().readTape(undelivered)).length).toBeGreaterThan(0);
    });

    it('prunes nothing a pending approval needs: its run, inbox key and usage stay', async () => {
      const run = await startRun(store(), { eventId: 'evt-waiting', sessionKey: 'a-wait' }, T0 - 3 * DAY);
      await store().commitStep(run.id, {
        now: T0 - 3 * DAY,
        usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      });
      await askApproval(store(), run, { id: 'ap-wait', now: T0 - 3 * DAY, expiresAt: T0 + DAY });
      const tapeBefore = await store().readTape(run.id);
      await pruneJournal(store(), ONE_DAY, T0);
      expect(await store().readTape(run.id)).toEqual(tapeBefore);
      expect((await store().getApproval('ap-wait'))?.state).toBe('pending');
      expect((await store().usageSummary({ bucket: 'day' })).reduce((s, r) => s + r.totalTokens, 0)).toBe(2);
      const again = await store().acceptInbound({
        message: message({ eventId: 'evt-waiting', sessionKey: 'a-wait' }),
        createSession: true,
        now: T0,
      });
      expect(again.duplicate).toBe(true);
    });

    it('a live run’s tape stays append-only even with retention', async () => {
      const live = await startRun(store(), { sessionKey: 'al-live' }, T0 - 3 * DAY);
      await pruneJournal(store(), { ...ONE_DAY, tapes: 0 }, T0);
      expect(await store().readTape(live.id)).toHaveLength(2);
    });

    it('turns keep flowing while a pass prunes in small batches', async () => {
      for (let i = 0; i < 30; i++) await store().recordEvent('test.old', { i }, T0 - 2 * DAY);
      const olds = [];
      for (let i = 0; i < 6; i++) olds.push(await finishedRun(store(), T0 - 2 * DAY + i, `f-old-${i}`));
      for (const id of olds) await finishOutbox(store(), id);
      let turns = 0;
      let passDone = false;
      const pass = pruneJournal(store(), { ...ONE_DAY, batch: 2 }, T0).finally(() => {
        passDone = true;
      });
      const turnsDuringPass: string[] = [];
      // Each turn waits for I/O like a real one (a model call), which is when the pass goes on.
      while ((!passDone || turns < 5) && turns < 500) {
        turnsDuringPass.push(await finishedRun(store(), T0 + turns, `f-new-${turns}`));
        turns += 1;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      expect(passDone).toBe(true);
      const counts = await pass;
      expect(counts.tapes).toBe(6);
      expect(counts.events).toBeGreaterThanOrEqual(30);
      expect(turnsDuringPass.length).toBeGreaterThanOrEqual(5);
      for (const id of turnsDuringPass) {
        expect((await store().getRun(id))?.state).toBe('succeeded');
        expect((await store().readTape(id)).map((e) => e.kind)).toContain('reply');
      }
      const oldEvents = (await store().recentEvents(1000)).filter((e) => e.type === 'test.old');
      expect(oldEvents).toEqual([]);
    });
  });
}

/** Delivers every pending outbox item of a run, as the dispatcher would. */
async function finishOutbox(store: JournalStore, runId: string): Promise<void> {
  for (const item of await store.listOutbox({ runId, state: 'pending', limit: 100 })) {
    await store.completeOutbox(item.id, { messageIds: ['m1'] }, item.createdAt + 1);
  }
}
