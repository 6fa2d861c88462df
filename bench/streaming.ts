import type { ChannelDriver } from '../test/channels/driver.js';
import { createDiscordDriver } from '../test/fakes/discord/driver.js';
import { createSlackDriver } from '../test/fakes/slack/driver.js';
import { createTelegramDriver } from '../test/fakes/telegram/driver.js';
import { startCoreHarness } from '../test/support/core-harness.js';

/** The model's pace: 50 tokens a second, one word per token. */
const TOKENS_PER_SECOND = 50;

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A reply streamed by a model at 50 tokens/s into each platform, through the real core, the real
 * client library and the platform's fake: how soon the person sees text, how many posts and edits
 * the reply took, and when it was complete. Next to it, the same reply from a model that does not
 * stream (the baseline of the same run: the person sees nothing until it is all there).
 */
export async function benchStreaming(options: { tokens?: number } = {}): Promise<Record<string, unknown>[]> {
  const tokens = options.tokens ?? 150;
  const answer = Array.from({ length: tokens }, (_, i) => `tok${i}`).join(' ');
  const drivers: [string, () => ChannelDriver][] = [
    ['discord', () => createDiscordDriver()],
    ['slack', () => createSlackDriver()],
    ['telegram', () => createTelegramDriver()],
  ];
  const figures: Record<string, unknown>[] = [];
  for (const [platform, makeDriver] of drivers) {
    const streamed = await oneReply(makeDriver, answer, true);
    const baseline = await oneReply(makeDriver, answer, false);
    figures.push({
      bench: 'streaming_reply',
      platform,
      tokens,
      tokens_per_second: TOKENS_PER_SECOND,
      first_visible_text_ms: streamed.firstVisibleMs,
      complete_ms: streamed.completeMs,
      posts_per_reply: streamed.posts,
      edits_per_reply: streamed.edits,
      baseline_unstreamed_first_visible_text_ms: baseline.firstVisibleMs,
      baseline_unstreamed_posts_per_reply: baseline.posts,
      baseline_unstreamed_edits_per_reply: baseline.edits,
    });
  }
  return figures;
}

async function oneReply(
  makeDriver: () => ChannelDriver,
  answer: string,
  stream: boolean,
): Promise<{ firstVisibleMs: number; completeMs: number; posts: number; edits: number }> {
  const driver = makeDriver();
  const core = await startCoreHarness({ groups: { members: [driver.principalOf('alice')] } });
  try {
    const channel = await driver.start(core.gateway);
    core.channels.set(channel.name, channel);
    const streamMs = (answer.split(' ').length / TOKENS_PER_SECOND) * 1000;
    core.provider.enqueue(stream ? { text: answer, streamMs } : { text: answer, streamMs, stream: false });
    const replies = () => driver.posted().filter((m) => m.text.includes('tok0'));
    const t0 = performance.now();
    await driver.userSays({ user: 'alice', text: 'bench', where: 'dm' });
    await until(() => replies().length > 0);
    const firstVisibleMs = performance.now() - t0;
    await until(() => replies().some((m) => m.text.endsWith(answer.slice(-20))));
    const completeMs = performance.now() - t0;
    const posted = replies();
    return {
      firstVisibleMs: Math.round(firstVisibleMs),
      completeMs: Math.round(completeMs),
      posts: posted.length,
      edits: posted.reduce((sum, m) => sum + m.edits, 0),
    };
  } finally {
    await driver.stop();
    await core.stop();
  }
}
