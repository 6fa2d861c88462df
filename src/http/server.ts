import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SwitchboardError } from '../core/errors.js';
import { ADMIN_TOKEN_PRINCIPAL } from '../policy/groups.js';
import { authenticateConsoleRequest, ConsoleTokens, registerConsole } from './console/index.js';
import type { HttpDeps } from './deps.js';
import { readJsonBody } from './json-body.js';
import { registerAccessRoutes } from './routes/access.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerGrantRoutes } from './routes/grants.js';
import { registerMemoryRoutes } from './routes/memory.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerReadRoutes } from './routes/reads.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerToolRoutes } from './routes/tools.js';
import { registerWebhookRoutes } from './routes/webhooks.js';

/** The principal an admin-token request acts as, unless it names another (always an admin). */
export const ADMIN_PRINCIPAL = ADMIN_TOKEN_PRINCIPAL;

/**
 * Builds the HTTP API of DESIGN.md section 4 on Fastify: bearer auth with the admin token, JSON
 * errors `{"error":{"code","message"}}`, body-size limits, channel webhooks with raw bodies.
 */
export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: deps.maxBodyBytes, logger: false });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', async (_request: FastifyRequest, payload: IncomingMessage) =>
    readJsonBody(payload, deps.maxBodyBytes),
  );
  const tokens = new ConsoleTokens(deps.adminToken, ADMIN_PRINCIPAL, deps.consoleUsers);

  app.decorateRequest('principal', '');
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!(path.startsWith('/v1/') || path === '/metrics')) return;
    authenticateConsoleRequest(request, tokens);
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.inc('switchboard_http_requests_total', {
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message, extra } = describeError(error);
    if (status >= 500) deps.logger.error({ err: error, url: request.url }, 'request failed');
    void reply.status(status).send({ error: { code, message, ...extra } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      const { kind } = await deps.gateway.healthCheck();
      return { status: 'ok', journal: kind };
    } catch (error) {
      return reply.status(503).send({
        status: 'unavailable',
        error: { code: 'journal_unwritable', message: (error as Error).message },
      });
    }
  });
  app.get('/metrics', async (request, reply) => {
    deps.gateway.reads.requireMetrics(request.principal);
    return reply.type('text/plain; version=0.0.4').send(await deps.metrics.render());
  });

  registerConsole(app, { ...deps, assetsDir: deps.consoleAssetsDir });
  registerMessageRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerApprovalRoutes(app, deps);
  registerReadRoutes(app, deps);
  registerToolRoutes(app, deps);
  registerGrantRoutes(app, deps);
  registerAccessRoutes(app, deps);
  if (deps.gateway.memory) registerMemoryRoutes(app, deps.gateway.memory);
  await app.register(async (scope) => registerWebhookRoutes(scope, deps));
  return app;
}

function describeError(error: unknown): {
  status: number;
  code: string;
  message: string;
  extra: Record<string, unknown>;
} {
  if (error instanceof SwitchboardError) {
    const extra: Record<string, unknown> = {};
    if ('state' in error && error.state !== undefined) extra.state = error.state;
    return { status: error.status, code: error.code, message: error.message, extra };
  }
  const fastifyCode = (error as { code?: string }).code;
  const statusCode = (error as { statusCode?: number }).statusCode;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      code: 'payload_too_large',
      message: 'the request body is larger than the limit (http.max_body)',
      extra: {},
    };
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      code: 'unsupported_media_type',
      message: 'send JSON with Content-Type: application/json',
      extra: {},
    };
  }
  if (error instanceof SyntaxError || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return {
      status: 400,
      code: 'invalid_json',
      message: `the body is not valid JSON: ${(error as Error).message}`,
      extra: {},
    };
  }
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, code: 'invalid_request', message: (error as Error).message, extra: {} };
  }
  return { status: 500, code: 'internal', message: 'internal error', extra: {} };
}
