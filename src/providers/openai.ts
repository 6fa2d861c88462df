/**
 * The model provider for any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp), on the
 * `openai` SDK: streamed chat completions with tool calls, cancel that aborts the HTTP request,
 * an explicit timeout per attempt and the one retry policy of `retry.ts`.
 */
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { httpFetch } from './http-fetch.js';
import { toProviderError } from './openai-errors.js';
import { toOpenAIMessages, toOpenAITools } from './openai-messages.js';
import { CompletionAssembler } from './openai-stream.js';
import { type ModelProvider, type ModelRequest, type ModelResponse, ProviderError } from './provider.js';
import { withRetries } from './retry.js';
import { estimateMessageTokens, estimateTokens } from './token-estimate.js';

/** The official OpenAI endpoint, used when no base URL is configured. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Sent as the API key when none is configured: local servers such as Ollama or llama.cpp need no
 * key, but the SDK insists on one.
 */
export const PLACEHOLDER_API_KEY = 'no-key-configured';

/** Options of `createOpenAIProvider`. */
export interface OpenAIProviderOptions {
  /** Base URL including `/v1`; defaults to OpenAI's own. */
  baseURL?: string;
  /** API key; absent for local servers that need none. */
  apiKey?: string;
  /** Model name sent with every request. */
  model: string;
  /** Time limit of one attempt, from sending the request to the end of the stream. */
  timeoutMs: number;
  /** Retries after the first attempt for rate limits, server errors and network errors. */
  maxRetries: number;
  /** Waits between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates a `ModelProvider` that talks to an OpenAI-compatible Chat Completions endpoint.
 * Text deltas reach `onDelta` as they stream; tool-call arguments are returned raw, unparsed (the
 * orchestrator validates them); usage is estimated when the server reports none.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const baseURL = options.baseURL ?? OPENAI_DEFAULT_BASE_URL;
  const apiKey = options.apiKey ?? PLACEHOLDER_API_KEY;
  // The SDK is loaded on first use, not at start: it is a fifth of the daemon's import time.
  let sdk: Promise<OpenAI> | undefined;
  const client = (): Promise<OpenAI> =>
    (sdk ??= import('openai').then(
      ({ default: OpenAI }) =>
        new OpenAI({
          apiKey,
          baseURL,
          timeout: options.timeoutMs,
          maxRetries: 0,
          // The SDK's logger would print unparseable stream data and request details; errors are ours.
          logLevel: 'off',
          fetch: httpFetch,
        }),
    ));
  // OpenAI's own endpoint rejects `max_tokens` for reasoning models; compatible servers know only it.
  const officialEndpoint = parseBaseURL(baseURL).hostname === 'api.openai.com';
  const redact = makeRedactor(options.apiKey);

  return {
    name: 'openai',
    model: options.model,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const body: ChatCompletionCreateParamsStreaming = {
        model: options.model,
        messages: toOpenAIMessages(request.messages),
        stream: true,
        stream_options: { include_usage: true },
        ...(request.tools.length > 0 ? { tools: toOpenAITools(request.tools) } : {}),
        ...(request.maxTokens === undefined
          ? {}
          : officialEndpoint
            ? { max_completion_tokens: request.maxTokens }
            : { max_tokens: request.maxTokens }),
      };
      let committed = false;
      const attempt = async (): Promise<ModelResponse> => {
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, options.timeoutMs);
        const onAbort = (): void => controller.abort();
        request.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const stream = await (await client()).chat.completions.create(body, {
            signal: controller.signal,
            timeout: options.timeoutMs,
            maxRetries: 0,
          });
          const assembler = new CompletionAssembler();
          for await (const chunk of stream) {
            const delta = assembler.add(chunk);
            if (delta !== '' && request.onDelta) {
              committed = true;
              emitDelta(request.onDelta, delta);
            }
          }
          // The SDK ends the iteration quietly when its signal aborts; that is no answer.
          if (controller.signal.aborted) throw new ProviderError('aborted', 'the model call was cancelled');
          const result = assembler.finish();
          if (result.chunks === 0) {
            throw new ProviderError(
              'bad_response',
              'the model server closed the stream without sending anything',
            );
          }
          const usage = result.usage ?? estimateUsage(request, result.text, result.toolCalls);
          return {
            text: result.text,
            toolCalls: result.toolCalls,
            usage,
            finishReason: result.finishReason,
            model: result.model ?? options.model,
            ...(result.usage ? {} : { usageEstimated: true }),
          };
        } catch (error) {
          throw toProviderError(error, {
            aborted: request.signal.aborted,
            timedOut,
            timeoutMs: options.timeoutMs,
            redact,
          });
        } finally {
          clearTimeout(timer);
          request.signal.removeEventListener('abort', onAbort);
        }
      };
      return withRetries(attempt, {
        maxRetries: options.maxRetries,
        signal: request.signal,
        isCommitted: () => committed,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
    },
  };
}

/** Parses the base URL, failing with a message that does not repeat it (it may hold credentials). */
function parseBaseURL(baseURL: string): URL {
  try {
    return new URL(baseURL);
  } catch {
    throw new TypeError(
      'the model base URL (OPENAI_BASE_URL) is not an absolute URL, e.g. http://127.0.0.1:11434/v1',
    );
  }
}

/** A failing live view must not fail the model call, so its errors stay with it. */
function emitDelta(onDelta: (text: string) => void, delta: string): void {
  try {
    onDelta(delta);
  } catch {
    // Deliberately ignored: `onDelta` only feeds live views.
  }
}

function estimateUsage(
  request: ModelRequest,
  text: string,
  toolCalls: readonly { name: string; arguments: string }[],
): ModelResponse['usage'] {
  let promptTokens = 0;
  for (const message of request.messages) promptTokens += estimateMessageTokens(message);
  if (request.tools.length > 0) promptTokens += estimateTokens(JSON.stringify(request.tools));
  let completionTokens = estimateTokens(text);
  for (const call of toolCalls)
    completionTokens += estimateTokens(call.name) + estimateTokens(call.arguments);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/**
 * Builds a function that blanks the API key, and anything shaped like an OpenAI key, out of text a
 * server or the network stack produced, so it cannot reach logs, the tape or the chat.
 */
function makeRedactor(apiKey: string | undefined): (text: string) => string {
  return (text) => {
    let clean = text;
    if (apiKey && apiKey.length >= 6) clean = clean.split(apiKey).join('[redacted]');
    return clean.replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, 'sk-[redacted]');
  };
}
