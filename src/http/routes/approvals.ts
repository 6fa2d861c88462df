import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { duration } from '../../config/duration.js';
import type { Approval } from '../../core/types.js';
import type { HttpDeps } from '../deps.js';
import { parseInput } from '../validate.js';

const listQuery = z.strictObject({
  state: z.enum(['pending', 'approved', 'denied', 'expired', 'cancelled']).optional(),
  run_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  /** `always` = "Always allow": approve and remember a grant (see `grant`). */
  scope: z.enum(['once', 'session', 'always']).optional(),
  /** With scope `always`: who the grant covers (default the requester) and how long it lasts. */
  grant: z
    .strictObject({
      for: z.enum(['requester', 'conversation', 'everyone']).optional(),
      expires_in: duration.optional(),
    })
    .optional(),
  principal: z
    .string()
    .regex(/^console:[\w.@-]{1,64}$/, 'a console principal looks like console:<name>')
    .optional(),
});

const STATUS_OF: Record<string, number> = {
  forbidden: 403,
  not_found: 404,
  already_decided: 409,
  expired: 409,
  cancelled: 409,
  invalid: 400,
};

/** Renders an approval for the API (snake_case). */
export function approvalJson(a: Approval): Record<string, unknown> {
  return {
    id: a.id,
    run_id: a.runId,
    session_id: a.sessionId,
    state: a.state,
    tool: a.tool,
    args: a.args,
    args_hash: a.argsHash,
    requester: a.requester,
    conversation: a.conversation,
    created_at: a.createdAt,
    expires_at: a.expiresAt,
    decided_by: a.decidedBy,
    decided_at: a.decidedAt,
    scope: a.scope,
    reason: a.reason,
    grant_id: a.grantId,
  };
}

/** Approvals: list, one, and decide (the same gateway call the chat buttons use). */
export function registerApprovalRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { reads } = deps.gateway;

  app.get('/v1/approvals', async (request) => {
    const q = parseInput(listQuery, request.query, 'query');
    const list = await reads.listApprovals(request.principal, {
      limit: q.limit,
      ...(q.state ? { state: q.state } : {}),
      ...(q.run_id ? { runId: q.run_id } : {}),
    });
    return { approvals: list.map(approvalJson) };
  });

  app.get<{ Params: { id: string } }>('/v1/approvals/:id', async (request) =>
    approvalJson(await reads.getApproval(request.principal, request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/v1/approvals/:id/decision', async (request, reply) => {
    const body = parseInput(decisionBody, request.body, 'decision');
    const outcome = await deps.gateway.decideToolApproval({
      approvalId: request.params.id,
      decision: body.decision,
      decider: body.principal ?? request.principal,
      ...(body.scope ? { scope: body.scope } : {}),
      ...(body.grant
        ? {
            grant: {
              ...(body.grant.for ? { for: body.grant.for } : {}),
              ...(body.grant.expires_in !== undefined ? { expiresInMs: body.grant.expires_in } : {}),
            },
          }
        : {}),
    });
    if (outcome.ok) return approvalJson(outcome.approval);
    return reply.status(STATUS_OF[outcome.code] ?? 409).send({
      error: {
        code: outcome.code,
        message: outcome.message,
        ...(outcome.state ? { state: outcome.state } : {}),
      },
    });
  });
}
