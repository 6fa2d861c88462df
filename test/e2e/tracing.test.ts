import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

/** The parts of an OTLP/HTTP JSON export the test reads. */
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[];
  }[];
}

/** A stand-in OpenTelemetry collector: keeps every trace export it is sent. */
async function startCollector(): Promise<{ url: string; exports: OtlpExport[]; server: Server }> {
  const exports: OtlpExport[] = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      if (req.url === '/v1/traces') exports.push(JSON.parse(body) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, server };
}

describe('OpenTelemetry traces from the daemon', () => {
  let fake: FakeOpenAI;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let daemon: DaemonProcess | undefined;
  const data = tempDataDir();

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    collector = await startCollector();
    daemon = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'switchboard-e2e',
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await fake?.close();
    collector?.server.close();
    data.cleanup();
  });

  it('exports one trace per run over OTLP, receive to deliver, when a collector is set', async () => {
    const sent = await daemon!.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:trace',
      text: 'hello traces',
    });
    expect(sent.status).toBe(202);
    expect((await daemon!.waitForRun(sent.body.run_id)).state).toBe('succeeded');
    await daemon!.stop(); // shutting down flushes the batch
    daemon = undefined;
    const resources = collector.exports.flatMap((e) => e.resourceSpans);
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const root = spans.find((s) => s.name === 'switchboard.run');
    expect(root).toBeDefined();
    const names = spans.filter((s) => s.traceId === root!.traceId).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['switchboard.receive', 'switchboard.model', 'switchboard.run']),
    );
    expect(resources[0]?.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'switchboard-e2e' },
    });
  });
});
