import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { runTraceIds, traceJournal } from '../../src/app/trace-journal.js';
import { createRunTracing, tracingFromEnvironment } from '../../src/app/tracing.js';
import type { InboundMessage } from '../../src/core/types.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const poll = { timeout: 5000, interval: 10 };
let seq = 0;
const message = (key: string, text: string): InboundMessage => ({
  channel: 'test',
  eventId: `trace-ev-${++seq}`,
  device: 'test',
  principal: 'console:alice',
  sessionKey: key,
  conversation: { platform: 'test', channel: key },
  text,
});

/** The finished spans of one trace by name (each name once). */
function byName(spans: readonly ReadableSpan[]): Map<string, ReadableSpan[]> {
  const map = new Map<string, ReadableSpan[]>();
  for (const span of spans) map.set(span.name, [...(map.get(span.name) ?? []), span]);
  return map;
}

describe('run traces (OpenTelemetry)', () => {
  let core: CoreHarness | undefined;
  afterEach(async () => {
    await core?.stop();
    core = undefined;
  });

  it('one trace per run from receive to delivery: model calls, the tool with its decision, the approval', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createRunTracing(new SimpleSpanProcessor(exporter));
    core = await startCoreHarness({
      groups: { admins: ['console:admin'], members: ['console:*'] },
      wrapJournal: (journal) => traceJournal(journal, tracing.tracer, tracing.startRoot),
    });
    const channel = new RecordingChannel('test');
    core.channels.set('test', channel);
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] }, { text: 'done it' });
    const accepted = await core.gateway.submit(message('k:trace', 'please act'));
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    await core.gateway.decideApproval({
      approvalId: channel.cards[0]!.approvalId,
      decision: 'approve',
      decider: 'console:admin',
    });
    await expect.poll(() => channel.texts(), poll).toEqual(['done it']);
    await expect
      .poll(() => exporter.getFinishedSpans().some((s) => s.name === 'switchboard.run'), poll)
      .toBe(true);

    const { runId } = accepted;
    const spans = exporter.getFinishedSpans();
    const ids = runTraceIds(runId);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([ids.traceId]));
    const named = byName(spans);
    const [root] = named.get('switchboard.run')!;
    expect(root!.spanContext().spanId).toBe(ids.spanId);
    expect(root!.parentSpanContext).toBeUndefined();
    expect(root!.attributes['switchboard.run.id']).toBe(runId);
    expect(root!.attributes['switchboard.run.state']).toBe('succeeded');
    // Every other span is a child of the run.
    for (const span of spans.filter((s) => s !== root)) {
      expect(span.parentSpanContext?.spanId, span.name).toBe(ids.spanId);
    }
    expect(named.get('switchboard.receive')).toHaveLength(1);
    expect(named.get('switchboard.model')).toHaveLength(2);
    const [approval] = named.get('switchboard.approval')!;
    expect(approval!.attributes).toMatchObject({
      'switchboard.tool': 'test_action',
      'switchboard.policy.decision': 'ask',
      'switchboard.approval.decision': 'approved',
    });
    const [tool] = named.get('switchboard.tool')!;
    expect(tool!.attributes).toMatchObject({
      'switchboard.tool': 'test_action',
      'switchboard.policy.decision': 'approval',
    });
    const deliveries = named.get('switchboard.deliver')!.map((s) => s.attributes['switchboard.outbox.kind']);
    expect(deliveries).toEqual(expect.arrayContaining(['approval_card', 'reply']));
    // In order: received first, the reply delivered last, the run spanning them all.
    const start = (s: ReadableSpan) => s.startTime[0] * 1e9 + s.startTime[1];
    const end = (s: ReadableSpan) => s.endTime[0] * 1e9 + s.endTime[1];
    const reply = named
      .get('switchboard.deliver')!
      .find((s) => s.attributes['switchboard.outbox.kind'] === 'reply')!;
    expect(start(named.get('switchboard.receive')![0]!)).toBeLessThanOrEqual(
      start(named.get('switchboard.model')![0]!),
    );
    expect(end(reply)).toBeLessThanOrEqual(end(root!));
    expect(start(root!)).toBeLessThanOrEqual(start(named.get('switchboard.receive')![0]!));
    await tracing.shutdown();
  });

  it('a run continued by another replica joins the same trace, under the same root', async () => {
    const journal = await openSqliteJournal({ path: ':memory:' });
    const exporterA = new InMemorySpanExporter();
    const exporterB = new InMemorySpanExporter();
    const a = createRunTracing(new SimpleSpanProcessor(exporterA));
    const b = createRunTracing(new SimpleSpanProcessor(exporterB));
    const replicaA = traceJournal(journal, a.tracer, a.startRoot);
    const replicaB = traceJournal(journal, b.tracer, b.startRoot);
    const accepted = await replicaA.acceptInbound({
      message: message('k:two', 'hi'),
      createSession: true,
      now: 1,
    });
    if (accepted.duplicate) throw new Error('unexpected duplicate');
    const runId = accepted.run.id;
    // Replica B takes the run over and calls the model.
    await replicaB.commitStep(runId, { now: 2, transition: { to: 'running' } });
    await replicaB.commitStep(runId, { now: 3, tape: [{ kind: 'provider_request', body: {} }] });
    await replicaB.commitStep(runId, { now: 4, tape: [{ kind: 'provider_response', body: {} }] });
    const [model] = exporterB.getFinishedSpans();
    expect(model?.name).toBe('switchboard.model');
    const ids = runTraceIds(runId);
    expect(model?.spanContext().traceId).toBe(ids.traceId);
    expect(model?.parentSpanContext?.spanId).toBe(ids.spanId);
    expect(exporterA.getFinishedSpans().map((s) => s.name)).toEqual(['switchboard.receive']);
    await a.shutdown();
    await b.shutdown();
    await journal.close();
  });

  it('is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    expect(tracingFromEnvironment({})).toBeUndefined();
    const on = tracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(on).toBeDefined();
    await on?.shutdown();
  });
});
