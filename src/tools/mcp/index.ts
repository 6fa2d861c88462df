/** MCP tool servers: the daemon as an MCP client (DESIGN.md section 9, docs/mcp.md). */
export { McpTool, mcpToolName } from './mcp-tool.js';
export { McpServer, type ServerState, type ServerStatus } from './server.js';
export { McpServers } from './servers.js';
