/** Settings of a pump. */
export interface PumpOptions {
  /** One pass over the work: claim what is due and handle it. */
  pass: () => Promise<void>;
  /** The backstop: a pass at least this often, for work nobody kicked for (another replica's). */
  intervalMs: number;
  /** Runs at each backstop interval before its pass (lease renewal, expiries); not coalesced. */
  onInterval?: () => Promise<void>;
  /** Told when a pass or `onInterval` throws; the pump keeps going. */
  onError: (error: unknown, where: 'pass' | 'interval') => void;
}

/**
 * The wake-up loop of a claim-and-work queue (the scheduler, the outbox dispatcher): `kick` asks
 * for a pass soon, kicks coalesce, one pass runs at a time, a kick during a pass runs exactly one
 * more pass after it, and a timer kicks as a backstop. The work itself stays in the journal, so a
 * lost kick only costs time until the next interval.
 */
export class Pump {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running = false;
  private again = false;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly options: PumpOptions) {}

  /** Starts the backstop timer and a first pass. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.interval(), this.options.intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a pass soon; during a pass, for one more after it. Ignored once stopped. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.current = this.drain();
  }

  /** Stops kicking and the timer, and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** Whether the pump was stopped (or never started). */
  get isStopped(): boolean {
    return this.stopped;
  }

  private async drain(): Promise<void> {
    // Kicks of the same moment (a commit, a signal, a timer) share this one pass.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      do {
        this.again = false;
        if (this.stopped) break;
        try {
          await this.options.pass();
        } catch (error) {
          this.options.onError(error, 'pass');
        }
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }

  private async interval(): Promise<void> {
    if (this.stopped) return;
    if (this.options.onInterval) {
      try {
        await this.options.onInterval();
      } catch (error) {
        this.options.onError(error, 'interval');
      }
    }
    this.kick();
  }
}
