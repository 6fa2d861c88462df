import type { IncomingMessage } from 'node:http';
import { SwitchboardError, ValidationError } from '../core/errors.js';

/** Thrown when a request body is over `http.max_body`. */
export class PayloadTooLargeError extends SwitchboardError {
  constructor(limit: number) {
    super(
      'payload_too_large',
      `the request body is larger than the limit of ${limit} bytes (http.max_body)`,
      413,
    );
  }
}

/**
 * Reads a JSON body with a size limit. Past the limit the rest is drained and dropped rather than
 * the connection cut, so the client reads a clear 413 instead of a broken pipe.
 */
export async function readJsonBody(stream: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) throw new PayloadTooLargeError(limit);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`the body is not valid JSON: ${(error as Error).message}`, 'invalid_json');
  }
}
