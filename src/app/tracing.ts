/**
 * OpenTelemetry for the daemon (the official SDK): off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; then spans go to that collector over OTLP/HTTP in
 * batches, with the service name from `OTEL_SERVICE_NAME` (default `switchboard`). The SDK reads
 * the exporter's other `OTEL_*` settings (headers, timeout) itself.
 */
import { ROOT_CONTEXT, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { runTraceIds } from './trace-journal.js';

/** A tracer for runs, the way to start a run's root span with its derived ids, and shutdown. */
export interface RunTracing {
  tracer: Tracer;
  /** Starts the root span of a run: trace and span id derived from the run id (`runTraceIds`). */
  startRoot(runId: string, startTime: number): Span;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Builds run tracing on `processor` (tests pass a `SimpleSpanProcessor` over an
 * `InMemorySpanExporter`). Ids are random except for a run's root span, whose ids come from the
 * run id, so every replica that works on the run adds to one trace.
 */
export function createRunTracing(processor: SpanProcessor, serviceName = 'switchboard'): RunTracing {
  const random = new RandomIdGenerator();
  let next: { traceId: string; spanId: string } | undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [processor],
    idGenerator: {
      generateTraceId: () => next?.traceId ?? random.generateTraceId(),
      generateSpanId: () => next?.spanId ?? random.generateSpanId(),
    },
  });
  const tracer = provider.getTracer('switchboard');
  return {
    tracer,
    startRoot: (runId, startTime) => {
      next = runTraceIds(runId);
      try {
        return tracer.startSpan('switchboard.run', { startTime }, ROOT_CONTEXT);
      } finally {
        next = undefined;
      }
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Run tracing exporting over OTLP/HTTP when the environment names a collector; else undefined. */
export function tracingFromEnvironment(env: NodeJS.ProcessEnv): RunTracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  return createRunTracing(
    new BatchSpanProcessor(new OTLPTraceExporter()),
    env.OTEL_SERVICE_NAME || 'switchboard',
  );
}
