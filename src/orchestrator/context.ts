import type { TapeEvent } from '../core/types.js';
import type { ChatMessage } from '../providers/provider.js';
import { estimateMessageTokens } from '../providers/token-estimate.js';
import type { ProviderResponseBody, ToolOutputBody } from './tape-view.js';

/** How many earlier runs of a session are read at most when rebuilding context. */
export const HISTORY_MAX_RUNS = 24;

/** Tape kinds that make up the history of earlier turns. */
export const HISTORY_KINDS = ['input', 'reply'] as const;

/**
 * Turns earlier runs' tape events (input + reply, oldest run first) into user/assistant turns and
 * keeps the most recent turns that fit in `budgetTokens`. Work is bounded by `HISTORY_MAX_RUNS`,
 * so a turn costs the same in a long session as in a new one.
 */
export function historyMessages(events: readonly TapeEvent[], budgetTokens: number): ChatMessage[] {
  const turns: ChatMessage[][] = [];
  let current: ChatMessage[] | undefined;
  let currentRun = '';
  for (const e of events) {
    if (e.runId !== currentRun) {
      currentRun = e.runId;
      current = [];
      turns.push(current);
    }
    const text = String((e.body as { text?: unknown }).text ?? '');
    if (e.kind === 'input') current!.push({ role: 'user', content: text });
    else if (e.kind === 'reply') current!.push({ role: 'assistant', content: text });
  }
  const kept: ChatMessage[][] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    // A turn without a reply (failed/cancelled run) is left out: it would confuse the model.
    if (turn.length < 2) continue;
    const cost = turn.reduce((n, m) => n + estimateMessageTokens(m), 0);
    if (used + cost > budgetTokens) break;
    used += cost;
    kept.unshift(turn);
  }
  return kept.flat();
}

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
