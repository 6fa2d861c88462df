import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIProvider, type OpenAIProviderOptions } from '../../src/providers/openai.js';
import { type ModelRequest, ProviderError } from '../../src/providers/provider.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';

let fake: FakeOpenAI;
let sleeps: number[];

beforeEach(async () => {
  fake = await startFakeOpenAI();
  sleeps = [];
});

afterEach(async () => {
  await fake.close();
});

function provider(overrides: Partial<OpenAIProviderOptions> = {}) {
  return createOpenAIProvider({
    baseURL: `${fake.url}/v1`,
    model: 'test-model',
    timeoutMs: 5_000,
    maxRetries: 2,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
}

function ask(text: string, extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    messages: [{ role: 'user', content: text }],
    tools: [],
    signal: new AbortController().signal,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('openai provider: answers', () => {
  it('streams text deltas to onDelta and returns the whole text', async () => {
    fake.enqueue({ text: 'Hello there, how are you today?' });
    const deltas: string[] = [];
    const response = await provider().complete(ask('hi', { onDelta: (d) => deltas.push(d) }));

    expect(response.text).toBe('Hello there, how are you today?');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(response.text);
    expect(response.finishReason).toBe('stop');
    expect(response.toolCalls).toEqual([]);
    expect(response.model).toBe('test-model');
    const body = fake.chatRequests[0]?.body;
    expect(body).toMatchObject({
      model: 'test-model',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(body).not.toHaveProperty('tools');
  });

  it('sends a placeholder key when none is configured, and the real one when it is', async () => {
    await provider().complete(ask('a'));
    await provider({ apiKey: 'sk-real-key-1234' }).complete(ask('b'));
    expect(fake.chatRequests[0]?.headers.authorization).toBe('Bearer no-key-configured');
    expect(fake.chatRequests[1]?.headers.authorization).toBe('Bearer sk-real-key-1234');
  });

  it('reports the usage of the final chunk (include_usage)', async () => {
    fake.enqueue({ text: 'hi', usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 } });
    const response = await provider().complete(ask('hello'));
    expect(response.usage).toEqual({ promptTokens: 11, completionTokens: 3, totalTokens: 14 });
    expect(response.usageEstimated).toBeUndefined();
  });

  it('estimates usage when the stream ends without any', async () => {
    fake.enqueue({ text: 'an answer of some length', usage: false });
    const response = await provider().complete(ask('a question of some length'));
    expect(response.usageEstimated).toBe(true);
    expect(response.usage.promptTokens).toBeGreaterThan(0);
    expect(response.usage.completionTokens).toBeGreaterThan(0);
    expect(response.usage.totalTokens).toBe(response.usage.promptTokens + response.usage.completionTokens);
  });

  it('assembles tool-call deltas by index across chunks', async () => {
    fake.enqueue({
      toolCalls: [
        { id: 'call_a', name: 'shell_exec', arguments: { command: 'ls -la /tmp && echo "done"' } },
        { id: 'call_b', name: 'current_time', arguments: {} },
      ],
    });
    const response = await provider().complete(ask('list'));
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([
      { id: 'call_a', name: 'shell_exec', arguments: '{"command":"ls -la /tmp && echo \\"done\\""}' },
      { id: 'call_b', name: 'current_time', arguments: '{}' },
    ]);
    expect(response.text).toBe('');
  });

  it('returns malformed tool arguments raw, for the orchestrator to judge', async () => {
    fake.enqueue({ malformedToolArguments: true, name: 'shell_exec' });
    const response = await provider().complete(ask('run'));
    expect(response.toolCalls).toEqual([
      { id: 'call_malformed', name: 'shell_exec', arguments: '{"command": "ls -la' },
    ]);
  });

  it('maps messages and tools to the OpenAI shapes', async () => {
    await provider().complete({
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', mimeType: 'image/png', dataBase64: 'iVBORw0K' },
          ],
        },
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'c1', name: 'current_time', arguments: '{}' }],
        },
        { role: 'tool', toolCallId: 'c1', content: '2024-01-01T00:00:00Z' },
        { role: 'assistant', content: 'noted' },
      ],
      tools: [
        { name: 'current_time', description: 'The time', parameters: { type: 'object', properties: {} } },
      ],
      signal: new AbortController().signal,
      maxTokens: 256,
    });
    const body = fake.chatRequests[0]?.body;
    expect(body?.messages).toEqual([
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'current_time', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '2024-01-01T00:00:00Z' },
      { role: 'assistant', content: 'noted' },
    ]);
    expect(body?.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'current_time',
          description: 'The time',
          parameters: { type: 'object', properties: {} },
        },
      },
    ]);
    expect(body?.max_tokens).toBe(256);
  });
});

describe('openai provider: retries', () => {
  it('retries a 429 once after the Retry-After seconds and succeeds', async () => {
    fake.enqueue({ status: 429, retryAfter: 2 }, { text: 'ok now' });
    const response = await provider().complete(ask('hi'));
    expect(response.text).toBe('ok now');
    expect(sleeps).toEqual([2_000]);
    expect(fake.chatRequests).toHaveLength(2);
  });

  it('honours retry-after-ms over back-off', async () => {
    fake.enqueue({ status: 429, retryAfterMs: 1_500 }, { text: 'ok' });
    await provider().complete(ask('hi'));
    expect(sleeps).toEqual([1_500]);
  });

  it('caps a very long Retry-After', async () => {
    fake.enqueue({ status: 429, retryAfter: 3_600 }, { text: 'ok' });
    await provider().complete(ask('hi'));
    expect(sleeps).toEqual([30_000]);
  });

  it('retries a 500 with back-off and succeeds', async () => {
    fake.enqueue({ status: 500 }, { text: 'recovered' });
    const response = await provider().complete(ask('hi'));
    expect(response.text).toBe('recovered');
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(sleeps[0]).toBeLessThanOrEqual(500);
  });

  it('gives up as rate_limited after maxRetries', async () => {
    fake.enqueue(
      { status: 429, retryAfter: 1 },
      { status: 429, retryAfter: 1 },
      { status: 429, retryAfter: 1 },
    );
    const error = await failure(provider({ maxRetries: 1 }).complete(ask('hi')));
    expect(error.kind).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.message).toContain('2 attempts');
    expect(fake.chatRequests).toHaveLength(2);
  });

  it('does not retry a 401 and keeps the key out of the error', async () => {
    const key = 'sk-test-secret-abcdef123456';
    fake.enqueue({ status: 401, message: `Incorrect API key provided: ${key}` });
    const error = await failure(provider({ apiKey: key }).complete(ask('hi')));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error)).not.toContain(key);
    expect(String(error.cause ?? '')).not.toContain(key);
    expect(fake.chatRequests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry a 400 or a 404', async () => {
    fake.enqueue({ status: 400 }, { status: 404 });
    expect((await failure(provider().complete(ask('a')))).kind).toBe('bad_request');
    expect((await failure(provider().complete(ask('b')))).kind).toBe('bad_request');
    expect(fake.chatRequests).toHaveLength(2);
  });

  it('retries a connection cut before the answer started', async () => {
    fake.enqueue({ drop: true }, { text: 'second try' });
    const response = await provider().complete(ask('hi'));
    expect(response.text).toBe('second try');
    expect(sleeps).toHaveLength(1);
  });

  it('does not retry a connection cut after text was streamed to the caller', async () => {
    fake.enqueue({ drop: true, partialText: 'half an ans' }, { text: 'must not be used' });
    const deltas: string[] = [];
    const error = await failure(provider().complete(ask('hi', { onDelta: (d) => deltas.push(d) })));
    expect(error.kind).toBe('network');
    expect(deltas.join('')).toBe('half an ans');
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('retries network errors and then reports network', async () => {
    const port = await unusedPort();
    const error = await failure(
      provider({ baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 2 }).complete(ask('hi')),
    );
    expect(error.kind).toBe('network');
    expect(sleeps).toHaveLength(2);
  });
});

describe('openai provider: cancel, timeout and bad answers', () => {
  it('aborts a hanging call quickly and the server sees the client go away', async () => {
    fake.enqueue({ hang: true });
    const controller = new AbortController();
    const started = Date.now();
    const call = provider().complete(ask('hi', { signal: controller.signal }));
    await fake.waitForChatRequests(1);
    controller.abort();
    const error = await failure(call);
    expect(error.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
    const request = fake.chatRequests[0];
    await request?.ended;
    expect(request?.aborted).toBe(true);
    expect(sleeps).toEqual([]);
  });

  it('aborts mid-stream after some text arrived', async () => {
    fake.enqueue({ hang: true, partialText: 'partial answer' });
    const controller = new AbortController();
    const call = provider().complete(
      ask('hi', { signal: controller.signal, onDelta: () => controller.abort() }),
    );
    const error = await failure(call);
    expect(error.kind).toBe('aborted');
    await fake.chatRequests[0]?.ended;
    expect(fake.chatRequests[0]?.aborted).toBe(true);
  });

  it('does not call the server when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(provider().complete(ask('hi', { signal: controller.signal })));
    expect(error.kind).toBe('aborted');
    expect(fake.chatRequests).toHaveLength(0);
  });

  it('stops waiting between attempts when aborted', async () => {
    fake.enqueue({ status: 503 });
    const controller = new AbortController();
    const never = provider({ sleep: () => new Promise<void>(() => {}) });
    const call = never.complete(ask('hi', { signal: controller.signal }));
    await fake.waitForChatRequests(1);
    await fake.chatRequests[0]?.ended;
    setTimeout(() => controller.abort(), 20);
    expect((await failure(call)).kind).toBe('aborted');
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('times out a hanging server with kind timeout, without retrying', async () => {
    fake.enqueue({ hang: true });
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 200 }).complete(ask('hi')));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('times out a stream that stalls after it started', async () => {
    fake.enqueue({ hang: true, partialText: 'thinking' });
    const error = await failure(provider({ timeoutMs: 200 }).complete(ask('hi')));
    expect(error.kind).toBe('timeout');
  });

  it('reports garbage in the stream as bad_response, without retrying', async () => {
    fake.enqueue({ badJson: true });
    const error = await failure(provider().complete(ask('hi')));
    expect(error.kind).toBe('bad_response');
    expect(fake.chatRequests).toHaveLength(1);
  });
});
