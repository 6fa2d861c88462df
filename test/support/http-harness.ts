import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { AgentDirectory } from '../../src/agents/directory.js';
import { assembleCore, type Core } from '../../src/app/core.js';
import { parseConfig } from '../../src/config/load.js';
import { newId } from '../../src/core/ids.js';
import type { ConsoleUser } from '../../src/http/console/tokens.js';
import { Metrics } from '../../src/http/metrics.js';
import { buildHttpServer } from '../../src/http/server.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import type { JournalStore } from '../../src/journal/store.js';
import { openMemory } from '../../src/memory/open.js';
import { loadPolicyEngine, type PolicyEngineHandle } from '../../src/policy/cedar-engine.js';
import type { Channel } from '../../src/ports/channel.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/providers/provider.js';
import { createCurrentTimeTool } from '../../src/tools/builtins/current-time.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { Tool } from '../../src/tools/tool.js';
import { RecordingChannel } from './recording-channel.js';

/** The repository root, also when this file runs compiled from dist/. */
export const ROOT = [resolve(import.meta.dirname, '../..'), resolve(import.meta.dirname, '../../..')].find(
  (dir) => existsSync(join(dir, 'config/schema.cedarschema')),
)!;

/** The schema every policy set of these tests is validated against. */
export const SCHEMA_PATH = join(ROOT, 'config/schema.cedarschema');

/** A message containing this asks the model for `test_action`, which waits for an approval by default. */
export const ASK = '[ask]';

/**
 * A model that answers by the message instead of a shared script, so concurrent runs never take
 * each other's answers: a message with {@link ASK} calls `test_action` once, anything else (and
 * the turn after the tool output) is answered with text.
 */
export class TriggerProvider implements ModelProvider {
  readonly name = 'trigger';
  readonly model = 'trigger-model';
  private calls = 0;

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
    let lastUser = -1;
    request.messages.forEach((m, i) => {
      if (m.role === 'user') lastUser = i;
    });
    const user = request.messages[lastUser];
    const text = user && typeof user.content === 'string' ? user.content : '';
    const answered = request.messages.slice(lastUser + 1).some((m) => m.role === 'tool');
    if (text.includes(ASK) && !answered) {
      return {
        text: '',
        toolCalls: [{ id: `call_${++this.calls}`, name: 'test_action', arguments: '{"note":"asked"}' }],
        usage,
        finishReason: 'tool_calls',
        model: this.model,
      };
    }
    const reply = `Done: ${text}`;
    request.onDelta?.(reply);
    return { text: reply, toolCalls: [], usage, finishReason: 'stop', model: this.model };
  }
}

/** The daemon's core, memory and HTTP API in process, on temp SQLite files. */
export interface HttpHarness extends Core {
  app: FastifyInstance;
  journal: JournalStore;
  policy: PolicyEngineHandle;
  /** Bearer tokens by console user name, `admin` for the admin token. */
  tokens: Record<string, string>;
  /** One request with `token` as the bearer; `body` is sent as JSON. */
  request(
    token: string,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; text: string }>;
  stop(): Promise<void>;
}

/** Options of {@link startHttpHarness}. */
export interface HttpHarnessOptions {
  groups: Record<string, string[]>;
  /** The policies (`*.cedar`) to load; default `config/policies`. */
  policyDir?: string;
  /** Console users `{name, token}` (tokens of at least 16 characters). */
  users: ConsoleUser[];
  adminToken: string;
}

/**
 * Wires journal → policy → memory → core → HTTP as `src/daemon.ts` does, with a
 * {@link TriggerProvider} and a `test_action` tool that is not read-only. Nothing listens: requests
 * go through Fastify's `inject`.
 */
export async function startHttpHarness(options: HttpHarnessOptions): Promise<HttpHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-http-'));
  const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite3') });
  await journal.migrate();
  const config = parseConfig({
    groups: options.groups,
    agents: { default: { tools: ['test_action', 'current_time'] } },
  });
  const policy = loadPolicyEngine({
    dir: options.policyDir ?? join(ROOT, 'config/policies'),
    schemaPath: SCHEMA_PATH,
    groups: config.groups,
  });
  const memory = await openMemory({ config, dataDir: dir, policy });
  const testAction: Tool = {
    name: 'test_action',
    description: 'A test action that changes something.',
    parameters: { type: 'object', properties: { note: { type: 'string' } } },
    readOnly: false,
    async run() {
      return { ok: true, output: 'done' };
    },
  };
  const tools = new ToolRegistry();
  tools.register(testAction);
  tools.register(createCurrentTimeTool());
  const channels = new Map<string, Channel>([['console', new RecordingChannel('console')]]);
  const logger = pino({ level: 'silent' });
  const parts = {
    journal,
    policy,
    agents: AgentDirectory.single({
      config: config.agents.default!,
      provider: new TriggerProvider(),
      providerDescription: 'trigger',
      offline: false,
    }),
    tools,
    approvalTimeoutMs: 10 * 60_000,
    workspaceDir: join(dir, 'workspace'),
    maxConcurrentRuns: 4,
    maxMessageChars: config.limits.max_message_chars,
    owner: `test-${newId()}`,
    leaseMs: 30_000,
    clock: Date.now,
    logger,
    channels,
    pollMs: 50,
    // The gateway's memory door (`/v1/memory`).
    memory: memory.service,
    grantPolicies: policy,
  };
  const core = assembleCore(parts);
  await core.grants?.reload();
  core.scheduler.start();
  core.dispatcher.start();
  const metrics = new Metrics();
  metrics.counter('switchboard_http_requests_total', 'HTTP requests by route and status');
  const httpDeps = {
    gateway: core.gateway,
    journal,
    feed: core.feed,
    metrics,
    logger,
    adminToken: options.adminToken,
    consoleUsers: options.users,
    consoleAssetsDir: join(dir, 'no-console-assets'),
    maxBodyBytes: 1024 * 1024,
    clock: Date.now,
    memory: memory.service,
  };
  const app = await buildHttpServer(httpDeps);
  const tokens: Record<string, string> = { admin: options.adminToken };
  for (const user of options.users) tokens[user.name] = user.token;

  return {
    ...core,
    app,
    journal,
    policy,
    tokens,
    async request(token, method, url, body) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
      });
      let parsed: unknown;
      try {
        parsed = response.body === '' ? undefined : JSON.parse(response.body);
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode, body: parsed, text: response.body };
    },
    async stop() {
      core.grants?.stop();
      await app.close();
      await core.scheduler.abortAll();
      await core.dispatcher.stop();
      await journal.close();
      memory.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
