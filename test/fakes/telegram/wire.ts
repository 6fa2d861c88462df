import type { IncomingMessage } from 'node:http';

/** A Bot API answer: HTTP status and JSON body. */
export type Result = { status: number; body: unknown };

/** A successful Bot API answer. */
export const ok = (result: unknown): Result => ({ status: 200, body: { ok: true, result } });

/** A failed Bot API answer, as Telegram shapes it. */
export const fail = (code: number, description: string, retryAfter?: number): Result => ({
  status: code,
  body: {
    ok: false,
    error_code: code,
    description,
    ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
  },
});

/** The parameters of a Bot API call: JSON, form or query string. */
export async function readPayload(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return Object.fromEntries(new URL(req.url ?? '/', 'http://fake').searchParams);
  if ((req.headers['content-type'] ?? '').includes('application/json'))
    return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}
