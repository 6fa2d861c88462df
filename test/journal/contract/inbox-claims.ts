import { describe, expect, it } from 'vitest';
import { accept, message, type OpenStore, snapshot, T0, useStore } from './fixtures.js';

/**
 * Platform events handled without a run (a refusal, a chat command): `claimInboxEvent` shares the
 * inbox and its unique key with `acceptInbound`, so each event is handled once whichever way it
 * went first.
 */
export function inboxClaimsContract(open: OpenStore): void {
  describe('inbox claims of events handled without a run', () => {
    const store = useStore(open);

    it('the first claim of an event is new, every later one a duplicate, and neither writes a run', async () => {
      const before = await snapshot(store());
      const event = { channel: 'telegram', eventId: 'update-41', now: T0 };
      expect(await store().claimInboxEvent(event)).toEqual({ duplicate: false });
      expect(await store().claimInboxEvent({ ...event, now: T0 + 5000 })).toEqual({ duplicate: true });
      expect(await store().claimInboxEvent({ ...event, now: T0 + 9000 })).toEqual({ duplicate: true });
      expect(await snapshot(store())).toEqual(before);
    });

    it('a message whose event was claimed is a duplicate without a run and writes nothing', async () => {
      const msg = message({ eventId: 'refused-then-redelivered' });
      await store().claimInboxEvent({ channel: msg.channel, eventId: msg.eventId, now: T0 });
      const before = await snapshot(store());
      const again = await store().acceptInbound({ message: msg, createSession: true, now: T0 + 1000 });
      expect(again).toEqual({ duplicate: true, runId: null });
      expect(await snapshot(store())).toEqual(before);
    });

    it('an accepted event cannot be claimed again', async () => {
      const { run } = await accept(store(), { eventId: 'accepted-first' });
      expect(
        await store().claimInboxEvent({ channel: 'discord', eventId: 'accepted-first', now: T0 + 1 }),
      ).toEqual({ duplicate: true });
      expect(await store().listRuns({ limit: 10 })).toEqual([await store().getRun(run.id)]);
    });

    it('the same event id on another channel is a different event', async () => {
      await store().claimInboxEvent({ channel: 'discord', eventId: 'same-id', now: T0 });
      expect(await store().claimInboxEvent({ channel: 'slack', eventId: 'same-id', now: T0 })).toEqual({
        duplicate: false,
      });
      const accepted = await store().acceptInbound({
        message: message({ eventId: 'same-id', channel: 'telegram', device: 'telegram:bot1' }),
        createSession: true,
        now: T0,
      });
      expect(accepted.duplicate).toBe(false);
    });

    it('concurrent claims and an acceptance of one event: exactly one of them is new', async () => {
      const msg = message({ eventId: 'raced' });
      const claim = () => store().claimInboxEvent({ channel: msg.channel, eventId: msg.eventId, now: T0 });
      const results = await Promise.all([
        claim(),
        store().acceptInbound({ message: msg, createSession: true, now: T0 }),
        claim(),
        claim(),
      ]);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      const runs = await store().listRuns({ limit: 10 });
      expect(runs.length).toBeLessThanOrEqual(1);
      // The acceptance won exactly when it started a run.
      expect(runs.length === 1).toBe(results[1]?.duplicate === false);
    });
  });
}
