/**
 * Context compaction (DESIGN.md section 9): earlier turns of a session that no longer fit the
 * agent's context budget are condensed by the model into a `summary` tape event instead of being
 * dropped without a word. A request then carries the latest summary plus the recent turns, so
 * its size stays flat however long the session grows.
 *
 * A summary covers every turn up to and including the run `throughRunId` (ULIDs sort by time),
 * folding in the summary before it; it is written on the tape of the run that needed it, and
 * later runs find it in the session history. Turns are kept while they fit the budget and at most
 * `MAX_RECENT_TURNS` of them, so a summary is always made before it could fall out of the
 * history window (`HISTORY_MAX_RUNS`).
 */
import type { TapeEvent, TokenUsage } from '../core/types.js';
import type { ChatMessage, ModelProvider } from '../providers/provider.js';
import { estimateMessageTokens, estimateTokens } from '../providers/token-estimate.js';
import { HISTORY_MAX_RUNS } from './context.js';

/** The recent turns kept beside a summary at most: half the history window. */
export const MAX_RECENT_TURNS = Math.floor(HISTORY_MAX_RUNS / 2);

/** Body of a `summary` tape event. */
export interface SummaryBody {
  text: string;
  /** The last run whose turn the summary covers; later turns are carried as they are. */
  throughRunId: string;
  /** How many turns this summary folded in (beside the summary before it, if any). */
  turns: number;
  model: string;
  usage: TokenUsage;
}

/** One earlier turn: a run's input and reply. */
interface Turn {
  runId: string;
  messages: ChatMessage[];
  tokens: number;
}

/** What the session's history holds for the next request, before anything is summarised. */
export interface ContextPlan {
  /** The latest summary, if any. */
  summary: SummaryBody | undefined;
  /** Turns carried as they are, oldest first. */
  recent: ChatMessage[];
  /** Turns that do not fit beside the summary, oldest first: to be summarised. */
  overflow: Turn[];
}

/** Groups history events (input, reply, summary; oldest run first) into turns and the latest summary. */
function readHistory(events: readonly TapeEvent[]): { summary: SummaryBody | undefined; turns: Turn[] } {
  let summary: SummaryBody | undefined;
  const byRun = new Map<string, ChatMessage[]>();
  for (const e of events) {
    if (e.kind === 'summary') {
      summary = e.body as SummaryBody;
      continue;
    }
    const text = String((e.body as { text?: unknown }).text ?? '');
    const messages = byRun.get(e.runId) ?? [];
    if (e.kind === 'input') messages.push({ role: 'user', content: text });
    else if (e.kind === 'reply') messages.push({ role: 'assistant', content: text });
    byRun.set(e.runId, messages);
  }
  const turns: Turn[] = [];
  for (const [runId, messages] of byRun) {
    // A turn without a reply (failed/cancelled run) is left out: it would confuse the model.
    if (messages.length < 2) continue;
    if (summary && runId <= summary.throughRunId) continue;
    turns.push({ runId, messages, tokens: messages.reduce((n, m) => n + estimateMessageTokens(m), 0) });
  }
  return { summary, turns };
}

/**
 * Plans the history of the next request within `budgetTokens`: the latest summary, the most
 * recent turns that fit beside it (at most `MAX_RECENT_TURNS`), and the older ones that do not.
 * `pending` is a summary already made by this run (a resumed run reuses it).
 */
export function planContext(
  events: readonly TapeEvent[],
  budgetTokens: number,
  pending?: SummaryBody,
): ContextPlan {
  const history = readHistory(pending ? [...events, summaryEvent(pending)] : events);
  const { summary, turns } = history;
  const base = summary ? estimateTokens(summary.text) : 0;
  let cut = fitFrom(turns, base, budgetTokens, MAX_RECENT_TURNS);
  // Once something must be summarised, summarise down to half the room, so the next summary is
  // several turns away rather than due at every turn.
  if (cut > 0) cut = Math.max(cut, fitFrom(turns, base, budgetTokens / 2, MAX_RECENT_TURNS / 2));
  return {
    summary,
    recent: turns.slice(cut).flatMap((t) => t.messages),
    overflow: turns.slice(0, cut),
  };
}

/** The first index of the most recent turns that fit `budget` beside `used`, at most `maxTurns` of them. */
function fitFrom(turns: readonly Turn[], used: number, budget: number, maxTurns: number): number {
  let cut = turns.length;
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (used + turn.tokens > budget || turns.length - i > maxTurns) break;
    used += turn.tokens;
    cut = i;
  }
  return cut;
}

function summaryEvent(body: SummaryBody): TapeEvent {
  return { runId: body.throughRunId, seq: Number.MAX_SAFE_INTEGER, kind: 'summary', at: 0, body };
}

/** The system message that carries a summary into a request. */
export function summaryMessage(summary: SummaryBody): ChatMessage {
  return {
    role: 'system',
    content: `Summary of the earlier conversation in this session (older turns are not repeated):\n${summary.text}`,
  };
}

/** The system note of a request whose older turns could not be summarised. */
export const DROPPED_NOTE: ChatMessage = {
  role: 'system',
  content:
    'Some earlier turns of this conversation were left out because they could not be summarised; ask the person if you need them.',
};

const INSTRUCTIONS =
  'You condense a conversation between a team and their assistant so that the assistant can carry on without the full text. ' +
  'Write a compact summary of the facts, decisions, names, numbers, open questions and anything the people asked to be remembered. ' +
  'Keep it under the length limit; write plain text, no preamble.';

/**
 * Asks the model for a summary of `overflow` (folding in `previous`), within `maxTokens`.
 * Throws what the provider throws; the caller falls back to the recent turns.
 */
export async function summarize(
  provider: ModelProvider,
  previous: SummaryBody | undefined,
  overflow: readonly Turn[],
  options: { maxTokens: number; signal: AbortSignal },
): Promise<SummaryBody> {
  const transcript = overflow
    .flatMap((turn) => turn.messages)
    .map(
      (m) =>
        `${m.role === 'user' ? 'Person' : 'Assistant'}: ${typeof m.content === 'string' ? m.content : ''}`,
    )
    .join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: `${INSTRUCTIONS} Length limit: about ${options.maxTokens} tokens.` },
    {
      role: 'user',
      content: [
        previous ? `The summary so far:\n${previous.text}\n` : '',
        `The turns to add:\n${transcript}`,
      ].join('\n'),
    },
  ];
  const response = await provider.complete({
    messages,
    tools: [],
    signal: options.signal,
    maxTokens: options.maxTokens,
  });
  const last = overflow.at(-1);
  if (!last) throw new Error('nothing to summarise');
  return {
    text: response.text.trim(),
    throughRunId: last.runId,
    turns: overflow.length,
    model: response.model,
    usage: response.usage,
  };
}
