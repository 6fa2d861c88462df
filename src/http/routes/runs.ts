import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Run } from '../../core/types.js';
import type { HttpDeps } from '../deps.js';
import { streamRunEvents } from '../sse.js';
import { parseInput } from '../validate.js';

const runQuery = z.strictObject({
  state: z.enum(['accepted', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  session_id: z.string().optional(),
  principal: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Renders a run for the API (snake_case). */
export function runJson(run: Run): Record<string, unknown> {
  return {
    id: run.id,
    session_id: run.sessionId,
    state: run.state,
    principal: run.principal,
    channel: run.channel,
    conversation: run.conversation,
    text: run.text,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    reason: run.reason,
    agent: run.agent,
  };
}

/** Runs: list, one, its tape, its live events (SSE) and cancel — each through the gateway's doors. */
export function registerRunRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { reads } = deps.gateway;

  app.get('/v1/runs', async (request) => {
    const q = parseInput(runQuery, request.query, 'query');
    const runs = await reads.listRuns(request.principal, {
      limit: q.limit,
      ...(q.state ? { state: q.state } : {}),
      ...(q.session_id ? { sessionId: q.session_id } : {}),
      ...(q.principal ? { principal: q.principal } : {}),
    });
    return { runs: runs.map(runJson) };
  });

  app.get<{ Params: { id: string } }>('/v1/runs/:id', async (request) =>
    runJson(await reads.getRun(request.principal, request.params.id)),
  );

  app.get<{ Params: { id: string } }>('/v1/runs/:id/tape', async (request) => {
    const { run, events } = await reads.readTape(request.principal, request.params.id);
    return { run_id: run.id, state: run.state, events };
  });

  app.get<{ Params: { id: string } }>('/v1/runs/:id/events', async (request, reply) => {
    const followed = await reads.followRun(request.principal, request.params.id);
    const lastEventId = request.headers['last-event-id'];
    const afterSeq = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1;
    streamRunEvents(request, reply, deps, followed, afterSeq);
  });

  app.post<{ Params: { id: string } }>('/v1/runs/:id/cancel', async (request) => {
    const cancelled = await deps.gateway.cancelRun(
      request.params.id,
      request.principal,
      `cancelled by ${request.principal}`,
    );
    return runJson(cancelled);
  });
}
