import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** What the app sent back for an envelope. */
export interface EnvelopeAck {
  envelope_id: string;
  payload?: unknown;
}

/**
 * A minimal Socket Mode server: greets each connection with `hello`, pushes envelopes
 * (`events_api`, `interactive`, `slash_commands`) and resolves with the app's ack.
 */
export class FakeSocketMode {
  readonly acks: EnvelopeAck[] = [];
  private server: WebSocketServer | undefined;
  private socket: WebSocket | undefined;
  private connected: Promise<void> = Promise.resolve();
  private envelopes = 0;
  private readonly waiting = new Map<string, (ack: EnvelopeAck) => void>();
  private port = 0;

  /** The `wss://`-like URL to hand out from `apps.connections.open`. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/link`;
  }

  /** Starts listening; `connection()` resolves when the app has connected and been greeted. */
  async start(): Promise<void> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server = server;
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.connected = new Promise((resolve) => {
      server.on('connection', (socket) => {
        this.socket = socket;
        socket.on('message', (data) => this.onMessage(data.toString()));
        socket.send(
          JSON.stringify({
            type: 'hello',
            num_connections: 1,
            debug_info: { host: 'fake', approximate_connection_time: 3600 },
            connection_info: { app_id: 'A0FAKE' },
          }),
        );
        resolve();
      });
    });
  }

  /** Resolves once the app is connected. */
  connection(): Promise<void> {
    return this.connected;
  }

  /** Pushes an envelope and resolves with the app's ack. */
  send(
    type: 'events_api' | 'interactive' | 'slash_commands',
    payload: Record<string, unknown>,
    retryAttempt = 0,
  ) {
    if (!this.socket) throw new Error('no Socket Mode connection yet');
    this.envelopes += 1;
    const envelopeId = `env-${this.envelopes}`;
    const acked = new Promise<EnvelopeAck>((resolve) => this.waiting.set(envelopeId, resolve));
    this.socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt > 0 ? 'timeout' : '',
      }),
    );
    return acked;
  }

  /** Closes the server and its connections. */
  async stop(): Promise<void> {
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private onMessage(text: string): void {
    const ack = JSON.parse(text) as EnvelopeAck;
    if (typeof ack.envelope_id !== 'string') return;
    this.acks.push(ack);
    this.waiting.get(ack.envelope_id)?.(ack);
    this.waiting.delete(ack.envelope_id);
  }
}
