import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Session } from '../../core/types.js';
import type { HttpDeps } from '../deps.js';
import { parseInput } from '../validate.js';
import { runJson } from './runs.js';

const time = z
  .union([z.coerce.number().int(), z.string().datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const usageQuery = z.strictObject({
  principal: z.string().optional(),
  since: time.optional(),
  until: time.optional(),
  bucket: z.enum(['hour', 'day']).default('day'),
});

const sessionsQuery = z.strictObject({
  key: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const recentQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

function sessionJson(s: Session): Record<string, unknown> {
  return {
    id: s.id,
    key: s.key,
    channel: s.channel,
    device: s.device,
    conversation: s.conversation,
    created_at: s.createdAt,
    closed_at: s.closedAt,
    agent: s.agent,
  };
}

/** Sessions, usage and recent journal events. */
export function registerReadRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { gateway } = deps;

  app.get('/v1/sessions', async (request) => {
    const q = parseInput(sessionsQuery, request.query, 'query');
    const sessions = await gateway.reads.listSessions(request.principal, {
      limit: q.limit,
      ...(q.key ? { key: q.key } : {}),
    });
    return { sessions: sessions.map(sessionJson) };
  });

  app.get<{ Params: { id: string } }>('/v1/sessions/:id', async (request) => {
    const { session, runs } = await gateway.reads.getSession(request.principal, request.params.id);
    return { ...sessionJson(session), runs: runs.map(runJson) };
  });

  // A reset starts a new session for the key on the next message; this one stays readable.
  app.post<{ Params: { id: string } }>('/v1/sessions/:id/reset', async (request) =>
    sessionJson(await gateway.resetSession(request.params.id, request.principal)),
  );

  app.get('/v1/usage', async (request) => {
    const q = parseInput(usageQuery, request.query, 'query');
    const query = {
      bucket: q.bucket,
      ...(q.principal ? { principal: q.principal } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.until !== undefined ? { until: q.until } : {}),
    };
    const rows = await gateway.reads.usageSummary(request.principal, query);
    const breakdown = await gateway.reads.usageBreakdown(
      request.principal,
      query,
      gateway.deps.agents.defaultName,
    );
    const totals = rows.reduce(
      (t, r) => ({
        prompt_tokens: t.prompt_tokens + r.promptTokens,
        completion_tokens: t.completion_tokens + r.completionTokens,
        total_tokens: t.total_tokens + r.totalTokens,
        runs: t.runs + r.runs,
        tool_executions: t.tool_executions + r.toolExecutions,
        tool_ms: t.tool_ms + r.toolMs,
      }),
      { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, runs: 0, tool_executions: 0, tool_ms: 0 },
    );
    return {
      bucket: q.bucket,
      rows: rows.map((r) => ({
        principal: r.principal,
        bucket_start: r.bucketStart,
        prompt_tokens: r.promptTokens,
        completion_tokens: r.completionTokens,
        total_tokens: r.totalTokens,
        runs: r.runs,
        tool_executions: r.toolExecutions,
        tool_ms: r.toolMs,
      })),
      totals,
      by_agent: breakdown.agents.map((a) => ({
        agent: a.agent,
        prompt_tokens: a.promptTokens,
        completion_tokens: a.completionTokens,
        total_tokens: a.totalTokens,
        runs: a.runs,
        tool_executions: a.toolExecutions,
        tool_ms: a.toolMs,
      })),
      by_tool_source: breakdown.toolSources.map((s) => ({
        source: s.source,
        executions: s.executions,
        ms: s.ms,
      })),
    };
  });

  app.get('/v1/events/recent', async (request) => {
    const q = parseInput(recentQuery, request.query, 'query');
    return { events: await gateway.reads.recentEvents(request.principal, q.limit) };
  });
}
