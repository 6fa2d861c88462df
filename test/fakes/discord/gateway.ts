import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { type FakeWorld, snowflake } from './world.js';

/** Discord's privileged Message Content intent bit. */
const MESSAGE_CONTENT_INTENT = 1 << 15;
const HEARTBEAT_INTERVAL_MS = 41_250;

interface Dispatched {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  /** Every dispatch of the session, for RESUME replays. */
  history: Dispatched[];
  socket: WebSocket | undefined;
  intents: number;
}

/**
 * The gateway WebSocket of the fake Discord (`/gateway`, JSON, no compression): HELLO,
 * IDENTIFY → READY + GUILD_CREATE, heartbeat ACKs, RESUME with replay of missed events, and
 * dispatch of events to the connected bot. It closes with 4004 on a bad token and 4014 when
 * Message Content is requested but not enabled.
 */
export class FakeGateway {
  /** Every op the bot sent, in order (IDENTIFY, RESUME, heartbeats…). */
  readonly received: { op: number; at: number; intents?: number }[] = [];
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, Session>();
  private current: Session | undefined;
  private readyWaiters: (() => void)[] = [];

  constructor(
    server: Server,
    private readonly world: FakeWorld,
    private readonly options: { token: string; url: () => string; messageContentEnabled: () => boolean },
  ) {
    this.wss = new WebSocketServer({ server, path: '/gateway' });
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** Whether a bot session is identified (or resumed) and connected. */
  get connected(): boolean {
    return this.current?.socket !== undefined;
  }

  /** Resolves when a bot is connected and ready. */
  async whenReady(): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends an event to the connected bot (and keeps it for a RESUME replay). */
  dispatch(type: string, data: unknown): void {
    const session = this.current;
    if (!session) return;
    session.seq += 1;
    const event = { s: session.seq, t: type, d: data };
    session.history.push(event);
    session.socket?.send(JSON.stringify({ op: 0, ...event }));
  }

  /** Drops the connection as a network failure would (close code 4000 → the bot resumes). */
  dropConnection(code = 4000): void {
    const socket = this.current?.socket;
    if (this.current) this.current.socket = undefined;
    socket?.close(code, 'fake: connection dropped');
  }

  /** Closes every socket and the server. */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS } }));
    socket.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(String(raw)) as { op?: number; d?: unknown };
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      const intents = (payload.d as { intents?: unknown } | null)?.intents;
      this.received.push({
        op: payload.op ?? -1,
        at: Date.now(),
        ...(payload.op === 2 && typeof intents === 'number' ? { intents } : {}),
      });
      switch (payload.op) {
        case 1:
          socket.send(JSON.stringify({ op: 11 }));
          break;
        case 2:
          this.identify(socket, payload.d as { token?: string; intents?: number });
          break;
        case 6:
          this.resume(socket, payload.d as { token?: string; session_id?: string; seq?: number });
          break;
        default:
          break;
      }
    });
    socket.on('close', () => {
      if (this.current?.socket === socket) this.current.socket = undefined;
    });
  }

  private identify(socket: WebSocket, d: { token?: string; intents?: number }): void {
    if (d.token !== this.options.token) {
      socket.close(4004, 'Authentication failed.');
      return;
    }
    const intents = d.intents ?? 0;
    if ((intents & MESSAGE_CONTENT_INTENT) !== 0 && !this.options.messageContentEnabled()) {
      socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    const session: Session = { id: snowflake(), seq: 0, history: [], socket, intents };
    this.sessions.set(session.id, session);
    this.current = session;
    this.dispatch('READY', {
      v: 10,
      user: this.world.userPayload(this.world.bot),
      guilds: [{ id: this.world.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.options.url(),
      shard: [0, 1],
      application: { id: this.world.applicationId, flags: 0 },
    });
    this.dispatch('GUILD_CREATE', this.world.guildPayload());
    this.notifyReady();
  }

  private resume(socket: WebSocket, d: { token?: string; session_id?: string; seq?: number }): void {
    const session = d.session_id === undefined ? undefined : this.sessions.get(d.session_id);
    if (d.token !== this.options.token || !session) {
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = socket;
    this.current = session;
    for (const event of session.history) {
      if (event.s > (d.seq ?? 0)) socket.send(JSON.stringify({ op: 0, ...event }));
    }
    this.dispatch('RESUMED', {});
    this.notifyReady();
  }

  private notifyReady(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
