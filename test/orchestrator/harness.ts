import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { AgentDirectory } from '../../src/agents/directory.js';
import { assembleCore, type Core } from '../../src/app/core.js';
import { type WiredMemory, wireMemory } from '../../src/app/memory.js';
import { parseConfig } from '../../src/config/load.js';
import { newId } from '../../src/core/ids.js';
import type { Attachment, Run } from '../../src/core/types.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import type { JournalStore } from '../../src/journal/store.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import type { Channel } from '../../src/ports/channel.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import { ScriptedProvider } from '../fakes/scripted-provider.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The core wired as the daemon wires it (memory, input preparation), in process. */
export interface InputHarness extends Core {
  journal: JournalStore;
  provider: ScriptedProvider;
  memory: WiredMemory;
  /** Submits a console message and waits until its run is terminal. */
  send(
    text: string,
    options?: { principal?: string; attachments?: Attachment[]; sessionKey?: string },
  ): Promise<Run>;
  stop(): Promise<void>;
}

/** Starts the harness; `config` is raw YAML-shaped config merged over the defaults. */
export async function startInputHarness(
  config: Record<string, unknown> = {},
  channels: Map<string, Channel> = new Map(),
): Promise<InputHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-input-'));
  const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite3') });
  await journal.migrate();
  const parsed = parseConfig({
    groups: { admins: ['console:root'], approvers: [], members: ['console:*'] },
    agents: { default: { tools: ['memory_search', 'memory_save'] } },
    ...config,
  });
  const policy = loadPolicyEngine({
    dir: join(ROOT, 'config/policies'),
    schemaPath: join(ROOT, 'config/schema.cedarschema'),
    groups: parsed.groups,
  });
  const logger = pino({ level: 'silent' });
  const tools = new ToolRegistry();
  const memory = await wireMemory({
    config: parsed,
    dataDir: dir,
    policy,
    journal,
    tools,
    logger,
    maxToolOutputChars: 8000,
    channels,
  });
  const provider = new ScriptedProvider();
  const core = assembleCore({
    journal,
    policy,
    agents: AgentDirectory.single({
      config: parsed.agents.default!,
      provider,
      providerDescription: 'scripted',
      offline: false,
    }),
    tools,
    approvalTimeoutMs: 60_000,
    workspaceDir: dir,
    maxConcurrentRuns: 2,
    maxMessageChars: parsed.limits.max_message_chars,
    owner: `test-${newId()}`,
    leaseMs: 30_000,
    clock: Date.now,
    logger,
    channels,
    pollMs: 50,
    input: memory.input,
  });
  core.scheduler.start();
  return {
    ...core,
    journal,
    provider,
    memory,
    async send(text, options = {}) {
      const key = options.sessionKey ?? `console:${newId()}`;
      const { runId } = await core.gateway.submit({
        channel: 'console',
        eventId: newId(),
        device: 'console',
        principal: options.principal ?? 'console:alice',
        sessionKey: key,
        conversation: { platform: 'console', channel: key },
        text,
        ...(options.attachments ? { attachments: options.attachments } : {}),
      });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const run = await journal.getRun(runId);
        if (run && ['succeeded', 'failed', 'cancelled'].includes(run.state)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} did not finish: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await core.scheduler.abortAll();
      await core.dispatcher.stop();
      memory.close();
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tiny PNG (1×1, transparent). */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A local file server: path → [content type, body]; counts requests per path. */
export interface FileServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Serves `files` on 127.0.0.1 with a free port. */
export async function startFileServer(files: Record<string, [string, Buffer | string]>): Promise<FileServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files[path];
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
