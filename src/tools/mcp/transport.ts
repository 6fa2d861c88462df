/**
 * How the daemon reaches one MCP server: a child process over stdio (optionally inside the
 * bubblewrap sandbox of `shell_exec`), or Streamable HTTP. Secrets come from the daemon's
 * environment by name (`env_from`, `headers_env`), never from the config file; a stdio server
 * inherits only the SDK's short list of harmless variables (`PATH`, `HOME`…), not the daemon's
 * tokens.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { HttpServerConfig, McpServerConfig, StdioServerConfig } from '../../config/mcp-schema.js';
import { ConfigError } from '../../core/errors.js';
import { bwrapArgs, SANDBOX_PATH } from '../sandbox/bwrap-args.js';

/** What building a transport needs beyond the server's settings. */
export interface TransportContext {
  /** The daemon's environment, where `env_from` and `headers_env` look. */
  env: NodeJS.ProcessEnv;
  /** The workspace: a sandboxed server's only writable folder and working folder. */
  workspaceDir: string;
  /** The bubblewrap binary when the sandbox works here; a `sandbox: true` server needs it. */
  bwrapPath: string | undefined;
  /** Told each line a stdio server writes to stderr (its log). */
  onStderr?: (line: string) => void;
}

/** Whether `config` is a stdio server. */
export function isStdio(config: McpServerConfig): config is StdioServerConfig {
  return 'command' in config;
}

/** A new transport to `config`'s server; throws `ConfigError` for what can never work. */
export function createTransport(name: string, config: McpServerConfig, ctx: TransportContext): Transport {
  return isStdio(config) ? stdioTransport(name, config, ctx) : httpTransport(name, config, ctx);
}

function fromEnvironment(
  name: string,
  what: string,
  mapping: Record<string, string>,
  env: NodeJS.ProcessEnv,
) {
  const out: Record<string, string> = {};
  for (const [key, variable] of Object.entries(mapping)) {
    const value = env[variable];
    if (value === undefined || value === '') {
      throw new ConfigError(
        `mcp_servers.${name}.${what}.${key}: the environment variable ${variable} is not set`,
      );
    }
    out[key] = value;
  }
  return out;
}

function stdioTransport(name: string, config: StdioServerConfig, ctx: TransportContext): Transport {
  const [program, ...args] = config.command as [string, ...string[]];
  const secrets = fromEnvironment(name, 'env_from', config.env_from, ctx.env);
  let command = program;
  let argv = args;
  let env: Record<string, string> = { ...getDefaultEnvironment(), ...config.env, ...secrets };
  let cwd = config.cwd !== undefined ? resolve(config.cwd) : undefined;
  if (config.sandbox) {
    if (ctx.bwrapPath === undefined) {
      throw new ConfigError(
        `mcp_servers.${name}.sandbox is true but bubblewrap does not work here; install it or set sandbox: false`,
      );
    }
    const workspace = realpathSync(ctx.workspaceDir);
    const readOnly = config.read_only.map((path) => realpathSync(resolve(path)));
    command = ctx.bwrapPath;
    argv = [...bwrapArgs(workspace, readOnly), '--', program, ...args];
    // Inside, only what the file and env_from give, with the sandbox's fixed PATH.
    env = { PATH: SANDBOX_PATH, HOME: workspace, LANG: 'C.UTF-8', ...config.env, ...secrets };
    cwd = workspace;
  }
  const transport = new StdioClientTransport({
    command,
    args: argv,
    env,
    ...(cwd !== undefined ? { cwd } : {}),
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  if (stderr && ctx.onStderr) {
    let buffered = '';
    stderr.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') ctx.onStderr?.(line.slice(0, 2000));
    });
  }
  return transport;
}

function httpTransport(name: string, config: HttpServerConfig, ctx: TransportContext): Transport {
  const headers = fromEnvironment(name, 'headers_env', config.headers_env, ctx.env);
  return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers } });
}
