import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/providers/provider.js';

/** One scripted answer of the in-process provider. */
export type ScriptedStep =
  | { text: string }
  | { toolCalls: { name: string; args: Record<string, unknown> }[] }
  /** Never answers until the request is aborted. */
  | { hang: true };

/**
 * An in-process `ModelProvider` for scenario tests that do not need HTTP: scripted answers in
 * order, then an echo. Records every request.
 */
export class ScriptedProvider implements ModelProvider {
  readonly name = 'scripted';
  readonly model = 'scripted-model';
  readonly requests: ModelRequest[] = [];
  private readonly queue: ScriptedStep[] = [];
  private calls = 0;

  /** Queues answers for the next calls. */
  enqueue(...steps: ScriptedStep[]): void {
    this.queue.push(...steps);
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const step = this.queue.shift();
    const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
    if (step && 'hang' in step) {
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
    request.onDelta?.(text);
    return { text, toolCalls: [], usage, finishReason: 'stop', model: this.model };
  }
}
