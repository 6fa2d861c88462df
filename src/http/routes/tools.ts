import type { FastifyInstance } from 'fastify';
import type { ServerStatus } from '../../tools/mcp/server.js';
import type { HttpDeps } from '../deps.js';

function serverJson(s: ServerStatus): Record<string, unknown> {
  return {
    name: s.name,
    transport: s.transport,
    state: s.state,
    sandboxed: s.sandboxed,
    tools: s.tools,
    restarts: s.restarts,
    last_error: s.lastError ?? null,
    calls: s.calls,
    failed_calls: s.failedCalls,
    call_ms: Math.round(s.callMs),
  };
}

/** `GET /v1/tools`: every tool `{name, source, description, read_only}` and every MCP server's state. */
export function registerToolRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/v1/tools', async (request) => {
    const { tools, servers } = deps.gateway.toolCatalog.list(request.principal);
    return {
      tools: tools.map((t) => ({
        name: t.name,
        source: t.source,
        description: t.description,
        read_only: t.readOnly,
      })),
      mcp_servers: servers.map(serverJson),
    };
  });
}
