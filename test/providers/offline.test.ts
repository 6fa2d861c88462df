import { describe, expect, it } from 'vitest';
import { createOfflineProvider } from '../../src/providers/offline.js';
import type { ChatMessage, ModelRequest } from '../../src/providers/provider.js';
import { ProviderError } from '../../src/providers/provider.js';

function request(messages: ChatMessage[], extra: Partial<ModelRequest> = {}): ModelRequest {
  return { messages, tools: [], signal: new AbortController().signal, ...extra };
}

describe('offline provider', () => {
  const provider = createOfflineProvider();

  it('names itself', () => {
    expect(provider.name).toBe('offline');
    expect(provider.model).toBe('offline-echo');
  });

  it('echoes the last user message and streams it to onDelta', async () => {
    const deltas: string[] = [];
    const response = await provider.complete(
      request(
        [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'hello there' },
        ],
        { onDelta: (d) => deltas.push(d) },
      ),
    );
    expect(response.text).toBe('You said: hello there');
    expect(deltas.join('')).toBe(response.text);
    expect(response.toolCalls).toEqual([]);
    expect(response.finishReason).toBe('stop');
    expect(response.usage.totalTokens).toBe(response.usage.promptTokens + response.usage.completionTokens);
    expect(response.usage.completionTokens).toBeGreaterThan(0);
  });

  it('turns "tool: <name> <json>" into one tool call with a generated id', async () => {
    const response = await provider.complete(
      request([{ role: 'user', content: 'tool: shell_exec {"command":"ls"}' }]),
    );
    expect(response.text).toBe('');
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]).toMatchObject({ name: 'shell_exec', arguments: '{"command":"ls"}' });
    expect(response.toolCalls[0]?.id).toMatch(/^offline_\w+$/);
    const again = await provider.complete(
      request([{ role: 'user', content: 'tool: shell_exec {"command":"ls"}' }]),
    );
    expect(again.toolCalls[0]?.id).not.toBe(response.toolCalls[0]?.id);
  });

  it('defaults missing arguments to {} and passes bad JSON on as written', async () => {
    const bare = await provider.complete(request([{ role: 'user', content: 'tool: current_time' }]));
    expect(bare.toolCalls[0]).toMatchObject({ name: 'current_time', arguments: '{}' });
    const bad = await provider.complete(request([{ role: 'user', content: 'tool: file_read {"path":' }]));
    expect(bad.toolCalls[0]?.arguments).toBe('{"path":');
  });

  it('reports tool results by tool name, trimmed to about 500 characters', async () => {
    const long = `  ${'x'.repeat(2_000)}  `;
    const response = await provider.complete(
      request([
        { role: 'user', content: 'tool: current_time {}' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [
            { id: 'c1', name: 'current_time', arguments: '{}' },
            { id: 'c2', name: 'file_read', arguments: '{}' },
          ],
        },
        { role: 'tool', toolCallId: 'c1', content: ' 2024-01-01T00:00:00Z\n' },
        { role: 'tool', toolCallId: 'c2', content: long },
      ]),
    );
    const [first, second] = response.text.split('\n');
    expect(first).toBe('Tool current_time returned: 2024-01-01T00:00:00Z');
    expect(second?.startsWith(`Tool file_read returned: ${'x'.repeat(500)}…`)).toBe(true);
    expect(second?.length).toBeLessThan(600);
    expect(response.toolCalls).toEqual([]);
  });

  it('reads the text parts of a multimodal message', async () => {
    const response = await provider.complete(
      request([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', mimeType: 'image/png', dataBase64: 'AA==' },
          ],
        },
      ]),
    );
    expect(response.text).toBe('You said: look [image image/png]');
  });

  it('respects an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await provider
      .complete(request([{ role: 'user', content: 'hi' }], { signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('aborted');
  });
});
