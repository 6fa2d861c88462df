import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationRef, DeliveryReceipt, Run } from '../../src/core/types.js';
import type { Channel } from '../../src/ports/channel.js';
import { Presence } from '../../src/runtime/presence.js';

/** A channel that asks to be shown again every `refreshMs`, recording when its activity was shown. */
function channelWithIndicator(
  refreshMs: number | undefined,
): Channel & { shown: { at: number; status: string }[] } {
  const shown: { at: number; status: string }[] = [];
  return {
    name: 'chat',
    shown,
    ...(refreshMs === undefined ? {} : { activityRefreshMs: refreshMs }),
    async start() {},
    async stop() {},
    async send(): Promise<DeliveryReceipt> {
      return { messageIds: [] };
    },
    async presentApproval(): Promise<DeliveryReceipt> {
      return { messageIds: [] };
    },
    async updateApproval() {},
    async showActivity(_conversation: ConversationRef, status: string) {
      shown.push({ at: Date.now(), status });
    },
  };
}

const run = { id: 'run-1', channel: 'chat', conversation: { platform: 'chat', channel: 'c1' } } as Run;

describe('presence during a long model call', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const [platform, lastsMs, refreshMs] of [
    ['Discord', 10_000, 8_000],
    ['Telegram', 5_000, 4_000],
  ] as const) {
    it(`${platform}'s typing never lapses through a 30 s model call, then stops`, async () => {
      const channel = channelWithIndicator(refreshMs);
      const presence = new Presence({
        channels: new Map([['chat', channel]]),
        logger: pino({ level: 'silent' }),
      });
      const start = Date.now();
      presence.show(run, 'thinking…');
      await vi.advanceTimersByTimeAsync(30_000);
      const times = [...channel.shown.map((s) => s.at), start + 30_000];
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(lastsMs);
      presence.stop(run.id);
      const count = channel.shown.length;
      await vi.advanceTimersByTimeAsync(30_000);
      expect(channel.shown).toHaveLength(count);
    });
  }

  it('a tool run changes the status line, and the refresh keeps the new one', async () => {
    const channel = channelWithIndicator(4_000);
    const presence = new Presence({
      channels: new Map([['chat', channel]]),
      logger: pino({ level: 'silent' }),
    });
    presence.show(run, 'thinking…');
    await vi.advanceTimersByTimeAsync(1_000);
    presence.show(run, 'running shell_exec…');
    await vi.advanceTimersByTimeAsync(8_000);
    expect(channel.shown.map((s) => s.status)).toEqual([
      'thinking…',
      'running shell_exec…',
      'running shell_exec…',
      'running shell_exec…',
    ]);
    presence.stop(run.id);
  });

  it('a platform whose status stays needs no refresh', async () => {
    const channel = channelWithIndicator(undefined);
    const presence = new Presence({
      channels: new Map([['chat', channel]]),
      logger: pino({ level: 'silent' }),
    });
    presence.show(run, 'thinking…');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(channel.shown).toHaveLength(1);
    presence.stop(run.id);
  });
});
