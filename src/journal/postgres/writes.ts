import { NotFoundError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type {
  Approval,
  ConversationRef,
  JournalEvent,
  RunState,
  TapeAppend,
  TapeEvent,
} from '../../core/types.js';
import {
  approvalUpdateItem,
  cardConversations,
  decisionBody,
  type Settlement,
} from '../shared/approval-rules.js';
import { linkedApprovalId, nextRunRow, type TransitionOptions } from '../shared/run-rules.js';
import type { NewOutboxItem } from '../store.js';
import type { PgContext } from './context.js';
import {
  type PgApprovalRow,
  type PgRunRow,
  type PgTapeRow,
  toApproval,
  toJournalEvent,
  toJson,
  toTapeEvent,
} from './rows.js';

// The write primitives every operation composes, each inside the caller's transaction. Every
// operation that changes a run (or appends to its tape) first locks the run row with
// `requireRun`, so writers of one run queue up and seq is computed under that lock; locks are
// always taken run first, then its approvals, so two writers never wait on each other in a circle.

/** Locks a run row `FOR UPDATE` and returns it, or throws `NotFoundError`. */
export async function requireRun(ctx: PgContext, runId: string): Promise<PgRunRow> {
  const [row] = await ctx.q<PgRunRow>('runByIdLocked', [runId]);
  if (!row) throw new NotFoundError('run', runId);
  return row;
}

/** Appends tape events after the run's last seq. The caller holds the run's row lock. */
export async function appendTape(
  ctx: PgContext,
  runId: string,
  events: readonly TapeAppend[],
  now: number,
): Promise<TapeEvent[]> {
  if (events.length === 0) return [];
  const rows = await ctx.q<PgTapeRow>('insertTape', [
    runId,
    now,
    events.map((e) => e.kind),
    events.map((e) => toJson(e.body)),
  ]);
  return rows.sort((a, b) => a.seq - b.seq).map(toTapeEvent);
}

/** Appends one entry to the daemon-wide journal event log. */
export async function recordEvent(
  ctx: PgContext,
  type: string,
  data: Record<string, unknown>,
  now: number,
): Promise<JournalEvent> {
  const row = { id: newId(now), at: now, type, data };
  await ctx.run('insertEvent', [row.id, row.at, row.type, toJson(row.data)]);
  return toJournalEvent(row);
}

/**
 * Moves a locked run to `to` if the state machine allows it: sets startedAt / finishedAt /
 * reason, drops the lease of a finished run, writes a `state` tape event and a `run.<state>`
 * journal event (as the SQLite store does).
 */
export async function transitionRun(
  ctx: PgContext,
  run: PgRunRow,
  to: RunState,
  now: number,
  options: TransitionOptions = {},
): Promise<{ run: PgRunRow; tape: TapeEvent[] }> {
  const { next, body, eventData } = nextRunRow(run, to, now, options);
  await updateRun(ctx, next);
  const tape = await appendTape(ctx, run.id, [{ kind: 'state', body }], now);
  await recordEvent(ctx, `run.${to}`, eventData, now);
  return { run: next, tape };
}

/** Writes every mutable column of a run row. */
export async function updateRun(ctx: PgContext, row: PgRunRow): Promise<void> {
  await ctx.run('updateRun', [
    row.id,
    row.state,
    row.updated_at,
    row.started_at,
    row.finished_at,
    row.reason,
    row.lease_owner,
    row.lease_expires_at,
  ]);
}

/** Puts an item in the outbox, due now, and signals the senders. Approval payloads are linked. */
export async function enqueueOutbox(
  ctx: PgContext,
  runId: string | null,
  item: NewOutboxItem,
  now: number,
): Promise<string> {
  const id = newId(now);
  const approvalId = linkedApprovalId(item);
  await ctx.run('insertOutbox', [
    id,
    runId,
    item.channel,
    toJson(item.conversation),
    item.kind,
    toJson(item.payload),
    approvalId,
    now,
  ]);
  ctx.signal({ type: 'outbox' });
  return id;
}

/**
 * Settles a pending approval (decided, expired or cancelled): locks its run, compare-and-set on
 * `pending`, tape `approval_decision`, an `approval_update` card edit in the outbox, an
 * `approval.<state>` journal event and an `approval_decided` signal. Returns null when the
 * approval was no longer pending.
 */
export async function settleApproval(
  ctx: PgContext,
  approval: PgApprovalRow,
  outcome: Settlement,
): Promise<Approval | null> {
  const { state, by, scope, reason, now } = outcome;
  const run = await requireRun(ctx, approval.run_id);
  const [settled] = await ctx.q<PgApprovalRow>('settleApproval', [
    approval.id,
    state,
    by,
    now,
    scope,
    reason,
  ]);
  if (!settled) return null;
  const decision = decisionBody(approval, outcome);
  await appendTape(ctx, run.id, [{ kind: 'approval_decision', body: decision }], now);
  const sentTo = await ctx.q<{ conversation: ConversationRef }>('cardConversations', [approval.id]);
  for (const where of cardConversations(
    approval.conversation,
    sentTo.map((r) => r.conversation),
  ))
    await enqueueOutbox(ctx, run.id, approvalUpdateItem(run.channel, where, approval.id), now);
  await recordEvent(ctx, `approval.${state}`, { ...decision, runId: run.id, tool: approval.tool }, now);
  ctx.signal({ type: 'approval_decided', approvalId: approval.id, runId: run.id });
  return toApproval(settled);
}
