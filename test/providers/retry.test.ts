import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/provider.js';
import { parseRetryAfter, withRetries } from '../../src/providers/retry.js';

function failing(errors: ProviderError[], result = 'ok') {
  let calls = 0;
  return {
    attempt: async (): Promise<string> => {
      const error = errors[calls++];
      if (error) throw error;
      return result;
    },
    calls: () => calls,
  };
}

const signal = new AbortController().signal;

describe('parseRetryAfter', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 May 2024 12:00:07 GMT' }), now)).toBe(7_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 May 2024 11:00:00 GMT' }), now)).toBe(0);
  });

  it('ignores absent and unparseable values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-4' }))).toBeUndefined();
  });
});

describe('withRetries', () => {
  it('backs off exponentially with jitter, capped', async () => {
    const sleeps: number[] = [];
    const { attempt } = failing([1, 2, 3, 4].map(() => new ProviderError('server', 'boom')));
    await withRetries(attempt, {
      maxRetries: 4,
      signal,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      baseDelayMs: 100,
      maxDelayMs: 500,
      random: () => 1,
    });
    expect(sleeps).toEqual([100, 200, 400, 500]);
  });

  it('retries rate limits, server and network errors but nothing else', async () => {
    const sleep = async (): Promise<void> => {};
    for (const kind of ['rate_limited', 'server', 'network'] as const) {
      const run = failing([new ProviderError(kind, 'x')]);
      await expect(withRetries(run.attempt, { maxRetries: 1, signal, sleep })).resolves.toBe('ok');
      expect(run.calls()).toBe(2);
    }
    for (const kind of ['auth', 'bad_request', 'bad_response', 'timeout', 'aborted'] as const) {
      const run = failing([new ProviderError(kind, 'x')]);
      await expect(withRetries(run.attempt, { maxRetries: 3, signal, sleep })).rejects.toMatchObject({
        kind,
      });
      expect(run.calls()).toBe(1);
    }
  });

  it('does not retry once output was delivered to the caller', async () => {
    const run = failing([new ProviderError('network', 'dropped')]);
    await expect(
      withRetries(run.attempt, { maxRetries: 3, signal, sleep: async () => {}, isCommitted: () => true }),
    ).rejects.toMatchObject({ kind: 'network' });
    expect(run.calls()).toBe(1);
  });

  it('passes through errors that are not ProviderError', async () => {
    const bug = new TypeError('a bug');
    await expect(withRetries(() => Promise.reject(bug), { maxRetries: 3, signal })).rejects.toBe(bug);
  });

  it('ends a default back-off wait at once when aborted', async () => {
    const controller = new AbortController();
    const run = failing([new ProviderError('rate_limited', 'slow down', { retryAfterMs: 20_000 })]);
    const started = Date.now();
    const call = withRetries(run.attempt, { maxRetries: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toMatchObject({ kind: 'aborted' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
