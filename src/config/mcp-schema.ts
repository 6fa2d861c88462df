/**
 * The `mcp_servers:` section (DESIGN.md section 9): a server name (`[a-z0-9_]+`) to a stdio
 * server (`command` argv) or a Streamable HTTP server (`url`). Secrets never go in the file: a
 * stdio server's secret variables come from the daemon's environment through `env_from`, an HTTP
 * server's headers through `headers_env`.
 */
import { z } from 'zod';
import { duration } from './duration.js';
import { namedRecord } from './named-record.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SERVER_NAME = /^[a-z0-9_]+$/;
const envName = z.string().regex(ENV_NAME, 'an environment variable name');

/** What every server has, whatever its transport. */
const common = {
  /** Off: the server is not started and its tools are not offered. */
  enabled: z.boolean().default(true),
  /** Time limit of one tool call. */
  timeout: duration.default(60_000),
  /** Time limit of connecting and listing the tools. */
  connect_timeout: duration.default(30_000),
  /** Longest text handed back to the model from one call (cut with a marker beyond it). */
  max_output: z
    .number()
    .int()
    .min(256)
    .default(64 * 1024),
};

/** A server the daemon starts as a child process and talks to over stdin/stdout. */
export const stdioServerSchema = z.strictObject({
  ...common,
  /** The program and its arguments, e.g. `[npx, -y, @modelcontextprotocol/server-filesystem, ./workspace]`. */
  command: z.array(z.string().min(1)).min(1, 'command needs at least the program to run'),
  /** Plain variables for the server (not secrets: they are in the file). */
  env: z.record(envName, z.string()).default({}),
  /** Variables copied from the daemon's environment: server variable → daemon variable. */
  env_from: z.record(envName, envName).default({}),
  /** Working folder; relative paths resolve against the daemon's working directory. */
  cwd: z.string().min(1).optional(),
  /**
   * Run the server in the same isolation as `shell_exec` (bubblewrap): no network, the workspace
   * its only writable folder, the host read-only and only the system folders plus `read_only`.
   */
  sandbox: z.boolean().default(false),
  /** More host folders the sandboxed server may read (its own installation, for instance). */
  read_only: z.array(z.string().min(1)).default([]),
});

/** A server reached over MCP's Streamable HTTP transport. */
export const httpServerSchema = z.strictObject({
  ...common,
  url: z.string().url(),
  /** Request headers from the daemon's environment: header name → environment variable. */
  headers_env: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'), envName).default({}),
});

/** One MCP server: stdio when it has `command`, Streamable HTTP when it has `url`. */
export const mcpServerSchema = z.union([stdioServerSchema, httpServerSchema], {
  error: 'an MCP server needs either command: [program, args…] (stdio) or url: https://… (Streamable HTTP)',
});

/** The whole section: server name → server. */
export const mcpServersSchema = namedRecord(
  mcpServerSchema,
  SERVER_NAME,
  (name) =>
    `"${name}" is not a server name: use lowercase letters, digits and "_" (it prefixes the tool names)`,
).default({});

/** A stdio server's validated settings. */
export type StdioServerConfig = z.output<typeof stdioServerSchema>;
/** A Streamable HTTP server's validated settings. */
export type HttpServerConfig = z.output<typeof httpServerSchema>;
/** One server's validated settings. */
export type McpServerConfig = z.output<typeof mcpServerSchema>;
