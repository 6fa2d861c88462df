/**
 * The gateway's door to memory items for the HTTP API: list, read, save and delete, each asking
 * `read_memory` or `write_memory` on the item's scope for the acting principal (deleting is
 * writing). Chat-side reads and the memory tools ask the same actions inside `MemoryService`.
 */
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { RankedItem } from '../memory/ranking.js';
import type { MemoryService } from '../memory/service.js';
import type { MemoryItem, MemoryScope } from '../memory/types.js';
import { conversationId } from '../policy/entities.js';
import type { Access } from './access.js';
import { memoryResource } from './resources.js';

/** A page of memory items, newest first. */
export interface MemoryListRequest {
  scope?: MemoryScope;
  owner?: string;
  before?: string;
  limit: number;
}

/** A memory item saved through the API. */
export interface MemorySaveRequest {
  text: string;
  scope: MemoryScope;
  /** The principal (scope `principal`) or the session id (scope `session`). */
  owner?: string;
}

/** Memory reads and writes, authorized per call. */
export class GatewayMemory {
  constructor(
    readonly service: MemoryService,
    private readonly journal: JournalStore,
    private readonly access: Access,
  ) {}

  /** The items most relevant to `q` across all scopes, best first: only those the actor may read. */
  async search(actor: Principal, q: string, limit: number): Promise<RankedItem[]> {
    // Rank more than asked for, so items the actor may not read leave room for ones they may.
    const ranked = await this.service.rank(q, 'all', { limit: Math.min(500, limit * 4), minScore: 0 });
    return ranked.filter((r) => this.mayRead(actor, r.item)).slice(0, limit);
  }

  /**
   * Items of one scope (one decision on that scope), or — without a scope and owner — only the
   * items the actor may read, each checked.
   */
  async list(actor: Principal, request: MemoryListRequest): Promise<MemoryItem[]> {
    const { scope, owner } = request;
    const page = {
      limit: request.limit,
      ...(scope ? { scope } : {}),
      ...(owner !== undefined ? { owner } : {}),
      ...(request.before ? { before: request.before } : {}),
    };
    if (scope === 'workspace' || (scope !== undefined && owner !== undefined && owner !== '')) {
      const target = await this.target(scope, owner ?? '');
      this.require(actor, 'read_memory', scope, target);
      return this.service.store.list(page);
    }
    return (await this.service.store.list(page)).filter((item) => this.mayRead(actor, item));
  }

  /** One item (`read_memory` on its scope); 404 when there is none. */
  async get(actor: Principal, id: string): Promise<MemoryItem> {
    const item = await this.service.store.get(id);
    if (!item) throw new NotFoundError('memory item', id);
    this.require(actor, 'read_memory', item.scope, item);
    return item;
  }

  /** Saves an item into a scope (`write_memory` on it), as said by `actor`. */
  async save(actor: Principal, request: MemorySaveRequest): Promise<MemoryItem> {
    if (request.scope !== 'workspace' && !request.owner) {
      throw new ValidationError(
        'give an owner: the principal (scope principal) or the session id (scope session)',
      );
    }
    const target = await this.target(request.scope, request.owner ?? '');
    this.require(actor, 'write_memory', request.scope, target);
    return this.service.insert({
      text: request.text,
      scope: request.scope,
      ...target,
      createdBy: actor,
      source: 'api',
    });
  }

  /** Deletes one item (`write_memory` on its scope); 404 when there is none. */
  async delete(actor: Principal, id: string): Promise<void> {
    const item = await this.service.store.get(id);
    if (!item) throw new NotFoundError('memory item', id);
    this.require(actor, 'write_memory', item.scope, item);
    await this.service.store.delete(id);
  }

  /** Deletes every item of one scope (`write_memory` on it); returns how many. */
  async deleteScope(actor: Principal, scope: MemoryScope, owner: string): Promise<number> {
    if (scope !== 'workspace' && owner === '') {
      throw new ValidationError('give the owner whose items to delete (?scope=principal&owner=discord:123)');
    }
    const target = scope === 'session' ? await this.sessionTarget(owner, false) : { owner, conversation: '' };
    this.require(actor, 'write_memory', scope, target);
    return this.service.store.deleteScope(scope, scope === 'workspace' ? '' : owner);
  }

  private mayRead(actor: Principal, item: MemoryItem): boolean {
    return this.access.allows({
      actor,
      action: 'read_memory',
      resource: memoryResource(item.scope, item.owner, item.conversation),
    });
  }

  private require(
    actor: Principal,
    action: 'read_memory' | 'write_memory',
    scope: MemoryScope,
    target: { owner: string; conversation: string },
  ): void {
    const what =
      scope === 'workspace'
        ? 'workspace memory'
        : scope === 'principal'
          ? `the memory of ${target.owner}`
          : `the memory of session ${target.owner}`;
    this.access.require(
      { actor, action, resource: memoryResource(scope, target.owner, target.conversation) },
      what,
    );
  }

  /** The owner and conversation of a scope; a session scope names an existing session. */
  private async target(scope: MemoryScope, owner: string): Promise<{ owner: string; conversation: string }> {
    if (scope === 'workspace') return { owner: '', conversation: '' };
    if (scope === 'principal') return { owner, conversation: '' };
    return this.sessionTarget(owner, true);
  }

  /**
   * A session scope's conversation. When the session is gone (deleting what is left of it), the
   * conversation of its stored items stands in, if `mustExist` is false.
   */
  private async sessionTarget(
    sessionId: string,
    mustExist: boolean,
  ): Promise<{ owner: string; conversation: string }> {
    const session = await this.journal.getSession(sessionId);
    if (session) return { owner: sessionId, conversation: conversationId(session.conversation) };
    if (mustExist) throw new NotFoundError('session', sessionId);
    const [item] = await this.service.store.list({ scope: 'session', owner: sessionId, limit: 1 });
    return { owner: sessionId, conversation: item?.conversation ?? '' };
  }
}
