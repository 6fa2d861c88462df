import type { Run } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { Pump } from './pump.js';
import type { Wakeups } from './wakeups.js';

/** How a call to `execute` ended: the run finished, waits for a human, or was stopped (cancelled). */
export type ExecuteOutcome = 'finished' | 'waiting' | 'stopped';

/** Runs one claimed run; the scheduler owns its AbortController. */
export type Execute = (run: Run, signal: AbortSignal) => Promise<ExecuteOutcome>;

/** Scheduler settings. */
export interface SchedulerOptions {
  journal: JournalStore;
  execute: Execute;
  maxConcurrent: number;
  /** This process's lease owner id. */
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
  /** Backstop polling interval for queued work and expiries. */
  pollMs?: number;
  /** Told when expired approvals queued card updates. */
  wakeups: Wakeups;
}

/**
 * One active run per session, bounded global concurrency. Runs are claimed from the journal (the
 * queue is the `accepted` rows, oldest first), so nothing is lost on a crash; `kick` asks for a
 * claim pass now, a timer does one regularly as a backstop, renews leases and expires approvals.
 */
export class Scheduler {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Runs asked to resume while still executing here (a decision that raced the run's own wait). */
  private readonly resumeAgain = new Set<string>();
  private readonly pump: Pump;

  constructor(private readonly options: SchedulerOptions) {
    this.pump = new Pump({
      pass: () => this.pass(),
      intervalMs: options.pollMs ?? 1000,
      onInterval: () => this.tick(),
      onError: (error, where) =>
        options.logger.error(
          { err: error },
          where === 'pass' ? 'claiming runs failed' : 'scheduler tick failed',
        ),
    });
  }

  /** Starts the backstop timer and a first claim pass. */
  start(): void {
    this.pump.start();
  }

  /** Stops claiming, aborts nothing: running runs finish their current await (see `abortAll`). */
  async stop(): Promise<void> {
    await this.pump.stop();
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  /** Aborts every in-process run (shutdown) and waits for them to settle. */
  async abortAll(): Promise<void> {
    for (const a of this.active.values()) a.controller.abort(new Error('shutdown'));
    await this.stop();
  }

  /** Number of runs executing in this process. */
  get activeCount(): number {
    return this.active.size;
  }

  /** Asks for a claim pass soon. */
  kick(): void {
    this.pump.kick();
  }

  /** Aborts the in-process execution of a run (cancel). Returns whether it was running here. */
  abort(runId: string, reason: string): boolean {
    const a = this.active.get(runId);
    if (!a) return false;
    a.controller.abort(new Error(reason));
    return true;
  }

  /** Continues a `running` run that waited (approval decided or expired); no-op if already active. */
  async resume(runId: string): Promise<void> {
    if (this.pump.isStopped) return;
    if (this.active.has(runId)) {
      // The decision may have landed before the run released itself to wait: look again after.
      this.resumeAgain.add(runId);
      return;
    }
    const { journal, owner, leaseMs, clock } = this.options;
    const run = await journal.leaseRun(runId, { owner, leaseMs, now: clock() });
    if (run && !this.active.has(runId)) this.launch(run);
  }

  /** Claims runs while there is room; a full claim looks again, since more may be queued. */
  private async pass(): Promise<void> {
    const { journal, owner, leaseMs, clock } = this.options;
    for (;;) {
      const free = this.options.maxConcurrent - this.active.size;
      if (free <= 0 || this.pump.isStopped) return;
      const runs = await journal.claimRuns({ owner, leaseMs, now: clock(), limit: free });
      for (const run of runs) this.launch(run);
      if (runs.length < free) return;
    }
  }

  private launch(run: Run): void {
    const controller = new AbortController();
    const done = this.options
      .execute(run, controller.signal)
      .then(async (outcome) => {
        if (outcome === 'waiting') await this.options.journal.releaseRun(run.id, this.options.owner);
      })
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, runId: run.id }, 'run execution crashed'),
      )
      .finally(() => {
        this.active.delete(run.id);
        if (this.resumeAgain.delete(run.id)) void this.resume(run.id);
        this.kick();
      });
    this.active.set(run.id, { controller, done });
  }

  /** The backstop's own work: renew this process's leases, expire approvals and resume their runs. */
  private async tick(): Promise<void> {
    const { journal, owner, leaseMs, clock } = this.options;
    if (this.active.size > 0)
      await journal.renewLeases([...this.active.keys()], { owner, leaseMs, now: clock() });
    // Access requests expire like approvals: their cards are edited by the outbox.
    if ((await journal.expireAccessRequests(clock())).length > 0)
      this.options.wakeups.announce({ type: 'outbox' });
    const expired = await journal.expireApprovals(clock());
    if (expired.length > 0) {
      const runIds = [...new Set(expired.map((a) => a.runId))];
      this.options.wakeups.announce({ type: 'outbox' });
      for (const id of runIds) await this.resume(id);
    }
  }
}
