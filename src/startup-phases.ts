/**
 * Times the phases of the daemon's start, reported in the "ready" log line so an operator (and
 * the start-time bench) sees where a slow start goes.
 */
export class StartupPhases {
  private readonly origin = performance.now();
  private last = this.origin;
  private readonly durations: Record<string, number> = {};

  /** Ends the current phase under `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.durations[name] = Math.round(now - this.last);
    this.last = now;
  }

  /** Milliseconds per phase, plus `total` since the process started. */
  done(): Record<string, number> {
    return { ...this.durations, total: Math.round(performance.now()) };
  }
}
