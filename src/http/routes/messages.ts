import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { HttpDeps } from '../deps.js';
import { parseInput } from '../validate.js';

const messageBody = z.strictObject({
  session_key: z.string().min(1).max(256).optional(),
  session_id: z.string().min(1).max(64).optional(),
  text: z.string(),
  principal: z
    .string()
    .regex(/^console:[\w.@-]{1,64}$/, 'a console principal looks like console:<name>')
    .optional(),
  /** Files by link, as channel adapters pass them; read within the `attachments:` limits. */
  attachments: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(256),
        url: z.string().min(1).max(4096),
        mime_type: z.string().max(256).optional(),
        size: z.number().int().nonnegative().optional(),
      }),
    )
    .max(20)
    .optional(),
});

/** `POST /v1/messages`: submit a message as the console channel → 202 `{session_id, run_id}`. */
export function registerMessageRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/v1/messages', async (request, reply) => {
    const body = parseInput(messageBody, request.body, 'message');
    let key = body.session_key;
    if (!key) {
      if (!body.session_id)
        throw new ValidationError('give a session_key (or the session_id of an existing session)');
      key = await deps.gateway.sessionKeyOf(body.session_id);
    }
    const idempotencyKey = request.headers['idempotency-key'];
    const eventId =
      typeof idempotencyKey === 'string' && idempotencyKey.length > 0
        ? idempotencyKey.slice(0, 128)
        : newId();
    const result = await deps.gateway.submit(
      {
        channel: 'console',
        eventId,
        device: 'console',
        principal: body.principal ?? request.principal,
        sessionKey: key,
        conversation: { platform: 'console', channel: key },
        text: body.text,
        ...(body.attachments
          ? {
              attachments: body.attachments.map((a) => ({
                name: a.name,
                url: a.url,
                ...(a.mime_type !== undefined ? { mimeType: a.mime_type } : {}),
                ...(a.size !== undefined ? { size: a.size } : {}),
              })),
            }
          : {}),
      },
      body.session_id,
    );
    return reply.status(result.duplicate ? 200 : 202).send({
      session_id: result.sessionId,
      run_id: result.runId,
      ...(result.duplicate ? { duplicate: true } : {}),
    });
  });
}
