/**
 * `/v1/memory`: list and search memory items, save one into a scope, delete one or a whole scope.
 * Every call asks `read_memory` / `write_memory` on the scope for the acting principal, through the
 * gateway (docs/authorization.md); the admin token is an admin, not a bypass.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayMemory } from '../../gateway/memory-access.js';
import type { MemoryItem } from '../../memory/types.js';
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

/** Registers the memory routes; each asks the gateway's memory door for the acting principal. */
export function registerMemoryRoutes(app: FastifyInstance, memory: GatewayMemory): void {
  app.get('/v1/memory', async (request) => {
    const q = parseInput(listQuery, request.query, 'query');
    if (q.q !== undefined) {
      const ranked = await memory.search(request.principal, q.q, q.limit);
      return {
        items: ranked.map((r) => ({ ...memoryItemJson(r.item), score: Math.round(r.score * 1000) / 1000 })),
      };
    }
    const items = await memory.list(request.principal, {
      limit: q.limit,
      ...(q.scope ? { scope: q.scope } : {}),
      ...(q.owner !== undefined ? { owner: q.owner } : {}),
      ...(q.before ? { before: q.before } : {}),
    });
    return { items: items.map(memoryItemJson) };
  });

  app.get<{ Params: { id: string } }>('/v1/memory/:id', async (request) =>
    memoryItemJson(await memory.get(request.principal, request.params.id)),
  );

  app.post('/v1/memory', async (request, reply) => {
    const body = parseInput(saveBody, request.body, 'memory item');
    const item = await memory.save(request.principal, {
      text: body.text,
      scope: body.scope,
      ...(body.owner !== undefined ? { owner: body.owner } : {}),
    });
    return reply.status(201).send(memoryItemJson(item));
  });

  app.delete<{ Params: { id: string } }>('/v1/memory/:id', async (request, reply) => {
    await memory.delete(request.principal, request.params.id);
    return reply.status(204).send();
  });

  app.delete('/v1/memory', async (request) => {
    const q = parseInput(deleteQuery, request.query, 'query');
    return { deleted: await memory.deleteScope(request.principal, q.scope, q.owner) };
  });
}
