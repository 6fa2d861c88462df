import type { TapeEvent, TokenUsage } from '../core/types.js';
import type { ToolCallRequest } from '../providers/provider.js';

/** Body of a `provider_response` tape event. */
export interface ProviderResponseBody {
  text: string;
  toolCalls: ToolCallRequest[];
  usage: TokenUsage;
  finishReason: string;
  model: string;
  latencyMs: number;
}

/** Body of a `tool_output` tape event. */
export interface ToolOutputBody {
  toolCallId: string;
  tool: string;
  ok: boolean;
  output: string;
  denied?: boolean;
  detail?: Record<string, unknown>;
  durationMs?: number;
}

/** Body of a `tool_call` tape event: the intent to run, written before running. */
export interface ToolCallBody {
  toolCallId: string;
  tool: string;
  /** Where the tool comes from when not a built-in: `mcp:<server>`. */
  source?: string;
  args: unknown;
  argsHash: string;
  via: 'policy' | 'approval' | 'session_grant';
  policyIds: string[];
  approvalId?: string;
}

/** Body of an `approval_request` tape event. */
export interface ApprovalRequestBody {
  approvalId: string;
  toolCallId: string;
  tool: string;
  argsHash: string;
  expiresAt: number;
  policyIds: string[];
}

/**
 * A read-only view of one run's tape: where the run stands, derived from the tape alone, so a run
 * resumes after an approval or a restart exactly where it was.
 */
export class TapeView {
  constructor(readonly events: readonly TapeEvent[]) {}

  /** The input text (seq 0). */
  get inputText(): string {
    const first = this.events[0];
    return first?.kind === 'input' ? String((first.body as { text?: unknown }).text ?? '') : '';
  }

  /** Number of provider calls made so far. */
  get steps(): number {
    return this.events.filter((e) => e.kind === 'provider_request').length;
  }

  /** Number of tool calls the model asked for so far. */
  get toolCallsRequested(): number {
    let n = 0;
    for (const e of this.events)
      if (e.kind === 'provider_response') n += (e.body as ProviderResponseBody).toolCalls.length;
    return n;
  }

  /** Total tokens spent by this run. */
  get tokensUsed(): number {
    let n = 0;
    for (const e of this.events)
      if (e.kind === 'provider_response') n += (e.body as ProviderResponseBody).usage.totalTokens;
    return n;
  }

  /** The last provider response, if any. */
  lastResponse(): ProviderResponseBody | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.kind === 'provider_response') return e.body as ProviderResponseBody;
    }
    return undefined;
  }

  /** Tool calls of the last response that have no `tool_output` yet, in order. */
  pendingToolCalls(): ToolCallRequest[] {
    const last = this.lastResponse();
    if (!last) return [];
    const done = new Set(this.outputs().map((o) => o.toolCallId));
    return last.toolCalls.filter((c) => !done.has(c.id));
  }

  /** Every tool output so far. */
  outputs(): ToolOutputBody[] {
    return this.events.filter((e) => e.kind === 'tool_output').map((e) => e.body as ToolOutputBody);
  }

  /** The `tool_call` intent of a tool call id, if written. */
  intentOf(toolCallId: string): ToolCallBody | undefined {
    for (const e of this.events) {
      if (e.kind === 'tool_call' && (e.body as ToolCallBody).toolCallId === toolCallId)
        return e.body as ToolCallBody;
    }
    return undefined;
  }

  /** The approval requested for a tool call id, if any. */
  approvalOf(toolCallId: string): ApprovalRequestBody | undefined {
    for (const e of this.events) {
      if (e.kind === 'approval_request' && (e.body as ApprovalRequestBody).toolCallId === toolCallId) {
        return e.body as ApprovalRequestBody;
      }
    }
    return undefined;
  }

  /** Whether the final reply is already on the tape. */
  hasReply(): boolean {
    return this.events.some((e) => e.kind === 'reply');
  }
}
