import type { AgentDirectory } from '../agents/directory.js';
import type { ChannelAccess } from '../config/access-schema.js';
import type { Binding } from '../config/routing-schema.js';
import type { ConversationRef, OutboxItem } from '../core/types.js';
import { GrantBook, type GrantPolicyTarget } from '../gateway/grant-book.js';
import { GatewayRuntimeState } from '../gateway/runtime.js';
import { denyBySystem } from '../gateway/system-decision.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { MemoryService } from '../memory/service.js';
import type { InputPreparer } from '../orchestrator/input.js';
import { RunExecutor } from '../orchestrator/run-executor.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { Channel } from '../ports/channel.js';
import { adminConversationsOf, approverRouting } from '../runtime/approver-routing.js';
import { OutboxDispatcher } from '../runtime/outbox-dispatcher.js';
import { Presence } from '../runtime/presence.js';
import { ReplyStreams } from '../runtime/reply-streams.js';
import { RunFeed } from '../runtime/run-feed.js';
import { Scheduler } from '../runtime/scheduler.js';
import { wakeLoops } from '../runtime/wake-loops.js';
import { Wakeups } from '../runtime/wakeups.js';
import { readSentFile } from '../tools/builtins/send-file.js';
import type { ServerStatus } from '../tools/mcp/server.js';
import type { ToolRegistry } from '../tools/registry.js';

/** Everything the running core is made of. */
export interface CoreParts {
  journal: JournalStore;
  policy: PolicyEngine;
  /** The agents, each with its model; a run is answered by its session's. */
  agents: AgentDirectory;
  /** Which agent a new session gets (`bindings:`, first match wins). */
  bindings?: readonly Binding[];
  /** One line on the tool sandbox for `/status` (`SandboxDecision.summary`). */
  sandboxSummary?: string;
  tools: ToolRegistry;
  approvalTimeoutMs: number;
  workspaceDir: string;
  maxConcurrentRuns: number;
  maxMessageChars: number;
  /** This process's lease owner id. */
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
  /** The channels by name; the dispatcher reads it at delivery time, so channels may be added later. */
  channels: Map<string, Channel>;
  observeProvider?: (ms: number, ok: boolean) => void;
  /** Input preparation (normalization, attachments, memory); the raw input text when absent. */
  input?: InputPreparer;
  onDelivered?: (item: OutboxItem) => void;
  /** Scheduler and dispatcher backstop poll interval. */
  pollMs?: number;
  /** Memory items, for the gateway's memory door (`/v1/memory`). */
  memory?: MemoryService;
  /** The MCP servers' states, for `GET /v1/tools` and `/status`. */
  mcpServers?: () => ServerStatus[];
  /** Where the grants' generated permits go (the policy engine handle); no "Always allow" without. */
  grantPolicies?: GrantPolicyTarget;
  /**
   * Each platform's admin conversation, where a card nobody in its DM may decide also goes; by
   * default the `admin_conversation` of each channel's access settings.
   */
  adminConversations?: ReadonlyMap<string, ConversationRef>;
  /** How each channel treats strangers (`channels.<name>.access`). */
  channelAccess?: ReadonlyMap<string, ChannelAccess>;
}

/** The wired core: the gateway and the loops behind it. */
export interface Core {
  gateway: GatewayRuntimeState;
  scheduler: Scheduler;
  dispatcher: OutboxDispatcher;
  feed: RunFeed;
  executor: RunExecutor;
  /** The wake-up hub: announce a committed change here, never kick a loop directly. */
  wakeups: Wakeups;
  /** Replies shown in the chat while the model streams them. */
  streams: ReplyStreams;
  /** The grants in force; load them (`reload`) before runs start. */
  grants: GrantBook | undefined;
}

/**
 * Wires the orchestrator, scheduler, outbox dispatcher and gateway around one journal. The daemon
 * and the in-process test harness both build the core here, so tests exercise the real wiring.
 * Nothing is started: call `gateway.start()` (the journal's people into the policy),
 * `scheduler.start()` and `dispatcher.start()`.
 */
export function assembleCore(parts: CoreParts): Core {
  const wakeups = new Wakeups();
  const feed = new RunFeed();
  const presence = new Presence({ channels: parts.channels, logger: parts.logger });
  const streams = new ReplyStreams({
    journal: parts.journal,
    channels: parts.channels,
    clock: parts.clock,
    logger: parts.logger,
  });
  const executor = new RunExecutor({
    journal: parts.journal,
    agents: parts.agents,
    tools: parts.tools,
    policy: parts.policy,
    approvalTimeoutMs: parts.approvalTimeoutMs,
    workspaceDir: parts.workspaceDir,
    wakeups,
    clock: parts.clock,
    logger: parts.logger,
    ...(parts.observeProvider ? { observeProvider: parts.observeProvider } : {}),
    ...(parts.input ? { input: parts.input } : {}),
    onActivity: (run, status) => presence.show(run, status),
    routeApproval: approverRouting({
      policy: parts.policy,
      channels: parts.channels,
      adminConversations: parts.adminConversations ?? adminConversationsOf(parts.channelAccess),
    }),
  });
  const dispatcher = new OutboxDispatcher({
    journal: parts.journal,
    channels: parts.channels,
    // A delivery may wait out a platform's rate limit; give it twice a run's lease.
    leaseMs: 2 * parts.leaseMs,
    owner: parts.owner,
    clock: parts.clock,
    logger: parts.logger,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    onCardFailed: (approvalId, error) =>
      denyBySystem(
        { journal: parts.journal, wakeups, clock: parts.clock },
        approvalId,
        `the approval card could not be shown: ${error}`,
      ),
    ...(parts.onDelivered ? { onDelivered: parts.onDelivered } : {}),
    streams,
    readFile: (file) => readSentFile(parts.workspaceDir, file),
  });
  const scheduler = new Scheduler({
    journal: parts.journal,
    // When a run stops working here (answered, waiting, stopped), its typing and its stream end.
    execute: async (run, signal) => {
      try {
        return await executor.execute(run, signal);
      } finally {
        presence.stop(run.id);
        void streams.settle(run.id);
      }
    },
    maxConcurrent: parts.maxConcurrentRuns,
    owner: parts.owner,
    leaseMs: parts.leaseMs,
    clock: parts.clock,
    logger: parts.logger,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    wakeups,
  });
  const grants = parts.grantPolicies
    ? new GrantBook({
        journal: parts.journal,
        engine: parts.grantPolicies,
        clock: parts.clock,
        logger: parts.logger,
      })
    : undefined;
  const gateway = new GatewayRuntimeState({
    journal: parts.journal,
    policy: parts.policy,
    wakeups,
    activeRuns: () => scheduler.activeCount,
    clock: parts.clock,
    logger: parts.logger,
    maxMessageChars: parts.maxMessageChars,
    agents: parts.agents,
    bindings: parts.bindings ?? [],
    ...(parts.sandboxSummary !== undefined ? { sandboxSummary: parts.sandboxSummary } : {}),
    ...(parts.memory ? { memory: parts.memory } : {}),
    tools: { tools: parts.tools, ...(parts.mcpServers ? { mcpServers: parts.mcpServers } : {}) },
    ...(grants ? { grants } : {}),
    ...(parts.channelAccess ? { channelAccess: parts.channelAccess } : {}),
    accessTimeoutMs: parts.approvalTimeoutMs,
  });
  wakeups.subscribe(
    wakeLoops({ scheduler, dispatcher, feed, streams, grants, people: gateway.people, logger: parts.logger }),
  );
  return { gateway, scheduler, dispatcher, feed, executor, wakeups, streams, grants };
}
