/**
 * Memory items: short texts the agent can recall in later runs. Pure types; the SQLite store,
 * embeddings and ranking live next to this file.
 */
import type { Principal } from '../core/types.js';

/** Who an item belongs to: one person, one session, or the whole workspace. */
export type MemoryScope = 'principal' | 'session' | 'workspace';

/** The three scopes, for validation. */
export const MEMORY_SCOPES: readonly MemoryScope[] = ['principal', 'session', 'workspace'];

/** One stored memory item. */
export interface MemoryItem {
  /** ULID. */
  id: string;
  scope: MemoryScope;
  /** The principal (scope `principal`), the session id (scope `session`), or `''` (workspace). */
  owner: string;
  /**
   * For session items: the Cedar `Conversation` id of the session, so reads are authorized on the
   * conversation without a journal lookup. Empty for the other scopes.
   */
  conversation: string;
  text: string;
  /** Who saved it: a principal, or `console:admin` for the operator API. */
  createdBy: Principal;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Where it came from: `tool`, `api`. */
  source: string;
}

/** A new item; the store assigns id and embeds the text. */
export type NewMemoryItem = Omit<MemoryItem, 'id' | 'createdAt'> & { createdAt?: number };

/** The key that groups items for authorization: `principal:<id>`, `session:<id>` or `workspace`. */
export function scopeKey(scope: MemoryScope, owner: string): string {
  return scope === 'workspace' ? 'workspace' : `${scope}:${owner}`;
}

/** One candidate of a search, with the raw signals the ranking blends. */
export interface MemoryCandidate {
  item: MemoryItem;
  /** `-bm25` of the FTS5 match (higher is better), or 0 when the item did not match the keywords. */
  bm25: number;
  /** Cosine similarity of the item's vector and the query's, in [-1, 1]. */
  similarity: number;
}

/** What a store search needs: the query's text, vector and the scope keys the asker may read. */
export interface MemorySearchQuery {
  text: string;
  vector: Float32Array;
  /** Only items whose `scopeKey` is in this set are returned; `all` for the operator API. */
  scopeKeys: ReadonlySet<string> | 'all';
  /** How many candidates each of the keyword and vector searches returns at most. */
  candidates: number;
}

/** A page of the operator listing. */
export interface MemoryListQuery {
  scope?: MemoryScope;
  owner?: string;
  limit: number;
  /** Items created before this id (ULID order), for paging. */
  before?: string;
}

/**
 * Where memory items live. Embeddings are computed by the caller (`MemoryService`), so a store
 * only keeps text, scope and vector: the SQLite implementation adds FTS5 and an in-process
 * vector scan, the PostgreSQL one (shared by replicas) full-text search and pgvector. Every
 * method returns a promise, since PostgreSQL is not synchronous.
 */
export interface MemoryStore {
  /** Stores an item with its vector; returns the stored item. */
  insert(item: NewMemoryItem, vector: Float32Array): Promise<MemoryItem>;
  get(id: string): Promise<MemoryItem | undefined>;
  /** Deletes one item; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Deletes every item of one scope and owner; returns how many. */
  deleteScope(scope: MemoryScope, owner: string): Promise<number>;
  /** Items newest first. */
  list(query: MemoryListQuery): Promise<MemoryItem[]>;
  /** Every distinct `principal:<id>` scope key that has items (bounded by the number of people). */
  principalScopeKeys(): Promise<string[]>;
  /** Keyword and vector candidates of the readable scopes, unranked. */
  candidates(query: MemorySearchQuery): Promise<MemoryCandidate[]>;
  /** How many items there are. */
  count(): Promise<number>;
  /** Up to `limit` items whose vector came from another embedder, for re-embedding. */
  staleItems(limit: number): Promise<{ id: string; text: string }[]>;
  /** Replaces an item's vector with one of the current embedder. */
  updateVector(id: string, vector: Float32Array): Promise<void>;
  close(): Promise<void>;
}
