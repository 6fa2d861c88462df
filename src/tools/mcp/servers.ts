/**
 * The `mcp_servers:` of the config as one tool source: every enabled server started with the
 * daemon (in the background), their tools offered together, their states reported together.
 */
import type { McpServerConfig } from '../../config/mcp-schema.js';
import type { ToolSource } from '../registry.js';
import type { Tool } from '../tool.js';
import { McpServer, type McpServerOptions, type ServerStatus } from './server.js';

/** Every configured MCP server. */
export class McpServers implements ToolSource {
  private readonly servers: McpServer[];

  constructor(configs: Record<string, McpServerConfig>, options: McpServerOptions) {
    this.servers = Object.entries(configs)
      .filter(([, config]) => config.enabled)
      .map(([name, config]) => new McpServer(name, config, options));
  }

  /** Starts connecting to every server; resolves at once. */
  start(): void {
    for (const server of this.servers) server.start();
  }

  /** Resolves once every server is ready or failed, or after `ms`. */
  async settled(ms: number): Promise<void> {
    await Promise.all(this.servers.map((server) => server.settled(ms)));
  }

  /** Stops every server. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** The server called `name`, if configured and enabled. */
  get(name: string): McpServer | undefined {
    return this.servers.find((server) => server.name === name);
  }

  /** Every tool of every server, as offered now. */
  tools(): readonly Tool[] {
    return this.servers.flatMap((server) => server.tools());
  }

  /** Each server's state and figures, in configuration order. */
  status(): ServerStatus[] {
    return this.servers.map((server) => server.status());
  }

  /** How many servers are configured and enabled. */
  get size(): number {
    return this.servers.length;
  }
}
