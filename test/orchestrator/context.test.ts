import { describe, expect, it } from 'vitest';
import type { TapeEvent } from '../../src/core/types.js';
import { MAX_RECENT_TURNS, planContext, type SummaryBody } from '../../src/orchestrator/compaction.js';
import { runMessages } from '../../src/orchestrator/context.js';

/** The messages carried as they are (the old history rebuild). */
const historyMessages = (events: TapeEvent[], budget: number) => planContext(events, budget).recent;

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

  it('what does not fit is planned for a summary, never dropped silently', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      turn(`r${i}`, `question ${i} ${'x'.repeat(200)}`, `answer ${i}`),
    ).flat();
    const plan = planContext(events, 200);
    const kept = plan.recent.length / 2;
    expect(plan.overflow.map((t) => t.runId)).toEqual(Array.from({ length: 10 - kept }, (_, i) => `r${i}`));
  });

  it('keeps at most MAX_RECENT_TURNS turns; once over, it summarises down to half of them', () => {
    const history = (n: number) =>
      Array.from({ length: n }, (_, i) => turn(`r${String(i).padStart(2, '0')}`, 'q', 'a')).flat();
    const full = planContext(history(MAX_RECENT_TURNS), 1_000_000);
    expect(full.recent).toHaveLength(MAX_RECENT_TURNS * 2);
    expect(full.overflow).toEqual([]);
    const over = planContext(history(MAX_RECENT_TURNS + 3), 1_000_000);
    expect(over.recent).toHaveLength(MAX_RECENT_TURNS);
    expect(over.overflow).toHaveLength(MAX_RECENT_TURNS / 2 + 3);
  });

  it('turns a summary covers are not carried again; the latest summary wins', () => {
    const older: SummaryBody = {
      text: 'old',
      throughRunId: 'r1',
      turns: 2,
      model: 'm',
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
    };
    const newer: SummaryBody = { ...older, text: 'new', throughRunId: 'r3' };
    const events: TapeEvent[] = [
      ...turn('r1', 'q1', 'a1'),
      ...turn('r2', 'q2', 'a2'),
      { runId: 'r2', seq: 2, kind: 'summary', at: 0, body: older },
      ...turn('r3', 'q3', 'a3'),
      { runId: 'r4', seq: 2, kind: 'summary', at: 0, body: newer },
      ...turn('r4', 'q4', 'a4'),
    ];
    const plan = planContext(events, 10_000);
    expect(plan.summary?.text).toBe('new');
    expect(plan.recent.map((m) => m.content)).toEqual(['q4', 'a4']);
    expect(plan.overflow).toEqual([]);
    // A summary made by this run itself (a resumed run) counts too.
    const resumed = planContext(events, 10_000, { ...newer, text: 'this run', throughRunId: 'r4' });
    expect(resumed.summary?.text).toBe('this run');
    expect(resumed.recent).toEqual([]);
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
