/**
 * Which agent answers where (DESIGN.md section 9): `bindings:` routes a new session to an agent by
 * channel, workspace, conversation and principal, first match wins; `schedules:` runs an agent on
 * a cron expression into a bound conversation.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { namedRecord } from './named-record.js';

/** What a binding matches; every field given must match, an empty match matches everything. */
const matchSchema = z.strictObject({
  /** The channel adapter: `console`, `discord`, `slack`, `telegram`. */
  channel: z.string().min(1).optional(),
  /** The Discord guild or Slack team id. */
  workspace: z.string().min(1).optional(),
  /** The channel, chat or DM id (a thread's parent channel for a thread). */
  conversation: z.string().min(1).optional(),
  /** A principal (`slack:T1:U2`), or a prefix ending in `*` (`discord:*`). */
  principal: z.string().min(1).optional(),
});

/** One binding: the agent a new session gets when `match` fits. */
export const bindingSchema = z.strictObject({ match: matchSchema, agent: z.string().min(1) });

/** A cron expression croner accepts (5 or 6 fields). */
const cronExpression = z.string().refine(
  (expression) => {
    try {
      new Cron(expression, { paused: true });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a cron expression (e.g. "0 9 * * 1-5" for 09:00 on weekdays)' },
);

/** One schedule: an agent runs `prompt` on `cron` into a conversation of a channel. */
export const scheduleSchema = z.strictObject({
  cron: cronExpression,
  /** IANA time zone of the expression; the host's by default. */
  timezone: z.string().min(1).optional(),
  /** The agent that runs (default: the binding's for the conversation, else `default`). */
  agent: z.string().min(1).optional(),
  /** What the agent is asked each time. */
  prompt: z.string().min(1),
  /** Where the answer goes: the channel adapter and its conversation. */
  channel: z.string().min(1),
  workspace: z.string().min(1).optional(),
  conversation: z.string().min(1),
  thread: z.string().min(1).optional(),
  enabled: z.boolean().default(true),
});

/** `bindings:` — first match wins. */
export const bindingsSchema = z.array(bindingSchema).default([]);
/** `schedules:` — name (`[a-z0-9_-]+`) → schedule. */
export const schedulesSchema = namedRecord(
  scheduleSchema,
  /^[a-z0-9_-]+$/,
  (name) => `"${name}" is not a schedule name: use lowercase letters, digits, "_" and "-"`,
).default({});

/** One validated binding. */
export type Binding = z.output<typeof bindingSchema>;
/** One validated schedule. */
export type ScheduleConfig = z.output<typeof scheduleSchema>;
