import { join, resolve } from 'node:path';
import { createOfflineEmbedder, type Embedder, OFFLINE_DIMENSION } from '../../src/memory/embedding.js';
import { type MemoryAsker, MemoryService } from '../../src/memory/service.js';
import { openSqliteMemoryStore, type SqliteMemoryStore } from '../../src/memory/sqlite-memory-store.js';
import type { MemoryStore } from '../../src/memory/types.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import type { PolicyEngine } from '../../src/policy/engine.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The groups the memory tests use: alice and bob are members, root is an admin. */
export const GROUPS = {
  admins: ['console:root'],
  approvers: ['console:carol'],
  members: ['console:alice', 'console:bob'],
};

/** The repository's policies with {@link GROUPS}, or another policy folder. */
export function testPolicy(dir = join(ROOT, 'config/policies')): PolicyEngine {
  return loadPolicyEngine({ dir, schemaPath: join(ROOT, 'config/schema.cedarschema'), groups: GROUPS });
}

/** An asker in session `s1` of a console conversation. */
export function asker(principal: string, sessionId = 's1'): MemoryAsker {
  return { principal, sessionId, conversation: { platform: 'console', channel: `chan-${sessionId}` } };
}

/** A memory service on an in-memory store with the offline embedder. */
export function memoryService(
  options: { policy?: PolicyEngine; embedder?: Embedder; path?: string; clock?: () => number } = {},
): { service: MemoryService; store: SqliteMemoryStore } {
  const embedder = options.embedder ?? createOfflineEmbedder();
  const store = openSqliteMemoryStore({
    path: options.path ?? ':memory:',
    embedder: embedder.id,
    dimension: OFFLINE_DIMENSION,
  });
  return { service: serviceOn(store, { ...options, embedder }), store };
}

/** A memory service on `store` with the offline embedder (or the one given) and the test policy. */
export function serviceOn(
  store: MemoryStore,
  options: { policy?: PolicyEngine; embedder?: Embedder; clock?: () => number } = {},
): MemoryService {
  const embedder = options.embedder ?? createOfflineEmbedder();
  return new MemoryService({
    store,
    embedder,
    policy: options.policy ?? testPolicy(),
    minScore: 0.25,
    maxItems: 5,
    maxItemChars: 2000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
