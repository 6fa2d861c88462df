#!/usr/bin/env node
// A small MCP server over stdio whose tool list grows: calling `grow` registers one more tool,
// and the SDK tells the client with notifications/tools/list_changed. Used to test that
// Switchboard follows a server's tool list while it runs.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const server = new McpServer({ name: 'growing', version: '1.0.0' });
let grown = 0;
server.registerTool(
  'grow',
  { description: 'Adds one more tool', annotations: { readOnlyHint: false } },
  async () => {
    grown += 1;
    const name = `extra_${grown}`;
    server.registerTool(name, { description: `Extra tool ${grown}` }, async () => ({
      content: [{ type: 'text', text: `${name} ran` }],
    }));
    return { content: [{ type: 'text', text: `added ${name}` }] };
  },
);
await server.connect(new StdioServerTransport());
