import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationRef, DeliveryReceipt, Run } from '../../src/core/types.js';
import { type Channel, ChannelError } from '../../src/ports/channel.js';
import { ReplyStreams } from '../../src/runtime/reply-streams.js';

const conversation: ConversationRef = { platform: 'chat', channel: 'c1' };
const run = { id: 'run-1', channel: 'chat', conversation } as Run;

/** A channel that shows drafts in one message, recording each call; `failures` are thrown first. */
function draftChannel(intervalMs: number) {
  const shown: { at: number; text: string; shown: readonly string[] }[] = [];
  const failures: Error[] = [];
  const channel: Channel = {
    name: 'chat',
    async start() {},
    async stop() {},
    async send(): Promise<DeliveryReceipt> {
      return { messageIds: [] };
    },
    async presentApproval(): Promise<DeliveryReceipt> {
      return { messageIds: [] };
    },
    async updateApproval() {},
    async showDraft(_conversation, text, ids) {
      shown.push({ at: Date.now(), text, shown: [...ids] });
      const failure = failures.shift();
      if (failure) throw failure;
      return ids.length > 0 ? [...ids] : ['m1'];
    },
    draftIntervalMs: () => intervalMs,
  };
  return { channel, shown, failures };
}

function streamsFor(channel: Channel) {
  const drafts: { runId: string; ids: string[] | null }[] = [];
  const streams = new ReplyStreams({
    journal: {
      getRun: async (id) => (id === run.id ? run : null),
      recordDraft: async (runId, receipt) => {
        drafts.push({ runId, ids: receipt?.messageIds ?? null });
      },
    },
    channels: new Map([[channel.name, channel]]),
    clock: () => Date.now(),
    logger: pino({ level: 'silent' }),
  });
  return { streams, drafts };
}

/** Settles the stream while the faked clock runs (settling waits out the interval). */
async function settle(streams: ReplyStreams): Promise<void> {
  const settled = streams.settle(run.id);
  await vi.advanceTimersByTimeAsync(10_000);
  await settled;
}

describe('reply streams', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('posts the first text at once, then edits no more often than the interval, ending with all of it', async () => {
    const { channel, shown } = draftChannel(1_000);
    const { streams, drafts } = streamsFor(channel);
    streams.delta(run.id, 'Hello', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(shown.map((s) => s.text)).toEqual(['Hello']);
    expect(drafts).toEqual([{ runId: run.id, ids: ['m1'] }]);
    for (let i = 0; i < 30; i++) {
      streams.delta(run.id, ` w${i}`, false);
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    await settle(streams);
    for (let i = 1; i < shown.length; i++)
      expect(shown[i]!.at - shown[i - 1]!.at).toBeGreaterThanOrEqual(1_000);
    expect(shown.length).toBeLessThanOrEqual(5);
    expect(shown.at(-1)?.text).toBe(`Hello${Array.from({ length: 30 }, (_, i) => ` w${i}`).join('')}`);
    expect(
      shown.slice(1).every((s) => s.shown.join() === 'm1'),
      'edits the one message',
    ).toBe(true);
  });

  it('a 429 waits the time the platform asks, then sends everything written meanwhile', async () => {
    const { channel, shown, failures } = draftChannel(1_000);
    const { streams } = streamsFor(channel);
    streams.delta(run.id, 'one', true);
    await vi.advanceTimersByTimeAsync(0);
    failures.push(new ChannelError('rate_limited', 'slow down', 5_000));
    streams.delta(run.id, ' two', false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(shown.map((s) => s.text)).toEqual(['one', 'one two']);
    streams.delta(run.id, ' three', false);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(shown).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(shown.map((s) => s.text)).toEqual(['one', 'one two', 'one two three']);
    await settle(streams);
  });

  it('a permanent refusal stops the stream (the final text still comes through the outbox)', async () => {
    const { channel, shown, failures } = draftChannel(1_000);
    const { streams } = streamsFor(channel);
    failures.push(new ChannelError('permanent', 'missing access'));
    streams.delta(run.id, 'one', true);
    await vi.advanceTimersByTimeAsync(0);
    streams.delta(run.id, ' two', false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(shown).toHaveLength(1);
    await settle(streams);
  });

  it("a new model call's text replaces the earlier call's in the same message", async () => {
    const { channel, shown } = draftChannel(1_000);
    const { streams } = streamsFor(channel);
    streams.delta(run.id, 'Let me check.', true);
    await vi.advanceTimersByTimeAsync(0);
    streams.delta(run.id, 'It is noon.', true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(shown.map((s) => [s.text, s.shown.join()])).toEqual([
      ['Let me check.', ''],
      ['It is noon.', 'm1'],
    ]);
    await settle(streams);
  });

  it('nothing is shown once the stream is settled', async () => {
    const { channel, shown } = draftChannel(1_000);
    const { streams } = streamsFor(channel);
    streams.delta(run.id, 'one', true);
    await vi.advanceTimersByTimeAsync(0);
    streams.delta(run.id, ' two', false);
    const settled = streams.settle(run.id);
    await vi.advanceTimersByTimeAsync(2_000);
    await settled;
    expect(shown.map((s) => s.text)).toEqual(['one']);
  });
});
