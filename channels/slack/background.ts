/**
 * Work that continues after Slack was answered (a click decided after its ack, a refusal posted
 * after the commit). Tracked so `stop()` drains it and tests can wait for it.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles; its failure is the caller's to log. */
  add(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
  }

  /** Resolves once nothing tracked is running (including work added meanwhile). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
