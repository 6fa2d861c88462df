import type { TapeEvent } from '../core/types.js';
import type { ChatMessage } from '../providers/provider.js';
import type { ProviderResponseBody, ToolOutputBody } from './tape-view.js';

/** How many earlier runs of a session are read at most when rebuilding context. */
export const HISTORY_MAX_RUNS = 24;

/** Tape kinds that make up the history of earlier turns. */
export const HISTORY_KINDS = ['input', 'reply'] as const;

/** Replays the current run's tape as messages: the input, then each response and its tool outputs. */
export function runMessages(
  tape: readonly TapeEvent[],
  inputContent: ChatMessage | undefined,
): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const e of tape) {
    if (e.kind === 'input') {
      out.push(inputContent ?? { role: 'user', content: String((e.body as { text?: unknown }).text ?? '') });
    } else if (e.kind === 'provider_response') {
      const body = e.body as ProviderResponseBody;
      out.push(
        body.toolCalls.length > 0
          ? { role: 'assistant', content: body.text || null, toolCalls: body.toolCalls }
          : { role: 'assistant', content: body.text },
      );
    } else if (e.kind === 'tool_output') {
      const body = e.body as ToolOutputBody;
      out.push({ role: 'tool', toolCallId: body.toolCallId, content: body.output });
    }
  }
  return out;
}
