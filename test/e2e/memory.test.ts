import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type FileServer, PNG, startFileServer } from '../orchestrator/harness.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

interface TapeResponse {
  events: { seq: number; kind: string; body: Record<string, unknown> }[];
}

interface InputRecord {
  attachments: { name: string; status: string; reason?: string }[];
  memory: { items: { id: string; scope: string; score: number }[] };
}

type ChatContent =
  | string
  | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } })[];

describe('memory and attachments through the daemon', () => {
  let fake: FakeOpenAI;
  let files: FileServer;
  let daemon: DaemonProcess;
  const data = tempDataDir();

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    files = await startFileServer({
      '/notes.txt': ['text/plain', 'Deploy checklist: run migrations, then restart the workers.'],
      '/pic.png': ['image/png', PNG],
      '/big.log': ['text/plain', 'z'.repeat(5000)],
    });
    const configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(
      configPath,
      [
        'limits:',
        '  max_message_chars: 2000',
        'memory:',
        '  embeddings:',
        '    model: fake-embed',
        'attachments:',
        '  allow_private: true',
        '  images: true',
        '  max_bytes: 4kb',
        '',
      ].join('\n'),
    );
    daemon = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        SWITCHBOARD_CONFIG: configPath,
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        OPENAI_API_KEY: 'sk-test-secret-key',
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await files?.close();
    await fake?.close();
    data.cleanup();
  });

  async function send(
    body: Record<string, unknown>,
  ): Promise<{ runId: string; content: ChatContent; input: InputRecord }> {
    const before = fake.chatRequests.length;
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', body);
    expect(sent.status).toBe(202);
    const run = await daemon.waitForRun(sent.body.run_id);
    expect(run.state).toBe('succeeded');
    const request = fake.chatRequests[before]!;
    const messages = request.body!.messages as { role: string; content: ChatContent }[];
    const tape = await daemon.api<TapeResponse>('GET', `/v1/runs/${sent.body.run_id}/tape`);
    const input = tape.body.events.find((e) => e.kind === 'provider_request')!.body.input as InputRecord;
    return { runId: sent.body.run_id, content: messages.at(-1)!.content, input };
  }

  it('saves, lists, searches and deletes memory items over /v1/memory, with model embeddings', async () => {
    const saved = await daemon.api<{ id: string; scope: string }>('POST', '/v1/memory', {
      text: 'The partner API allows 100 requests per minute per token.',
      scope: 'workspace',
    });
    expect(saved.status).toBe(201);
    const embeddings = fake.requests.filter((r) => r.path === '/v1/embeddings');
    expect(embeddings.length).toBeGreaterThan(0);
    expect(embeddings.every((r) => r.encodingFormat === 'float' && r.body?.encoding_format === 'float')).toBe(
      true,
    );
    const listed = await daemon.api<{ items: { id: string }[] }>('GET', '/v1/memory?scope=workspace');
    expect(listed.body.items.map((i) => i.id)).toContain(saved.body.id);
    const found = await daemon.api<{ items: { id: string }[] }>(
      'GET',
      '/v1/memory?q=partner%20api%20rate%20limit',
    );
    expect(found.body.items[0]?.id).toBe(saved.body.id);
    expect((await daemon.api('DELETE', `/v1/memory/${saved.body.id}`)).status).toBe(204);
    expect((await daemon.api('DELETE', `/v1/memory/${saved.body.id}`)).status).toBe(404);
    const bad = await daemon.api<{ error: { code: string } }>('POST', '/v1/memory', {
      text: 'x',
      scope: 'principal',
    });
    expect(bad.status).toBe(400);
  });

  it('injects a relevant workspace item and records its id on the tape', async () => {
    const saved = await daemon.api<{ id: string }>('POST', '/v1/memory', {
      text: 'The staging database is PostgreSQL 16 at db-staging.internal port 5432',
      scope: 'workspace',
    });
    await daemon.api('POST', '/v1/memory', {
      text: 'The coffee machine is descaled on Fridays',
      scope: 'workspace',
    });
    const { content, input } = await send({
      session_key: 'console:e2e-mem-1',
      text: 'how do I connect to the staging database',
    });
    expect(typeof content).toBe('string');
    expect(content).toContain('<memory_items>');
    expect(content).toContain('db-staging.internal');
    expect(content).not.toContain('coffee');
    expect(input.memory.items.map((i) => i.id)).toEqual([saved.body.id]);
  });

  it("keeps one person's items from another", async () => {
    await daemon.api('POST', '/v1/memory', {
      text: 'My locker code is 4711 at the gym downstairs',
      scope: 'principal',
      owner: 'console:alice',
    });
    const bob = await send({
      session_key: 'console:e2e-mem-bob',
      principal: 'console:bob',
      text: 'what is my locker code at the gym',
    });
    expect(bob.content).not.toContain('4711');
    expect(bob.input.memory.items).toEqual([]);
    const alice = await send({
      session_key: 'console:e2e-mem-alice',
      principal: 'console:alice',
      text: 'what is my locker code at the gym',
    });
    expect(alice.content).toContain('4711');
  });

  it('sends text inline, images as image parts, and names an oversized file', async () => {
    const { content, input } = await send({
      session_key: 'console:e2e-att',
      text: 'look at these',
      attachments: [
        { name: 'notes.txt', url: `${files.url}/notes.txt`, mime_type: 'text/plain' },
        { name: 'pic.png', url: `${files.url}/pic.png`, mime_type: 'image/png' },
        { name: 'big.log', url: `${files.url}/big.log`, mime_type: 'text/plain' },
      ],
    });
    expect(Array.isArray(content)).toBe(true);
    const parts = content as Exclude<ChatContent, string>;
    const text = parts.find((p) => p.type === 'text') as { text: string };
    expect(text.text).toContain('Deploy checklist: run migrations');
    expect(text.text).toContain('"big.log" (it is larger than the 4 KB limit)');
    const image = parts.find((p) => p.type === 'image_url') as { image_url: { url: string } };
    expect(image.image_url.url).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(input.attachments.map((a) => a.status)).toEqual(['inline', 'image', 'refused']);
  });

  it('refuses an overly long message with a clear reason', async () => {
    const sent = await daemon.api<{ error: { code: string; message: string } }>('POST', '/v1/messages', {
      session_key: 'console:e2e-long',
      text: 'a'.repeat(2001),
    });
    expect(sent.status).toBe(400);
    expect(sent.body.error).toEqual({
      code: 'message_too_long',
      message: 'the message is 2001 characters long; the limit is 2000',
    });
  });
});
