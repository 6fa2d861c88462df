import type { ApprovalState, RunState, UsageBreakdown, UsageQuery, UsageRow } from '../../core/types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A row of the `usageSummary` query, as both stores return it. */
export interface UsageSummaryRow {
  principal: string;
  bucket_start: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  runs: number;
  tool_executions: number;
  tool_ms: number;
}

/** The `usageSummary` query's parameters: bucket size in ms and an open-ended range by default. */
export function usageSummaryParams(query: UsageQuery): {
  size: number;
  since: number;
  until: number;
  principal: string | null;
} {
  return {
    size: query.bucket === 'hour' ? HOUR_MS : DAY_MS,
    since: query.since ?? Number.MIN_SAFE_INTEGER,
    until: query.until ?? Number.MAX_SAFE_INTEGER,
    principal: query.principal ?? null,
  };
}

/** Maps a `usageSummary` row to the domain type. */
export function toUsageRow(r: UsageSummaryRow): UsageRow {
  return {
    principal: r.principal,
    bucketStart: r.bucket_start,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    totalTokens: r.total_tokens,
    runs: r.runs,
    toolExecutions: r.tool_executions,
    toolMs: r.tool_ms,
  };
}

/** A row of the per-agent usage query. */
export interface AgentUsageRow {
  agent: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  tool_executions: number;
  tool_ms: number;
}

/** A row of the runs-per-agent query. */
export interface AgentRunsRow {
  agent: string | null;
  runs: number;
}

/** A row of the per-tool-source query. */
export interface ToolSourceRow {
  source: string;
  executions: number;
  ms: number;
}

/** Joins the three breakdown queries (numbers as numbers: PostgreSQL returns bigints as strings). */
export function toUsageBreakdown(
  usage: readonly AgentUsageRow[],
  runs: readonly AgentRunsRow[],
  sources: readonly ToolSourceRow[],
): UsageBreakdown {
  const agents = new Map<string | null, UsageBreakdown['agents'][number]>();
  const entry = (agent: string | null) => {
    let found = agents.get(agent);
    if (!found) {
      found = {
        agent,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        runs: 0,
        toolExecutions: 0,
        toolMs: 0,
      };
      agents.set(agent, found);
    }
    return found;
  };
  for (const r of usage) {
    const e = entry(r.agent);
    e.promptTokens += Number(r.prompt_tokens);
    e.completionTokens += Number(r.completion_tokens);
    e.totalTokens += Number(r.total_tokens);
    e.toolExecutions += Number(r.tool_executions);
    e.toolMs += Number(r.tool_ms);
  }
  for (const r of runs) entry(r.agent).runs += Number(r.runs);
  return {
    agents: [...agents.values()].sort((a, b) => b.totalTokens - a.totalTokens || b.runs - a.runs),
    toolSources: sources
      .map((s) => ({ source: s.source, executions: Number(s.executions), ms: Number(s.ms) }))
      .sort((a, b) => b.ms - a.ms),
  };
}

/** Per-state counts, every state present so zero counts are reported as 0. */
export function countByState(
  runCounts: Iterable<{ state: RunState; n: number }>,
  approvalCounts: Iterable<{ state: ApprovalState; n: number }>,
): { runs: Record<RunState, number>; approvals: Record<ApprovalState, number> } {
  const runs: Record<RunState, number> = { accepted: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  const approvals: Record<ApprovalState, number> = {
    pending: 0,
    approved: 0,
    denied: 0,
    expired: 0,
    cancelled: 0,
  };
  for (const { state, n } of runCounts) runs[state] = n;
  for (const { state, n } of approvalCounts) approvals[state] = n;
  return { runs, approvals };
}
