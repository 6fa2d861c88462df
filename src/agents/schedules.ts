/**
 * `schedules:` (DESIGN.md section 9): an agent runs a prompt on a cron expression into a
 * conversation, as a run like any other (tape, policy, approvals, usage) of the principal
 * `schedule:<name>`. Each tick is claimed in the journal before it runs, so with several replicas
 * it runs once; at start, the ticks missed while the daemon was down run once (the latest), not
 * once per missed tick. The very first start only records where the schedule stands.
 */
import { Cron } from 'croner';
import type { ScheduleConfig } from '../config/routing-schema.js';
import type { InboundMessage } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { ReceiveResult } from '../ports/gateway.js';

/** The principal a schedule's runs belong to (put it in a group that may chat). */
export function schedulePrincipal(name: string): string {
  return `schedule:${name}`;
}

/** The part of a logger the runner uses. */
interface ScheduleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What the runner needs. */
export interface ScheduleRunnerOptions {
  schedules: Record<string, ScheduleConfig>;
  journal: Pick<JournalStore, 'lastScheduleTick' | 'claimScheduleTick'>;
  /** Where a tick's message goes in (the gateway: chat policy, the inbox, the scheduler). */
  receive: (message: InboundMessage) => Promise<ReceiveResult>;
  /** This process's owner id, recorded with each claim. */
  owner: string;
  clock: () => number;
  logger: ScheduleLog;
}

interface Entry {
  name: string;
  config: ScheduleConfig;
  cron: Cron;
}

/** Runs the configured schedules; `start` arms timers, `check` runs whatever tick is due. */
export class ScheduleRunner {
  private readonly entries: Entry[];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = true;

  constructor(private readonly options: ScheduleRunnerOptions) {
    this.entries = Object.entries(options.schedules)
      .filter(([, config]) => config.enabled)
      .map(([name, config]) => ({
        name,
        config,
        cron: new Cron(config.cron, {
          paused: true,
          ...(config.timezone ? { timezone: config.timezone } : {}),
        }),
      }));
  }

  /**
   * Records a first start (nothing runs for ticks before it), runs the latest missed tick of a
   * schedule the daemon was down for, and arms the timers for the next ticks.
   */
  async start(): Promise<void> {
    this.stopped = false;
    const now = this.options.clock();
    for (const entry of this.entries) {
      const latest = latestTick(entry, now);
      const last = await this.options.journal.lastScheduleTick(entry.name);
      if (last === null && latest !== undefined) {
        // First start: only where the schedule stands is recorded; the next tick runs.
        await this.options.journal.claimScheduleTick({
          name: entry.name,
          tick: latest,
          owner: this.options.owner,
          now,
        });
      } else {
        await this.fire(entry, now);
      }
      this.arm(entry);
    }
  }

  /** Stops the timers; a tick already claimed finishes as a run like any other. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Runs, for every schedule, its latest tick at or before `now` unless it was claimed already. */
  async check(now: number = this.options.clock()): Promise<void> {
    for (const entry of this.entries) await this.fire(entry, now);
  }

  private async fire(entry: Entry, now: number): Promise<void> {
    const tick = latestTick(entry, now);
    if (tick === undefined) return;
    const claimed = await this.options.journal.claimScheduleTick({
      name: entry.name,
      tick,
      owner: this.options.owner,
      now,
    });
    if (!claimed) return;
    const { config } = entry;
    const message: InboundMessage = {
      channel: config.channel,
      eventId: `schedule:${entry.name}:${tick}`,
      device: `schedule:${entry.name}`,
      principal: schedulePrincipal(entry.name),
      sessionKey: `schedule:${entry.name}`,
      conversation: {
        platform: config.channel,
        channel: config.conversation,
        ...(config.workspace ? { workspace: config.workspace } : {}),
        ...(config.thread ? { thread: config.thread } : {}),
      },
      text: config.prompt,
      ...(config.agent ? { agent: config.agent } : {}),
    };
    try {
      const result = await this.options.receive(message);
      if (result.status === 'refused') {
        this.options.logger.warn(
          { schedule: entry.name, principal: message.principal },
          `schedule refused: ${result.message} (put ${message.principal} in a group that may chat)`,
        );
      } else {
        this.options.logger.info(
          { schedule: entry.name, tick: new Date(tick).toISOString(), ...result },
          'schedule ran',
        );
      }
    } catch (error) {
      this.options.logger.warn(
        { schedule: entry.name, err: (error as Error).message },
        'schedule tick failed',
      );
    }
  }

  /** Sets a timer for the entry's next tick (re-armed after each, and at least once an hour). */
  private arm(entry: Entry): void {
    if (this.stopped) return;
    const now = this.options.clock();
    const next = entry.cron.nextRun(new Date(now))?.getTime();
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - now), 3_600_000);
    const timer = setTimeout(() => {
      this.timers.delete(entry.name);
      void this.fire(entry, this.options.clock()).finally(() => this.arm(entry));
    }, delay);
    timer.unref();
    this.timers.set(entry.name, timer);
  }
}

/** The entry's latest tick at or before `now`, in ms, or undefined when it never ticked. */
function latestTick(entry: Entry, now: number): number | undefined {
  // previousRuns looks strictly before the reference: one millisecond on includes `now` itself.
  const [previous] = entry.cron.previousRuns(1, new Date(now + 1));
  return previous?.getTime();
}
