import type { ComponentChildren } from 'preact';
import { formatNumber, pretty } from '../format';

/** Bodies longer than this are collapsed behind a <details>. */
const COLLAPSE_AT = 400;

function Block(props: { label: string; text: string }) {
  if (props.text.length <= COLLAPSE_AT)
    return (
      <div class="field">
        <span class="label">{props.label}</span>
        <pre>{props.text}</pre>
      </div>
    );
  return (
    <details class="field">
      <summary>
        {props.label} ({formatNumber(props.text.length)} characters)
      </summary>
      <pre>{props.text}</pre>
    </details>
  );
}

function Line(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="field inline">
      <span class="label">{props.label}</span> {props.children}
    </div>
  );
}

/** A readable body of one tape event, by kind; anything unknown as JSON. */
export function TapeBody(props: { kind: string; body: unknown }) {
  const b = (props.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : pretty(v));
  switch (props.kind) {
    case 'input':
    case 'reply':
      return <Block label="Text" text={str(b.text ?? b)} />;
    case 'state':
      return (
        <Line label="State">
          {String(b.from)} → <strong>{String(b.to)}</strong>
          {b.reason ? ` (${String(b.reason)})` : ''}
        </Line>
      );
    case 'provider_request':
      return (
        <Line label="Request">
          {String(b.provider ?? '')} {String(b.model ?? '')} · {String(b.messages ?? '?')} messages
          {Array.isArray(b.tools) && b.tools.length > 0 ? ` · tools ${b.tools.join(', ')}` : ''}
        </Line>
      );
    case 'provider_response': {
      const usage = (b.usage ?? {}) as Record<string, number>;
      return (
        <>
          <Line label="Usage">
            {formatNumber(usage.promptTokens ?? 0)} prompt + {formatNumber(usage.completionTokens ?? 0)}{' '}
            completion = <strong>{formatNumber(usage.totalTokens ?? 0)} tokens</strong>
            {typeof b.latencyMs === 'number' ? ` · ${formatNumber(b.latencyMs)} ms` : ''}
            {b.finishReason ? ` · ${String(b.finishReason)}` : ''}
          </Line>
          {typeof b.text === 'string' && b.text !== '' && <Block label="Text" text={b.text} />}
          {Array.isArray(b.toolCalls) && b.toolCalls.length > 0 && (
            <Block label="Tool calls" text={pretty(b.toolCalls)} />
          )}
        </>
      );
    }
    case 'tool_call':
      return (
        <>
          <Line label="Tool">
            <code>{String(b.tool)}</code>
            {b.via ? ` · via ${String(b.via)}` : ''}
          </Line>
          <Block label="Arguments" text={pretty(b.args)} />
        </>
      );
    case 'tool_output':
      return (
        <>
          <Line label="Tool">
            <code>{String(b.tool)}</code> · {b.denied ? 'denied' : b.ok ? 'ok' : 'failed'}
            {typeof b.durationMs === 'number' ? ` · ${formatNumber(b.durationMs)} ms` : ''}
          </Line>
          <Block label="Output" text={str(b.output ?? '')} />
        </>
      );
    case 'error':
      return (
        <Line label="Error">
          {b.source ? `${String(b.source)}: ` : ''}
          {String(b.message ?? pretty(b))}
        </Line>
      );
    default:
      return <Block label="Body" text={pretty(props.body)} />;
  }
}
