/**
 * Fast token estimates for budgeting a run's context and for usage when a server reports none.
 * No tokenizer is loaded: the numbers are deliberately rough and lean high, so a budget built on
 * them errs on the side of sending less.
 */
import type { ChatMessage } from './provider.js';

/** Tokens charged per message for its role and framing, as chat formats add a few per message. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Tokens charged per image part: about one 512×512 tile at high detail plus the base cost. */
const IMAGE_TOKENS = 765;

/** Tokens charged per tool call for its id, name and framing, on top of its arguments. */
const TOOL_CALL_OVERHEAD_TOKENS = 8;

/**
 * Estimates the tokens of a text: ASCII characters count a quarter token each (the usual
 * "four characters per token" of English and code), every other code point counts one token
 * (CJK, emoji and accented text tokenize far denser than ASCII). Rounded up; `''` is 0.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      ascii++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      // The low half of a surrogate pair: its high half was already counted.
    } else {
      other++;
    }
  }
  return Math.ceil(ascii / 4 + other);
}

/**
 * Estimates the tokens one message takes in the model's context: its text, images, tool calls
 * and a small per-message overhead. The orchestrator sums these to keep a run within budget.
 */
export function estimateMessageTokens(message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  switch (message.role) {
    case 'system':
      tokens += estimateTokens(message.content);
      break;
    case 'user':
      if (typeof message.content === 'string') {
        tokens += estimateTokens(message.content);
      } else {
        for (const part of message.content) {
          tokens += part.type === 'text' ? estimateTokens(part.text) : IMAGE_TOKENS;
        }
      }
      break;
    case 'assistant':
      tokens += estimateTokens(message.content ?? '');
      for (const call of message.toolCalls ?? []) {
        tokens += TOOL_CALL_OVERHEAD_TOKENS + estimateTokens(call.name) + estimateTokens(call.arguments);
      }
      break;
    case 'tool':
      tokens += estimateTokens(message.toolCallId) + estimateTokens(message.content);
      break;
  }
  return tokens;
}
