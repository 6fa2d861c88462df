import type { Logger } from '../logging/logger.js';
import type { Channel } from '../ports/channel.js';

/** The two journal members a singleton lease needs (optional on `JournalStore`). */
export interface SingletonStore {
  acquireSingleton(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseSingleton(name: string, owner: string): Promise<void>;
}

/** Settings of `SingletonLease`. */
export interface SingletonLeaseOptions {
  /** The lease's name, e.g. the channel's (`discord`, `telegram`). */
  name: string;
  /** This process's owner id. */
  owner: string;
  store: SingletonStore;
  /** How long a lease lasts without renewal: a dead holder's connection moves after at most this. */
  ttlMs: number;
  /** How often the holder renews (default a third of `ttlMs`). */
  renewMs?: number;
  /** How often a standby tries to take it (default a third of `ttlMs`, at most 3 s). */
  retryMs?: number;
  clock: () => number;
  logger: Logger;
  /** Starts the connection once the lease is ours; a throw gives the lease back for a later try. */
  onAcquired: () => Promise<void>;
  /** Stops the connection when the lease is lost (or could not be renewed in time). */
  onLost: () => Promise<void>;
}

/**
 * Keeps a connection that must be single across replicas (a Discord gateway shard, a Telegram
 * long poller) on exactly one of them: the holder renews its lease row; a standby retries every
 * few seconds and starts the connection when the holder's lease lapsed (it died) or was released
 * (it stopped). A holder that cannot renew steps down once its lease may have expired, so two
 * replicas never both think they hold it for longer than clock skew.
 */
export class SingletonLease {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private holding = false;
  private renewedAt = 0;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly options: SingletonLeaseOptions) {}

  /** Whether this process holds the lease now. */
  get held(): boolean {
    return this.holding;
  }

  /** Tries at once, then keeps renewing or retrying. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops trying; a holder stops its connection and releases the lease so a standby takes over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
    if (!this.holding) return;
    this.holding = false;
    await this.options.onLost().catch(() => {});
    await this.options.store.releaseSingleton(this.options.name, this.options.owner).catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.tick().finally(() => {
        const { ttlMs, renewMs, retryMs } = this.options;
        this.schedule(this.holding ? (renewMs ?? ttlMs / 3) : (retryMs ?? Math.min(3000, ttlMs / 3)));
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const { name, owner, store, ttlMs, clock, logger } = this.options;
    const now = clock();
    let ours: boolean;
    try {
      ours = await store.acquireSingleton(name, owner, ttlMs, now);
    } catch (error) {
      if (this.holding && clock() - this.renewedAt >= ttlMs) {
        logger.warn(
          { singleton: name, err: error },
          `could not renew the ${name} lease in time; stepping down`,
        );
        await this.lose();
      } else logger.warn({ singleton: name, err: error }, `${name} lease check failed`);
      return;
    }
    if (this.stopped) {
      if (ours && !this.holding) await store.releaseSingleton(name, owner).catch(() => {});
      return;
    }
    if (ours) this.renewedAt = now;
    if (ours && !this.holding) {
      this.holding = true;
      logger.info({ singleton: name, owner }, `this replica now holds ${name}`);
      try {
        await this.options.onAcquired();
      } catch (error) {
        logger.error({ singleton: name, err: error }, `${name} failed to start; giving the lease back`);
        this.holding = false;
        await store.releaseSingleton(name, owner).catch(() => {});
      }
    } else if (!ours && this.holding) {
      logger.warn({ singleton: name }, `another replica took over ${name}`);
      await this.lose();
    }
  }

  private async lose(): Promise<void> {
    this.holding = false;
    await this.options
      .onLost()
      .catch((error: unknown) =>
        this.options.logger.error(
          { singleton: this.options.name, err: error },
          'stopping the connection failed',
        ),
      );
  }
}

/**
 * Starts `channel` only while this replica holds its singleton lease (named after the channel),
 * keeping it in `channels` (what the outbox delivers through) exactly while it runs; the lease
 * lasts `min(leaseMs, 15 s)` and moves to a standby when this replica dies or stops.
 */
export function holdSingleton(deps: {
  channel: Channel;
  channels: Map<string, Channel>;
  store: SingletonStore;
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
  /** Called after each start (metrics). */
  onStart?: () => void;
}): SingletonLease {
  const { channel, channels, store, owner, leaseMs, clock, logger, onStart } = deps;
  const lease = new SingletonLease({
    name: channel.name,
    owner,
    store,
    ttlMs: Math.min(leaseMs, 15_000),
    clock,
    logger,
    onAcquired: async () => {
      await channel.start();
      channels.set(channel.name, channel);
      onStart?.();
    },
    onLost: async () => {
      channels.delete(channel.name);
      await channel.stop();
    },
  });
  lease.start();
  return lease;
}
