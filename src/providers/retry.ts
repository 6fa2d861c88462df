/**
 * The one retry policy of model calls. The SDK's own retries are off (`maxRetries: 0`) so that
 * every wait, every give-up and every honoured `Retry-After` is decided here and nowhere else.
 */
import { ProviderError, type ProviderErrorKind } from './provider.js';

/** Failures worth another attempt: the server may answer differently in a moment. */
const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['rate_limited', 'server', 'network']);

/** How `withRetries` retries. */
export interface RetryOptions {
  /** Attempts after the first; 0 means try once. */
  maxRetries: number;
  /** Aborts the whole call, including a back-off wait; an abort is never retried. */
  signal: AbortSignal;
  /** Waits between attempts; injectable so tests need not wait. Defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** First back-off step in milliseconds (doubled per attempt). Default 500. */
  baseDelayMs?: number;
  /** Upper bound of any single wait, including one asked for by `Retry-After`. Default 30 000. */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1); injectable for deterministic tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * Runs `attempt` and retries it when it fails with a `ProviderError` of kind `rate_limited`,
 * `server` or `network`, waiting the server's `Retry-After` when it gave one and an exponential
 * back-off with jitter otherwise, each wait capped at `maxDelayMs`. `auth`, `bad_request`,
 * `bad_response` and `timeout` fail at once (a timeout has already spent the whole time budget
 * the operator set for a call), and an abort ends everything at once, even during a wait.
 * `attempt` receives an `isCommitted` hook: once it reports output already delivered to the caller
 * (streamed text), a failure is not retried, because a second answer would repeat that text.
 * Errors that are not `ProviderError` are passed through untouched.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions & { isCommitted?: () => boolean },
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => timerSleep(ms, options.signal));
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;

  for (let attemptNumber = 0; ; attemptNumber++) {
    throwIfAborted(options.signal);
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (options.signal.aborted) throw abortedError(error);
      const retryable = RETRYABLE_KINDS.has(error.kind) && !(options.isCommitted?.() ?? false);
      if (!retryable) throw error;
      if (attemptNumber >= options.maxRetries) {
        if (attemptNumber === 0) throw error;
        throw new ProviderError(
          error.kind,
          `${error.message} (gave up after ${attemptNumber + 1} attempts)`,
          {
            cause: error,
            ...(error.status === undefined ? {} : { status: error.status }),
            ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
          },
        );
      }
      const backOff = baseDelayMs * 2 ** attemptNumber;
      const wait =
        error.retryAfterMs !== undefined
          ? Math.min(error.retryAfterMs, maxDelayMs)
          : Math.min(backOff / 2 + (random() * backOff) / 2, maxDelayMs);
      await abortableSleep(sleep, Math.round(wait), options.signal);
    }
  }
}

/**
 * Reads how long a server asked to wait from its response headers: `retry-after-ms`
 * (milliseconds, OpenAI's extension) first, then `retry-after` as seconds or as an HTTP date.
 * Returns undefined when neither is present or parseable; never negative.
 */
export function parseRetryAfter(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null || retryAfter.trim() === '') return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A timer wait that is cleared when `signal` aborts, so a cancelled call leaves no timer behind. */
function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortedError(cause?: unknown): ProviderError {
  return new ProviderError('aborted', 'the model call was cancelled', cause === undefined ? {} : { cause });
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortedError();
}

/** Waits with `sleep`, but gives up the moment `signal` aborts. */
async function abortableSleep(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
