import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A thin client of the daemon's HTTP API for the CLI. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Finds the daemon and its admin token from the environment (or the data folder). */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ApiClient {
    const host = env.SWITCHBOARD_HTTP_HOST || '127.0.0.1';
    const port = env.SWITCHBOARD_HTTP_PORT || '7420';
    const baseUrl = env.SWITCHBOARD_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    let token = env.SWITCHBOARD_ADMIN_TOKEN;
    if (!token) {
      const path = join(resolve(env.SWITCHBOARD_DATA_DIR || 'data'), 'admin-token');
      try {
        token = readFileSync(path, 'utf8').trim();
      } catch {
        throw new Error(
          `no admin token: set SWITCHBOARD_ADMIN_TOKEN or start the daemon once so it writes ${path}`,
        );
      }
    }
    return new ApiClient(baseUrl.replace(/\/$/, ''), token);
  }

  /** Sends a request and returns the parsed JSON; throws with the API's error message. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new Error(
        `cannot reach the daemon at ${this.baseUrl} (${(error as Error).message}); is it running? (npm start)`,
      );
    }
    const json = (await response.json().catch(() => ({}))) as { error?: { message?: string } } & T;
    if (!response.ok) throw new Error(json.error?.message ?? `HTTP ${response.status}`);
    return json;
  }

  /** Streams Server-Sent Events of a path until the server closes or `signal` aborts. */
  async *events(
    path: string,
    options: { signal?: AbortSignal; lastEventId?: string } = {},
  ): AsyncGenerator<{ event: string; data: string; id?: string }> {
    const { signal, lastEventId } = options;
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'text/event-stream',
        ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
      },
      ...(signal ? { signal } : {}),
    });
    if (!response.ok || !response.body) throw new Error(`event stream failed: HTTP ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const message = parseEventBlock(block);
        if (message) yield message;
      }
    }
  }
}

/** Parses one SSE block (`event:`, `id:`, `data:` lines); comments give undefined. */
export function parseEventBlock(block: string): { event: string; data: string; id?: string } | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line.length === 0) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (data.length === 0) return undefined;
  return { event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) };
}
