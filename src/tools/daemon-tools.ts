/**
 * The tool registry the daemon starts with: the built-ins of the `tools:` config section, with
 * shell tools only where the sandbox decision allows them, and that decision logged and
 * summarised for `/status`; and the `mcp_servers:` as a tool source beside them.
 */
import type { Config } from '../config/schema.js';
import { createBuiltinTools } from './builtins/index.js';
import type { ServerStatus } from './mcp/server.js';
import { ToolRegistry } from './registry.js';
import { decideSandbox, type SandboxDecision } from './sandbox/decision.js';
import type { IsolationInfo } from './sandbox/tier.js';

/** The part of a pino logger this needs. */
interface StartLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Inputs of `buildDaemonTools`. */
export interface DaemonToolsOptions {
  /** The validated `tools:` config section. */
  tools: Config['tools'];
  /** The resolved workspace folder (already checked by `assertWorkspacePlacement`). */
  workspaceDir: string;
  /**
   * What isolation detection found; the daemon passes the promise of `detectIsolation()` started
   * early, so probing runs beside the rest of the start. Tests pass a fixed answer.
   */
  isolation: IsolationInfo | Promise<IsolationInfo>;
  logger: StartLog;
  /** The validated `mcp_servers:` section; none by default. */
  mcpServers?: Config['mcp_servers'];
  /** The daemon's environment, where MCP servers' `env_from` and `headers_env` look. */
  env?: NodeJS.ProcessEnv;
}

/** The registry, the sandbox decision it was built under, and the MCP servers behind it. */
export interface DaemonTools {
  registry: ToolRegistry;
  sandbox: SandboxDecision;
  /** Not started: call `mcp.start()` (the daemon does once the core is wired). */
  mcp: McpSource;
}

/** The MCP servers as the daemon drives them. */
export interface McpSource {
  start(): void;
  stop(): Promise<void>;
  status(): ServerStatus[];
}

/** No MCP servers configured: nothing to start, and the MCP SDK is never loaded. */
const NO_MCP: McpSource = { start: () => {}, stop: async () => {}, status: () => [] };

/**
 * Waits for detection, decides whether shell tools exist (`decideSandbox`), logs the decision
 * (a warning when shell tools are off or UNISOLATED), registers the built-ins and adds the MCP
 * servers (a sandboxed one runs under the same bubblewrap).
 */
export async function buildDaemonTools(options: DaemonToolsOptions): Promise<DaemonTools> {
  const { tools: config, logger } = options;
  const found = await Promise.resolve(options.isolation).catch(
    (error: unknown): IsolationInfo => ({
      tier: 'none',
      reason: `could not probe bubblewrap (${error instanceof Error ? error.message : String(error)})`,
    }),
  );
  const sandbox = decideSandbox(found, { allowUnisolated: config.sandbox.allow_unisolated });
  const fields = {
    sandbox: sandbox.shell === 'on' ? sandbox.isolation.tier : 'off',
    summary: sandbox.summary,
  };
  if (sandbox.log.level === 'warn') logger.warn(fields, sandbox.log.message);
  else logger.info(fields, sandbox.log.message);

  const registry = new ToolRegistry();
  for (const tool of createBuiltinTools({
    workspaceDir: options.workspaceDir,
    timeoutMs: config.timeout,
    maxOutputBytes: config.max_output,
    httpFetch: {
      allowPrivate: config.http_fetch.allow_private,
      maxBytes: config.http_fetch.max_bytes,
      timeoutMs: config.http_fetch.timeout,
    },
    sandbox,
    log: (obj, msg) => logger.info(obj, msg),
  })) {
    registry.register(tool);
  }
  const configured = Object.values(options.mcpServers ?? {}).some((server) => server.enabled);
  if (!configured) return { registry, sandbox, mcp: NO_MCP };
  // Loaded only when a server is configured: the SDK costs ~250 ms and ~25 MB to import.
  const { McpServers } = await import('./mcp/servers.js');
  const mcp = new McpServers(options.mcpServers ?? {}, {
    env: options.env ?? {},
    workspaceDir: options.workspaceDir,
    bwrapPath:
      sandbox.shell === 'on' && sandbox.isolation.tier === 'bwrap' ? sandbox.isolation.bwrapPath : undefined,
    logger,
  });
  registry.addSource(mcp);
  return { registry, sandbox, mcp };
}
