import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Grant } from '../../core/types.js';
import type { HttpDeps } from '../deps.js';
import { parseInput } from '../validate.js';

const listQuery = z.strictObject({
  /** `true`: revoked and expired grants too. */
  all: z.enum(['true', 'false']).optional(),
});

/** Renders a grant for the API (snake_case). */
export function grantJson(g: Grant): Record<string, unknown> {
  const { scope } = g;
  return {
    id: g.id,
    tool: g.tool,
    pattern:
      g.pattern.kind === 'exact'
        ? { kind: 'exact', args_hash: g.pattern.argsHash }
        : { kind: 'program', program: g.pattern.program },
    scope:
      scope.kind === 'requester'
        ? { kind: 'requester', principal: scope.principal }
        : scope.kind === 'conversation'
          ? { kind: 'conversation', conversation: scope.conversation }
          : { kind: 'everyone' },
    created_by: g.createdBy,
    created_at: g.createdAt,
    expires_at: g.expiresAt,
    approval_id: g.approvalId,
    revoked_at: g.revokedAt,
    revoked_by: g.revokedBy,
  };
}

/** Grants ("Always allow"): list (`read_grants`) and revoke (`revoke_grant`). */
export function registerGrantRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { grants } = deps.gateway;

  app.get('/v1/grants', async (request) => {
    const q = parseInput(listQuery, request.query, 'query');
    const list = await grants.list(request.principal, { includeInactive: q.all === 'true' });
    return { grants: list.map(grantJson) };
  });

  app.delete<{ Params: { id: string } }>('/v1/grants/:id', async (request) =>
    grantJson(await grants.revoke(request.params.id, request.principal)),
  );
}
