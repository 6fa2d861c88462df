/**
 * `/v1/memory` for operators (admin token): list and search memory items, save one into any
 * scope, delete one or a whole scope. The admin token is the authorization here; chat-side reads
 * and writes go through the policy in `MemoryService`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { MemoryService } from '../../memory/service.js';
import type { MemoryItem } from '../../memory/types.js';
import { conversationId } from '../../policy/entities.js';
import type { HttpDeps } from '../server.js';
import { parseInput } from '../validate.js';

const scope = z.enum(['principal', 'session', 'workspace']);

const listQuery = z.strictObject({
  scope: scope.optional(),
  owner: z.string().optional(),
  /** Ranks by relevance to this text (all scopes) instead of listing newest first. */
  q: z.string().min(1).optional(),
  before: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const saveBody = z.strictObject({
  text: z.string().min(1),
  scope,
  /** The principal (scope `principal`) or the session id (scope `session`). */
  owner: z.string().min(1).optional(),
});

const deleteQuery = z.strictObject({ scope, owner: z.string().default('') });

/** Renders an item for the API (snake_case). */
export function memoryItemJson(item: MemoryItem): Record<string, unknown> {
  return {
    id: item.id,
    scope: item.scope,
    owner: item.owner,
    conversation: item.conversation,
    text: item.text,
    created_by: item.createdBy,
    created_at: item.createdAt,
    source: item.source,
  };
}

/** Registers the memory routes; `memory` is the daemon's memory service. */
export function registerMemoryRoutes(
  app: FastifyInstance,
  deps: Pick<HttpDeps, 'journal'> & { memory: MemoryService },
): void {
  const { memory } = deps;

  app.get('/v1/memory', async (request) => {
    const q = parseInput(listQuery, request.query, 'query');
    if (q.q !== undefined) {
      const ranked = await memory.rank(q.q, 'all', { limit: q.limit, minScore: 0 });
      return {
        items: ranked.map((r) => ({ ...memoryItemJson(r.item), score: Math.round(r.score * 1000) / 1000 })),
      };
    }
    const items = memory.store.list({
      limit: q.limit,
      ...(q.scope ? { scope: q.scope } : {}),
      ...(q.owner !== undefined ? { owner: q.owner } : {}),
      ...(q.before ? { before: q.before } : {}),
    });
    return { items: items.map(memoryItemJson) };
  });

  app.get<{ Params: { id: string } }>('/v1/memory/:id', async (request) => {
    const item = memory.store.get(request.params.id);
    if (!item) throw new NotFoundError('memory item', request.params.id);
    return memoryItemJson(item);
  });

  app.post('/v1/memory', async (request, reply) => {
    const body = parseInput(saveBody, request.body, 'memory item');
    let owner = '';
    let conversation = '';
    if (body.scope !== 'workspace') {
      if (!body.owner) {
        throw new ValidationError(
          `give an owner: the principal (scope principal) or the session id (scope session)`,
        );
      }
      owner = body.owner;
    }
    if (body.scope === 'session') {
      const session = await deps.journal.getSession(owner);
      if (!session) throw new NotFoundError('session', owner);
      conversation = conversationId(session.conversation);
    }
    const item = await memory.insert({
      text: body.text,
      scope: body.scope,
      owner,
      conversation,
      createdBy: request.principal,
      source: 'api',
    });
    return reply.status(201).send(memoryItemJson(item));
  });

  app.delete<{ Params: { id: string } }>('/v1/memory/:id', async (request, reply) => {
    if (!memory.store.delete(request.params.id)) throw new NotFoundError('memory item', request.params.id);
    return reply.status(204).send();
  });

  app.delete('/v1/memory', async (request) => {
    const q = parseInput(deleteQuery, request.query, 'query');
    if (q.scope !== 'workspace' && q.owner === '') {
      throw new ValidationError('give the owner whose items to delete (?scope=principal&owner=discord:123)');
    }
    return { deleted: memory.store.deleteScope(q.scope, q.owner) };
  });
}
