/**
 * Builds memory from the configuration: the store beside the journal, the embedder, the service,
 * and wires it into the daemon (tools, input preparation).
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Channel } from '../gateway/port.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { attachmentOptionsOf } from '../orchestrator/attachments.js';
import { InputPreparer } from '../orchestrator/input.js';
import type { PolicyEngine } from '../policy/engine.js';
import { createMemorySaveTool } from '../tools/builtins/memory-save.js';
import { createMemorySearchTool } from '../tools/builtins/memory-search.js';
import type { ToolRegistry } from '../tools/registry.js';
import { createOfflineEmbedder, type Embedder, OFFLINE_DIMENSION } from './embedding.js';
import { createOpenAIEmbedder } from './openai-embedder.js';
import { MemoryService } from './service.js';
import { MEMORY_FILE, openSqliteMemoryStore, type SqliteMemoryStore } from './sqlite-memory-store.js';

/** What {@link openMemory} needs besides the config. */
export interface OpenMemoryOptions {
  config: Config;
  /** The data folder; the store is `<dataDir>/memory.sqlite3`. */
  dataDir: string;
  policy: PolicyEngine;
  /** `OPENAI_API_KEY`, for the embeddings endpoint. */
  apiKey?: string;
}

/** The opened memory: service, store (close it on stop) and a secret-free description. */
export interface OpenedMemory {
  service: MemoryService;
  store: SqliteMemoryStore;
  description: string;
}

/** Probes the embedder once for its dimension (model embeddings vary: 768, 1536, 3072…). */
async function dimensionOf(embedder: Embedder): Promise<number> {
  const [vector] = await embedder.embed(['dimension probe']);
  if (!vector || vector.length === 0) throw new Error('the embeddings endpoint returned an empty vector');
  return vector.length;
}

/**
 * Opens memory as configured: model embeddings when `memory.embeddings.model` is set (the first
 * call probes the dimension, so a wrong model or URL stops the start with a clear error), the
 * offline embedding otherwise.
 */
export async function openMemory(options: OpenMemoryOptions): Promise<OpenedMemory> {
  const { memory, provider } = options.config;
  const model = memory.embeddings.model;
  const baseURL = memory.embeddings.base_url ?? provider.base_url;
  const embedder = model
    ? createOpenAIEmbedder({
        model,
        timeoutMs: memory.embeddings.timeout,
        ...(baseURL ? { baseURL } : {}),
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        ...(memory.embeddings.dimensions ? { dimensions: memory.embeddings.dimensions } : {}),
      })
    : createOfflineEmbedder();
  let dimension = OFFLINE_DIMENSION;
  if (model) {
    try {
      dimension = await dimensionOf(embedder);
    } catch (error) {
      throw new Error(
        `memory.embeddings: the model "${model}" did not answer (${(error as Error).message}); fix memory.embeddings or remove its model to use the offline embedding`,
      );
    }
  }
  const store = openSqliteMemoryStore({
    path: join(options.dataDir, MEMORY_FILE),
    embedder: embedder.id,
    dimension,
  });
  const service = new MemoryService({
    store,
    embedder,
    policy: options.policy,
    minScore: memory.min_score,
    maxItems: memory.max_items,
    maxItemChars: memory.max_item_chars,
    ranking: {
      keywordWeight: memory.weights.keyword,
      vectorWeight: memory.weights.vector,
      recencyWeight: memory.weights.recency,
      recencyHalfLifeMs: memory.recency_half_life,
    },
  });
  const description = model
    ? `embeddings from model "${model}" (${dimension} dimensions)`
    : 'offline embeddings';
  return { service, store, description };
}

/** What {@link wireMemory} needs from the composition root. */
export interface WireMemoryOptions extends OpenMemoryOptions {
  journal: Pick<JournalStore, 'getSession'>;
  tools: ToolRegistry;
  logger: Logger;
  /** Output cap of `memory_search` (the tools' `max_output`). */
  maxToolOutputChars: number;
  /** The channels, for attachments a platform serves only with its credentials. */
  channels?: ReadonlyMap<string, Channel>;
}

/** Memory wired into the daemon: the input preparer for the executor, the service for HTTP. */
export interface WiredMemory {
  input: InputPreparer;
  service: MemoryService;
  close(): void;
}

/**
 * Opens memory, registers `memory_save` and `memory_search`, and builds the input preparer
 * (normalization, attachments, memory augmentation when `memory.enabled`). Re-embedding of items
 * saved under another embedder runs in the background.
 */
export async function wireMemory(options: WireMemoryOptions): Promise<WiredMemory> {
  const { config, logger } = options;
  const memory = await openMemory(options);
  const conversationOf = async (sessionId: string) =>
    (await options.journal.getSession(sessionId))?.conversation;
  options.tools.register(createMemorySaveTool({ memory: memory.service, conversationOf }));
  options.tools.register(
    createMemorySearchTool({
      memory: memory.service,
      conversationOf,
      maxOutputChars: options.maxToolOutputChars,
    }),
  );
  const input = new InputPreparer({
    attachments: attachmentOptionsOf(config),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(config.memory.enabled
      ? { memory: { service: memory.service, maxChars: config.memory.max_chars } }
      : {}),
    logger,
  });
  logger.info({ items: memory.store.count() }, `memory: ${memory.description}`);
  void memory.service
    .reembed()
    .then((n) => {
      if (n > 0) logger.info({ items: n }, 'memory: re-embedded items saved under another embedder');
    })
    .catch((error: unknown) => logger.warn({ err: error }, 'memory: re-embedding failed'));
  return { input, service: memory.service, close: () => memory.store.close() };
}
