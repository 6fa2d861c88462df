/**
 * Assembles a streamed chat completion from its chunks: text deltas in order, tool calls keyed by
 * their `index` (id and name arrive in the first delta, arguments arrive in pieces), the finish
 * reason of the choice and the usage of the final chunk (`stream_options.include_usage`).
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { TokenUsage } from '../core/types.js';
import type { ToolCallRequest } from './provider.js';

/** What the stream said once it ended. */
export interface AssembledCompletion {
  text: string;
  toolCalls: ToolCallRequest[];
  /** The finish reason of the first choice; `unknown` when the stream never gave one. */
  finishReason: string;
  /** The model that answered, as the server named it; undefined when no chunk named one. */
  model: string | undefined;
  /** Usage reported by the server; undefined when it sent none. */
  usage: TokenUsage | undefined;
  /** How many chunks arrived. */
  chunks: number;
}

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Accumulates chunks of one streamed completion; feed every chunk to `add`, then call `finish`. */
export class CompletionAssembler {
  #text = '';
  readonly #toolCalls = new Map<number, PartialToolCall>();
  #finishReason: string | undefined;
  #model: string | undefined;
  #usage: TokenUsage | undefined;
  #chunks = 0;

  /** Adds one chunk and returns its text delta ('' when it carried none). */
  add(chunk: ChatCompletionChunk): string {
    this.#chunks++;
    if (typeof chunk.model === 'string' && chunk.model !== '') this.#model ??= chunk.model;
    if (chunk.usage) {
      this.#usage = {
        promptTokens: chunk.usage.prompt_tokens ?? 0,
        completionTokens: chunk.usage.completion_tokens ?? 0,
        totalTokens:
          chunk.usage.total_tokens ?? (chunk.usage.prompt_tokens ?? 0) + (chunk.usage.completion_tokens ?? 0),
      };
    }
    let delta = '';
    // Only the first choice is used: requests never ask for n > 1.
    const choice = (chunk.choices ?? []).find((c) => (c.index ?? 0) === 0);
    if (!choice) return delta;
    if (typeof choice.delta?.content === 'string') {
      delta = choice.delta.content;
      this.#text += delta;
    }
    for (const [position, call] of (choice.delta?.tool_calls ?? []).entries()) {
      // Some servers omit `index` when they send each call whole; fall back to its position.
      const index = typeof call.index === 'number' ? call.index : position;
      let partial = this.#toolCalls.get(index);
      if (!partial) {
        partial = { id: '', name: '', arguments: '' };
        this.#toolCalls.set(index, partial);
      }
      // id and name come once, in the first delta; some servers repeat them, so the first wins.
      if (call.id && partial.id === '') partial.id = call.id;
      if (call.function?.name && partial.name === '') partial.name = call.function.name;
      if (call.function?.arguments) partial.arguments += call.function.arguments;
    }
    if (choice.finish_reason) this.#finishReason = choice.finish_reason;
    return delta;
  }

  /** The completion as assembled so far; tool calls ordered by index, missing ids generated. */
  finish(): AssembledCompletion {
    const toolCalls = [...this.#toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        id: call.id === '' ? `call_${index}_${Math.random().toString(36).slice(2, 10)}` : call.id,
        name: call.name,
        arguments: call.arguments,
      }));
    return {
      text: this.#text,
      toolCalls,
      finishReason: this.#finishReason ?? 'unknown',
      model: this.#model,
      usage: this.#usage,
      chunks: this.#chunks,
    };
  }
}
