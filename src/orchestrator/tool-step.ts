import type { AgentDirectory } from '../agents/directory.js';
import { defaultPattern, patternCovers, simpleProgram } from '../core/arg-pattern.js';
import { ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ConversationRef, Run } from '../core/types.js';
import type { JournalStore, StepCommit } from '../journal/store.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { ToolCallRequest } from '../providers/provider.js';
import { ToolRegistry } from '../tools/registry.js';
import type { Tool } from '../tools/tool.js';
import { hashArgs } from './args-hash.js';
import type { TapeView, ToolCallBody } from './tape-view.js';

type Commit = (run: Run, step: Omit<StepCommit, 'now' | 'expectState'>) => Promise<void>;

/** What a tool step needs; the run executor's deps are a superset. */
export interface ToolStepDeps {
  journal: JournalStore;
  tools: ToolRegistry;
  policy: PolicyEngine;
  /** The agents; a run is answered by its own (`run.agent`). */
  agents: AgentDirectory;
  approvalTimeoutMs: number;
  workspaceDir: string;
  clock: () => number;
  /** Tells the run's channel what the run is doing (typing indicator, status line). Best effort. */
  onActivity?: (run: Run, status: string) => void;
  /**
   * Where else a new approval's card goes (approver routing): the conversations beside the run's
   * own where someone may decide it. None when absent.
   */
  routeApproval?: (run: Run, approval: ApprovalToRoute) => ConversationRef[];
}

/** What approver routing knows of a new approval. */
export interface ApprovalToRoute {
  id: string;
  tool: string;
  argsHash: string;
}

/**
 * One tool call through the policy gate (DESIGN.md section 5): allow → run it in the sandbox;
 * ask → an approval and a card, then the run waits; deny → the model is told. What runs after an
 * approval is exactly what was approved (the arguments' hash is bound), and a call whose intent
 * is on the tape without an output is never re-run blindly.
 */
export class ToolStep {
  constructor(
    private readonly deps: ToolStepDeps,
    private readonly commit: Commit,
  ) {}

  /** Handles one pending tool call; `wait` when a human has to decide first. */
  async handle(
    run: Run,
    view: TapeView,
    call: ToolCallRequest,
    signal: AbortSignal,
  ): Promise<'done' | 'wait'> {
    const { tools } = this.deps;
    const agent = this.deps.agents.get(run.agent);
    const tool = ToolRegistry.allows(agent.config.tools, call.name) ? tools.get(call.name) : undefined;
    if (!tool) return this.output(run, call, false, `unknown tool "${call.name}"`);
    let args: unknown;
    try {
      args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch {
      return this.output(
        run,
        call,
        false,
        'the tool arguments were not valid JSON; call the tool again with a JSON object',
      );
    }
    const argsHash = hashArgs(args);

    if (view.intentOf(call.id)) {
      return this.output(
        run,
        call,
        false,
        'this tool call was interrupted by a restart before its result was recorded; it was not run again',
      );
    }

    const requested = view.approvalOf(call.id);
    if (requested) {
      const approval = await this.deps.journal.getApproval(requested.approvalId);
      if (!approval || approval.state === 'pending') return 'wait';
      if (approval.state !== 'approved') {
        return this.output(
          run,
          call,
          false,
          `the call was not approved (${approval.state}); do not retry it`,
          true,
        );
      }
      if (approval.argsHash !== argsHash)
        return this.output(run, call, false, 'the arguments differ from what was approved', true);
      return this.execute(
        run,
        tool,
        call,
        args,
        argsHash,
        {
          via: 'approval',
          policyIds: requested.policyIds,
          approvalId: approval.id,
        },
        signal,
      );
    }

    // Arguments that break the tool's schema are refused before anyone is asked to approve them.
    const invalid = tool.checkArgs?.(args);
    if (invalid !== undefined) return this.output(run, call, false, `invalid arguments: ${invalid}`);

    const decision = this.deps.policy.decideToolCall({
      principal: run.principal,
      tool: tool.name,
      readOnly: tool.readOnly,
      ...(tool.source !== undefined ? { source: tool.source } : {}),
      ...(tool.hints !== undefined ? { hints: tool.hints } : {}),
      agent: agent.name,
      ...(tool.name === 'shell_exec'
        ? { program: simpleProgram((args as { command?: unknown })?.command) ?? '' }
        : {}),
      argsHash,
      sessionId: run.sessionId,
      conversation: run.conversation,
    });
    if (decision.decision === 'allow') {
      return this.execute(
        run,
        tool,
        call,
        args,
        argsHash,
        { via: 'policy', policyIds: decision.policyIds },
        signal,
      );
    }
    if (decision.decision === 'ask') {
      // Approved for the session: only calls the grant's arguments pattern covers run unasked.
      const grants = await this.deps.journal.listSessionGrants(run.sessionId, tool.name);
      const grant = grants.find((g) =>
        patternCovers(defaultPattern(g.tool, g.args, g.argsHash), tool.name, args, argsHash),
      );
      if (grant) {
        return this.execute(
          run,
          tool,
          call,
          args,
          argsHash,
          {
            via: 'session_grant',
            policyIds: decision.policyIds,
            approvalId: grant.id,
          },
          signal,
        );
      }
      await this.requestApproval(run, tool, call, args, argsHash, decision.policyIds);
      return 'wait';
    }
    const why =
      decision.errors.length > 0 ? 'the policy could not be evaluated' : 'the policy does not allow it';
    return this.output(run, call, false, `denied: ${why}`, true, decision.policyIds);
  }

  private async requestApproval(
    run: Run,
    tool: Tool,
    call: ToolCallRequest,
    args: unknown,
    argsHash: string,
    policyIds: string[],
  ): Promise<void> {
    const approvalId = newId(this.deps.clock());
    const expiresAt = this.deps.clock() + this.deps.approvalTimeoutMs;
    await this.commit(run, {
      approvals: [
        {
          id: approvalId,
          toolCallId: call.id,
          tool: tool.name,
          args,
          argsHash,
          requester: run.principal,
          conversation: run.conversation,
          expiresAt,
        },
      ],
      tape: [
        {
          kind: 'approval_request',
          body: { approvalId, toolCallId: call.id, tool: tool.name, argsHash, expiresAt, policyIds },
        },
      ],
      outbox: [
        run.conversation,
        ...(this.deps.routeApproval?.(run, { id: approvalId, tool: tool.name, argsHash }) ?? []),
      ].map((conversation) => ({
        channel: run.channel,
        conversation,
        kind: 'approval_card' as const,
        payload: { approvalId, allowSessionScope: true },
      })),
    });
  }

  private async execute(
    run: Run,
    tool: Tool,
    call: ToolCallRequest,
    args: unknown,
    argsHash: string,
    how: Pick<ToolCallBody, 'via' | 'policyIds'> & { approvalId?: string },
    signal: AbortSignal,
  ): Promise<'done'> {
    const intent: ToolCallBody = {
      toolCallId: call.id,
      tool: tool.name,
      ...(tool.source !== undefined ? { source: tool.source } : {}),
      args,
      argsHash,
      ...how,
    };
    await this.commit(run, { tape: [{ kind: 'tool_call', body: intent }] });
    this.deps.onActivity?.(run, `running ${tool.name}…`);
    const started = this.deps.clock();
    let ok = false;
    let output: string;
    let detail: Record<string, unknown> | undefined;
    try {
      const result = await tool.run(args, {
        runId: run.id,
        sessionId: run.sessionId,
        principal: run.principal,
        workspaceDir: this.deps.workspaceDir,
        signal,
      });
      ok = result.ok;
      output = result.output;
      detail = result.detail;
    } catch (error) {
      output =
        error instanceof ValidationError
          ? `invalid arguments: ${error.message}`
          : `the tool failed: ${(error as Error).message}`;
    }
    const durationMs = this.deps.clock() - started;
    await this.commit(run, {
      tape: [
        {
          kind: 'tool_output',
          body: {
            toolCallId: call.id,
            tool: tool.name,
            ...(tool.source !== undefined ? { source: tool.source } : {}),
            ok,
            output,
            durationMs,
            ...(detail ? { detail } : {}),
          },
        },
      ],
      toolExecution: { ms: durationMs, ...(tool.source !== undefined ? { source: tool.source } : {}) },
    });
    return 'done';
  }

  private async output(
    run: Run,
    call: ToolCallRequest,
    ok: boolean,
    output: string,
    denied = false,
    policyIds?: string[],
  ): Promise<'done'> {
    await this.commit(run, {
      tape: [
        {
          kind: 'tool_output',
          body: {
            toolCallId: call.id,
            tool: call.name,
            ok,
            output,
            ...(denied ? { denied: true } : {}),
            ...(policyIds ? { policyIds } : {}),
          },
        },
      ],
    });
    return 'done';
  }
}
