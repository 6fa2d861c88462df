import type { Run } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import type { Channel } from '../ports/channel.js';

/** Dependencies of presence. */
export interface PresenceOptions {
  channels: ReadonlyMap<string, Channel>;
  logger: Logger;
}

interface Shown {
  status: string;
  timer?: ReturnType<typeof setInterval>;
}

/**
 * Keeps a working run visible in its chat: the channel's activity (typing, a status line such as
 * "running shell_exec…") is shown when the run says what it does and shown again every
 * `Channel.activityRefreshMs`, before the platform's indicator lapses, until the run stops
 * working (answered, waiting for an approval, cancelled). Best effort: failures are only logged.
 */
export class Presence {
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly options: PresenceOptions) {}

  /** Shows that `run` is doing `status` now, and keeps it shown. */
  show(run: Run, status: string): void {
    const channel = this.options.channels.get(run.channel);
    if (!channel?.showActivity) return;
    let shown = this.shown.get(run.id);
    if (!shown) {
      shown = { status };
      this.shown.set(run.id, shown);
      const refresh = channel.activityRefreshMs;
      if (refresh !== undefined && refresh > 0) {
        const current = shown;
        current.timer = setInterval(() => this.display(channel, run, current.status), refresh);
        current.timer.unref?.();
      }
    }
    shown.status = status;
    this.display(channel, run, status);
  }

  /** The run stopped working here: no more refreshes. */
  stop(runId: string): void {
    const shown = this.shown.get(runId);
    if (shown?.timer) clearInterval(shown.timer);
    this.shown.delete(runId);
  }

  private display(channel: Channel, run: Run, status: string): void {
    channel.showActivity?.(run.conversation, status).catch((error: unknown) => {
      this.options.logger.debug({ err: error, runId: run.id }, 'activity indicator failed');
    });
  }
}
