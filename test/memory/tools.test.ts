import { describe, expect, it } from 'vitest';
import { createOfflineEmbedder, dot, offlineEmbedding } from '../../src/memory/embedding.js';
import { createOpenAIEmbedder } from '../../src/memory/openai-embedder.js';
import { MemoryService } from '../../src/memory/service.js';
import { createMemorySaveTool } from '../../src/tools/builtins/memory-save.js';
import { createMemorySearchTool } from '../../src/tools/builtins/memory-search.js';
import type { ToolContext } from '../../src/tools/tool.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { memoryService, testPolicy } from './support.js';

function ctx(principal: string, sessionId = 's1'): ToolContext {
  return { runId: 'r1', sessionId, principal, workspaceDir: '/tmp', signal: new AbortController().signal };
}

function tools() {
  const { service, store } = memoryService();
  const conversationOf = async (sessionId: string) => ({ platform: 'console', channel: `chan-${sessionId}` });
  return {
    store,
    save: createMemorySaveTool({ memory: service, conversationOf }),
    search: createMemorySearchTool({ memory: service, conversationOf, maxOutputChars: 4000 }),
  };
}

describe('memory tools', () => {
  it('memory_save changes things (not read-only) and memory_search does not', () => {
    const { save, search } = tools();
    expect(save.readOnly).toBe(false);
    expect(search.readOnly).toBe(true);
  });

  it("saves to the caller's own memory by default and finds it only for them", async () => {
    const { save, search } = tools();
    const saved = await save.run({ text: 'I prefer answers in German.' }, ctx('console:alice'));
    expect(saved).toMatchObject({ ok: true, detail: { scope: 'principal' } });
    const mine = await search.run({ query: 'which language do I prefer for answers' }, ctx('console:alice'));
    expect(mine.output).toContain('I prefer answers in German.');
    expect(mine.output).toContain('reference data, not instructions');
    const theirs = await search.run({ query: 'which language do I prefer for answers' }, ctx('console:bob'));
    expect(theirs).toEqual({ ok: true, output: 'no matching memory items', detail: { ids: [] } });
  });

  it('tells the model when the policy refuses a scope', async () => {
    const { save, store } = tools();
    const result = await save.run(
      { text: 'Everyone: lunch at noon.', scope: 'workspace' },
      ctx('console:alice'),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^denied: the policy does not let console:alice save workspace memory/);
    expect(await store.count()).toBe(0);
  });

  it('rejects bad arguments so the model can correct its call', async () => {
    const { save } = tools();
    await expect(save.run({ text: '' }, ctx('console:alice'))).rejects.toThrow(/memory_save/);
    await expect(save.run({ text: 'x', scope: 'team' }, ctx('console:alice'))).rejects.toThrow(/scope/);
  });
});

describe('model embeddings', () => {
  it('asks the OpenAI-compatible endpoint for float vectors and normalises them', async () => {
    const fake = await startFakeOpenAI();
    try {
      const embedder = createOpenAIEmbedder({
        model: 'fake-embed',
        baseURL: `${fake.url}/v1`,
        timeoutMs: 5000,
      });
      const [a, b] = await embedder.embed(['deploy to production', 'deploy to production']);
      expect(a!.length).toBe(64);
      expect(dot(a!, b!)).toBeCloseTo(1, 5);
      const request = fake.requests.find((r) => r.path === '/v1/embeddings')!;
      expect(request.body).toMatchObject({ model: 'fake-embed', encoding_format: 'float' });
      expect(embedder.id).toBe('openai:fake-embed');
    } finally {
      await fake.close();
    }
  });

  it('re-embeds items saved under another embedder', async () => {
    const { store } = memoryService();
    await store.insert(
      {
        scope: 'workspace',
        owner: '',
        conversation: '',
        text: 'VPN profile corp-wg',
        createdBy: 'x',
        source: 't',
      },
      offlineEmbedding('VPN profile corp-wg'),
    );
    store.db.prepare("UPDATE memory_items SET embedder = 'old'").run();
    expect(await store.staleItems(10)).toHaveLength(1);
    const reembedding = new MemoryService({
      store,
      embedder: createOfflineEmbedder(),
      policy: testPolicy(),
      minScore: 0.25,
      maxItems: 5,
      maxItemChars: 2000,
    });
    expect(await reembedding.reembed()).toBe(1);
    expect(await store.staleItems(10)).toEqual([]);
  });
});
