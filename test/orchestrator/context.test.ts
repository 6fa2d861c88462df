import { describe, expect, it } from 'vitest';
import type { TapeEvent } from '../../src/core/types.js';
import { historyMessages, runMessages } from '../../src/orchestrator/context.js';

const turn = (runId: string, input: string, reply: string | null): TapeEvent[] => [
  { runId, seq: 0, kind: 'input', at: 0, body: { text: input } },
  ...(reply === null ? [] : [{ runId, seq: 4, kind: 'reply' as const, at: 0, body: { text: reply } }]),
];

describe('rebuilding context from the tape', () => {
  it('keeps the most recent turns that fit the token budget, oldest first', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      turn(`r${i}`, `question ${i} ${'x'.repeat(200)}`, `answer ${i}`),
    ).flat();
    const messages = historyMessages(events, 200);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThan(20);
    expect(messages.at(-1)).toEqual({ role: 'assistant', content: 'answer 9' });
    expect(messages.map((m) => m.role)).toEqual(messages.map((_, i) => (i % 2 === 0 ? 'user' : 'assistant')));
  });

  it('leaves out turns without a reply (failed or cancelled runs)', () => {
    const events = [
      ...turn('a', 'first', 'one'),
      ...turn('b', 'broken', null),
      ...turn('c', 'third', 'three'),
    ];
    expect(historyMessages(events, 10_000).map((m) => m.content)).toEqual(['first', 'one', 'third', 'three']);
  });

  it('a zero budget sends no history', () => {
    expect(historyMessages(turn('a', 'q', 'a'), 0)).toEqual([]);
  });

  it('replays the current run: input, tool calls and their outputs', () => {
    const tape: TapeEvent[] = [
      { runId: 'r', seq: 0, kind: 'input', at: 0, body: { text: 'time?' } },
      { runId: 'r', seq: 1, kind: 'state', at: 0, body: {} },
      {
        runId: 'r',
        seq: 2,
        kind: 'provider_response',
        at: 0,
        body: {
          text: '',
          toolCalls: [{ id: 'c1', name: 'current_time', arguments: '{}' }],
          usage: {},
          finishReason: 'tool_calls',
          model: 'm',
          latencyMs: 1,
        },
      },
      {
        runId: 'r',
        seq: 3,
        kind: 'tool_output',
        at: 0,
        body: { toolCallId: 'c1', tool: 'current_time', ok: true, output: 'noon' },
      },
    ];
    expect(runMessages(tape, undefined)).toEqual([
      { role: 'user', content: 'time?' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'current_time', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'noon' },
    ]);
  });
});
