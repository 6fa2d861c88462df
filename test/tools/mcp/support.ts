/** Real MCP servers from npm (dev dependencies), started the way an operator configures them. */
import { realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { mcpServersSchema } from '../../../src/config/mcp-schema.js';
import { McpServers } from '../../../src/tools/mcp/servers.js';

const ROOT = resolve(import.meta.dirname, '../../..');
/**
 * The project's node_modules, which a sandboxed server needs to read its own code: its real
 * path, so a checkout whose node_modules is a link still names what the sandbox mounts.
 */
export const NODE_MODULES = realpathSync(join(ROOT, 'node_modules'));
/** `@modelcontextprotocol/server-everything`: echo, sums, images, a long-running operation, its env. */
export const EVERYTHING = join(NODE_MODULES, '@modelcontextprotocol/server-everything/dist/index.js');
/** `@modelcontextprotocol/server-filesystem`: reads and writes files under the folders it is given. */
export const FILESYSTEM = join(NODE_MODULES, '@modelcontextprotocol/server-filesystem/dist/index.js');

/** Our own small server whose tool list grows when its `grow` tool is called (list_changed). */
export const GROWING = join(ROOT, 'test/fakes/mcp/growing-server.mjs');

/** A silent logger that keeps what was logged, for assertions. */
export function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(parseLine(line)) });
  return { logger, lines };
}

function parseLine(line: string): { level: string; obj: Record<string, unknown>; msg: string } {
  const obj = JSON.parse(line) as Record<string, unknown>;
  const level = ({ 20: 'debug', 30: 'info', 40: 'warn', 50: 'error' } as Record<number, string>)[
    Number(obj.level)
  ];
  return { level: level ?? String(obj.level), obj, msg: String(obj.msg) };
}

/** `McpServers` for a raw `mcp_servers:` section, with fast restarts for tests. */
export function serversFor(
  section: Record<string, unknown>,
  options: { workspaceDir: string; env?: NodeJS.ProcessEnv; bwrapPath?: string; backoffMs?: number },
) {
  const { logger, lines } = recordingLogger();
  const servers = new McpServers(mcpServersSchema.parse(section), {
    env: options.env ?? {},
    workspaceDir: options.workspaceDir,
    bwrapPath: options.bwrapPath,
    logger,
    backoffMs: options.backoffMs ?? 100,
  });
  return { servers, lines };
}

/** A TCP port free at the time of asking. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A signal that never aborts. */
export const NEVER = new AbortController().signal;
