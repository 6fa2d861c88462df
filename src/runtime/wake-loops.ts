import type { Logger } from '../logging/logger.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';
import type { ReplyStreams } from './reply-streams.js';
import type { RunFeed } from './run-feed.js';
import type { Scheduler } from './scheduler.js';
import type { ChangeListener } from './wakeups.js';

/** The loops a change can wake. */
export interface Loops {
  scheduler: Pick<Scheduler, 'kick' | 'abort' | 'resume'>;
  dispatcher: Pick<OutboxDispatcher, 'kick'>;
  feed: Pick<RunFeed, 'publish'>;
  /** Replies shown in the chat while they stream. */
  streams?: Pick<ReplyStreams, 'delta' | 'cancelled'>;
  /** The grants in force, reloaded when another replica made or revoked one. */
  grants?: { reload(): Promise<void> } | undefined;
  /** The journal's memberships and linked identities, read again when they change. */
  people?: { refresh(): Promise<void> };
  logger: Logger;
}

/** The subscriber that maps each change to the loops it wakes: the only place this is decided. */
export function wakeLoops(loops: Loops): ChangeListener {
  const { scheduler, dispatcher, feed, streams, grants, people, logger } = loops;
  const resume = (runId: string): void => {
    scheduler.resume(runId).catch((error: unknown) => logger.error({ err: error, runId }, 'resume failed'));
  };
  return (change) => {
    switch (change.type) {
      case 'run_accepted':
        scheduler.kick();
        feed.publish(change.runId);
        return;
      case 'run_cancelled':
        scheduler.abort(change.runId, change.reason ?? 'cancelled');
        dispatcher.kick();
        feed.publish(change.runId);
        streams?.cancelled(change.runId);
        // A cancelled run frees its session's slot for the next queued message.
        scheduler.kick();
        return;
      case 'approval_decided':
        dispatcher.kick();
        feed.publish(change.runId);
        resume(change.runId);
        return;
      case 'outbox':
        dispatcher.kick();
        return;
      case 'run_changed':
        feed.publish(change.runId);
        if (change.outbox) dispatcher.kick();
        return;
      case 'run_delta':
        feed.publish(change.runId, { type: 'delta', text: change.text });
        streams?.delta(change.runId, change.text, change.fresh === true);
        return;
      case 'run_resumable':
        resume(change.runId);
        return;
      case 'grants_changed':
        grants?.reload().catch(() => {}); // logged by the grant book
        return;
      case 'people':
        void people?.refresh();
        return;
    }
  };
}
