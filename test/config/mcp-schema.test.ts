import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

describe('the mcp_servers: section', () => {
  it('is empty by default', () => {
    expect(parseConfig({}).mcp_servers).toEqual({});
  });

  it('takes a stdio server with defaults filled in, and a Streamable HTTP server', () => {
    const { mcp_servers } = parseConfig({
      mcp_servers: {
        files: { command: ['npx', '-y', '@modelcontextprotocol/server-filesystem', '.'] },
        tickets: {
          url: 'https://mcp.example.com/mcp',
          headers_env: { Authorization: 'TICKETS_AUTH' },
          timeout: '5s',
        },
      },
    });
    expect(mcp_servers.files).toMatchObject({
      command: ['npx', '-y', '@modelcontextprotocol/server-filesystem', '.'],
      env: {},
      env_from: {},
      sandbox: false,
      read_only: [],
      enabled: true,
      timeout: 60_000,
      connect_timeout: 30_000,
    });
    expect(mcp_servers.tickets).toMatchObject({ url: 'https://mcp.example.com/mcp', timeout: 5_000 });
  });

  it.each([
    [{ Files: { command: ['x'] } }, /mcp_servers\.Files: "Files" is not a server name: use lowercase/],
    [
      { files: {} },
      /mcp_servers\.files: an MCP server needs either command: \[program, args…\] \(stdio\) or url/,
    ],
    [{ files: { command: [] } }, /mcp_servers\.files\.command: command needs at least the program/],
    [{ files: { url: 'not a url' } }, /mcp_servers\.files\.url: Invalid URL/],
    [
      { files: { command: ['x'], env_from: { TOKEN: 'not-a-variable' } } },
      /env_from\.TOKEN: an environment variable name/,
    ],
    // Secret headers never go in the file: only `headers_env` exists.
    [
      { files: { url: 'https://x.example/mcp', headers: { Authorization: 'Bearer inline' } } },
      /unknown key mcp_servers\.files\.headers/,
    ],
  ])('refuses %j with a clear error', (section, message) => {
    expect(() => parseConfig({ mcp_servers: section })).toThrow(message);
  });
});
