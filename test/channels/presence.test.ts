import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConversationRef, Run } from '../../src/core/types.js';
import type { Channel } from '../../src/ports/channel.js';
import { Presence } from '../../src/runtime/presence.js';
import { startHarness } from './discord/harness.js';
import { startSlack } from './slack/harness.js';
import { startTelegram } from './telegram/harness.js';

/** A run in `conversation` that keeps one model call going for 30 s (the interval clock is faked). */
async function thirtySecondModelCall(channel: Channel, conversation: ConversationRef): Promise<void> {
  const run = { id: 'run-30s', channel: channel.name, conversation } as Run;
  const presence = new Presence({
    channels: new Map([[channel.name, channel]]),
    logger: pino({ level: 'silent' }),
  });
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  try {
    presence.show(run, 'thinking…');
    for (let second = 0; second < 30; second++) {
      vi.advanceTimersByTime(1_000);
      // The platform calls go over real sockets: let each land before the next second.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    presence.stop(run.id);
  } finally {
    vi.useRealTimers();
  }
}

/** The calls are sent; wait until they have all landed at the fake. */
const landed = { timeout: 5_000, interval: 20 };

describe('typing stays on through a 30 s model call, through the real client libraries', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('Discord: the typing indicator (lasting ~10 s) is sent again every 8 s', async () => {
    const h = await startHarness();
    stops.push(() => h.stop());
    const general = {
      platform: 'discord',
      workspace: h.fake.world.guildId,
      channel: h.fake.world.general.id,
    };
    await thirtySecondModelCall(h.channel, general);
    const typing = () => h.fake.rest.requestsTo('POST', new RegExp(`/channels/${general.channel}/typing$`));
    // At 0, 8, 16 and 24 s: never more than 8 s without a fresh indicator.
    await expect.poll(() => typing().length, landed).toBe(4);
    expect(h.channel.activityRefreshMs).toBeLessThan(10_000);
  });

  it('Telegram: "typing…" (lasting ~5 s) is sent again every 4 s', async () => {
    const h = await startTelegram();
    stops.push(() => h.stop());
    await thirtySecondModelCall(h.channel, { platform: 'telegram', channel: '1001' });
    // At 0, 4, 8 … 28 s.
    await expect.poll(() => h.fake.chatActions.filter((a) => a.action === 'typing').length, landed).toBe(8);
    expect(h.channel.activityRefreshMs).toBeLessThan(5_000);
  });

  it("Slack: the thread's status, which lasts two minutes, is set once", async () => {
    const h = await startSlack();
    stops.push(() => h.stop());
    await thirtySecondModelCall(h.channel, {
      platform: 'slack',
      workspace: 'T0FAKE',
      channel: 'C0GENERAL',
      thread: '1712345678.000100',
    });
    await expect.poll(() => h.fake.callsOf('assistant.threads.setStatus').length, landed).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.fake.callsOf('assistant.threads.setStatus')).toHaveLength(1);
    expect(h.channel.activityRefreshMs).toBeLessThan(120_000);
  });
});
