/** `switchboard mcp list|tools <server>`: the MCP servers of the running daemon and their tools. */
import type { ApiClient } from './client.js';

/** One server as `GET /v1/tools` lists it. */
interface ServerJson {
  name: string;
  transport: string;
  state: string;
  sandboxed: boolean;
  tools: number;
  restarts: number;
  last_error: string | null;
  calls: number;
  failed_calls: number;
  call_ms: number;
}

/** One tool as `GET /v1/tools` lists it. */
interface ToolJson {
  name: string;
  source: string;
  description: string;
  read_only: boolean;
}

/** The answer of `GET /v1/tools`. */
export interface ToolsJson {
  tools: ToolJson[];
  mcp_servers: ServerJson[];
}

/** The lines of `switchboard mcp list`. */
export function serverLines(answer: ToolsJson): string[] {
  if (answer.mcp_servers.length === 0) return ['no MCP servers configured (mcp_servers: in the config)'];
  return answer.mcp_servers.map((s) => {
    const figures = `${s.tools} tools, ${s.calls} calls (${s.failed_calls} failed, ${(s.call_ms / 1000).toFixed(1)} s), ${s.restarts} restarts`;
    const why = s.state !== 'ready' && s.last_error ? `  last error: ${s.last_error}` : '';
    return `${s.name.padEnd(16)} ${s.state.padEnd(10)} ${s.transport}${s.sandboxed ? ' sandboxed' : ''}  ${figures}${why}`;
  });
}

/** The lines of `switchboard mcp tools <server>`, or undefined when no such server is configured. */
export function toolLines(answer: ToolsJson, server: string): string[] | undefined {
  if (!answer.mcp_servers.some((s) => s.name === server)) return undefined;
  const tools = answer.tools.filter((t) => t.source === `mcp:${server}`);
  if (tools.length === 0) return [`${server} offers no tools now`];
  return tools.map(
    (t) => `${t.name.padEnd(40)} ${t.read_only ? 'read-only' : 'writes   '}  ${t.description}`,
  );
}

/** Runs the `mcp` sub-command; returns the exit code. */
export async function mcpCommand(
  args: string[],
  client: ApiClient,
  print: (line: string) => void,
): Promise<number> {
  const [sub = 'list', server] = args;
  if (sub !== 'list' && sub !== 'tools') {
    process.stderr.write(`switchboard mcp: unknown sub-command "${sub}" (list, tools <server>)\n`);
    return 2;
  }
  const answer = await client.request<ToolsJson>('GET', '/v1/tools');
  if (sub === 'list') {
    for (const line of serverLines(answer)) print(line);
    return 0;
  }
  if (!server) {
    process.stderr.write('switchboard mcp tools: give the server name (see switchboard mcp list)\n');
    return 2;
  }
  const lines = toolLines(answer, server);
  if (!lines) {
    process.stderr.write(`switchboard mcp tools: no MCP server "${server}" is configured\n`);
    return 1;
  }
  for (const line of lines) print(line);
  return 0;
}
