/**
 * A scripted OpenAI-compatible model server for tests: `POST /v1/chat/completions` (SSE streaming
 * and plain JSON), `POST /v1/embeddings` and `GET /v1/models` on 127.0.0.1 with a free port.
 * Tests queue what the next calls answer — text, streamed tool calls, 429/5xx, a hang, garbage —
 * and read back every request the client sent. It runs in the test process and serves a
 * separately spawned daemon just as well (`OPENAI_BASE_URL=${fake.url}/v1`).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tool call the fake should stream; `arguments` objects are sent as JSON text. */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** Token counts to report instead of the fake's own estimate. */
export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Options every step may carry. */
export interface FakeStepCommon {
  /** Wait this long before answering at all. */
  delayMs?: number;
}

/** Options of the steps that answer successfully. */
export interface FakeAnswerOptions extends FakeStepCommon {
  /** Finish reason of the choice; defaults to `stop`, or `tool_calls` when calls are sent. */
  finishReason?: string;
  /** Usage to report; `false` sends none even when the client asked for it. */
  usage?: FakeUsage | false;
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
}

/** One scripted answer of `POST /v1/chat/completions`. */
export type FakeStep =
  /** Answer with text (streamed in several deltas). */
  | (FakeAnswerOptions & { text: string })
  /** Answer with tool calls, streamed across chunks with arguments split mid-JSON; optional text first. */
  | (FakeAnswerOptions & { toolCalls: FakeToolCall[]; text?: string })
  /** Fail with an HTTP status; `retryAfter` (seconds or HTTP date) and `retryAfterMs` set headers. */
  | (FakeStepCommon & {
      status: number;
      retryAfter?: number | string;
      retryAfterMs?: number;
      message?: string;
    })
  /** Never answer (or stop after `partialText` was streamed) until the client gives up. */
  | (FakeStepCommon & { hang: true; partialText?: string })
  /** Cut the connection, before any header or after `partialText` was streamed. */
  | (FakeStepCommon & { drop: true; partialText?: string })
  /** Stream a tool call whose arguments are cut-off JSON. */
  | (FakeStepCommon & { malformedToolArguments: true; name?: string })
  /** Stream one good delta, then a line of garbage that is not JSON. */
  | (FakeStepCommon & { badJson: true });

/** One request the fake received, updated live as the exchange goes on. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`undefined` when the body was not JSON). */
  body: Record<string, unknown> | undefined;
  /** For embeddings: the `encoding_format` the client asked for (`float` when absent). */
  encodingFormat?: string;
  /** The step that answered a chat completion. */
  step?: FakeStep;
  /** True when the connection closed before the answer finished: the client went away (or a `drop` step). */
  aborted: boolean;
  /** True once the fake finished its answer. */
  completed: boolean;
  /** Settles when the exchange ended, by a finished answer or by the client going away. */
  ended: Promise<void>;
}

/** A running fake model server. */
export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>`; the OpenAI base URL is `${url}/v1`. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: FakeRequest[];
  /** Chat completion requests only, oldest first. */
  readonly chatRequests: FakeRequest[];
  /** Queues answers for the next chat completion calls, in order. */
  enqueue(...steps: FakeStep[]): void;
  /** How many queued steps are still unused. */
  readonly pending: number;
  /** Answers chat completions once the queue is empty; by default echoes the last user message. */
  onRequest: (body: Record<string, unknown>) => FakeStep;
  /** Resolves when at least `count` chat completion requests have arrived. */
  waitForChatRequests(count: number, timeoutMs?: number): Promise<FakeRequest[]>;
  /** Stops the server, dropping open connections (hanging answers included). */
  close(): Promise<void>;
}

/** Dimension of the fake's embedding vectors unless the request asks for `dimensions`. */
export const FAKE_EMBEDDING_DIMENSION = 64;

/** The model name the fake reports when the request named none. */
export const FAKE_MODEL = 'fake-model';

/** The default answer: `echo: <last user text>`. */
export function echoLastUserMessage(body: Record<string, unknown>): FakeStep {
  return { text: `echo: ${lastUserText(body)}` };
}

/** Starts a fake OpenAI-compatible server on 127.0.0.1 with a free port. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queue: FakeStep[] = [];
  const requests: FakeRequest[] = [];
  const arrivals = new Set<() => void>();
  let counter = 0;
  let onRequest: (body: Record<string, unknown>) => FakeStep = echoLastUserMessage;
  const chatRequests = (): FakeRequest[] => requests.filter((r) => r.path === '/v1/chat/completions');

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'fake_error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = parseObject(raw);
    let markEnded: () => void = () => {};
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      aborted: false,
      completed: false,
      ended: new Promise<void>((resolve) => {
        markEnded = resolve;
      }),
    };
    res.on('finish', () => {
      record.completed = true;
      markEnded();
    });
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
      markEnded();
    });
    requests.push(record);
    for (const wake of [...arrivals]) wake();

    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: FAKE_MODEL, object: 'model', created: 0, owned_by: 'fake' }],
      });
      return;
    }
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/embeddings')) {
      sendJson(res, 404, {
        error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' },
      });
      return;
    }
    if (!body) {
      sendJson(res, 400, { error: { message: 'body is not a JSON object', type: 'invalid_request_error' } });
      return;
    }
    if (path === '/v1/embeddings') {
      const encodingFormat = typeof body.encoding_format === 'string' ? body.encoding_format : 'float';
      record.encodingFormat = encodingFormat;
      sendJson(res, 200, embeddingsResponse(body, encodingFormat));
      return;
    }
    const step = queue.shift() ?? onRequest(body);
    record.step = step;
    if (step.delayMs) await sleep(step.delayMs);
    if (res.destroyed) return;
    await answerChat(res, body, step, `chatcmpl-fake-${++counter}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get chatRequests() {
      return chatRequests();
    },
    enqueue: (...steps) => {
      queue.push(...steps);
    },
    get pending() {
      return queue.length;
    },
    get onRequest() {
      return onRequest;
    },
    set onRequest(handler) {
      onRequest = handler;
    },
    waitForChatRequests: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (chatRequests().length < count) return;
          clearTimeout(timer);
          arrivals.delete(check);
          resolve(chatRequests());
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`fake OpenAI: expected ${count} chat requests, got ${chatRequests().length}`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Plays one step as the answer to a chat completion request. */
async function answerChat(
  res: ServerResponse,
  body: Record<string, unknown>,
  step: FakeStep,
  id: string,
): Promise<void> {
  if ('status' in step) {
    const headers: Record<string, string> = {};
    if (step.retryAfter !== undefined) headers['retry-after'] = String(step.retryAfter);
    if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
    const type =
      step.status === 429
        ? 'rate_limit_exceeded'
        : step.status >= 500
          ? 'server_error'
          : 'invalid_request_error';
    sendJson(
      res,
      step.status,
      { error: { message: step.message ?? `fake ${step.status}`, type, code: type } },
      headers,
    );
    return;
  }
  const stream = body.stream === true;
  const model = typeof body.model === 'string' ? body.model : FAKE_MODEL;
  const chunk = (
    delta: Record<string, unknown>,
    finishReason: string | null = null,
  ): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

  if ('hang' in step) {
    if (stream && step.partialText) {
      startStream(res);
      for (const piece of splitText(step.partialText)) writeEvent(res, chunk({ content: piece }));
    }
    // Answer nothing more; the client must abort or time out.
    await new Promise<void>((resolve) => res.on('close', resolve));
    return;
  }
  if ('drop' in step) {
    if (stream && step.partialText) {
      startStream(res);
      for (const piece of splitText(step.partialText)) writeEvent(res, chunk({ content: piece }));
      // Let the pieces reach the client before the connection is cut.
      await sleep(20);
    }
    res.socket?.destroy();
    return;
  }
  if ('badJson' in step) {
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "broken", "choices": [');
      return;
    }
    startStream(res);
    writeEvent(res, chunk({ role: 'assistant', content: 'Hel' }));
    res.write('data: {"id": "broken", "choices": [{"delta": {"content": "lo"\n\n');
    res.end();
    return;
  }

  const answer = toAnswer(step);
  const usage =
    answer.usage === false
      ? undefined
      : (answer.usage ??
        estimateUsage(body, answer.text + answer.calls.map((c) => c.name + c.arguments).join('')));

  if (!stream) {
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: answer.text === '' && answer.calls.length > 0 ? null : answer.text,
            ...(answer.calls.length > 0
              ? {
                  tool_calls: answer.calls.map((c) => ({
                    id: c.id,
                    type: 'function',
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          finish_reason: answer.finishReason,
        },
      ],
      ...(usage ? { usage } : {}),
    });
    return;
  }

  startStream(res);
  // Between chunks the client may have gone away; writes then go nowhere and the loop ends early.
  const pause = async (): Promise<boolean> => {
    if (answer.chunkDelayMs) await sleep(answer.chunkDelayMs);
    return !res.destroyed;
  };
  writeEvent(res, chunk({ role: 'assistant', content: '' }));
  for (const piece of splitText(answer.text)) {
    if (!(await pause())) return;
    writeEvent(res, chunk({ content: piece }));
  }
  // Tool calls interleave: every call's opening delta (id, name), then argument pieces in turns,
  // so a client must assemble by `index`, not by arrival order.
  answer.calls.forEach((call, index) => {
    writeEvent(
      res,
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
  });
  const pieces = answer.calls.map((call) => splitText(call.arguments));
  const rounds = Math.max(0, ...pieces.map((p) => p.length));
  for (let round = 0; round < rounds; round++) {
    if (!(await pause())) return;
    pieces.forEach((callPieces, index) => {
      const piece = callPieces[round];
      if (piece !== undefined)
        writeEvent(res, chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
  }
  writeEvent(res, chunk({}, answer.finishReason));
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  if (usage && streamOptions?.include_usage === true) {
    writeEvent(res, {
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [],
      usage,
    });
  }
  res.write('data: [DONE]\n\n');
  res.end();
}

interface Answer {
  text: string;
  calls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  usage: FakeUsage | false | undefined;
  chunkDelayMs: number | undefined;
}

function toAnswer(step: FakeStep): Answer {
  if ('malformedToolArguments' in step) {
    return {
      text: '',
      calls: [{ id: 'call_malformed', name: step.name ?? 'shell_exec', arguments: '{"command": "ls -la' }],
      finishReason: 'tool_calls',
      usage: undefined,
      chunkDelayMs: undefined,
    };
  }
  if ('toolCalls' in step) {
    return {
      text: step.text ?? '',
      calls: step.toolCalls.map((call, i) => ({
        id: call.id ?? `call_fake_${i}_${shortHash(call.name + i)}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      })),
      finishReason: step.finishReason ?? 'tool_calls',
      usage: step.usage,
      chunkDelayMs: step.chunkDelayMs,
    };
  }
  if ('text' in step) {
    return {
      text: step.text,
      calls: [],
      finishReason: step.finishReason ?? 'stop',
      usage: step.usage,
      chunkDelayMs: step.chunkDelayMs,
    };
  }
  throw new Error('fake OpenAI: unknown step');
}

/** Splits text into about three pieces at arbitrary points (mid-word, mid-JSON). */
function splitText(text: string): string[] {
  if (text.length <= 2) return text === '' ? [] : [text];
  const size = Math.ceil(text.length / 3);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

function writeEvent(res: ServerResponse, data: unknown): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

function sendJson(
  res: ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': `req_fake_${Date.now()}`,
    ...headers,
  });
  res.end(JSON.stringify(data));
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = raw === '' ? undefined : JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown } | undefined;
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return (message.content as { type?: unknown; text?: unknown }[])
        .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
        .join(' ')
        .trim();
    }
  }
  return '';
}

/** A chars/4 estimate of the request and answer, like a real server's count but cheaper. */
function estimateUsage(body: Record<string, unknown>, output: string): FakeUsage {
  const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const completion = Math.ceil(output.length / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * Deterministic embeddings: a hashed bag of lower-cased words, L2-normalized, so texts sharing
 * words are close and the same text always maps to the same vector.
 */
export function fakeEmbedding(text: string, dimension: number = FAKE_EMBEDDING_DIMENSION): number[] {
  const vector = new Array<number>(dimension).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash('sha256').update(word).digest();
    const slot = digest.readUInt32BE(0) % dimension;
    const sign = (digest[4] ?? 0) & 1 ? 1 : -1;
    vector[slot] = (vector[slot] ?? 0) + sign;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

function embeddingsResponse(body: Record<string, unknown>, encodingFormat: string): Record<string, unknown> {
  const inputs = Array.isArray(body.input) ? (body.input as unknown[]) : [body.input];
  const dimension = typeof body.dimensions === 'number' ? body.dimensions : FAKE_EMBEDDING_DIMENSION;
  let tokens = 0;
  const data = inputs.map((input, index) => {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    tokens += Math.ceil(text.length / 4);
    const vector = fakeEmbedding(text, dimension);
    const embedding =
      encodingFormat === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  return {
    object: 'list',
    data,
    model: typeof body.model === 'string' ? body.model : FAKE_MODEL,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
