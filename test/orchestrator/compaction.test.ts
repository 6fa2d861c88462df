/**
 * Context compaction through the real core: a long session keeps a summary on the tape instead of
 * forgetting its beginning, requests stay flat in size, and a failed summary falls back to the
 * recent turns and says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/types.js';
import type { ModelRequest } from '../../src/providers/provider.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';

let core: CoreHarness | undefined;
afterEach(async () => {
  await core?.stop();
  core = undefined;
});

let seq = 0;
const message = (text: string): InboundMessage => ({
  channel: 'test',
  eventId: `ev-${++seq}`,
  device: 'test',
  principal: 'console:alice',
  sessionKey: 'k:long',
  conversation: { platform: 'test', channel: 'long' },
  text,
});

const isSummaryRequest = (request: ModelRequest) =>
  String(request.messages[0]?.content ?? '').startsWith('You condense a conversation');

/** Sends one message and waits until its run finished. */
async function turn(text: string): Promise<string> {
  const { runId } = await core!.gateway.submit(message(text));
  for (;;) {
    const run = await core!.journal.getRun(runId);
    if (run && ['succeeded', 'failed', 'cancelled'].includes(run.state)) return runId;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('context compaction', () => {
  it('a 300-turn session keeps a summary on the tape, and its requests are no larger at turn 300 than around turn 30', async () => {
    core = await startCoreHarness({ groups: { members: ['console:*'] } });
    let summaries = 0;
    core.provider.fallback = (request) =>
      isSummaryRequest(request)
        ? { text: `Summary ${String(++summaries).padStart(4, '0')}: alice counts.` }
        : undefined;
    const sizes: number[] = [];
    const runIds: string[] = [];
    for (let i = 1; i <= 300; i++) {
      const before = core.provider.requests.length;
      runIds.push(await turn(`turn ${String(i).padStart(3, '0')} ${'words '.repeat(20)}`));
      const answer = core.provider.requests.slice(before).find((r) => !isSummaryRequest(r));
      sizes[i] = JSON.stringify(answer?.messages).length;
    }
    expect(summaries).toBeGreaterThan(10);
    // The latest summary is carried into the request, and the very first turn is in none of them.
    const last = core.provider.requests.filter((r) => !isSummaryRequest(r)).at(-1);
    expect(JSON.stringify(last?.messages)).toContain(`Summary ${String(summaries).padStart(4, '0')}`);
    expect(JSON.stringify(last?.messages)).not.toContain('turn 001 ');
    // Summaries are on the tape with what they cover and their token usage.
    const tapes = await Promise.all(runIds.map((id) => core!.journal.readTape(id)));
    const onTape = tapes.flat().filter((e) => e.kind === 'summary');
    expect(onTape).toHaveLength(summaries);
    expect(onTape[0]?.body).toMatchObject({ turns: expect.any(Number), usage: { totalTokens: 15 } });
    // Flat: the largest request of turns 290-300 is no larger than the largest of turns 20-30.
    const around = (from: number, to: number) => Math.max(...sizes.slice(from, to + 1));
    expect(around(290, 300)).toBeLessThanOrEqual(around(20, 30));
    expect(sizes[300]).toBeLessThanOrEqual(around(20, 30));
  }, 60_000);

  it('a summary that fails falls back to the recent turns, tells the model, and is not retried in that run', async () => {
    core = await startCoreHarness({ groups: { members: ['console:*'] } });
    // Twelve earlier turns still fit; with a thirteenth, the next request needs a summary.
    for (let i = 1; i <= 13; i++) await turn(`early ${i}`);
    let attempts = 0;
    core.provider.fallback = (request) => {
      if (!isSummaryRequest(request)) return undefined;
      attempts += 1;
      return { text: '' };
    };
    const runId = await turn('and one more');
    expect(attempts).toBe(1);
    const tape = await core.journal.readTape(runId);
    expect(tape.find((e) => e.kind === 'error')?.body).toMatchObject({ source: 'summary' });
    expect((await core.journal.getRun(runId))?.state).toBe('succeeded');
    const request = core.provider.requests.filter((r) => !isSummaryRequest(r)).at(-1);
    expect(JSON.stringify(request?.messages)).toContain('could not be summarised');
    expect(JSON.stringify(request?.messages)).toContain('early 13');
  });
});
