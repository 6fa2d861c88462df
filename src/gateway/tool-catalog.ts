/**
 * The gateway's door to the tool list (`GET /v1/tools`, `read_tools`) and the MCP servers' line
 * of `/status`: which tools exist, where each comes from, and how each MCP server stands.
 */
import type { Principal } from '../core/types.js';
import type { ServerStatus } from '../tools/mcp/server.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { Access } from './access.js';
import { EVERYONE } from './resources.js';

/** One tool as the API lists it. */
export interface ToolEntry {
  name: string;
  /** `builtin` or `mcp:<server>`. */
  source: string;
  description: string;
  readOnly: boolean;
}

/** What the catalog reads from: the registry and the MCP servers' states. */
export interface ToolCatalogSource {
  tools: ToolRegistry;
  mcpServers?: () => ServerStatus[];
}

/** Lists tools and servers for a principal the policy lets read them. */
export class ToolCatalog {
  constructor(
    private readonly source: ToolCatalogSource,
    private readonly access: Access,
  ) {}

  /** Every tool offered now and every MCP server's state (`read_tools` on `Everyone`). */
  list(actor: Principal): { tools: ToolEntry[]; servers: ServerStatus[] } {
    this.access.require({ actor, action: 'read_tools', resource: EVERYONE }, 'the tool list');
    const tools = this.source.tools.list().map((tool) => ({
      name: tool.name,
      source: tool.source ?? 'builtin',
      description: tool.description,
      readOnly: tool.readOnly,
    }));
    return { tools, servers: this.source.mcpServers?.() ?? [] };
  }

  /** The `/status` line of the MCP servers, or undefined when none is configured. */
  statusLine(): string | undefined {
    const servers = this.source.mcpServers?.() ?? [];
    if (servers.length === 0) return undefined;
    return `MCP: ${servers.map(describeServer).join('; ')}`;
  }
}

function describeServer(server: ServerStatus): string {
  const tools = `${server.tools} tool${server.tools === 1 ? '' : 's'}`;
  if (server.state === 'ready') return `${server.name} ready (${tools})`;
  const why = server.lastError ? `: ${server.lastError}` : '';
  return `${server.name} ${server.state}${why}`;
}
