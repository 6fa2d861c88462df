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
import { type ApprovalRow, type RunRow, toApproval, toJournalEvent, toJson, toTapeEvent } from './rows.js';
import type { JournalContext } from './statements.js';

// The write primitives every operation composes. Each runs inside the caller's transaction.

/** Reads a run row or throws `NotFoundError`. */
export function requireRun(ctx: JournalContext, runId: string): RunRow {
  const row = ctx.st.runById.get(runId);
  if (!row) throw new NotFoundError('run', runId);
  return row;
}

/** Appends tape events after the run's last seq, so seq stays gapless (the write lock is held). */
export function appendTape(
  ctx: JournalContext,
  runId: string,
  events: readonly TapeAppend[],
  now: number,
): TapeEvent[] {
  if (events.length === 0) return [];
  let seq = ctx.st.nextSeq.get(runId)?.next ?? 0;
  const written: TapeEvent[] = [];
  for (const event of events) {
    const row = { run_id: runId, seq: seq++, kind: event.kind, at: now, body: toJson(event.body) };
    ctx.st.insertTape.run(row);
    written.push(toTapeEvent(row));
  }
  return written;
}

/** Appends one entry to the daemon-wide journal event log. */
export function recordEvent(
  ctx: JournalContext,
  type: string,
  data: Record<string, unknown>,
  now: number,
): JournalEvent {
  const row = { id: newId(now), at: now, type, data: toJson(data) };
  ctx.st.insertEvent.run(row);
  return toJournalEvent(row);
}

/**
 * Moves a run to `to` if the state machine allows it: sets startedAt / finishedAt / reason, drops
 * the lease of a finished run, writes a `state` tape event and a `run.<state>` journal event.
 */
export function transitionRun(
  ctx: JournalContext,
  run: RunRow,
  to: RunState,
  now: number,
  options: TransitionOptions = {},
): { run: RunRow; tape: TapeEvent[] } {
  const { next, body, eventData } = nextRunRow(run, to, now, options);
  ctx.st.updateRun.run(next);
  const tape = appendTape(ctx, run.id, [{ kind: 'state', body }], now);
  recordEvent(ctx, `run.${to}`, eventData, now);
  return { run: next, tape };
}

/** Puts an item in the outbox, due now. Approval payloads are linked to their approval. */
export function enqueueOutbox(
  ctx: JournalContext,
  runId: string | null,
  item: NewOutboxItem,
  now: number,
): string {
  const id = newId(now);
  const approvalId = linkedApprovalId(item);
  ctx.st.insertOutbox.run({
    id,
    run_id: runId,
    channel: item.channel,
    conversation: toJson(item.conversation),
    kind: item.kind,
    payload: toJson(item.payload),
    approval_id: approvalId,
    state: 'pending',
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
    delivered_at: null,
    last_error: null,
    receipt: null,
    lease_owner: null,
    lease_expires_at: null,
  });
  return id;
}

/**
 * Settles a pending approval (decided, expired or cancelled): compare-and-set on `pending`, tape
 * `approval_decision` on its run, an `approval_update` card edit in the outbox and an
 * `approval.<state>` journal event. Returns null when the approval was no longer pending.
 */
export function settleApproval(
  ctx: JournalContext,
  approval: ApprovalRow,
  outcome: Settlement,
): Approval | null {
  const { state, by, scope, reason, now } = outcome;
  const changed = ctx.st.settleApproval.run({ id: approval.id, state, by, now, scope, reason }).changes;
  if (changed === 0) return null;
  const run = requireRun(ctx, approval.run_id);
  const decision = decisionBody(approval, outcome);
  appendTape(ctx, run.id, [{ kind: 'approval_decision', body: decision }], now);
  const sentTo = ctx.st.cardConversations
    .all(approval.id)
    .map((r) => JSON.parse(r.conversation) as ConversationRef);
  for (const where of cardConversations(toApproval(approval).conversation, sentTo))
    enqueueOutbox(ctx, run.id, approvalUpdateItem(run.channel, where, approval.id), now);
  recordEvent(ctx, `approval.${state}`, { ...decision, runId: run.id, tool: approval.tool }, now);
  const settled = ctx.st.approvalById.get(approval.id);
  if (!settled) throw new NotFoundError('approval', approval.id);
  return toApproval(settled);
}
