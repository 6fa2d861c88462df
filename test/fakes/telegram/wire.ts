import type { IncomingMessage } from 'node:http';
import { type FormPart, parseMultipart } from '../multipart.js';

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
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return multipartPayload(Buffer.concat(chunks), type);
  if ((req.headers['content-type'] ?? '').includes('application/json'))
    return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

/** A file the bot uploaded, as the fake keeps it. */
export interface UploadedFile {
  filename: string;
  size: number;
  contentType?: string;
}

/**
 * A multipart Bot API call (grammY's `InputFile` uploads): fields as Telegram reads them, numbers
 * as numbers, and a field `attach://<part>` (or a file part itself) as the uploaded file.
 */
function multipartPayload(body: Buffer, type: string): Record<string, unknown> {
  const parts = parseMultipart(body, type);
  const files = new Map(parts.filter((p) => p.filename !== undefined).map((p) => [p.name, p]));
  const referenced = new Set<string>();
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    if (part.filename !== undefined) continue;
    const text = part.data.toString('utf8');
    const attached = text.startsWith('attach://') ? files.get(text.slice('attach://'.length)) : undefined;
    if (attached) {
      referenced.add(attached.name);
      out[part.name] = uploaded(attached);
    } else
      out[part.name] = /^-?\d+$/.test(text) ? Number(text) : /^[[{]/.test(text) ? JSON.parse(text) : text;
  }
  for (const [name, part] of files) if (!referenced.has(name)) out[name] = uploaded(part);
  return out;
}

function uploaded(part: FormPart): UploadedFile {
  return {
    filename: part.filename ?? 'file',
    size: part.data.length,
    ...(part.contentType ? { contentType: part.contentType } : {}),
  };
}
