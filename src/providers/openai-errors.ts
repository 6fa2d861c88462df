/**
 * Maps what the `openai` SDK throws (and what a stream throws mid-way) to the small set of
 * `ProviderError` kinds the orchestrator understands, so HTTP statuses stop at the provider.
 * Messages say how to fix the problem and never carry the API key.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai/error';
import { ProviderError, type ProviderErrorKind } from './provider.js';
import { parseRetryAfter } from './retry.js';

/** What the caller knows about why an attempt ended, beyond the error itself. */
export interface FailureContext {
  /** The caller's signal aborted (a cancel). */
  aborted: boolean;
  /** The attempt's own timer fired. */
  timedOut: boolean;
  timeoutMs: number;
  /** Removes secrets from any text that may end up in a message. */
  redact: (text: string) => string;
}

/** Converts any failure of one attempt into a `ProviderError` of the right kind. */
export function toProviderError(error: unknown, context: FailureContext): ProviderError {
  if (context.aborted) return new ProviderError('aborted', 'the model call was cancelled');
  if (context.timedOut || error instanceof APIConnectionTimeoutError) {
    return new ProviderError(
      'timeout',
      `the model server did not finish answering within ${context.timeoutMs} ms (provider timeout)`,
    );
  }
  if (error instanceof ProviderError) return error;
  if (error instanceof APIUserAbortError) return new ProviderError('aborted', 'the model call was cancelled');
  if (error instanceof APIConnectionError) {
    const detail = describeCause(error.cause) ?? error.message;
    return new ProviderError('network', `could not reach the model server: ${context.redact(detail)}`, {
      cause: error.cause,
    });
  }
  if (error instanceof APIError) return fromStatus(error, context);
  if (error instanceof SyntaxError) {
    return new ProviderError('bad_response', `the model server sent malformed JSON: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof OpenAIError) {
    return new ProviderError(
      'bad_response',
      `unexpected answer from the model server: ${context.redact(error.message)}`,
    );
  }
  const detail = describeCause(error) ?? String(error);
  return new ProviderError(
    'network',
    `the connection to the model server failed: ${context.redact(detail)}`,
    {
      cause: error,
    },
  );
}

function fromStatus(error: APIError, context: FailureContext): ProviderError {
  const status = error.status;
  const detail = context.redact(error.message);
  if (status === undefined) {
    // An `error` object inside the stream: the server failed after it started answering.
    return new ProviderError('server', `the model server reported an error while streaming: ${detail}`);
  }
  // The SDK's message starts with the status; it is said once, in our own words.
  const reason = detail.startsWith(`${status} `) ? detail.slice(`${status} `.length) : detail;
  const retryAfterMs = parseRetryAfter(error.headers);
  const facts = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const [kind, hint] = classifyStatus(status);
  return new ProviderError(kind, `the model server answered ${status}: ${reason}${hint}`, facts);
}

function classifyStatus(status: number): [ProviderErrorKind, string] {
  if (status === 429) return ['rate_limited', ''];
  if (status === 401 || status === 403) return ['auth', ' (check OPENAI_API_KEY)'];
  if (status === 404) return ['bad_request', ' (check SWITCHBOARD_MODEL and OPENAI_BASE_URL)'];
  // 408 Request Timeout and 409 Conflict are transient on the server's side.
  if (status === 408 || status === 409 || status >= 500) return ['server', ''];
  return ['bad_request', ''];
}

/** Node's fetch hides the real reason (ECONNREFUSED, "terminated") in `cause`. */
function describeCause(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
