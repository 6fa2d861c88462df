/**
 * A `fetch` for the `openai` SDK on node:http(s) with keep-alive agents. The built-in fetch
 * (undici) costs about a third more CPU per model call — request clones, body tees, its own
 * stream machinery — which on an instant local model is a large share of a turn. Anything this
 * does not handle plainly (a `Request` object, a body other than text, a redirect) goes to the
 * built-in fetch unchanged, so the SDK sees the same answers either way.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

const AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Statuses whose answer has no body (the `Response` constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function toResponse(res: IncomingMessage, url: URL): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  }
  const status = res.statusCode ?? 0;
  const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  if (body === null) res.resume();
  const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers });
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/** `fetch(input, init)` over node:http(s); see the module comment for what it hands on. */
export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const { body, signal } = init;
  if (input instanceof Request || (body != null && typeof body !== 'string')) return fetch(input, init);
  const url = new URL(String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  if (signal?.aborted) throw abortReason(signal);
  const headers: Record<string, string> = {};
  for (const [name, value] of new Headers(init.headers)) headers[name] = value;
  const secure = url.protocol === 'https:';
  const response = await new Promise<Response | 'redirect'>((resolve, reject) => {
    const options = { method: init.method ?? 'GET', headers, agent: secure ? AGENTS.https : AGENTS.http };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      if (REDIRECTS.has(res.statusCode ?? 0) && res.headers.location !== undefined) {
        res.resume();
        resolve('redirect');
        return;
      }
      resolve(toResponse(res, url));
    });
    const onAbort = (): void => {
      req.destroy(abortReason(signal!) as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.on('error', (error) => {
      // As the built-in fetch does: an abort rejects with its reason, anything else is a TypeError.
      reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error }));
    });
    req.end(body ?? undefined);
  });
  return response === 'redirect' ? fetch(input, init) : response;
}
