/**
 * One MCP server the daemon keeps connected: started with the daemon in the background (a slow
 * `npx` download never holds up the start), its tools listed and kept current
 * (`notifications/tools/list_changed`), restarted with back-off when it dies, fails to start or
 * stops answering, and reported with its state. Nothing it does can take the daemon down: every
 * failure becomes a state, a log line, or a tool error for the model.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type Tool as McpToolInfo } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../../config/mcp-schema.js';
import { ConfigError } from '../../core/errors.js';
import type { Tool, ToolResult } from '../tool.js';
import { McpTool } from './mcp-tool.js';
import { toToolResult } from './result.js';
import { createTransport, isStdio, type TransportContext } from './transport.js';

/** Where a server stands. */
export type ServerState =
  /** Connecting and listing its tools for the first time. */
  | 'starting'
  /** Connected; its tools are offered. */
  | 'ready'
  /** It stopped or failed; the next attempt is scheduled. */
  | 'restarting'
  /** It can never work as configured (a missing variable, no sandbox); not retried. */
  | 'failed'
  /** The daemon stopped it. */
  | 'stopped';

/** A server's state and figures, for `GET /v1/tools`, `/status` and the CLI. */
export interface ServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  state: ServerState;
  sandboxed: boolean;
  /** Tools it offers (the last list, kept while it restarts). */
  tools: number;
  /** Restarts since the daemon started. */
  restarts: number;
  /** The last thing that went wrong, if anything did. */
  lastError?: string;
  /** Tool calls and their total time since the daemon started. */
  calls: number;
  failedCalls: number;
  callMs: number;
}

/** The part of a pino logger a server uses. */
export interface ServerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** What a server is built with. */
export interface McpServerOptions extends TransportContext {
  logger: ServerLog;
  /** First restart delay; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Builds the transport (tests wrap it); `createTransport` by default. */
  transportFactory?: (name: string, config: McpServerConfig, ctx: TransportContext) => Transport;
}

/** A server up this long before it fails again counts as healthy: back-off starts over. */
const HEALTHY_MS = 30_000;
/** How long a ping after a timed-out call may take before the server counts as hung. */
const PING_MS = 5_000;

/** How the client introduces itself to servers. */
const CLIENT_INFO = { name: 'switchboard', version: '0.1.0' };

/** One configured MCP server and its connection. */
export class McpServer {
  private state: ServerState = 'stopped';
  private client: Client | undefined;
  private transport: Transport | undefined;
  private toolList: McpTool[] = [];
  private restarts = 0;
  private attempt = 0;
  private upSince = 0;
  private lastError: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];
  private stats = { calls: 0, failedCalls: 0, callMs: 0 };
  /** Bumped for each connection, so a late event of an old one changes nothing. */
  private generation = 0;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly options: McpServerOptions,
  ) {}

  /** Starts connecting in the background; resolves at once. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    void this.connect();
  }

  /** Resolves once the server is ready, failed for good or `ms` passed (tests, the CLI). */
  async settled(ms: number): Promise<ServerState> {
    if (this.state === 'ready' || this.state === 'failed' || this.state === 'stopped') return this.state;
    await this.nextReady(ms);
    return this.state;
  }

  /** Disconnects (a stdio server is terminated) and stops restarting. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.wakeWaiters();
    await client?.close().catch(() => {});
  }

  /** The process id of a connected stdio server (of `bwrap` when sandboxed). */
  get pid(): number | undefined {
    const transport = this.client ? this.transport : undefined;
    return transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  }

  /** The tools it offers, as daemon tools (`<server>__<tool>`). */
  tools(): readonly Tool[] {
    return this.toolList;
  }

  /** Its state and figures. */
  status(): ServerStatus {
    return {
      name: this.name,
      transport: isStdio(this.config) ? 'stdio' : 'http',
      state: this.state,
      sandboxed: isStdio(this.config) && this.config.sandbox,
      tools: this.toolList.length,
      restarts: this.restarts,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...this.stats,
    };
  }

  /**
   * Calls the MCP tool `tool` (its own name, not the prefixed one). Waits a bounded time for a
   * restarting server; every failure is a tool error for the model, and a call that timed out is
   * followed by a ping, so a hung server is restarted.
   */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    const origin = { server: this.name, tool };
    const client =
      this.client ??
      (await this.waitForClient(Math.min(this.config.connect_timeout, this.config.timeout), signal));
    if (!client) {
      const why = this.lastError ? `: ${this.lastError}` : '';
      return failure(`the MCP server "${this.name}" is not available (${this.state}${why})`, origin);
    }
    const started = performance.now();
    this.stats.calls += 1;
    // A signal of the call's own: the SDK never removes the listener it adds, and the run's
    // signal lives as long as the run, across many calls.
    const own = new AbortController();
    const forward = () => own.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal: own.signal,
        timeout: this.config.timeout,
      });
      const mapped = toToolResult(result, this.config.max_output, origin);
      if (!mapped.ok) this.stats.failedCalls += 1;
      return mapped;
    } catch (error) {
      this.stats.failedCalls += 1;
      if (signal.aborted) throw signal.reason ?? error;
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        void this.probe(client);
        return failure(
          `the MCP tool did not answer within ${Math.round(this.config.timeout / 1000)} s`,
          origin,
        );
      }
      if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
        return failure(
          `the MCP server "${this.name}" stopped during the call; it is being restarted`,
          origin,
        );
      }
      return failure(`the MCP server answered with an error: ${messageOf(error)}`, origin);
    } finally {
      signal.removeEventListener('abort', forward);
      this.stats.callMs += performance.now() - started;
    }
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let transport: Transport;
    try {
      transport = (this.options.transportFactory ?? createTransport)(this.name, this.config, {
        ...this.options,
        onStderr: (line) => this.options.logger.debug({ mcp: this.name, stderr: line }, 'MCP server log'),
      });
    } catch (error) {
      if (error instanceof ConfigError) return this.failForGood(error.message);
      return this.scheduleRestart(messageOf(error), generation);
    }
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (generation !== this.generation) return;
            if (error)
              this.options.logger.warn(
                { mcp: this.name, err: messageOf(error) },
                'MCP tool list refresh failed',
              );
            else if (tools) this.setTools(tools);
          },
        },
      },
    });
    client.onclose = () => {
      if (generation !== this.generation || this.state === 'stopped') return;
      this.client = undefined;
      this.scheduleRestart('the connection closed (the server exited or went away)', generation);
    };
    client.onerror = (error) => {
      if (generation === this.generation)
        this.options.logger.debug({ mcp: this.name, err: messageOf(error) }, 'MCP transport error');
    };
    try {
      await client.connect(transport, { timeout: this.config.connect_timeout });
      const tools = await listAllTools(client, this.config.connect_timeout);
      if (generation !== this.generation) {
        await client.close().catch(() => {});
        return;
      }
      this.client = client;
      this.transport = transport;
      this.setTools(tools);
      this.state = 'ready';
      this.upSince = Date.now();
      this.options.logger.info(
        { mcp: this.name, tools: tools.length, server: client.getServerVersion()?.name },
        'MCP server ready',
      );
      this.wakeWaiters();
    } catch (error) {
      await client.close().catch(() => {});
      if (generation === this.generation) this.scheduleRestart(messageOf(error), generation);
    }
  }

  private setTools(tools: McpToolInfo[]): void {
    this.toolList = tools.map((info) => new McpTool(this.name, info, this));
  }

  private scheduleRestart(reason: string, generation: number): void {
    if (generation !== this.generation || this.state === 'stopped' || this.state === 'failed') return;
    if (this.retryTimer) return;
    if (this.upSince > 0 && Date.now() - this.upSince >= HEALTHY_MS) this.attempt = 0;
    this.upSince = 0;
    this.attempt += 1;
    const base = this.options.backoffMs ?? 1000;
    const delay = Math.min(this.options.maxBackoffMs ?? 60_000, base * 2 ** (this.attempt - 1));
    this.lastError = reason;
    this.state = 'restarting';
    this.options.logger.warn(
      { mcp: this.name, err: reason, retryInMs: delay, attempt: this.attempt },
      'MCP server down; restarting',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'stopped') return;
      this.restarts += 1;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private failForGood(reason: string): void {
    this.state = 'failed';
    this.lastError = reason;
    this.options.logger.warn({ mcp: this.name, err: reason }, 'MCP server cannot start');
    this.wakeWaiters();
  }

  /** After a timed-out call: a server that does not answer a ping either is hung; restart it. */
  private async probe(client: Client): Promise<void> {
    try {
      await client.ping({ timeout: Math.min(PING_MS, this.config.timeout) });
    } catch {
      if (client !== this.client) return;
      this.client = undefined;
      // A new generation first, so the old connection's close does not schedule a second restart.
      const generation = ++this.generation;
      void client.close().catch(() => {});
      this.scheduleRestart('it stopped answering (a call timed out and a ping went unanswered)', generation);
    }
  }

  private waitForClient(ms: number, signal: AbortSignal): Promise<Client | undefined> {
    if (this.state === 'failed' || this.state === 'stopped') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(this.client);
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.readyWaiters.push(done);
    });
  }

  private nextReady(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wakeWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }
}

function failure(output: string, origin: { server: string; tool: string }): ToolResult {
  return { ok: false, output, detail: { server: origin.server, tool: origin.tool } };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every tool of the server, following `nextCursor` pages. */
async function listAllTools(client: Client, timeout: number): Promise<McpToolInfo[]> {
  const tools: McpToolInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor !== undefined ? { cursor } : undefined, { timeout });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined && tools.length < 10_000);
  return tools;
}
