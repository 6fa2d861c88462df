import pg from 'pg';
import type { JournalSignal } from '../store.js';

/** Options of `SignalListener`. */
export interface SignalListenerOptions {
  /** Connection settings of the dedicated listening client (the pool's, minus pooling). */
  connection: pg.ClientConfig;
  /** The NOTIFY channel the journal's transactions publish on. */
  channel: string;
  /** Delay before the first reconnect; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Told about connection trouble (never throws into the caller). */
  onError?: (error: Error) => void;
}

const SIGNAL_TYPES = new Set<JournalSignal['type']>([
  'run_accepted',
  'run_cancelled',
  'approval_decided',
  'outbox',
  'grants_changed',
  'people',
]);

/** Parses a NOTIFY payload into a signal, or null when it is not one of ours. */
export function parseSignal(payload: string | undefined): JournalSignal | null {
  if (payload === undefined) return null;
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null || !('type' in value)) return null;
    const type = (value as { type: unknown }).type;
    if (typeof type !== 'string' || !SIGNAL_TYPES.has(type as JournalSignal['type'])) return null;
    return value as JournalSignal;
  } catch {
    return null;
  }
}

/**
 * LISTENs on one dedicated connection (a pooled one would lose its LISTEN when returned) and fans
 * the journal's signals out to subscribers. When the connection drops it reconnects with back-off
 * and then emits an `outbox` signal, since notifications sent while nobody listened are lost (the
 * scheduler's own polling covers queued runs; a missed cancel is caught by the run's next step).
 * Started by the first subscriber, stopped by `close`.
 */
export class SignalListener {
  private readonly listeners = new Set<(signal: JournalSignal) => void>();
  private client: pg.Client | undefined;
  private closed = false;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private everConnected = false;

  constructor(private readonly options: SignalListenerOptions) {
    this.backoff = options.backoffMs ?? 250;
  }

  /** Adds a subscriber (connecting on the first) and returns its unsubscribe function. */
  subscribe(listener: (signal: JournalSignal) => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.connecting && !this.closed) void this.connect();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once the listening connection is up (for tests and orderly start-up). */
  async ready(): Promise<void> {
    while (!this.client && !this.closed) {
      if (this.connecting) await this.connecting;
      else await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops listening for good. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private connect(): Promise<void> {
    this.connecting = (async () => {
      const client = new pg.Client(this.options.connection);
      client.on('notification', (message) => {
        if (message.channel !== this.options.channel) return;
        const signal = parseSignal(message.payload);
        if (signal) this.emit(signal);
      });
      client.on('error', (error) => this.lost(client, error));
      client.on('end', () => this.lost(client, new Error('the listening connection ended')));
      try {
        await client.connect();
        await client.query(`LISTEN ${pg.escapeIdentifier(this.options.channel)}`);
      } catch (error) {
        await client.end().catch(() => {});
        this.retry(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.client = client;
      this.backoff = this.options.backoffMs ?? 250;
      // Whatever was notified while nobody listened is lost: ask subscribers to look again.
      if (reconnected) {
        this.emit({ type: 'outbox' });
        this.emit({ type: 'grants_changed' });
      }
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    if (!this.closed) this.retry(error);
  }

  private retry(error: Error): void {
    if (this.closed) return;
    this.options.onError?.(error);
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5000);
    this.retryTimer = setTimeout(() => void this.connect(), wait);
    this.retryTimer.unref();
  }

  private emit(signal: JournalSignal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (error) {
        this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
