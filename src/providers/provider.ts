import type { TokenUsage } from '../core/types.js';

/** One tool call the model asked for. `arguments` is the raw JSON text the model produced. */
export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: string;
}

/** A part of a multimodal user message. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; mimeType: string; dataBase64: string };

/** A message of the conversation sent to the model. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool the model may call, described with a JSON schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** One model call. */
export interface ModelRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  /** Aborts the call (cancel). */
  signal: AbortSignal;
  /** Upper bound of completion tokens. */
  maxTokens?: number;
  /** Called with each streamed text delta, for live views. */
  onDelta?: (text: string) => void;
}

/** The model's answer: text and/or tool calls, with usage. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCallRequest[];
  usage: TokenUsage;
  finishReason: string;
  model: string;
  /** True when the server reported no usage and `usage` was estimated from the text. */
  usageEstimated?: boolean;
}

/**
 * A language model behind one method. Implementations: `openai` (any OpenAI-compatible server)
 * and `offline` (no model; echo and scripted tool calls for trying the flows).
 * Failures throw `ProviderError`.
 */
export interface ModelProvider {
  readonly name: string;
  readonly model: string;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

/** Why a provider call failed. */
export type ProviderErrorKind =
  | 'aborted'
  | 'timeout'
  | 'rate_limited'
  | 'server'
  | 'auth'
  | 'bad_request'
  | 'bad_response'
  | 'network';

/** Extra facts about a provider failure; all optional. */
export interface ProviderErrorOptions {
  cause?: unknown;
  /** The HTTP status the model server answered with, when there was one. */
  status?: number;
  /** How long the server asked to wait before trying again (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

/** Thrown by a `ModelProvider` when a call fails after its retry policy gave up. */
export class ProviderError extends Error {
  /** The HTTP status the model server answered with, when there was one. */
  readonly status: number | undefined;
  /** How long the server asked to wait before trying again, in milliseconds, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    options?: ProviderErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
