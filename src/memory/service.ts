/**
 * Memory as the rest of the core sees it: save and retrieve items, with every read and write
 * authorized by the policy (`read_memory` / `write_memory`), never by code.
 */
import { ForbiddenError, ValidationError } from '../core/errors.js';
import { normalizeText } from '../core/normalize.js';
import type { ConversationRef, Principal } from '../core/types.js';
import { type AuthzQuery, EVERYONE, type PolicyEngine } from '../policy/engine.js';
import { conversationId } from '../policy/entities.js';
import type { Embedder } from './embedding.js';
import { DEFAULT_RANKING, type RankedItem, type RankingOptions, rankCandidates } from './ranking.js';
import { contentTerms } from './text.js';
import { type MemoryItem, type MemoryScope, type MemoryStore, scopeKey } from './types.js';

/** Who asks, and from which session and conversation (a run, or a tool call inside one). */
export interface MemoryAsker {
  principal: Principal;
  sessionId: string;
  conversation: ConversationRef;
}

/** Settings of a {@link MemoryService}. */
export interface MemoryServiceOptions {
  store: MemoryStore;
  embedder: Embedder;
  policy: PolicyEngine;
  ranking?: RankingOptions;
  /** Items scoring below this are never returned by `retrieve`. */
  minScore: number;
  /** How many items `retrieve` returns at most. */
  maxItems: number;
  /** The longest text an item may have. */
  maxItemChars: number;
  /** Candidates taken from each of the keyword and vector searches before ranking. */
  candidates?: number;
  clock?: () => number;
}

/** What to save. `owner` is derived from the asker for `principal` and `session` scope. */
export interface SaveInput {
  text: string;
  scope: MemoryScope;
  source: string;
}

/** The Cedar resource that stands for one scope: a `User`, a `Conversation`, or everyone. */
export function memoryResource(
  scope: MemoryScope,
  owner: string,
  conversation: string,
): AuthzQuery['resource'] {
  if (scope === 'principal') return { type: 'User', id: owner };
  if (scope === 'session') return { type: 'Conversation', id: conversation };
  return EVERYONE;
}

const PRINCIPAL_KEYS_TTL_MS = 10_000;

/** Saves and retrieves memory items for the orchestrator, the memory tools and the HTTP API. */
export class MemoryService {
  readonly store: MemoryStore;
  readonly embedder: Embedder;
  private readonly ranking: RankingOptions;
  private readonly clock: () => number;
  private principalKeys: { keys: string[]; at: number } | undefined;

  constructor(private readonly options: MemoryServiceOptions) {
    this.store = options.store;
    this.embedder = options.embedder;
    this.ranking = options.ranking ?? DEFAULT_RANKING;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Saves `input` on behalf of `asker`, if the policy permits `write_memory` on its scope.
   * @throws ValidationError for empty or too long text; ForbiddenError when the policy says no.
   */
  async save(input: SaveInput, asker: MemoryAsker, signal?: AbortSignal): Promise<MemoryItem> {
    const owner =
      input.scope === 'principal' ? asker.principal : input.scope === 'session' ? asker.sessionId : '';
    const conversation = input.scope === 'session' ? conversationId(asker.conversation) : '';
    const resource = memoryResource(input.scope, owner, conversation);
    const decision = this.options.policy.authorize({
      principal: asker.principal,
      action: 'write_memory',
      resource,
    });
    if (!decision.allowed) {
      throw new ForbiddenError(
        `the policy does not let ${asker.principal} save ${input.scope} memory; an admin can change config/policies`,
      );
    }
    return this.insert({ ...input, owner, conversation, createdBy: asker.principal }, signal);
  }

  /**
   * Stores an item without asking the policy: for the operator API (admin token), which names
   * the owner itself.
   */
  async insert(
    input: SaveInput & { owner: string; conversation: string; createdBy: Principal },
    signal?: AbortSignal,
  ): Promise<MemoryItem> {
    const text = normalizeText(input.text);
    if (text === '') throw new ValidationError('the memory text is empty');
    if (text.length > this.options.maxItemChars) {
      throw new ValidationError(
        `the memory text is ${text.length} characters long; the limit is ${this.options.maxItemChars} (memory.max_item_chars)`,
      );
    }
    const [vector] = await this.embedder.embed([text], signal);
    if (!vector) throw new Error('the embedder returned no vector');
    const item = await this.store.insert(
      {
        scope: input.scope,
        owner: input.owner,
        conversation: input.conversation,
        text,
        createdBy: input.createdBy,
        source: input.source,
        createdAt: this.clock(),
      },
      vector,
    );
    if (item.scope === 'principal') this.principalKeys = undefined;
    return item;
  }

  /** The scope keys `asker` may read, by asking the policy once per scope. */
  async readableScopes(asker: MemoryAsker): Promise<Set<string>> {
    const keys = new Set<string>();
    const may = (resource: AuthzQuery['resource']): boolean =>
      this.options.policy.authorize({ principal: asker.principal, action: 'read_memory', resource }).allowed;
    if (may(EVERYONE)) keys.add('workspace');
    if (may(memoryResource('session', asker.sessionId, conversationId(asker.conversation))))
      keys.add(scopeKey('session', asker.sessionId));
    for (const key of await this.principalScopeKeys()) {
      if (may({ type: 'User', id: key.slice('principal:'.length) })) keys.add(key);
    }
    return keys;
  }

  /**
   * The items most relevant to `query` that `asker` may read, best first, at most `limit`
   * (default `maxItems`) and none below `minScore` (default the configured threshold).
   */
  async retrieve(
    query: string,
    asker: MemoryAsker,
    options: { limit?: number; minScore?: number; signal?: AbortSignal } = {},
  ): Promise<RankedItem[]> {
    const scopes = await this.readableScopes(asker);
    return this.rank(query, scopes, options);
  }

  /** Ranks the items of `scopes` for `query` (the operator API passes `all`). */
  async rank(
    query: string,
    scopes: ReadonlySet<string> | 'all',
    options: { limit?: number; minScore?: number; signal?: AbortSignal } = {},
  ): Promise<RankedItem[]> {
    const terms = contentTerms(query);
    if ((scopes !== 'all' && scopes.size === 0) || terms.length === 0) return [];
    const [vector] = await this.embedder.embed([query], options.signal);
    if (!vector) return [];
    const candidates = await this.store.candidates({
      text: query,
      vector,
      scopeKeys: scopes,
      candidates: this.options.candidates ?? 50,
    });
    const minScore = options.minScore ?? this.options.minScore;
    return rankCandidates(candidates, terms, this.clock(), this.ranking)
      .filter((r) => r.score >= minScore)
      .slice(0, options.limit ?? this.options.maxItems);
  }

  private async principalScopeKeys(): Promise<string[]> {
    const now = this.clock();
    if (!this.principalKeys || now - this.principalKeys.at > PRINCIPAL_KEYS_TTL_MS) {
      this.principalKeys = { keys: await this.store.principalScopeKeys(), at: now };
    }
    return this.principalKeys.keys;
  }

  /** Re-embeds items stored with another embedder (after `memory.embeddings` changed). */
  async reembed(batch = 64): Promise<number> {
    const { store } = this;
    let done = 0;
    for (;;) {
      const stale = await store.staleItems(batch);
      if (stale.length === 0) return done;
      const vectors = await this.embedder.embed(stale.map((s) => s.text));
      for (const [i, s] of stale.entries()) await store.updateVector(s.id, vectors[i]!);
      done += stale.length;
    }
  }
}
