import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { AgentDirectory } from '../../src/agents/directory.js';
import { assembleCore, type Core } from '../../src/app/core.js';
import type { ChannelAccess } from '../../src/config/access-schema.js';
import { parseConfig } from '../../src/config/load.js';
import { newId } from '../../src/core/ids.js';
import type { ConversationRef } from '../../src/core/types.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import type { JournalStore } from '../../src/journal/store.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import type { Channel } from '../../src/ports/channel.js';
import { createCurrentTimeTool } from '../../src/tools/builtins/current-time.js';
import type { ServerStatus } from '../../src/tools/mcp/server.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { Tool } from '../../src/tools/tool.js';
import { ScriptedProvider } from '../fakes/scripted-provider.js';

/** The repository root, also when this file runs compiled from dist/ (benchmarks). */
const ROOT = [resolve(import.meta.dirname, '../..'), resolve(import.meta.dirname, '../../..')].find((dir) =>
  existsSync(join(dir, 'config/schema.cedarschema')),
)!;

/** The real core, in process, on a temp SQLite journal with the default Cedar policies. */
export interface CoreHarness extends Core {
  journal: JournalStore;
  provider: ScriptedProvider;
  /** The scripted model of each agent (`default` is `provider`). */
  providers: Record<string, ScriptedProvider>;
  channels: Map<string, Channel>;
  /** The run's workspace folder (file tools, MCP servers that write). */
  workspaceDir: string;
  /** How many times the `test_action` tool (needs approval by default) ran. */
  executions(): number;
  /** Each platform's admin conversation (approver routing); empty until a test sets one. */
  adminConversations: Map<string, ConversationRef>;
  stop(): Promise<void>;
}

/** Options of `startCoreHarness`. */
export interface CoreHarnessOptions {
  groups: Record<string, string[]>;
  approvalTimeoutMs?: number;
  /** Backstop poll interval of scheduler and outbox (default 100 ms). */
  pollMs?: number;
  /** The agent's `tools` (default: `test_action`, `current_time`). */
  agentTools?: string[];
  /** More tools or tool sources (MCP servers) beside the default two. */
  addTools?: (registry: ToolRegistry) => void;
  /** More policies, as the text of one more `.cedar` file beside the default policies. */
  extraPolicies?: string;
  /** The MCP servers' states, for `/status` and `GET /v1/tools`. */
  mcpServers?: () => ServerStatus[];
  /** More agents beside `default`, each with its own scripted model (see `CoreHarness.providers`). */
  moreAgents?: Record<string, { tools?: string[]; system_prompt?: string }>;
  /** The `bindings:` section. */
  bindings?: unknown[];
  /** Wraps the journal the core is built on (a decorator under test, as the daemon adds them). */
  wrapJournal?: (journal: JournalStore) => JournalStore;
  /** How each channel treats strangers; read when a stranger writes, so it may be filled later. */
  channelAccess?: ReadonlyMap<string, ChannelAccess>;
}

/**
 * Starts the core with the same wiring as the daemon (`assembleCore`), a scripted model and a
 * `test_action` tool that is not read-only, so the default policy asks before running it.
 */
export async function startCoreHarness(options: CoreHarnessOptions): Promise<CoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-core-'));
  // As in the daemon: the workspace is a folder of its own, never the one holding the journal.
  const dataDir = join(dir, 'data');
  const workspaceDir = join(dir, 'workspace');
  mkdirSync(dataDir);
  mkdirSync(workspaceDir);
  const journal = await openSqliteJournal({ path: join(dataDir, 'journal.sqlite3') });
  await journal.migrate();
  const config = parseConfig({
    groups: options.groups,
    agents: {
      default: { tools: options.agentTools ?? ['test_action', 'current_time'] },
      ...options.moreAgents,
    },
    ...(options.bindings ? { bindings: options.bindings } : {}),
  });
  let policyDir = join(ROOT, 'config/policies');
  if (options.extraPolicies !== undefined) {
    policyDir = join(dir, 'policies');
    mkdirSync(policyDir);
    copyFileSync(join(ROOT, 'config/policies/default.cedar'), join(policyDir, 'default.cedar'));
    writeFileSync(join(policyDir, 'extra.cedar'), options.extraPolicies);
  }
  const policy = loadPolicyEngine({
    dir: policyDir,
    schemaPath: join(ROOT, 'config/schema.cedarschema'),
    groups: config.groups,
  });
  let executions = 0;
  const testAction: Tool = {
    name: 'test_action',
    description: 'A test action that changes something (counts executions).',
    parameters: { type: 'object', properties: { note: { type: 'string' } } },
    readOnly: false,
    async run() {
      executions++;
      return { ok: true, output: `done (${executions})` };
    },
  };
  const tools = new ToolRegistry();
  tools.register(testAction);
  tools.register(createCurrentTimeTool());
  options.addTools?.(tools);
  const provider = new ScriptedProvider();
  const providers: Record<string, ScriptedProvider> = { default: provider };
  for (const name of Object.keys(options.moreAgents ?? {})) providers[name] = new ScriptedProvider();
  const channels = new Map<string, Channel>();
  const adminConversations = new Map<string, ConversationRef>();
  const agents = new AgentDirectory(
    Object.entries(config.agents).map(([name, agentConfig]) => ({
      name,
      config: agentConfig,
      provider: providers[name]!,
      providerDescription: `scripted (${name})`,
      offline: false,
    })),
    'default',
  );
  const core = assembleCore({
    journal: options.wrapJournal ? options.wrapJournal(journal) : journal,
    policy,
    agents,
    bindings: config.bindings,
    tools,
    approvalTimeoutMs: options.approvalTimeoutMs ?? 60_000,
    workspaceDir,
    maxConcurrentRuns: 4,
    maxMessageChars: config.limits.max_message_chars,
    owner: `test-${newId()}`,
    leaseMs: 30_000,
    clock: Date.now,
    logger: pino({ level: 'silent' }),
    channels,
    pollMs: options.pollMs ?? 100,
    ...(options.mcpServers ? { mcpServers: options.mcpServers } : {}),
    grantPolicies: policy,
    adminConversations,
    ...(options.channelAccess ? { channelAccess: options.channelAccess } : {}),
  });
  await core.gateway.start();
  await core.grants?.reload();
  core.scheduler.start();
  core.dispatcher.start();
  return {
    ...core,
    journal,
    provider,
    providers,
    channels,
    workspaceDir,
    executions: () => executions,
    adminConversations,
    async stop() {
      core.grants?.stop();
      await core.scheduler.abortAll();
      await core.dispatcher.stop();
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
