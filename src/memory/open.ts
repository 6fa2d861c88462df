/**
 * Opens memory from the configuration: the store beside the journal (the data folder's SQLite file,
 * or the journal's PostgreSQL database), the embedder and the service
 * (src/app/memory.ts wires it into the daemon).
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { PolicyEngine } from '../policy/engine.js';
import { createOfflineEmbedder, type Embedder, OFFLINE_DIMENSION } from './embedding.js';
import { createOpenAIEmbedder } from './openai-embedder.js';
import { MemoryService } from './service.js';
import { MEMORY_FILE, openSqliteMemoryStore } from './sqlite-memory-store.js';
import type { MemoryStore } from './types.js';

/** What {@link openMemory} needs besides the config. */
export interface OpenMemoryOptions {
  config: Config;
  /** The data folder; the store is `<dataDir>/memory.sqlite3`. */
  dataDir: string;
  /**
   * The journal's PostgreSQL URL (`SWITCHBOARD_DATABASE_URL`): memory then lives in that
   * database too, shared by every replica, instead of in the data folder.
   */
  databaseUrl?: string;
  policy: PolicyEngine;
  /** `OPENAI_API_KEY`, for the embeddings endpoint. */
  apiKey?: string;
}

/** The opened memory: service, store (close it on stop) and a secret-free description. */
export interface OpenedMemory {
  service: MemoryService;
  store: MemoryStore;
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
  const shared = options.databaseUrl
    ? await (await import('./postgres-memory-store.js')).openPostgresMemoryStore({
        url: options.databaseUrl,
        embedder: embedder.id,
      })
    : undefined;
  const store =
    shared ??
    openSqliteMemoryStore({ path: join(options.dataDir, MEMORY_FILE), embedder: embedder.id, dimension });
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
  const embeddings = model
    ? `embeddings from model "${model}" (${dimension} dimensions)`
    : 'offline embeddings';
  const description = shared
    ? `${embeddings}, in PostgreSQL (${shared.vectorMode === 'plain' ? 'plain vectors' : 'pgvector'})`
    : embeddings;
  return { service, store, description };
}
