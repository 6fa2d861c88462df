import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';

/**
 * Channel webhooks (`POST /slack/events`, `POST /telegram/webhook`, …) registered by adapters on
 * the gateway. Bodies stay raw bytes here, because signatures are computed over them; adapters
 * verify and parse. No admin auth: each platform authenticates its own way.
 */
export function registerWebhookRoutes(scope: FastifyInstance, deps: HttpDeps): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  scope.post('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const handler = deps.gateway.webhooks.get(path);
    if (!handler) {
      return reply.status(404).send({ error: { code: 'not_found', message: `no route POST ${path}` } });
    }
    const response = await handler({
      method: request.method,
      headers: request.headers,
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    });
    void reply.status(response.status);
    for (const [name, value] of Object.entries(response.headers ?? {})) void reply.header(name, value);
    return reply.send(response.body ?? '');
  });
}
