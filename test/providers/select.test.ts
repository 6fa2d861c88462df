import { describe, expect, it } from 'vitest';
import { selectProvider } from '../../src/providers/select.js';

describe('selectProvider', () => {
  it('uses the offline provider when no model is configured, and says so', () => {
    for (const model of [undefined, '', '  ']) {
      const selection = selectProvider({
        ...(model === undefined ? {} : { model }),
        timeoutMs: 1000,
        maxRetries: 1,
      });
      expect(selection.offline).toBe(true);
      expect(selection.provider.name).toBe('offline');
      expect(selection.description).toMatch(/offline/);
    }
  });

  it('uses the OpenAI-compatible provider with a model, describing it without secrets', () => {
    const selection = selectProvider({
      model: 'llama3.2',
      baseURL: 'http://user:hunter2@127.0.0.1:11434/v1?token=abc',
      apiKey: 'sk-very-secret-key-123',
      timeoutMs: 60_000,
      maxRetries: 2,
    });
    expect(selection.offline).toBe(false);
    expect(selection.provider.name).toBe('openai');
    expect(selection.provider.model).toBe('llama3.2');
    expect(selection.description).toContain('llama3.2');
    expect(selection.description).toContain('http://127.0.0.1:11434/v1');
    for (const secret of ['hunter2', 'user:', 'token=abc', 'sk-very-secret-key-123']) {
      expect(selection.description).not.toContain(secret);
    }
  });

  it('defaults to the OpenAI endpoint', () => {
    const selection = selectProvider({ model: 'gpt-4o-mini', timeoutMs: 1000, maxRetries: 0 });
    expect(selection.description).toContain('https://api.openai.com/v1');
    expect(selection.description).toContain('no API key');
  });
});
