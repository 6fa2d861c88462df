/**
 * The `retention:` section (DESIGN.md section 9): how long each kind of journal row is kept
 * before the housekeeping timer prunes it. A window is a duration (`90d`) or `forever`.
 */
import { z } from 'zod';
import { duration } from './duration.js';

/** One day in milliseconds. */
const DAY = 86_400_000;

/**
 * The longest time any platform may deliver the same event again: Telegram keeps an update it
 * has not seen confirmed for 24 hours (getUpdates and webhooks alike); Slack retries an event
 * three times within about an hour; Discord replays missed gateway events only on a resume,
 * within minutes. Inbox keys must outlive it, or a redelivered message would run twice.
 */
export const LONGEST_REDELIVERY_MS = DAY;

/** A retention window: milliseconds, or `null` for `forever` (never pruned). */
const windowSchema = z.union([z.literal('forever').transform(() => null), duration]);

/** The validated `retention:` section; windows are milliseconds or null (kept forever). */
export const retentionSchema = z
  .strictObject({
    /** Journal events (the audit trail of `/v1/events`), by their time. */
    events: windowSchema.default(90 * DAY),
    /** Inbox keys (platform event ids seen), by receipt; never shorter than any redelivery. */
    inbox: windowSchema.default(7 * DAY).refine((ms) => ms === null || ms >= LONGEST_REDELIVERY_MS, {
      message:
        'retention.inbox must be at least 1d: Telegram redelivers an unconfirmed update for 24 hours, and a key pruned earlier lets it run twice',
    }),
    /** Usage rows (`/usage`, `GET /v1/usage`), by their time. */
    usage: windowSchema.default(400 * DAY),
    /**
     * Tapes and settled outbox items of finished runs, by the run's end; the run row stays. A run
     * with a pending approval is never pruned.
     */
    tapes: windowSchema.default(90 * DAY),
    /** How often the housekeeping pass runs. */
    interval: duration.default(600_000),
    /** Rows deleted per transaction (tapes: batch / 20 runs), so a pass never holds the journal for long. */
    batch: z.number().int().min(1).max(10_000).default(500),
  })
  .prefault({});

/** The `retention:` section after validation. */
export type RetentionConfig = z.output<typeof retentionSchema>;
