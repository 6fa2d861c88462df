import { readServerSentEvents, type ServerSentEvent } from './sse';

/** A refusal or failure of the API, with the `{"error":{"code","message"}}` it answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly state?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The console's view of the HTTP API; every call carries the bearer token in a header. */
export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** Reads an SSE stream with the token in a header (EventSource cannot send one). */
  stream(path: string, onEvent: (event: ServerSentEvent) => void, signal: AbortSignal): Promise<void>;
}

async function failure(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = `${response.status} ${response.statusText}`;
  let state: string | undefined;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; state?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    state = body.error?.state;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message, state);
}

/** Creates an API client for one token; `onUnauthorized` runs when the token stops working. */
export function createApi(token: string, onUnauthorized: () => void = () => {}): Api {
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        cache: 'no-store',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ApiError(0, 'network', `the daemon did not answer (${(error as Error).message})`);
    }
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      throw await failure(response);
    }
    return response;
  };
  return {
    async get<T>(path: string) {
      return (await (await call('GET', path)).json()) as T;
    },
    async post<T>(path: string, body?: unknown) {
      return (await (await call('POST', path, body ?? {})).json()) as T;
    },
    async delete<T>(path: string) {
      return (await (await call('DELETE', path)).json()) as T;
    },
    async stream(path, onEvent, signal) {
      const response = await fetch(path, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        cache: 'no-store',
        signal,
      });
      if (!response.ok) throw await failure(response);
      if (!response.body) throw new ApiError(0, 'no_stream', 'the browser gave no response stream');
      await readServerSentEvents(response.body, onEvent);
    },
  };
}

/** A message for a refused or failed call, naming the reason the daemon gave. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Not permitted: ${error.message}`;
    if (error.status === 409) return `Refused (${error.code.replace(/_/g, ' ')}): ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
