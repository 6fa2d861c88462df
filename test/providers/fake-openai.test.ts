import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FAKE_EMBEDDING_DIMENSION,
  type FakeOpenAI,
  fakeEmbedding,
  startFakeOpenAI,
} from '../fakes/openai-server.js';

let fake: FakeOpenAI;
let client: OpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'test', maxRetries: 0, timeout: 5_000 });
});

afterEach(async () => {
  await fake.close();
});

describe('fake OpenAI server', () => {
  it('answers non-streaming chat completions, echoing by default', async () => {
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: ping');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('answers non-streaming tool calls and uses a custom default handler', async () => {
    fake.onRequest = () => ({ toolCalls: [{ name: 'current_time', arguments: {} }] });
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({
      name: 'current_time',
      arguments: '{}',
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('streams usage only when asked for it', async () => {
    const chunks = async (includeUsage: boolean) => {
      const stream = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hello' }],
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const seen = [];
      for await (const chunk of stream) seen.push(chunk);
      return seen;
    };
    expect((await chunks(false)).some((c) => c.usage)).toBe(false);
    expect((await chunks(true)).at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('serves deterministic embeddings and records the encoding format', async () => {
    const first = await client.embeddings.create({ model: 'e', input: ['the cat sat', 'a dog ran'] });
    const again = await client.embeddings.create({
      model: 'e',
      input: 'the cat sat',
      encoding_format: 'float',
    });
    expect(first.data).toHaveLength(2);
    const vector = first.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(FAKE_EMBEDDING_DIMENSION);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    // The SDK asks for base64 by default and decodes float32; the float answer matches it closely.
    expect(again.data[0]?.embedding.map((v) => Number(v.toFixed(5)))).toEqual(
      vector.map((v) => Number(v.toFixed(5))),
    );
    expect(fakeEmbedding('the cat sat')).toEqual(fakeEmbedding('The cat  sat'));
    const formats = fake.requests.filter((r) => r.path === '/v1/embeddings').map((r) => r.encodingFormat);
    expect(formats).toEqual(['base64', 'float']);
  });

  it('records headers and bodies, and answers unknown routes with 404', async () => {
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'a' }] });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer test');
    expect(fake.requests[0]?.body?.model).toBe('m');
    expect(fake.requests[0]?.completed).toBe(true);
    const response = await fetch(`${fake.url}/v1/nothing`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('delays an answer by delayMs', async () => {
    fake.enqueue({ text: 'late', delayMs: 150 });
    const started = Date.now();
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'a' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(fake.pending).toBe(0);
  });
});
