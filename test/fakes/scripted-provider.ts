import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/providers/provider.js';

/** One scripted answer of the in-process provider. */
export type ScriptedStep =
  /**
   * Answers `text`. It is streamed word by word over `streamMs` (default: one delta with all of
   * it), or with `stream: false` not streamed at all (after `streamMs`), like a provider without
   * streaming.
   */
  | { text: string; streamMs?: number; stream?: false }
  | { toolCalls: { name: string; args: Record<string, unknown> }[] }
  /** Never answers until the request is aborted; streams `streamFirst` before it hangs. */
  | { hang: true; streamFirst?: string };

/**
 * An in-process `ModelProvider` for scenario tests that do not need HTTP: scripted answers in
 * order, then an echo. Records every request.
 */
export class ScriptedProvider implements ModelProvider {
  readonly name = 'scripted';
  readonly model = 'scripted-model';
  readonly requests: ModelRequest[] = [];
  /** Answers a call the queue has nothing for (before the echo), when it returns a step. */
  fallback: ((request: ModelRequest) => ScriptedStep | undefined) | undefined;
  private readonly queue: ScriptedStep[] = [];
  private calls = 0;

  /** Queues answers for the next calls. */
  enqueue(...steps: ScriptedStep[]): void {
    this.queue.push(...steps);
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const step = this.queue.shift() ?? this.fallback?.(request);
    const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
    if (step && 'hang' in step) {
      if (step.streamFirst !== undefined) request.onDelta?.(step.streamFirst);
      await new Promise<never>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    if (step && 'toolCalls' in step) {
      return {
        text: '',
        toolCalls: step.toolCalls.map((c) => ({
          id: `call_${++this.calls}`,
          name: c.name,
          arguments: JSON.stringify(c.args),
        })),
        usage,
        finishReason: 'tool_calls',
        model: this.model,
      };
    }
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    const text =
      step && 'text' in step
        ? step.text
        : `You said: ${typeof last?.content === 'string' ? last.content : ''}`;
    if (step && 'text' in step && step.stream === false) {
      // Generated in the same time, but nothing is seen until it is complete.
      const { streamMs } = step;
      if (streamMs !== undefined) await new Promise((resolve) => setTimeout(resolve, streamMs));
    } else if (step && 'text' in step && step.streamMs !== undefined) {
      await streamWords(text, step.streamMs, request);
    } else request.onDelta?.(text);
    return { text, toolCalls: [], usage, finishReason: 'stop', model: this.model };
  }
}

/** At most this many deltas per answer: a long text is streamed a few words at a time. */
const MAX_DELTAS = 200;

/** Sends `text` to `onDelta` word by word (or a few at a time), evenly over `ms`; stops early when aborted. */
async function streamWords(text: string, ms: number, request: ModelRequest): Promise<void> {
  const words = text.split(/(?<=\s)/);
  const per = Math.ceil(words.length / MAX_DELTAS);
  const deltas = Math.ceil(words.length / per);
  for (let i = 0; i < words.length; i += per) {
    if (request.signal.aborted) throw new Error('aborted');
    request.onDelta?.(words.slice(i, i + per).join(''));
    await new Promise((resolve) => setTimeout(resolve, ms / deltas));
  }
}
