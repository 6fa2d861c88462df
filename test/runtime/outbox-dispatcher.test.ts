import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryReceipt, OutboundMessage } from '../../src/core/types.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import type { JournalStore } from '../../src/journal/store.js';
import type { Channel } from '../../src/ports/channel.js';
import { OutboxDispatcher } from '../../src/runtime/outbox-dispatcher.js';
import { MINUTE, startRun, T0 } from '../journal/contract/fixtures.js';

/** A platform that posts a reply in two parts; `dieAfterFirst` makes the sender hang after part one. */
class TwoPartChannel implements Channel {
  readonly name = 'chat';
  readonly posted: string[] = [];
  readonly seen: OutboundMessage[] = [];
  dieAfterFirst = false;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async presentApproval(): Promise<DeliveryReceipt> {
    return { messageIds: [] };
  }
  async updateApproval(): Promise<void> {}
  async send(message: OutboundMessage): Promise<DeliveryReceipt> {
    this.seen.push(message);
    const ids = [...(message.delivered ?? [])];
    for (const part of ['part-1', 'part-2'].slice(ids.length)) {
      this.posted.push(part);
      ids.push(`id-${part}`);
      await message.recordProgress?.(ids);
      // The process is killed here: the promise never settles, the lease runs out.
      if (this.dieAfterFirst) return new Promise<DeliveryReceipt>(() => {});
    }
    return { messageIds: ids };
  }
}

describe('outbox delivery across a crash', () => {
  let dir: string;
  let journal: JournalStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-outbox-'));
    journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite3') });
    await journal.migrate();
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dispatcher = (
    channel: Channel,
    now: () => number,
    owner: string,
    streams?: { settle(runId: string): Promise<void> },
  ) =>
    new OutboxDispatcher({
      ...(streams ? { streams } : {}),
      journal,
      channels: new Map([[channel.name, channel]]),
      owner,
      clock: now,
      logger: pino({ level: 'silent' }),
      leaseMs: MINUTE,
      pollMs: 60_000,
      onCardFailed: async () => {},
    });

  it('a sender killed after the first part of a reply: the next one posts only the second', async () => {
    const run = await startRun(journal, { channel: 'chat' });
    await journal.commitStep(run.id, {
      now: T0,
      outbox: [{ channel: 'chat', conversation: run.conversation, kind: 'reply', payload: { text: 'long' } }],
    });
    const channel = new TwoPartChannel();
    channel.dieAfterFirst = true;
    const first = dispatcher(channel, () => T0 + 1, 'replica-a');
    first.start();
    await expect.poll(() => channel.posted).toEqual(['part-1']);

    channel.dieAfterFirst = false;
    const second = dispatcher(channel, () => T0 + 2 * MINUTE, 'replica-b');
    second.start();
    await expect
      .poll(async () => (await journal.listOutbox({ state: 'delivered', limit: 1 })).length)
      .toBe(1);
    await second.stop();
    expect(channel.posted).toEqual(['part-1', 'part-2']);
    expect(channel.seen[1]).toMatchObject({ attempt: 2, delivered: ['id-part-1'] });
    const [item] = await journal.listOutbox({ state: 'delivered', limit: 1 });
    expect(item?.receipt).toEqual({ messageIds: ['id-part-1', 'id-part-2'] });
  });

  it("a notice while the run works leaves its stream alone; the run's final reply settles it and takes its draft", async () => {
    const run = await startRun(journal, { channel: 'chat' });
    const notice = {
      channel: 'chat',
      conversation: run.conversation,
      kind: 'notice' as const,
      payload: { text: 'n' },
    };
    await journal.commitStep(run.id, { now: T0, outbox: [notice] });
    await journal.recordDraft(run.id, { messageIds: ['draft-1'] }, T0);
    const channel = new TwoPartChannel();
    const settled: string[] = [];
    const loop = dispatcher(channel, () => T0 + 10, 'replica-a', {
      settle: async (runId) => {
        settled.push(runId);
      },
    });
    loop.start();
    await expect.poll(() => channel.seen.length).toBe(1);
    expect(settled).toEqual([]);
    expect(channel.seen[0]?.drafts).toBeUndefined();
    await journal.commitStep(run.id, {
      now: T0 + 2,
      outbox: [{ ...notice, kind: 'reply', payload: { text: 'final' } }],
      transition: { to: 'succeeded' },
    });
    loop.kick();
    await expect.poll(() => channel.seen.length).toBe(2);
    await loop.stop();
    expect(settled).toEqual([run.id]);
    expect(channel.seen[1]?.drafts).toEqual(['draft-1']);
    await expect.poll(() => journal.getDraft(run.id)).toBeNull();
  });
});
