import type { AgentDirectory } from '../agents/directory.js';
import { SwitchboardError } from '../core/errors.js';
import type { ConversationRef, Principal, Run, Session, UsageBreakdown, UsageRow } from '../core/types.js';
import { addUsage } from '../core/usage.js';
import type { JournalStore } from '../journal/store.js';
import type { CommandRequest, CommandResponse } from '../ports/gateway.js';
import { type Access, NOT_LET_IN } from './access.js';
import { grantsCommand } from './grant-commands.js';
import type { GatewayGrants } from './grants-access.js';
import { accessCommand, linkCommand, PEOPLE_HELP, type PeopleCommandGateway } from './people-commands.js';
import type { GatewayReads } from './reads.js';
import { conversationResource, unplacedConversation } from './resources.js';
import type { ToolCatalog } from './tool-catalog.js';

/**
 * What the commands use of the gateway (`GatewayRuntimeState` is one): named here, so the
 * commands do not import the gateway that calls them.
 */
export interface CommandGateway {
  readonly deps: {
    readonly journal: JournalStore;
    readonly clock: () => number;
    readonly activeRuns: () => number;
    readonly agents: Pick<AgentDirectory, 'get'>;
    readonly sandboxSummary?: string;
  };
  readonly access: Access;
  readonly reads: GatewayReads;
  readonly toolCatalog: Pick<ToolCatalog, 'statusLine'>;
  readonly grants: Pick<GatewayGrants, 'list' | 'revoke'>;
  mayChat(principal: Principal, conversation?: ConversationRef): boolean;
  agentFor(conversation: ConversationRef, principal: Principal): string;
  cancelRun(runId: string, by: Principal, reason?: string): Promise<Run>;
  resetSession(sessionId: string, by: Principal): Promise<Session>;
  /** `/access` and `/link`. */
  readonly accessDesk: PeopleCommandGateway['accessDesk'];
  readonly links: PeopleCommandGateway['links'];
}

const HELP = [
  'Commands:',
  '  cancel [run]             cancel a run (default: the running one in this conversation)',
  '  usage [user|all] [days]  tokens, runs and tool use (default: yours, 7 days)',
  '  status                   what the agent is doing',
  '  approvals                pending approvals',
  '  new                      start a fresh session here (the earlier one stays readable)',
  '  grants [revoke <id>]     grants "Always allow" made, or revoke one',
  '  help                     this text',
  ...PEOPLE_HELP,
].join('\n');

/**
 * The slash commands every platform shares (`/cancel`, `/usage`, `/status`, `/approvals`, `/new`,
 * `/grants`, `/help`), answered as text for the caller. A command event is deduplicated like a message; the
 * caller must first be let in (`chat` in the conversation), then each command asks its own Cedar
 * action before it reads anything (docs/authorization.md).
 */
export async function runCommand(gateway: CommandGateway, request: CommandRequest): Promise<CommandResponse> {
  const where = request.conversation ?? unplacedConversation(request.principal);
  if (request.eventId !== undefined) {
    const claim = await gateway.deps.journal.claimInboxEvent({
      channel: where.platform,
      eventId: `command:${request.eventId}`,
      now: gateway.deps.clock(),
    });
    if (claim.duplicate) return { ok: true, text: '', duplicate: true };
  }
  // `/link` is open to strangers: linking to an account that is let in is how they come in.
  if (request.name !== 'link' && !gateway.mayChat(request.principal, where))
    return { ok: false, text: NOT_LET_IN };
  try {
    switch (request.name) {
      case 'access':
        return await accessCommand(gateway, request);
      case 'link':
        return await linkCommand(gateway, request);
      case 'cancel':
        return await cancel(gateway, request);
      case 'usage':
        return await usage(gateway, request);
      case 'status':
        return await status(gateway, request, where);
      case 'approvals':
        return await approvals(gateway, request);
      case 'new':
        return await freshSession(gateway, request);
      case 'grants':
        return await grantsCommand(gateway.grants, request.principal, request.args);
      case 'help':
        return { ok: true, text: HELP };
      default:
        return { ok: false, text: `Unknown command.\n${HELP}` };
    }
  } catch (error) {
    if (error instanceof SwitchboardError) return { ok: false, text: error.message };
    throw error;
  }
}

/** The open session of the conversation the command was typed in, if it has one. */
async function sessionOf(gateway: CommandGateway, request: CommandRequest): Promise<Session | null> {
  return request.sessionKey ? gateway.deps.journal.getSessionByKey(request.sessionKey) : null;
}

/** The running (else the oldest queued) run of `session`. */
async function currentRunOf(gateway: CommandGateway, session: Session | null): Promise<Run | undefined> {
  if (!session) return undefined;
  const { journal } = gateway.deps;
  const running = await journal.listRuns({ sessionId: session.id, state: 'running', limit: 1 });
  if (running[0]) return running[0];
  const queued = await journal.listRuns({ sessionId: session.id, state: 'accepted', limit: 1 });
  return queued[0];
}

async function cancel(gateway: CommandGateway, request: CommandRequest): Promise<CommandResponse> {
  const runId = request.args[0] ?? (await currentRunOf(gateway, await sessionOf(gateway, request)))?.id;
  if (!runId) return { ok: false, text: 'Nothing is running in this conversation.' };
  // Refused (not found, not permitted — asked before the state is told — or already finished)
  // with the gateway's reason.
  await gateway.cancelRun(runId, request.principal, `cancelled by ${request.principal}`);
  return { ok: true, text: `Cancelled run ${runId}.` };
}

async function usage(gateway: CommandGateway, request: CommandRequest): Promise<CommandResponse> {
  let who: string | undefined = request.principal;
  let days = 7;
  for (const arg of request.args) {
    if (/^\d+$/.test(arg)) days = Math.min(366, Math.max(1, Number(arg)));
    else if (arg === 'all') who = undefined;
    else if (arg === 'me') who = request.principal;
    else who = arg;
  }
  const now = gateway.deps.clock();
  const query = {
    ...(who ? { principal: who } : {}),
    since: now - days * 86_400_000,
    until: now + 1,
    bucket: 'day' as const,
  };
  const rows = await gateway.reads.usageSummary(request.principal, query);
  const text = formatUsage(rows, who ?? 'everyone', days);
  if (rows.length === 0) return { ok: true, text };
  const defaultAgent = gateway.deps.agents.get(null).name;
  const breakdown = await gateway.reads.usageBreakdown(request.principal, query, defaultAgent);
  return { ok: true, text: [text, ...formatBreakdown(breakdown, defaultAgent)].join('\n') };
}

/** The per-agent and per-MCP-server lines under `/usage` (only when there is more than one agent or any MCP use). */
export function formatBreakdown(breakdown: UsageBreakdown, defaultAgent: string): string[] {
  const lines: string[] = [];
  const agents = breakdown.agents.map((a) => ({ ...a, agent: a.agent ?? defaultAgent }));
  const named = new Set(agents.map((a) => a.agent));
  if (named.size > 1 || !named.has(defaultAgent)) {
    lines.push(
      `By agent: ${agents.map((a) => `${a.agent} ${a.totalTokens} tokens, ${a.runs} runs`).join('; ')}`,
    );
  }
  const mcp = breakdown.toolSources.filter((s) => s.source.startsWith('mcp:'));
  if (mcp.length > 0) {
    lines.push(
      `MCP servers: ${mcp.map((s) => `${s.source.slice(4)} ${s.executions} calls (${(s.ms / 1000).toFixed(1)} s)`).join('; ')}`,
    );
  }
  return lines;
}

/** Renders usage rows as a short per-principal summary. */
export function formatUsage(rows: UsageRow[], who: string, days: number): string {
  const totals = new Map<string, UsageRow>();
  for (const row of rows) {
    const t = totals.get(row.principal);
    if (!t) totals.set(row.principal, { ...row });
    else addUsage(t, row);
  }
  if (totals.size === 0) return `No usage for ${who} in the last ${days} day(s).`;
  const lines = [...totals.values()]
    .sort((a, b) => b.totalTokens - a.totalTokens)
    .map(
      (t) =>
        `${t.principal}: ${t.totalTokens} tokens (${t.promptTokens} prompt, ${t.completionTokens} completion), ${t.runs} runs, ${t.toolExecutions} tool runs (${(t.toolMs / 1000).toFixed(1)} s)`,
    );
  return [`Usage of ${who}, last ${days} day(s):`, ...lines].join('\n');
}

async function status(
  gateway: CommandGateway,
  request: CommandRequest,
  where: ConversationRef,
): Promise<CommandResponse> {
  const { journal, activeRuns, agents, sandboxSummary } = gateway.deps;
  gateway.access.require(
    { actor: request.principal, action: 'read_status', resource: conversationResource(where) },
    'the status here',
  );
  const counts = await journal.counts();
  const session = await sessionOf(gateway, request);
  const run = await currentRunOf(gateway, session);
  const agent = agents.get(session ? session.agent : gateway.agentFor(where, request.principal));
  const lines = [
    `Agent: ${agent.name}`,
    `Model: ${agent.providerDescription}`,
    ...(sandboxSummary ? [sandboxSummary] : []),
    ...[gateway.toolCatalog.statusLine()].filter((line) => line !== undefined),
    `Runs: ${counts.runs.running} running (${activeRuns()} working here), ${counts.runs.accepted} queued`,
    `Approvals pending: ${counts.approvals.pending}`,
  ];
  if (run) lines.push(`This conversation: run ${run.id} is ${run.state}`);
  return { ok: true, text: lines.join('\n') };
}

/**
 * `/new`: the conversation's next message starts a fresh session, with no earlier turns; this
 * one stays readable. Authorized as `reset_session` on the session (`context.took_part`).
 */
async function freshSession(gateway: CommandGateway, request: CommandRequest): Promise<CommandResponse> {
  if (!request.sessionKey) return { ok: false, text: 'There is no session to start afresh here.' };
  const session = await sessionOf(gateway, request);
  if (!session) return { ok: true, text: 'Nothing to forget yet: your next message starts a session.' };
  await gateway.resetSession(session.id, request.principal);
  return {
    ok: true,
    text: `Started afresh: your next message begins a new session. The earlier one (${session.id}) stays readable.`,
  };
}

async function approvals(gateway: CommandGateway, request: CommandRequest): Promise<CommandResponse> {
  const { all, approvals: pending } = await gateway.reads.pendingApprovals(request.principal, 20);
  if (pending.length === 0)
    return { ok: true, text: all ? 'No approvals are pending.' : 'None of your requests is pending.' };
  const lines = pending.map(
    (a) => `${a.id}: ${a.tool} requested by ${a.requester}, expires ${new Date(a.expiresAt).toISOString()}`,
  );
  return { ok: true, text: [all ? 'Pending approvals:' : 'Your pending requests:', ...lines].join('\n') };
}
