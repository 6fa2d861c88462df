/**
 * The offline provider: no model, no network. It lets a newcomer try every flow of Switchboard —
 * replies, tool calls, approvals — before configuring a model server.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, ModelProvider, ModelRequest, ModelResponse, ToolCallRequest } from './provider.js';
import { ProviderError } from './provider.js';
import { estimateMessageTokens, estimateTokens } from './token-estimate.js';

/** How much of a tool's output the offline provider repeats back. */
const OUTPUT_PREVIEW_CHARS = 500;

/** `tool: <name> <json-args>`, the name made of letters, digits, `_`, `-` and `.`. */
const TOOL_SYNTAX = /^\s*tool:\s*([A-Za-z0-9_.-]+)\s*([\s\S]*)$/;

/**
 * Creates the offline provider (name `offline`, model `offline-echo`). It answers the last
 * message of the conversation:
 *
 * - `tool: <name> <json-args>` asks for one tool call, e.g. `tool: current_time {}` or
 *   `tool: shell_exec {"command":"ls"}`; the arguments may be left out (`tool: current_time`
 *   means `{}`) and are passed on as written, so malformed JSON shows how the agent copes.
 * - after tool results (the last message is a tool message) it answers
 *   `Tool <name> returned: <output>`, the output cut to about 500 characters;
 * - any other text is echoed as `You said: <text>`.
 *
 * Usage is estimated from the text; an aborted signal ends the call with `ProviderError` `aborted`.
 */
export function createOfflineProvider(): ModelProvider {
  return {
    name: 'offline',
    model: 'offline-echo',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      if (request.signal.aborted) throw new ProviderError('aborted', 'the model call was cancelled');
      const answer = answerTo(request.messages);
      if (answer.text !== '' && request.onDelta) {
        for (const piece of answer.text.split(/(?<=\s)/)) {
          try {
            request.onDelta(piece);
          } catch {
            // A failing live view must not fail the call.
          }
        }
      }
      // Yield once so a cancel issued right after the call started is still honoured.
      await Promise.resolve();
      if (request.signal.aborted) throw new ProviderError('aborted', 'the model call was cancelled');
      let promptTokens = 0;
      for (const message of request.messages) promptTokens += estimateMessageTokens(message);
      let completionTokens = estimateTokens(answer.text);
      for (const call of answer.toolCalls) completionTokens += estimateTokens(call.name + call.arguments);
      return {
        text: answer.text,
        toolCalls: answer.toolCalls,
        usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
        finishReason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop',
        model: 'offline-echo',
        usageEstimated: true,
      };
    },
  };
}

function answerTo(messages: readonly ChatMessage[]): { text: string; toolCalls: ToolCallRequest[] } {
  const last = messages.at(-1);
  if (last?.role === 'tool') return { text: describeToolResults(messages), toolCalls: [] };
  const said = lastUserText(messages);
  const match = TOOL_SYNTAX.exec(said);
  if (match) {
    const name = match[1] ?? '';
    const args = (match[2] ?? '').trim();
    return {
      text: '',
      toolCalls: [
        { id: `offline_${randomUUID().replaceAll('-', '').slice(0, 16)}`, name, arguments: args || '{}' },
      ],
    };
  }
  return { text: `You said: ${said}`, toolCalls: [] };
}

/** One line per tool result at the end of the conversation, named after the call it answers. */
function describeToolResults(messages: readonly ChatMessage[]): string {
  const results: Extract<ChatMessage, { role: 'tool' }>[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'tool') break;
    results.unshift(message);
  }
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'assistant')
      for (const call of message.toolCalls ?? []) names.set(call.id, call.name);
  }
  return results
    .map((result) => `Tool ${names.get(result.toolCallId) ?? 'unknown'} returned: ${preview(result.content)}`)
    .join('\n');
}

function preview(output: string): string {
  const trimmed = output.trim();
  if (trimmed.length <= OUTPUT_PREVIEW_CHARS) return trimmed;
  return `${trimmed.slice(0, OUTPUT_PREVIEW_CHARS)}… (${trimmed.length - OUTPUT_PREVIEW_CHARS} more characters)`;
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    return message.content
      .map((part) => (part.type === 'text' ? part.text : `[image ${part.mimeType}]`))
      .join(' ');
  }
  return '';
}
