import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/types.js';
import type { JournalStore } from '../../../src/journal/store.js';
import { askApproval, DAY, MINUTE, type OpenStore, startRun, T0, useStore } from './fixtures.js';

async function reply(store: JournalStore, run: Run, text: string, now: number): Promise<void> {
  await store.commitStep(run.id, {
    now,
    outbox: [{ channel: run.channel, conversation: run.conversation, kind: 'reply', payload: { text } }],
  });
}

/** The outbox: claiming, leases, retries and approval cards. */
export function outboxContract(open: OpenStore): void {
  describe('outbox delivery', () => {
    const store = useStore(open);
    const claim = (now: number, owner = 'sender-1', limit = 10) =>
      store().claimOutbox({ owner, leaseMs: MINUTE, now, limit });

    it('replies are claimed oldest first once due, and not twice while leased', async () => {
      const run = await startRun(store());
      await reply(store(), run, 'first', T0 + 1);
      await reply(store(), run, 'second', T0 + 2);
      await reply(store(), run, 'third', T0 + 3);
      expect(await claim(T0)).toEqual([]);
      const claimed = await claim(T0 + 10, 'sender-1', 2);
      expect(claimed.map((o) => o.payload)).toEqual([{ text: 'first' }, { text: 'second' }]);
      expect(claimed[0]).toMatchObject({ attempts: 1, state: 'pending' });
      const rest = await claim(T0 + 11, 'sender-2');
      expect(rest.map((o) => o.payload)).toEqual([{ text: 'third' }]);
      expect(await claim(T0 + 12, 'sender-3')).toEqual([]);
    });

    it('an item whose sender died is claimed again after the lease', async () => {
      const run = await startRun(store());
      await reply(store(), run, 'hello', T0);
      const [item] = await claim(T0 + 1, 'sender-1');
      expect(await claim(T0 + 2, 'sender-2')).toEqual([]);
      const again = await claim(T0 + 1 + MINUTE, 'sender-2');
      expect(again.map((o) => [o.id, o.attempts])).toEqual([[item?.id, 2]]);
    });

    it('a delivered reply is stored with its receipt and never claimed again', async () => {
      const run = await startRun(store());
      await reply(store(), run, 'hello', T0);
      const [item] = await claim(T0 + 1);
      if (!item) throw new Error('nothing claimed');
      await store().completeOutbox(item.id, { messageIds: ['m1', 'm2'] }, T0 + 2);
      expect(await store().getOutboxItem(item.id)).toMatchObject({
        state: 'delivered',
        deliveredAt: T0 + 2,
        receipt: { messageIds: ['m1', 'm2'] },
      });
      expect(await claim(T0 + 2 * MINUTE)).toEqual([]);
      expect(await store().listOutbox({ state: 'delivered', limit: 10 })).toHaveLength(1);
      expect(await store().listOutbox({ state: 'pending', limit: 10 })).toHaveLength(0);
    });

    it('the parts a crashed sender got posted are on the item when it is claimed again', async () => {
      const run = await startRun(store());
      await reply(store(), run, 'a long reply', T0);
      const [item] = await claim(T0 + 1, 'sender-1');
      if (!item) throw new Error('nothing claimed');
      expect(item.receipt).toBeNull();
      await store().recordOutboxProgress(item.id, { messageIds: ['m1'] }, T0 + 2);
      // sender-1 dies; after its lease another sender sees what was already posted.
      const [again] = await claim(T0 + 1 + MINUTE, 'sender-2');
      expect(again).toMatchObject({ id: item.id, attempts: 2, receipt: { messageIds: ['m1'] } });
      await store().completeOutbox(item.id, { messageIds: ['m1', 'm2'] }, T0 + 3);
      // A late progress write of the dead sender does not overwrite the full receipt.
      await store().recordOutboxProgress(item.id, { messageIds: ['m1'] }, T0 + 4);
      expect(await store().getOutboxItem(item.id)).toMatchObject({
        state: 'delivered',
        receipt: { messageIds: ['m1', 'm2'] },
      });
      await expect(store().recordOutboxProgress('nope', { messageIds: [] }, T0)).rejects.toThrow();
    });

    it("a run's streamed draft is kept until the final text replaced it", async () => {
      const run = await startRun(store());
      expect(await store().getDraft(run.id)).toBeNull();
      await store().recordDraft(run.id, { messageIds: ['d1'] }, T0);
      await store().recordDraft(run.id, { messageIds: ['d1', 'd2'] }, T0 + 1);
      expect(await store().getDraft(run.id)).toEqual({ messageIds: ['d1', 'd2'] });
      await store().recordDraft(run.id, null, T0 + 2);
      expect(await store().getDraft(run.id)).toBeNull();
    });

    it('a failed delivery is retried at the given time, or given up for good', async () => {
      const run = await startRun(store());
      await reply(store(), run, 'hello', T0);
      const [item] = await claim(T0 + 1);
      if (!item) throw new Error('nothing claimed');
      await store().failOutbox(item.id, 'HTTP 502', T0 + 30_000, T0 + 2);
      expect(await store().getOutboxItem(item.id)).toMatchObject({
        state: 'pending',
        attempts: 1,
        lastError: 'HTTP 502',
        nextAttemptAt: T0 + 30_000,
      });
      expect(await claim(T0 + 29_999)).toEqual([]);
      const [retry] = await claim(T0 + 30_000);
      expect(retry?.attempts).toBe(2);
      await store().failOutbox(item.id, 'HTTP 403 missing access', null, T0 + 30_001);
      expect(await store().getOutboxItem(item.id)).toMatchObject({
        state: 'failed',
        lastError: 'HTTP 403 missing access',
      });
      expect(await claim(T0 + DAY)).toEqual([]);
    });

    it('a card update waits until its card is delivered, then edits it in place', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + 10 * MINUTE });
      await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:a',
        scope: 'once',
        now: T0 + 1,
      });
      const [card] = await claim(T0 + 2);
      expect(card).toMatchObject({ kind: 'approval_card', payload: { approvalId: 'ap-1' } });
      expect(await claim(T0 + 3, 'sender-2')).toEqual([]);
      await store().completeOutbox(card!.id, { messageIds: ['card-1'] }, T0 + 4);
      expect(await store().getApproval('ap-1')).toMatchObject({ cardReceipt: { messageIds: ['card-1'] } });
      const [update] = await claim(T0 + 5);
      expect(update).toMatchObject({
        kind: 'approval_update',
        payload: { approvalId: 'ap-1', allowSessionScope: false },
      });
    });

    it('a card update goes out when its card could not be shown', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + 10 * MINUTE });
      const [card] = await claim(T0 + 1);
      await store().failOutbox(card!.id, 'channel gone', null, T0 + 2);
      await store().cancelRun(run.id, 'discord:admin', 'stop', T0 + 3);
      const [update] = await claim(T0 + 4);
      expect(update).toMatchObject({ kind: 'approval_update', payload: { approvalId: 'ap-1' } });
      expect(await store().getApproval('ap-1')).toMatchObject({ state: 'cancelled', cardReceipt: null });
    });

    it('outbox items are listed by run and state, oldest first', async () => {
      const a = await startRun(store(), { sessionKey: 'a' });
      const b = await startRun(store(), { sessionKey: 'b' });
      await reply(store(), a, 'a1', T0 + 1);
      await reply(store(), b, 'b1', T0 + 2);
      await reply(store(), a, 'a2', T0 + 3);
      expect((await store().listOutbox({ runId: a.id, limit: 10 })).map((o) => o.payload)).toEqual([
        { text: 'a1' },
        { text: 'a2' },
      ]);
      expect(await store().listOutbox({ limit: 2 })).toHaveLength(2);
      expect(await store().getOutboxItem('missing')).toBeNull();
    });
  });
}
