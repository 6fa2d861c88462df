import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import {
  type DaemonProcess,
  expectStartFailure,
  startDaemonProcess,
  tempDataDir,
} from '../support/daemon-process.js';

interface TapeResponse {
  events: { seq: number; kind: string; body: Record<string, unknown> }[];
}

describe('the daemon, driven over HTTP with a fake model', () => {
  let fake: FakeOpenAI;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    daemon = await startDaemonProcess({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        OPENAI_API_KEY: 'sk-test-secret-key',
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await fake?.close();
  });

  it('answers a console message and writes a complete, ordered tape', async () => {
    fake.enqueue({ text: 'Hello from the model' });
    const sent = await daemon.api<{ session_id: string; run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-1',
      text: 'hi there',
    });
    expect(sent.status).toBe(202);
    const run = await daemon.waitForRun(sent.body.run_id);
    expect(run.state).toBe('succeeded');
    const tape = await daemon.api<TapeResponse>('GET', `/v1/runs/${sent.body.run_id}/tape`);
    const kinds = tape.body.events.map((e) => e.kind);
    expect(kinds).toEqual(['input', 'state', 'provider_request', 'provider_response', 'reply', 'state']);
    expect(tape.body.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tape.body.events[4]!.body.text).toBe('Hello from the model');
  });

  it('reuses the session and its context for a second message', async () => {
    fake.enqueue({ text: 'first answer' }, { text: 'second answer' });
    const first = await daemon.api<{ session_id: string; run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-2',
      text: 'remember the word pineapple',
    });
    await daemon.waitForRun(first.body.run_id);
    const before = fake.chatRequests.length;
    const second = await daemon.api<{ session_id: string; run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-2',
      text: 'what was the word?',
    });
    expect(second.body.session_id).toBe(first.body.session_id);
    await daemon.waitForRun(second.body.run_id);
    const request = fake.chatRequests[before]!;
    const messages = request.body!.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1]!.content).toBe('remember the word pineapple');
    expect(messages[2]!.content).toBe('first answer');
    const session = await daemon.api<{ runs: unknown[] }>('GET', `/v1/sessions/${first.body.session_id}`);
    expect(session.body.runs).toHaveLength(2);
  });

  it('a reset starts a new session for the key and keeps the old one readable', async () => {
    fake.enqueue({ text: 'before reset' }, { text: 'after reset' });
    const first = await daemon.api<{ session_id: string; run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-reset',
      text: 'one',
    });
    await daemon.waitForRun(first.body.run_id);
    const reset = await daemon.api<{ closed_at: number | null }>(
      'POST',
      `/v1/sessions/${first.body.session_id}/reset`,
    );
    expect(reset.status).toBe(200);
    expect(reset.body.closed_at).not.toBeNull();
    const again = await daemon.api<{ error: { code: string } }>(
      'POST',
      `/v1/sessions/${first.body.session_id}/reset`,
    );
    expect(again.status).toBe(409);
    const second = await daemon.api<{ session_id: string; run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-reset',
      text: 'two',
    });
    expect(second.body.session_id).not.toBe(first.body.session_id);
    await daemon.waitForRun(second.body.run_id);
    const request = fake.chatRequests.at(-1)!;
    expect((request.body!.messages as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user']);
    const old = await daemon.api<{ runs: unknown[] }>('GET', `/v1/sessions/${first.body.session_id}`);
    expect(old.body.runs).toHaveLength(1);
  });

  it('counts usage per principal', async () => {
    const usage = await daemon.api<{
      totals: { total_tokens: number; runs: number };
      rows: { principal: string }[];
    }>('GET', '/v1/usage?bucket=day');
    expect(usage.status).toBe(200);
    expect(usage.body.totals.runs).toBeGreaterThanOrEqual(3);
    expect(usage.body.totals.total_tokens).toBeGreaterThan(0);
    expect(usage.body.rows.every((r) => r.principal === 'console:admin')).toBe(true);
  });

  it('cancel during a hanging model call stops the run within a second and aborts the request', async () => {
    fake.enqueue({ hang: true });
    const before = fake.chatRequests.length;
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-3',
      text: 'take your time',
    });
    const [request] = (await fake.waitForChatRequests(before + 1)).slice(before);
    const started = Date.now();
    const cancelled = await daemon.api<{ state: string }>('POST', `/v1/runs/${sent.body.run_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const run = await daemon.waitForRun(sent.body.run_id, undefined, 1000);
    expect(run.state).toBe('cancelled');
    await Promise.race([
      request!.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error('not aborted')), 1000)),
    ]);
    expect(request!.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    const again = await daemon.api<{ error: { code: string; state: string } }>(
      'POST',
      `/v1/runs/${sent.body.run_id}/cancel`,
    );
    expect(again.status).toBe(409);
    expect(again.body.error.state).toBe('cancelled');
  });

  it('streams a run as server-sent events ending with its state', async () => {
    fake.enqueue({ text: 'streamed answer' });
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:e2e-sse',
      text: 'stream please',
    });
    const response = await fetch(`${daemon.url}/v1/runs/${sent.body.run_id}/events`, {
      headers: { authorization: `Bearer ${daemon.token}` },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toContain('event: tape');
    expect(text).toContain('"kind":"reply"');
    expect(text).toMatch(/event: end\ndata: \{"state":"succeeded"/);
  });

  describe('bad input gets a clear error and the daemon stays healthy', () => {
    it('malformed JSON → 400 invalid_json', async () => {
      const r = await daemon.api<{ error: { code: string } }>('POST', '/v1/messages', '{"session_key": ');
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_json');
    });

    it('a 2 MB message → 413', async () => {
      const r = await daemon.api<{ error: { code: string } }>('POST', '/v1/messages', {
        session_key: 'console:big',
        text: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('payload_too_large');
    });

    it('a message over the character limit → 400 message_too_long', async () => {
      const r = await daemon.api<{ error: { code: string; message: string } }>('POST', '/v1/messages', {
        session_key: 'console:long',
        text: 'y'.repeat(40_000),
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('message_too_long');
    });

    it('an unknown run id → 404', async () => {
      const r = await daemon.api<{ error: { code: string } }>('GET', '/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    });

    it('no token → 401, wrong token → 401', async () => {
      const none = await fetch(`${daemon.url}/v1/sessions`);
      expect(none.status).toBe(401);
      const wrong = await fetch(`${daemon.url}/v1/sessions`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    });

    it('missing fields → 400 naming the field', async () => {
      const r = await daemon.api<{ error: { message: string } }>('POST', '/v1/messages', {
        session_key: 'console:x',
      });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain('text');
    });

    it('is still healthy afterwards', async () => {
      const health = await fetch(`${daemon.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
    });
  });

  it('never writes the API key or the admin token to its logs', () => {
    expect(daemon.output()).not.toContain('sk-test-secret-key');
    expect(daemon.output()).not.toContain(daemon.token);
  });

  it('serves Prometheus metrics', async () => {
    const r = await daemon.api<string>('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/switchboard_runs\{state="succeeded"\} \d+/);
  });
});

describe('starting with bad settings', () => {
  it('an invalid config file stops the start naming the key', async () => {
    const { dir, cleanup } = tempDataDir();
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'limits:\n  max_concurent_runs: 3\nhttp:\n  port: "eighty"\n');
    const result = await expectStartFailure({ SWITCHBOARD_CONFIG: path, SWITCHBOARD_DATA_DIR: dir });
    cleanup();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('limits.max_concurent_runs');
    expect(result.output).toContain('http.port');
  });

  it('an unwritable data folder stops the start naming the folder', async () => {
    const { dir, cleanup } = tempDataDir();
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, '');
    const result = await expectStartFailure({ SWITCHBOARD_DATA_DIR: join(file, 'data') });
    cleanup();
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('not-a-folder');
    expect(result.output).toMatch(/not writable/);
  });
});

describe('a crash in the middle of a run', () => {
  it('SIGKILL during a run → after restart the run failed "interrupted by restart" and the session goes on', async () => {
    const fake = await startFakeOpenAI();
    const { dir, cleanup } = tempDataDir();
    const env = { OPENAI_BASE_URL: `${fake.url}/v1`, SWITCHBOARD_MODEL: 'fake-model' };
    try {
      fake.enqueue({ text: 'before the crash' }, { hang: true });
      const first = await startDaemonProcess({ env, dataDir: dir });
      const done = await first.api<{ run_id: string; session_id: string }>('POST', '/v1/messages', {
        session_key: 'console:crash',
        text: 'one',
      });
      await first.waitForRun(done.body.run_id);
      const sent = await first.api<{ run_id: string }>('POST', '/v1/messages', {
        session_key: 'console:crash',
        text: 'two',
      });
      await fake.waitForChatRequests(2);
      await first.kill();

      const second = await startDaemonProcess({ env, dataDir: dir });
      try {
        const run = await second.waitForRun(sent.body.run_id);
        expect(run.state).toBe('failed');
        expect(run.reason).toBe('interrupted by restart');
        const earlier = await second.api<{ state: string }>('GET', `/v1/runs/${done.body.run_id}`);
        expect(earlier.body.state).toBe('succeeded');
        fake.enqueue({ text: 'after the restart' });
        const next = await second.api<{ run_id: string; session_id: string }>('POST', '/v1/messages', {
          session_key: 'console:crash',
          text: 'three',
        });
        expect(next.body.session_id).toBe(done.body.session_id);
        expect((await second.waitForRun(next.body.run_id)).state).toBe('succeeded');
      } finally {
        await second.stop();
      }
    } finally {
      await fake.close();
      cleanup();
    }
  });
});
