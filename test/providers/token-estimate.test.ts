import { describe, expect, it } from 'vitest';
import { estimateMessageTokens, estimateTokens } from '../../src/providers/token-estimate.js';

describe('estimateTokens', () => {
  it('counts about four ASCII characters per token, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(4_000))).toBe(1_000);
  });

  it('counts non-ASCII characters denser, and surrogate pairs once', () => {
    expect(estimateTokens('日本語')).toBe(3);
    expect(estimateTokens('😀')).toBe(1);
    expect(estimateTokens('é'.repeat(8))).toBeGreaterThan(estimateTokens('e'.repeat(8)));
  });

  it('is fast on large text', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(40_000);
    const started = performance.now();
    expect(estimateTokens(text)).toBe(Math.ceil(text.length / 4));
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('estimateMessageTokens', () => {
  it('adds overhead, tool calls and images to the text', () => {
    const text = 'hello world, how are you?';
    expect(estimateMessageTokens({ role: 'user', content: text })).toBeGreaterThan(estimateTokens(text));
    const withCall = estimateMessageTokens({
      role: 'assistant',
      content: null,
      toolCalls: [{ id: 'c1', name: 'shell_exec', arguments: '{"command":"ls -la"}' }],
    });
    expect(withCall).toBeGreaterThan(estimateMessageTokens({ role: 'assistant', content: null }));
    const withImage = estimateMessageTokens({
      role: 'user',
      content: [
        { type: 'text', text },
        { type: 'image', mimeType: 'image/png', dataBase64: 'A'.repeat(100_000) },
      ],
    });
    expect(withImage).toBeGreaterThan(500);
    expect(withImage).toBeLessThan(2_000);
    expect(
      estimateMessageTokens({ role: 'tool', toolCallId: 'c1', content: 'x'.repeat(400) }),
    ).toBeGreaterThan(100);
    expect(estimateMessageTokens({ role: 'system', content: '' })).toBeGreaterThan(0);
  });
});
